/* example_env.c - an example mpirl environment plugin: a point mass on a line.
 *
 * A plugin is a shared library that exports one function,
 *
 *     const EnvSpec *const *mpirl_env_plugin(int abi);
 *
 * returning a NULL-terminated list of environment specs (env.h). mpirl loads it with
 *
 *     mpirl envs --env ./libmyenv.so                  # list it with the built-ins
 *     mpirl replay --env ./libmyenv.so --state 0.5,0 --actions 1,1,-1
 *     mpirl replay --env plugin:./libmyenv.so:ExamplePointMass-v0 ...
 *
 * (a name containing '/' or ending in .so is a plugin; plugin:PATH:ID picks one spec of
 * a library that defines several). Every spec is checked before it is registered: abi
 * must be MPIRL_ENV_ABI, sizes positive, bounds present (finite for box actions), the
 * four functions set, and the id unique (not one of the built-ins).
 *
 * Build one out of tree, against the headers of an mpirl source tree:
 *
 *     cc -std=c11 -O2 -shared -fPIC -I<mpirl>/envs -I<mpirl>/src/common myenv.c \
 *        -o libmyenv.so -lm
 *
 * (inside the tree, meson builds this file as build/envs/examples/libmpirl_example_env.so).
 *
 * Rules an environment follows (env.h): the state lives in a caller-owned struct of
 * spec->state_bytes bytes, never in globals, so that a vector of environments is an
 * array of states; reset draws only from the Rng it is given (that is what makes runs
 * reproducible from (seed, rank, env index)); step never allocates, writes all of obs,
 * reward and terminated, and returns -1 without changing anything for an invalid action;
 * the time limit is NOT step's business (the vector wrapper and replay count steps
 * against max_steps); get_state / set_state expose the state_size doubles that define
 * the state (what `mpirl replay --state` takes). An environment whose step is a few
 * operations may add step_batch, which steps a whole vector in one call over a
 * structure-of-arrays copy of the states (env.h; envs/cartpole.c has one); this example
 * leaves it NULL.
 *
 * The environment, ExamplePointMass-v0: a unit mass at position x with velocity v on a
 * line, pushed by a force u in [-1, 1] (one continuous action; values outside are
 * clipped) for dt = 0.05 s with semi-implicit Euler:
 *     v <- clip(v + u dt, -2, 2);   x <- x + v dt
 * Reward: -(x^2 + 0.1 v^2 + 0.01 u^2), the quadratic cost of driving the mass to rest at
 * the origin. Terminated when the mass leaves [-2, 2] (a failure); time limit 200 steps.
 * Reset: x ~ U(-1, 1), v = 0. Observation: (x, v) as floats; state: (x, v) as doubles.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "plugin.h" /* declares mpirl_env_plugin and MPIRL_PLUGIN_EXPORT */
#include "rng.h"    /* Rng and its draws; the plugin links rng_* from mpirl at load time */

#define DT    0.05
#define X_MAX 2.0
#define V_MAX 2.0

/* The state struct: whatever the environment needs; here exactly the visible state. */
typedef struct {
    double x, v;
} PointMass;

static const float obs_low[2] = {-(float)X_MAX, -(float)V_MAX};
static const float obs_high[2] = {(float)X_MAX, (float)V_MAX};
static const float act_low[1] = {-1.0f};
static const float act_high[1] = {1.0f};

static double clip(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static void write_obs(const PointMass *s, float *obs)
{
    obs[0] = (float)s->x;
    obs[1] = (float)s->v;
}

static void pm_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    PointMass *s = state;
    s->x = rng_uniform_range(rng, -1.0, 1.0);
    s->v = 0.0;
    write_obs(s, obs);
}

static int pm_step(const EnvSpec *spec, void *state, const float *action, float *obs,
                   double *reward, uint8_t *terminated)
{
    (void)spec;
    if (isnan(action[0]))
        return -1; /* invalid: nothing changed */
    PointMass *s = state;
    const double u = clip((double)action[0], -1.0, 1.0);
    s->v = clip(s->v + u * DT, -V_MAX, V_MAX);
    s->x += s->v * DT;
    *reward = -(s->x * s->x + 0.1 * s->v * s->v + 0.01 * u * u);
    *terminated = fabs(s->x) > X_MAX;
    write_obs(s, obs);
    return 0;
}

static void pm_get_state(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    const PointMass *s = state;
    out[0] = s->x;
    out[1] = s->v;
}

static int pm_set_state(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    if (!isfinite(in[0]) || !isfinite(in[1]))
        return -1;
    PointMass *s = state;
    s->x = in[0];
    s->v = in[1];
    write_obs(s, obs);
    return 0;
}

/* Optional "key=value" training defaults, NULL-terminated (or leave .defaults NULL). */
static const char *const pm_defaults[] = {"algo=ppo", "gamma=0.99", NULL};

static const EnvSpec point_mass = {
    .abi = MPIRL_ENV_ABI,
    .id = "ExamplePointMass-v0",
    .obs_dim = 2,
    .obs_low = obs_low,
    .obs_high = obs_high,
    .act_kind = SPACE_BOX,
    .act_n = 1,
    .act_low = act_low,
    .act_high = act_high,
    .max_steps = 200,
    .state_size = 2,
    .state_bytes = sizeof(PointMass),
    .defaults = pm_defaults,
    .reset = pm_reset,
    .step = pm_step,
    .get_state = pm_get_state,
    .set_state = pm_set_state,
    .step_batch = NULL, /* optional: many environments per call (env.h); vecenv calls step */
};

/* The list mpirl reads; add more specs before the NULL to ship several environments. */
static const EnvSpec *const specs[] = {&point_mass, NULL};

MPIRL_PLUGIN_EXPORT const EnvSpec *const *mpirl_env_plugin(int abi)
{
    /* Refuse a host built for another version of env.h: the structs may differ. */
    return abi == MPIRL_ENV_ABI ? specs : NULL;
}
