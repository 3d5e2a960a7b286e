/* acrobot.c - Acrobot-v1: a two-link arm actuated at the elbow, to be swung up.
 *
 * Reference: R. S. Sutton, "Generalization in reinforcement learning: successful examples
 * using sparse coarse coding", NIPS 8, 1996, and Sutton & Barto, "Reinforcement
 * Learning: An Introduction", with the book's equations of motion (the paper's lack the
 * m2 l1 lc2 dtheta1^2 sin(theta2) term), as Gymnasium 1.x implements them
 * (gymnasium/envs/classic_control/acrobot.py): torque in {-1, 0, +1}, one classic RK4
 * step of dt = 0.2, then both angles wrapped to [-pi, pi] and the velocities bounded to
 * [-4 pi, 4 pi] and [-9 pi, 9 pi]. Terminated when -cos(theta1) - cos(theta1 + theta2)
 * > 1 (strict); reward -1, or 0 on a terminated step.
 *
 * Dtypes: state float64 (theta1, theta2, dtheta1, dtheta2); the reset draw is rounded to
 * float32 as Gymnasium's is. Gymnasium's `x**2` of a float64 is libm pow(x, 2), which
 * glibc rounds differently from x*x for about one argument in a thousand, so it is pow
 * here too (through pow2, which the compiler cannot turn into x*x). Observation float32
 * (cos theta1, sin theta1, cos theta2, sin theta2, dtheta1, dtheta2); reward float64.
 *
 * Left out: rendering, torque noise (torque_noise_max is 0 in Gymnasium) and the NIPS
 * dynamics option.
 */
#include <math.h>

#include "builtin.h"

#define PI    3.14159265358979323846
#define DT    0.2
#define L1    1.0 /* link lengths, masses, centres of mass, moments of inertia */
#define M1    1.0
#define M2    1.0
#define LC1   0.5
#define LC2   0.5
#define I1    1.0
#define I2    1.0
#define G     9.8
#define VMAX1 (4 * PI)
#define VMAX2 (9 * PI)

typedef struct {
    double s[4]; /* theta1, theta2, dtheta1, dtheta2 */
} AcrobotState;

static const float obs_high[6] = {1.0f, 1.0f, 1.0f, 1.0f, (float)VMAX1, (float)VMAX2};
static const float obs_low[6] = {-1.0f, -1.0f, -1.0f, -1.0f, -(float)VMAX1, -(float)VMAX2};

/* libm pow(x, 2): what Python's `x**2` computes for a float64. The exponent is read
 * through a volatile so that the compiler keeps the call instead of x*x. */
static double pow2(double x)
{
    volatile double two = 2.0;
    return pow(x, two);
}

/* ds = d/dt (theta1, theta2, dtheta1, dtheta2) under torque a on the elbow. */
static void acrobot_deriv(double ds[4], const double s[4], double a)
{
    const double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
    const double c2 = cos(theta2), s2 = sin(theta2);
    /* lc1**2 etc. of exact constants are exact products */
    const double d1 = M1 * (LC1 * LC1) + M2 * (L1 * L1 + LC2 * LC2 + 2 * L1 * LC2 * c2) + I1 + I2;
    const double d2 = M2 * (LC2 * LC2 + L1 * LC2 * c2) + I2;
    const double phi2 = M2 * LC2 * G * cos(theta1 + theta2 - PI / 2.0);
    const double phi1 = -M2 * L1 * LC2 * pow2(dtheta2) * s2 -
                        2 * M2 * L1 * LC2 * dtheta2 * dtheta1 * s2 +
                        (M1 * LC1 + M2 * L1) * G * cos(theta1 - PI / 2) + phi2;
    /* the book's equation */
    const double ddtheta2 = (a + d2 / d1 * phi1 - M2 * L1 * LC2 * pow2(dtheta1) * s2 - phi2) /
                            (M2 * (LC2 * LC2) + I2 - pow2(d2) / d1);
    const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    ds[0] = dtheta1;
    ds[1] = dtheta2;
    ds[2] = ddtheta1;
    ds[3] = ddtheta2;
}

/* x wrapped into [lo, hi] by whole turns. */
static double wrap(double x, double lo, double hi)
{
    const double span = hi - lo;
    while (x > hi)
        x = x - span;
    while (x < lo)
        x = x + span;
    return x;
}

/* The observation of st, given c0 = cos(theta1). */
static void acrobot_obs(const AcrobotState *st, double c0, float *obs)
{
    const double *s = st->s;
    obs[0] = (float)c0;
    obs[1] = (float)sin(s[0]);
    obs[2] = (float)cos(s[1]);
    obs[3] = (float)sin(s[1]);
    obs[4] = (float)s[2];
    obs[5] = (float)s[3];
}

static void acrobot_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    AcrobotState *st = state;
    /* each component ~ U[-0.1, 0.1), rounded to float32 */
    for (int i = 0; i < 4; i++)
        st->s[i] = (float)rng_uniform_range(rng, -0.1, 0.1);
    acrobot_obs(st, cos(st->s[0]), obs);
}

static int acrobot_step(const EnvSpec *spec, void *state, const float *action, float *obs,
                        double *reward, uint8_t *terminated)
{
    (void)spec;
    AcrobotState *st = state;
    static const double torque[3] = {-1.0, 0.0, 1.0}; /* Gymnasium's AVAIL_TORQUE */
    const int k = env_discrete_action(action[0], 3);
    if (k < 0)
        return -1;
    const double a = torque[k];

    /* RK4 over t in [0, dt]; the torque is a constant fifth component */
    const double h = DT - 0, h2 = h / 2.0;
    const double *y0 = st->s;
    double k1[4], k2[4], k3[4], k4[4], y[4];
    acrobot_deriv(k1, y0, a);
    for (int i = 0; i < 4; i++)
        y[i] = y0[i] + h2 * k1[i];
    acrobot_deriv(k2, y, a);
    for (int i = 0; i < 4; i++)
        y[i] = y0[i] + h2 * k2[i];
    acrobot_deriv(k3, y, a);
    for (int i = 0; i < 4; i++)
        y[i] = y0[i] + h * k3[i];
    acrobot_deriv(k4, y, a);
    for (int i = 0; i < 4; i++) /* y0 + dt/6 (k1 + 2 k2 + 2 k3 + k4) */
        y[i] = y0[i] + h / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);

    double *s = st->s;
    s[0] = wrap(y[0], -PI, PI);
    s[1] = wrap(y[1], -PI, PI);
    s[2] = env_clip(y[2], -VMAX1, VMAX1); /* Gymnasium's bound: min(max(x, lo), hi) */
    s[3] = env_clip(y[3], -VMAX2, VMAX2);

    /* tip above the bar: height of the free end -cos th1 - cos(th1 + th2) > 1 */
    const double c0 = cos(s[0]);
    const int term = -c0 - cos(s[1] + s[0]) > 1.0;
    *reward = term ? 0.0 : -1.0;
    *terminated = (uint8_t)term;
    acrobot_obs(st, c0, obs);
    return 0;
}

static void acrobot_get_state(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    const AcrobotState *st = state;
    for (int i = 0; i < 4; i++)
        out[i] = st->s[i];
}

static int acrobot_set_state(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    if (!env_states_finite(in, 4))
        return -1;
    AcrobotState *st = state;
    for (int i = 0; i < 4; i++)
        st->s[i] = in[i];
    acrobot_obs(st, cos(st->s[0]), obs);
    return 0;
}

/* Training preset (config.h keys) for `mpirun -np 3` (two actors): PPO as in
 * rl-baselines3-zoo's Acrobot-v1 hyperparameters: n_envs 16 as 2 x 8, n_steps 256,
 * gamma 0.99, lambda 0.94, 4 epochs, batch 64 (64 minibatches of 32 per actor, summed
 * over both), lr 3e-4, no entropy bonus, no value clipping, observation normalisation
 * (the zoo also normalises rewards, which mpirl does not; not needed here).
 * TRPO and NPG (mpirl's own, on the same rollouts): KL radius 0.02 and a longer value
 * fit (10 epochs of 16 minibatches) reached -100 in about 110k steps against about
 * 360k with radius 0.01 and 5 x 4 (seeds 1-3). ppo-kl: target KL 0.01, beta from 1.
 * GRPO (mpirl's own): one group of 8 per actor, 4 epochs of 8 minibatches at lr 0.001
 * reached -100 in 121k-139k steps (seeds 1-3).
 * scripts/bench-learn measures it. */
static const char *const acrobot_defaults[] = {
    "num_envs=8",         "rollout=256",       "gamma=0.99",
    "gae_lambda=0.94",    "epochs=4",          "minibatches=64",
    "lr=0.0003",          "norm_obs=true",     "vf_clip=0",
    "trpo:max_kl=0.02",   "trpo:vf_epochs=10", "trpo:vf_minibatches=16",
    "npg:max_kl=0.02",    "npg:vf_epochs=10",  "npg:vf_minibatches=16",
    "grpo:minibatches=8", "grpo:lr=0.001",     NULL};

const EnvSpec env_acrobot_v1 = {
    .abi = MPIRL_ENV_ABI,
    .id = "Acrobot-v1",
    .obs_dim = 6,
    .obs_low = obs_low,
    .obs_high = obs_high,
    .act_kind = SPACE_DISCRETE,
    .act_n = 3,
    .act_low = NULL,
    .act_high = NULL,
    .max_steps = 500,
    .state_size = 4,
    .state_bytes = sizeof(AcrobotState),
    .defaults = acrobot_defaults,
    .reset = acrobot_reset,
    .step = acrobot_step,
    .get_state = acrobot_get_state,
    .set_state = acrobot_set_state,
};
