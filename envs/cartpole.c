/* cartpole.c - CartPole-v1: a pole balanced on a cart pushed left or right.
 *
 * Reference: A. G. Barto, R. S. Sutton and C. W. Anderson, "Neuronlike adaptive elements
 * that can solve difficult learning control problems", IEEE Trans. SMC 13(5), 1983, with
 * the equations of motion as corrected by R. V. Florian (2007) and as Gymnasium 1.x
 * writes them (gymnasium/envs/classic_control/cartpole.py): explicit Euler, tau = 0.02,
 * force +-10, terminated when |x| > 2.4 or |theta| > 12 degrees (strict: exactly on a
 * limit is still alive). Every step rewards 1, the terminating one included; a step
 * after termination rewards 0, as Gymnasium's steps_beyond_terminated does.
 *
 * Dtypes: state float64 (x, x_dot, theta, theta_dot), computed in Gymnasium's order of
 * operations with libm sin/cos (GCC merges the two calls into glibc's sincos, which
 * returns the same values); observation float32; reward float64.
 *
 * step_batch steps many environments at once over a structure of arrays (env.h): the
 * sin / cos of all of them first, then the physics, which both paths share, in a loop
 * GCC vectorizes (its three divisions are what a step costs apart from sincos), built for
 * SSE2 and for AVX2 with the same results bit for bit.
 *
 * Left out: rendering, the sutton_barto_reward option (0 / -1 rewards), the
 * semi-implicit Euler option and reset bounds from options.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "builtin.h"

#define GRAVITY   9.8
#define MASS_CART 1.0
#define MASS_POLE 0.1
#define HALF_LEN  0.5 /* half the pole's length */
#define FORCE_MAG 10.0
#define TAU       0.02
#define X_LIMIT   2.4
#define PI        3.14159265358979323846

/* Derived constants, evaluated as Gymnasium evaluates them. */
#define TOTAL_MASS  (MASS_POLE + MASS_CART)
#define POLEMASS_L  (MASS_POLE * HALF_LEN)
#define THETA_LIMIT (12 * 2 * PI / 360)

typedef struct {
    double x, x_dot, theta, theta_dot;
    double ended; /* 1 once a step has terminated: later steps reward 0 (until reset /
                     set_state); a double so that the struct is 8-byte words (step_batch)
                     and step_batch's loop all 64-bit float lanes, which SSE2 compares */
} CartPoleState;

/* step_batch reads the struct's words as arrays in this order (env.h) */
_Static_assert(offsetof(CartPoleState, x_dot) == 8 && offsetof(CartPoleState, theta) == 16 &&
                   offsetof(CartPoleState, theta_dot) == 24 &&
                   offsetof(CartPoleState, ended) == 32 && sizeof(CartPoleState) == 40,
               "CartPoleState must be five 8-byte words");

#define CHUNK 256 /* environments per pass of step_batch: its sin / cos fit on the stack */

static const float obs_high[4] = {(float)(X_LIMIT * 2), INFINITY, (float)(THETA_LIMIT * 2),
                                  INFINITY};
static const float obs_low[4] = {-(float)(X_LIMIT * 2), -INFINITY, -(float)(THETA_LIMIT * 2),
                                 -INFINITY};

static void cartpole_obs(const CartPoleState *s, float *obs)
{
    obs[0] = (float)s->x;
    obs[1] = (float)s->x_dot;
    obs[2] = (float)s->theta;
    obs[3] = (float)s->theta_dot;
}

static void cartpole_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    CartPoleState *s = state;
    /* each component ~ U[-0.05, 0.05), in state order */
    s->x = rng_uniform_range(rng, -0.05, 0.05);
    s->x_dot = rng_uniform_range(rng, -0.05, 0.05);
    s->theta = rng_uniform_range(rng, -0.05, 0.05);
    s->theta_dot = rng_uniform_range(rng, -0.05, 0.05);
    s->ended = 0.0;
    cartpole_obs(s, obs);
}

/* The physics of one step, the only copy (step and step_batch both call it): push the
 * cart in s with force, given sin and cos of theta, write the observation (4 floats) and
 * the reward; returns whether the step terminated. */
static inline int cartpole_advance(CartPoleState *s, double force, double sintheta, double costheta,
                                   float *obs, double *reward)
{
    /* temp = (F + m_p l w^2 sin th) / M */
    const double temp =
        (force + POLEMASS_L * (s->theta_dot * s->theta_dot) * sintheta) / TOTAL_MASS;
    /* th'' = (g sin th - cos th temp) / (l (4/3 - m_p cos^2 th / M)) */
    const double thetaacc =
        (GRAVITY * sintheta - costheta * temp) /
        (HALF_LEN * (4.0 / 3.0 - MASS_POLE * (costheta * costheta) / TOTAL_MASS));
    /* x'' = temp - m_p l th'' cos th / M */
    const double xacc = temp - POLEMASS_L * thetaacc * costheta / TOTAL_MASS;

    /* explicit Euler: positions advance with the old velocities */
    s->x = s->x + TAU * s->x_dot;
    s->x_dot = s->x_dot + TAU * xacc;
    s->theta = s->theta + TAU * s->theta_dot;
    s->theta_dot = s->theta_dot + TAU * thetaacc;

    const int term =
        s->x < -X_LIMIT || s->x > X_LIMIT || s->theta < -THETA_LIMIT || s->theta > THETA_LIMIT;
    *reward = (term && s->ended != 0.0) ? 0.0 : 1.0;
    s->ended = term ? 1.0 : s->ended; /* stored unconditionally: vectorizes */
    cartpole_obs(s, obs);
    return term;
}

static int cartpole_step(const EnvSpec *spec, void *state, const float *action, float *obs,
                         double *reward, uint8_t *terminated)
{
    (void)spec;
    CartPoleState *s = state;
    const int k = env_discrete_action(action[0], 2);
    if (k < 0)
        return -1;
    const double force = k == 1 ? FORCE_MAG : -FORCE_MAG; /* 0 pushes left, 1 right */
    const double costheta = cos(s->theta), sintheta = sin(s->theta);
    *terminated = (uint8_t)cartpole_advance(s, force, sintheta, costheta, obs, reward);
    return 0;
}

/* step_batch's loop is built twice on x86: for the baseline instruction set (SSE2, two
 * doubles per vector) and for AVX2 (four), picked at run time. The two builds do the
 * same operations in the same order: AVX2 does not enable FMA, and in ISO C mode GCC
 * does not contract a*b+c anyway, so they agree bit for bit (test_cartpole checks). */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define HAVE_AVX2_BUILD 1
#define ALWAYS_INLINE   static inline __attribute__((always_inline)) /* into both builds */
#else
#define HAVE_AVX2_BUILD 0
#define ALWAYS_INLINE   static inline
#endif

/* m <= CHUNK environments of step_batch, whose actions are valid: the field arrays of
 * the batch (from environment 0 of the chunk), actions (m), obs (m, 4), reward and
 * terminated (m). sin and cos of every theta first (libm calls, which do not
 * vectorize), then the physics in a loop without calls, which GCC vectorizes: its
 * three divisions are most of a step's time when done one environment at a time. */
ALWAYS_INLINE void cartpole_chunk(double *restrict x, double *restrict x_dot,
                                  double *restrict theta, double *restrict theta_dot,
                                  double *restrict ended, const float *restrict action,
                                  float *restrict obs, double *restrict reward,
                                  uint8_t *restrict terminated, int m)
{
    double sintheta[CHUNK], costheta[CHUNK];
    for (int j = 0; j < m; j++) {
        costheta[j] = cos(theta[j]); /* GCC makes the pair one sincos call */
        sintheta[j] = sin(theta[j]);
    }
    for (int j = 0; j < m; j++) {
        const double force = action[j] == 1.0f ? FORCE_MAG : -FORCE_MAG; /* valid: 0 or 1 */
        CartPoleState s = {x[j], x_dot[j], theta[j], theta_dot[j], ended[j]};
        terminated[j] = (uint8_t)cartpole_advance(&s, force, sintheta[j], costheta[j],
                                                  obs + 4 * (size_t)j, &reward[j]);
        x[j] = s.x;
        x_dot[j] = s.x_dot;
        theta[j] = s.theta;
        theta_dot[j] = s.theta_dot;
        ended[j] = s.ended;
    }
}

/* cartpole_chunk's two builds; restrict is on their own parameters, where GCC sees it
 * (it does not always carry it into an inlined function's loop). */
static void cartpole_chunk_base(double *restrict x, double *restrict x_dot, double *restrict theta,
                                double *restrict theta_dot, double *restrict ended,
                                const float *restrict action, float *restrict obs,
                                double *restrict reward, uint8_t *restrict terminated, int m)
{
    cartpole_chunk(x, x_dot, theta, theta_dot, ended, action, obs, reward, terminated, m);
}

#if HAVE_AVX2_BUILD
__attribute__((target("avx2"))) static void
cartpole_chunk_avx2(double *restrict x, double *restrict x_dot, double *restrict theta,
                    double *restrict theta_dot, double *restrict ended,
                    const float *restrict action, float *restrict obs, double *restrict reward,
                    uint8_t *restrict terminated, int m)
{
    cartpole_chunk(x, x_dot, theta, theta_dot, ended, action, obs, reward, terminated, m);
}
#endif

int cartpole_has_avx2(void)
{
#if HAVE_AVX2_BUILD
    return __builtin_cpu_supports("avx2") != 0;
#else
    return 0;
#endif
}

int cartpole_step_batch_isa(int avx2, void *batch, int n, const float *action, float *obs,
                            double *reward, uint8_t *terminated, int *bad)
{
    int n_bad = 0; /* counted without branching, so that the check vectorizes */
    for (int i = 0; i < n; i++)
        n_bad += !(action[i] == 0.0f || action[i] == 1.0f); /* env_discrete_action(a, 2) < 0 */
    if (n_bad > 0) {
        for (int i = 0; i < n; i++) {
            if (env_discrete_action(action[i], 2) < 0) {
                *bad = i;
                return -1;
            }
        }
    }
    void (*chunk)(double *, double *, double *, double *, double *, const float *, float *,
                  double *, uint8_t *, int) = cartpole_chunk_base;
#if HAVE_AVX2_BUILD
    if (avx2 && cartpole_has_avx2())
        chunk = cartpole_chunk_avx2;
#else
    (void)avx2;
#endif
    /* the fields of CartPoleState, each an array of n (env.h) */
    const size_t e = (size_t)n;
    double *x = batch, *x_dot = x + e, *theta = x + 2 * e, *theta_dot = x + 3 * e;
    double *ended = x + 4 * e;
    for (size_t i = 0; i < e; i += CHUNK) {
        const int m = e - i < CHUNK ? (int)(e - i) : CHUNK;
        chunk(x + i, x_dot + i, theta + i, theta_dot + i, ended + i, action + i, obs + 4 * i,
              reward + i, terminated + i, m);
    }
    return 0;
}

static int cartpole_step_batch(const EnvSpec *spec, void *batch, int n, const float *action,
                               float *obs, double *reward, uint8_t *terminated, int *bad)
{
    (void)spec;
    return cartpole_step_batch_isa(1, batch, n, action, obs, reward, terminated, bad);
}

static void cartpole_get_state(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    const CartPoleState *s = state;
    out[0] = s->x;
    out[1] = s->x_dot;
    out[2] = s->theta;
    out[3] = s->theta_dot;
}

static int cartpole_set_state(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    if (!env_states_finite(in, 4))
        return -1;
    CartPoleState *s = state;
    s->x = in[0];
    s->x_dot = in[1];
    s->theta = in[2];
    s->theta_dot = in[3];
    s->ended = 0.0;
    cartpole_obs(s, obs);
    return 0;
}

/* Training preset (config.h keys), tuned for `mpirun -np 3` (two actors): PPO with
 * small rollouts and many epochs over one minibatch, as in rl-baselines3-zoo's CartPole
 * hyperparameters (n_envs 8 as 2 x 4, n_steps 32, 20 epochs, gamma 0.98, lambda 0.8),
 * with lr 1.5e-3 rather than the zoo's 1e-3: 475 within 100k steps then holds for
 * seeds 1-24 in async mode (1e-3 missed on seed 1 in 3 of 5 async runs, best 403) and
 * for 21 of 24 seeds in sync mode (the same count as 1e-3, the misses closer: best
 * 444-475 against 284-407). A2C (sync) and A3C (async) follow the zoo's A2C CartPole
 * entry instead: n_envs 8 as 2 x 4, n_steps 5, gamma 0.99, lambda 1, lr 7e-4 (Adam
 * here, RMSprop there; annealed linearly here), no entropy bonus and no advantage
 * normalisation. A3C applies each actor's gradient alone, from half the samples, and
 * twice as often: with 5 steps it stalled below 475 in about 1 run in 10 (seed 2: 2 of
 * 10), with 8 steps it reached 475 within 500k in 70 of 72 runs (seeds 1-3: 48 of 48).
 * TRPO, NPG and ppo-kl (mpirl's own) use PPO's rollouts and discounting with the
 * built-in defaults (config.c: KL radius 0.01, 10 CG iterations, damping 0.1, 10
 * line-search halvings, value fit 5 epochs x 4 minibatches) at lr 0.0015; ppo-kl keeps
 * PPO's 20 epochs with target KL 0.01 and beta from 1.
 * GRPO and RLOO (mpirl's own; whole episodes, groups of 8 from one start): 16
 * environments per actor (two groups), PPO's lr and epochs for GRPO; RLOO's one
 * gradient step per iteration at lr 0.005 (0.0015 stayed below 400 within 300k, seeds
 * 1-3).
 * scripts/bench-learn measures them. */
static const char *const cartpole_defaults[] = {"num_envs=4",         "rollout=32",
                                                "epochs=20",          "minibatches=1",
                                                "gamma=0.98",         "gae_lambda=0.8",
                                                "lr=0.0015",          "vf_clip=0",
                                                "a2c:rollout=5",      "a2c:gamma=0.99",
                                                "a2c:gae_lambda=1",   "a2c:lr=0.0007",
                                                "a2c:norm_adv=false", "a3c:rollout=8",
                                                "a3c:gamma=0.99",     "a3c:gae_lambda=1",
                                                "a3c:lr=0.0007",      "a3c:norm_adv=false",
                                                "grpo:num_envs=16",   "rloo:num_envs=16",
                                                "rloo:lr=0.005",      NULL};

const EnvSpec env_cartpole_v1 = {
    .abi = MPIRL_ENV_ABI,
    .id = "CartPole-v1",
    .obs_dim = 4,
    .obs_low = obs_low,
    .obs_high = obs_high,
    .act_kind = SPACE_DISCRETE,
    .act_n = 2,
    .act_low = NULL,
    .act_high = NULL,
    .max_steps = 500,
    .state_size = 4,
    .state_bytes = sizeof(CartPoleState),
    .defaults = cartpole_defaults,
    .reset = cartpole_reset,
    .step = cartpole_step,
    .get_state = cartpole_get_state,
    .set_state = cartpole_set_state,
    .step_batch = cartpole_step_batch,
};
