/* mountain_car.c - MountainCar-v0: an under-powered car in a valley, three discrete pushes.
 *
 * Reference: A. W. Moore, "Efficient memory-based learning for robot control", PhD
 * thesis, University of Cambridge, 1990, as Gymnasium 1.x implements it
 * (gymnasium/envs/classic_control/mountain_car.py): action k in {0, 1, 2} gives
 * v += (k - 1) 0.001 - 0.0025 cos(3 x), v clipped to [-0.07, 0.07], x += v clipped to
 * [-1.2, 0.6], the velocity zeroed when the car stands on the left wall moving left.
 * Terminated when x >= 0.5 and v >= 0 (both non-strict); reward -1 on every step.
 *
 * Dtypes: state float64 (position, velocity), libm cos as Python's math.cos;
 * observation float32; reward float64.
 *
 * step_batch steps many environments at once over a structure of arrays (env.h): the
 * cos of all of them first, then the dynamics, which both paths share.
 *
 * Left out: rendering, the goal_velocity option (0 here) and reset bounds from options.
 */
#include <math.h>

#include "builtin.h"

#define X_MIN   (-1.2)
#define X_MAX   0.6
#define V_MAX   0.07
#define X_GOAL  0.5
#define V_GOAL  0.0
#define FORCE   0.001
#define GRAVITY 0.0025

typedef struct {
    double position, velocity; /* 8-byte words: step_batch's arrays, in this order */
} MountainCarState;

static const float obs_low[2] = {(float)X_MIN, -(float)V_MAX};
static const float obs_high[2] = {(float)X_MAX, (float)V_MAX};

static void mountain_car_obs(const MountainCarState *s, float *obs)
{
    obs[0] = (float)s->position;
    obs[1] = (float)s->velocity;
}

static void mountain_car_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    MountainCarState *s = state;
    s->position = rng_uniform_range(rng, -0.6, -0.4); /* U[-0.6, -0.4), at rest */
    s->velocity = 0.0;
    mountain_car_obs(s, obs);
}

/* The dynamics of one step, the only copy (step and step_batch both call it): action
 * index k, given cos(3 x) of the position before the step; writes the observation (2
 * floats) and the reward, returns whether the step terminated. */
static inline int mountain_car_advance(MountainCarState *s, int k, double cos3x, float *obs,
                                       double *reward)
{
    /* v <- v + ((k - 1) force - g cos(3 x)), written as Gymnasium groups it */
    double velocity = s->velocity + ((k - 1) * FORCE + cos3x * (-GRAVITY));
    velocity = env_clip(velocity, -V_MAX, V_MAX); /* np.clip */
    double position = env_clip(s->position + velocity, X_MIN, X_MAX);
    if (position == X_MIN && velocity < 0) /* inelastic left wall */
        velocity = 0.0;

    s->position = position;
    s->velocity = velocity;
    *reward = -1.0;
    mountain_car_obs(s, obs);
    return position >= X_GOAL && velocity >= V_GOAL;
}

static int mountain_car_step(const EnvSpec *spec, void *state, const float *action, float *obs,
                             double *reward, uint8_t *terminated)
{
    (void)spec;
    MountainCarState *s = state;
    const int k = env_discrete_action(action[0], 3);
    if (k < 0)
        return -1;
    *terminated = (uint8_t)mountain_car_advance(s, k, cos(3 * s->position), obs, reward);
    return 0;
}

#define CHUNK 256 /* environments per pass of step_batch: their cos fit on the stack */

/* m <= CHUNK environments of step_batch with valid actions: cos(3 x) of each first (libm
 * calls), then the rest in a loop without calls, which GCC vectorizes. */
static void mountain_car_chunk(double *restrict position, double *restrict velocity,
                               const float *restrict action, float *restrict obs,
                               double *restrict reward, uint8_t *restrict terminated, int m)
{
    double cos3x[CHUNK];
    for (int j = 0; j < m; j++)
        cos3x[j] = cos(3 * position[j]);
    for (int j = 0; j < m; j++) {
        MountainCarState s = {position[j], velocity[j]};
        const int k = (int)action[j]; /* valid: 0, 1 or 2 */
        terminated[j] =
            (uint8_t)mountain_car_advance(&s, k, cos3x[j], obs + 2 * (size_t)j, &reward[j]);
        position[j] = s.position;
        velocity[j] = s.velocity;
    }
}

static int mountain_car_step_batch(const EnvSpec *spec, void *batch, int n, const float *action,
                                   float *obs, double *reward, uint8_t *terminated, int *bad)
{
    (void)spec;
    int n_bad = 0;              /* counted without branching, so that the check vectorizes */
    for (int i = 0; i < n; i++) /* env_discrete_action(a, 3) < 0 */
        n_bad += !(action[i] == 0.0f || action[i] == 1.0f || action[i] == 2.0f);
    if (n_bad > 0) {
        for (int i = 0; i < n; i++) {
            if (env_discrete_action(action[i], 3) < 0) {
                *bad = i;
                return -1;
            }
        }
    }
    /* the fields of MountainCarState, each an array of n (env.h) */
    const size_t e = (size_t)n;
    double *position = batch, *velocity = position + e;
    for (size_t i = 0; i < e; i += CHUNK) {
        const int m = e - i < CHUNK ? (int)(e - i) : CHUNK;
        mountain_car_chunk(position + i, velocity + i, action + i, obs + 2 * i, reward + i,
                           terminated + i, m);
    }
    return 0;
}

static void mountain_car_get_state(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    const MountainCarState *s = state;
    out[0] = s->position;
    out[1] = s->velocity;
}

static int mountain_car_set_state(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    if (!env_states_finite(in, 2))
        return -1;
    MountainCarState *s = state;
    s->position = in[0];
    s->velocity = in[1];
    mountain_car_obs(s, obs);
    return 0;
}

/* Training preset (config.h keys) for `mpirun -np 3` (two actors): PPO as in
 * rl-baselines3-zoo's MountainCar-v0 hyperparameters: n_envs 16 as 2 x 8, n_steps 16,
 * gamma 0.99, lambda 0.98, 4 epochs, batch 64 (4 minibatches of 32 per actor, summed
 * over both), lr 3e-4, no entropy bonus, no value clipping, observation normalisation
 * (the zoo also normalises rewards, which mpirl does not). Not a learning target: with
 * 1M steps it reaches a mean return of about -110 to -120 (seeds 1-3, best -108).
 * TRPO, NPG and ppo-kl: the built-in defaults (not a measured target). */
static const char *const mountain_car_defaults[] = {
    "num_envs=8",    "rollout=16", "gamma=0.99",    "gae_lambda=0.98", "epochs=4",
    "minibatches=4", "lr=0.0003",  "norm_obs=true", "vf_clip=0",       NULL};

const EnvSpec env_mountain_car_v0 = {
    .abi = MPIRL_ENV_ABI,
    .id = "MountainCar-v0",
    .obs_dim = 2,
    .obs_low = obs_low,
    .obs_high = obs_high,
    .act_kind = SPACE_DISCRETE,
    .act_n = 3,
    .act_low = NULL,
    .act_high = NULL,
    .max_steps = 200,
    .state_size = 2,
    .state_bytes = sizeof(MountainCarState),
    .defaults = mountain_car_defaults,
    .reset = mountain_car_reset,
    .step = mountain_car_step,
    .get_state = mountain_car_get_state,
    .set_state = mountain_car_set_state,
    .step_batch = mountain_car_step_batch,
};
