/* mountain_car_continuous.c - MountainCarContinuous-v0: the mountain car with a
 * continuous force.
 *
 * Reference: A. W. Moore, "Efficient memory-based learning for robot control", PhD
 * thesis, University of Cambridge, 1990, in the continuous version Gymnasium 1.x
 * implements (gymnasium/envs/classic_control/continuous_mountain_car.py): the action a is
 * clipped to [-1, 1] as the force, v += 0.0015 force - 0.0025 cos(3 x), v clipped to
 * [-0.07, 0.07], x += v clipped to [-1.2, 0.6], the velocity zeroed on the left wall
 * when moving left. Terminated when x >= 0.45 and v >= 0 (non-strict, tested before the
 * state is rounded); reward 100 on that step, minus 0.1 a^2 of the UNCLIPPED action on
 * every step.
 *
 * Dtypes: Gymnasium stores the state as float32 after each step (a reset or a state set
 * from outside stays float64 until the first step), while a step computes in float64 -
 * NumPy 1.x promotes float32 times a Python float to float64 (Debian 12's NumPy 1.24).
 * So the state is kept in doubles here and rounded to float32 at the end of a step.
 * NumPy 2 (NEP 50) would instead compute most of the step in float32; that is not what
 * this file does. libm cos, as Python's math.cos. Observation float32; reward float64.
 *
 * step_batch steps many environments at once over a structure of arrays (env.h): the
 * cos of all of them first, then the dynamics, which both paths share.
 *
 * Left out: rendering, the goal_velocity option (0 here) and reset bounds from options.
 */
#include <math.h>

#include "builtin.h"

#define X_MIN  (-1.2)
#define X_MAX  0.6
#define V_MAX  0.07
#define X_GOAL 0.45
#define V_GOAL 0.0
#define POWER  0.0015

typedef struct {
    double position, velocity; /* float32 values after a step; 8-byte words, the
                                  arrays of step_batch in this order */
} MountainCarContinuousState;

static const float obs_low[2] = {(float)X_MIN, -(float)V_MAX};
static const float obs_high[2] = {(float)X_MAX, (float)V_MAX};
static const float act_low[1] = {-1.0f};
static const float act_high[1] = {1.0f};

static void mcc_obs(const MountainCarContinuousState *s, float *obs)
{
    obs[0] = (float)s->position;
    obs[1] = (float)s->velocity;
}

static void mcc_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    MountainCarContinuousState *s = state;
    s->position = rng_uniform_range(rng, -0.6, -0.4); /* U[-0.6, -0.4), at rest; float64 */
    s->velocity = 0.0;
    mcc_obs(s, obs);
}

/* The dynamics of one step, the only copy (step and step_batch both call it): action a
 * (not NaN), given cos(3 x) of the position before the step; writes the observation (2
 * floats) and the reward, returns whether the step terminated. */
static inline int mcc_advance(MountainCarContinuousState *s, double a, double cos3x, float *obs,
                              double *reward)
{
    const double force = env_clip(a, -1.0, 1.0); /* Python's min(max(a, -1), 1) */

    double velocity = s->velocity + (force * POWER - 0.0025 * cos3x);
    if (velocity > V_MAX)
        velocity = V_MAX;
    if (velocity < -V_MAX)
        velocity = -V_MAX;
    double position = s->position + velocity;
    if (position > X_MAX)
        position = X_MAX;
    if (position < X_MIN)
        position = X_MIN;
    if (position == X_MIN && velocity < 0) /* inelastic left wall */
        velocity = 0.0;

    const int term = position >= X_GOAL && velocity >= V_GOAL; /* on the float64 values */
    double r = term ? 100.0 : 0.0;
    r -= (a * a) * 0.1; /* math.pow(a, 2): exact for a float32 a, as is a*a */
    *reward = r;
    s->position = (float)position;
    s->velocity = (float)velocity;
    mcc_obs(s, obs);
    return term;
}

static int mcc_step(const EnvSpec *spec, void *state, const float *action, float *obs,
                    double *reward, uint8_t *terminated)
{
    (void)spec;
    MountainCarContinuousState *s = state;
    const double a = action[0];
    if (isnan(a))
        return -1;
    *terminated = (uint8_t)mcc_advance(s, a, cos(3 * s->position), obs, reward);
    return 0;
}

#define CHUNK 256 /* environments per pass of step_batch: their cos fit on the stack */

/* m <= CHUNK environments of step_batch with valid actions: cos(3 x) of each first (libm
 * calls), then the rest in a loop without calls. */
static void mcc_chunk(double *restrict position, double *restrict velocity,
                      const float *restrict action, float *restrict obs, double *restrict reward,
                      uint8_t *restrict terminated, int m)
{
    double cos3x[CHUNK];
    for (int j = 0; j < m; j++)
        cos3x[j] = cos(3 * position[j]);
    for (int j = 0; j < m; j++) {
        MountainCarContinuousState s = {position[j], velocity[j]};
        terminated[j] =
            (uint8_t)mcc_advance(&s, action[j], cos3x[j], obs + 2 * (size_t)j, &reward[j]);
        position[j] = s.position;
        velocity[j] = s.velocity;
    }
}

static int mcc_step_batch(const EnvSpec *spec, void *batch, int n, const float *action, float *obs,
                          double *reward, uint8_t *terminated, int *bad)
{
    (void)spec;
    int n_bad = 0; /* counted without branching, so that the check vectorizes */
    for (int i = 0; i < n; i++)
        n_bad += isnan(action[i]) != 0;
    if (n_bad > 0) {
        for (int i = 0; i < n; i++) {
            if (isnan(action[i])) {
                *bad = i;
                return -1;
            }
        }
    }
    /* the fields of MountainCarContinuousState, each an array of n (env.h) */
    const size_t e = (size_t)n;
    double *position = batch, *velocity = position + e;
    for (size_t i = 0; i < e; i += CHUNK) {
        const int m = e - i < CHUNK ? (int)(e - i) : CHUNK;
        mcc_chunk(position + i, velocity + i, action + i, obs + 2 * i, reward + i, terminated + i,
                  m);
    }
    return 0;
}

static void mcc_get_state(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    const MountainCarContinuousState *s = state;
    out[0] = s->position;
    out[1] = s->velocity;
}

static int mcc_set_state(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    if (!env_states_finite(in, 2))
        return -1;
    MountainCarContinuousState *s = state;
    s->position = in[0];
    s->velocity = in[1];
    mcc_obs(s, obs);
    return 0;
}

/* Training preset (config.h keys) for `mpirun -np 3` (two actors): PPO. The zoo's
 * MountainCarContinuous-v0 entry relies on gSDE with log-std -3.29, which mpirl does not
 * have; with a state-independent Gaussian it needs the usual exploration instead:
 * log-std 0 (the default), an entropy bonus of 0.01 and a long horizon (gamma 0.999),
 * with observation normalisation; 2 x 4 environments, n_steps 256, lambda 0.95, 10
 * epochs of 16 minibatches, lr 3e-4, no value clipping. Not a learning target: it
 * reaches a mean return of about 96 within 130k steps (seeds 1-3).
 * TRPO, NPG and ppo-kl: the built-in defaults (not a measured target).
 */
static const char *const mountain_car_continuous_defaults[] = {
    "num_envs=4",    "rollout=256",    "gamma=0.999", "gae_lambda=0.95",
    "epochs=10",     "minibatches=16", "lr=0.0003",   "ent_coef=0.01",
    "norm_obs=true", "vf_clip=0",      NULL};

const EnvSpec env_mountain_car_continuous_v0 = {
    .abi = MPIRL_ENV_ABI,
    .id = "MountainCarContinuous-v0",
    .obs_dim = 2,
    .obs_low = obs_low,
    .obs_high = obs_high,
    .act_kind = SPACE_BOX,
    .act_n = 1,
    .act_low = act_low,
    .act_high = act_high,
    .max_steps = 999,
    .state_size = 2,
    .state_bytes = sizeof(MountainCarContinuousState),
    .defaults = mountain_car_continuous_defaults,
    .reset = mcc_reset,
    .step = mcc_step,
    .get_state = mcc_get_state,
    .set_state = mcc_set_state,
    .step_batch = mcc_step_batch,
};
