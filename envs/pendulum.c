/* pendulum.c - Pendulum-v1: swing a torque-limited pendulum up and keep it upright.
 *
 * Reference: the classic inverted-pendulum swing-up task as Gymnasium 1.x implements it
 * (gymnasium/envs/classic_control/pendulum.py), g = 10, m = l = 1, dt = 0.05: the torque
 * u is clipped to [-2, 2]; the cost th_n^2 + 0.1 w^2 + 0.001 u^2 uses the pre-step state,
 * the clipped torque and th_n, the angle normalised to [-pi, pi) (Python's %, the sign of
 * the divisor); then w += (3 g / (2 l) sin th + 3 / (m l^2) u) dt clipped to [-8, 8], and
 * th += w dt (semi-implicit Euler; th itself is never wrapped). Reward -cost; never
 * terminates (the time limit of 200 steps is the wrapper's).
 *
 * Dtypes: state float64 (th, w). The float32 torque meets Python floats, which NumPy 1.x
 * promotes to float64 (Debian 12's NumPy 1.24), so u^2 and 3u are exact doubles here;
 * NumPy 2 (NEP 50) would round them to float32. `th_n**2` and `w**2` are libm pow(x, 2),
 * which glibc rounds differently from x*x for about one argument in a thousand, so pow is
 * called (through pow2, which the compiler cannot turn into x*x). libm sin/cos.
 * Observation float32 (cos th, sin th, w); reward float64.
 *
 * Left out: rendering, the g option (10 here) and reset bounds from options.
 */
#include <math.h>

#include "builtin.h"

#define PI         3.14159265358979323846
#define MAX_SPEED  8
#define MAX_TORQUE 2.0
#define DT         0.05
#define G          10.0
#define M          1.0
#define L          1.0

typedef struct {
    double th, thdot;
} PendulumState;

static const float obs_high[3] = {1.0f, 1.0f, (float)MAX_SPEED};
static const float obs_low[3] = {-1.0f, -1.0f, -(float)MAX_SPEED};
static const float act_low[1] = {-(float)MAX_TORQUE};
static const float act_high[1] = {(float)MAX_TORQUE};

/* libm pow(x, 2): what Python's `x**2` computes for a float64. The exponent is read
 * through a volatile so that the compiler keeps the call instead of x*x. */
static double pow2(double x)
{
    volatile double two = 2.0;
    return pow(x, two);
}

/* ((x + pi) % (2 pi)) - pi with Python's float %: fmod, moved into the divisor's sign
 * (positive here); a zero remainder is +0. */
static double angle_normalize(double x)
{
    const double b = 2 * PI;
    double m = fmod(x + PI, b);
    if (m != 0.0) {
        if (m < 0)
            m += b;
    } else {
        m = 0.0;
    }
    return m - PI;
}

static void pendulum_obs(const PendulumState *s, float *obs)
{
    obs[0] = (float)cos(s->th);
    obs[1] = (float)sin(s->th);
    obs[2] = (float)s->thdot;
}

static void pendulum_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    PendulumState *s = state;
    s->th = rng_uniform_range(rng, -PI, PI);      /* U[-pi, pi) */
    s->thdot = rng_uniform_range(rng, -1.0, 1.0); /* U[-1, 1) */
    pendulum_obs(s, obs);
}

static int pendulum_step(const EnvSpec *spec, void *state, const float *action, float *obs,
                         double *reward, uint8_t *terminated)
{
    (void)spec;
    PendulumState *s = state;
    float uf = action[0];
    if (isnan(uf))
        return -1;
    /* np.clip on the float32 action (the bounds are exact in float32) */
    uf = uf < -(float)MAX_TORQUE ? -(float)MAX_TORQUE : uf;
    uf = uf > (float)MAX_TORQUE ? (float)MAX_TORQUE : uf;
    const double u = uf;
    const double th = s->th, thdot = s->thdot;

    /* cost from the pre-step state and the clipped torque; u*u is exact */
    const double costs = pow2(angle_normalize(th)) + 0.1 * pow2(thdot) + 0.001 * (u * u);

    double newthdot = thdot + (3 * G / (2 * L) * sin(th) + 3.0 / (M * (L * L)) * u) * DT;
    newthdot = newthdot < -MAX_SPEED ? -MAX_SPEED : newthdot;
    newthdot = newthdot > MAX_SPEED ? MAX_SPEED : newthdot;
    s->th = th + newthdot * DT;
    s->thdot = newthdot;

    *reward = -costs;
    *terminated = 0;
    pendulum_obs(s, obs);
    return 0;
}

static void pendulum_get_state(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    const PendulumState *s = state;
    out[0] = s->th;
    out[1] = s->thdot;
}

static int pendulum_set_state(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    if (!env_states_finite(in, 2))
        return -1;
    PendulumState *s = state;
    s->th = in[0];
    s->thdot = in[1];
    pendulum_obs(s, obs);
    return 0;
}

/* Training preset (config.h keys) for `mpirun -np 3` (two actors): PPO as in
 * rl-baselines3-zoo's Pendulum-v1 hyperparameters without gSDE (which mpirl does not
 * have): n_envs 4 as 2 x 2, n_steps 1024, gamma 0.9, lambda 0.95, 10 epochs, batch 64
 * (64 minibatches of 32 per actor, summed over both), lr 1e-3, clip 0.2, no entropy
 * bonus, no value clipping. The observations are already of order 1: not normalised.
 * TRPO and NPG (mpirl's own): the built-in defaults (KL radius 0.01, 10 CG iterations,
 * damping 0.1, value fit 5 epochs x 4 minibatches); ppo-kl: target 0.01.
 * GRPO (mpirl's own): one group of 8 per actor, 10 epochs of 8 minibatches at lr 3e-3
 * (at 1e-3 it stood at -853 after 300k steps, seed 1).
 * scripts/bench-learn measures it. */
static const char *const pendulum_defaults[] = {
    "num_envs=2",      "rollout=1024",       "gamma=0.9",     "gae_lambda=0.95",
    "epochs=10",       "minibatches=64",     "lr=0.001",      "vf_clip=0",
    "grpo:num_envs=8", "grpo:minibatches=8", "grpo:lr=0.003", NULL};

const EnvSpec env_pendulum_v1 = {
    .abi = MPIRL_ENV_ABI,
    .id = "Pendulum-v1",
    .obs_dim = 3,
    .obs_low = obs_low,
    .obs_high = obs_high,
    .act_kind = SPACE_BOX,
    .act_n = 1,
    .act_low = act_low,
    .act_high = act_high,
    .max_steps = 200,
    .state_size = 2,
    .state_bytes = sizeof(PendulumState),
    .defaults = pendulum_defaults,
    .reset = pendulum_reset,
    .step = pendulum_step,
    .get_state = pendulum_get_state,
    .set_state = pendulum_set_state,
};
