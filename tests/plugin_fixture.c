/* plugin_fixture.c - an environment plugin for test_registry and test_replay.
 *
 * What mpirl_env_plugin returns depends on the environment variable
 * MPIRL_FIXTURE_MODE, read at each call, so that one library covers the cases:
 *   unset or "multi"  two valid environments: FixtureDiscrete-v0 (3 actions) and
 *                     FixtureBox-v0 (2-D continuous action)
 *   "abi"             one spec whose abi field is 999
 *   "clash"           one spec with the id of a built-in (CartPole-v1)
 *   "invalid"         one spec with obs_dim 0
 *   "twice"           two specs with the same id
 *   "null"            NULL (as a plugin built for another ABI answers)
 *   "nan"             FixtureNaN-v0: 2 actions, b counts the steps, reward 1 until
 *                     b reaches 1500, then NaN; never ends before its time limit of
 *                     100000 (for training's non-finite-loss handling)
 * Dynamics (both valid environments): state (a, b) doubles, reset to (0, 0); a step
 * adds the action to the state (discrete: a += index; box: a += u0, b += u1, no
 * clipping), observes (a, b), rewards a + b, terminates when a >= 10; max_steps 7. No
 * step_batch (vecenv steps them one by one).
 * The library calls nothing in mpirl, so it loads in any host.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "plugin.h"

typedef struct {
    double a, b;
} Fix;

static const float lo[2] = {-100.0f, -100.0f};
static const float hi[2] = {100.0f, 100.0f};

static void obs_of(const Fix *s, float *obs)
{
    obs[0] = (float)s->a;
    obs[1] = (float)s->b;
}

static void fx_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    (void)rng;
    Fix *s = state;
    s->a = 0.0;
    s->b = 0.0;
    obs_of(s, obs);
}

static int fx_step(const EnvSpec *spec, void *state, const float *u, float *obs, double *reward,
                   uint8_t *terminated)
{
    Fix *s = state;
    if (spec->act_kind == SPACE_DISCRETE) {
        if (!(u[0] >= 0.0f && u[0] < (float)spec->act_n && u[0] == floorf(u[0])))
            return -1;
        s->a += u[0];
    } else {
        if (isnan(u[0]) || isnan(u[1]))
            return -1;
        s->a += u[0];
        s->b += u[1];
    }
    *reward = s->a + s->b;
    *terminated = s->a >= 10.0;
    obs_of(s, obs);
    return 0;
}

/* FixtureNaN-v0: a finite reward for 1500 steps, then NaN */
static int nan_step(const EnvSpec *spec, void *state, const float *u, float *obs, double *reward,
                    uint8_t *terminated)
{
    (void)spec;
    Fix *s = state;
    if (!(u[0] == 0.0f || u[0] == 1.0f))
        return -1;
    s->a = u[0];
    s->b += 1.0;
    *reward = s->b < 1500.0 ? 1.0 : NAN;
    *terminated = 0;
    obs_of(s, obs);
    return 0;
}

static void fx_get(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    const Fix *s = state;
    out[0] = s->a;
    out[1] = s->b;
}

static int fx_set(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    if (!isfinite(in[0]) || !isfinite(in[1]))
        return -1;
    Fix *s = state;
    s->a = in[0];
    s->b = in[1];
    obs_of(s, obs);
    return 0;
}

static const float act_lo[2] = {-1.0f, -1.0f};
static const float act_hi[2] = {1.0f, 1.0f};

#define SPEC(abi_, id_, obs_dim_, kind_, n_, alo_, ahi_)                                           \
    {                                                                                              \
        .abi = abi_, .id = id_, .obs_dim = obs_dim_, .obs_low = lo, .obs_high = hi,                \
        .act_kind = kind_, .act_n = n_, .act_low = alo_, .act_high = ahi_, .max_steps = 7,         \
        .state_size = 2, .state_bytes = sizeof(Fix), .reset = fx_reset, .step = fx_step,           \
        .get_state = fx_get, .set_state = fx_set                                                   \
    }

static const EnvSpec discrete =
    SPEC(MPIRL_ENV_ABI, "FixtureDiscrete-v0", 2, SPACE_DISCRETE, 3, NULL, NULL);
static const EnvSpec box = SPEC(MPIRL_ENV_ABI, "FixtureBox-v0", 2, SPACE_BOX, 2, act_lo, act_hi);
static const EnvSpec bad_abi = SPEC(999, "FixtureAbi-v0", 2, SPACE_DISCRETE, 3, NULL, NULL);
static const EnvSpec clash = SPEC(MPIRL_ENV_ABI, "CartPole-v1", 2, SPACE_DISCRETE, 3, NULL, NULL);
static const EnvSpec invalid =
    SPEC(MPIRL_ENV_ABI, "FixtureInvalid-v0", 0, SPACE_DISCRETE, 3, NULL, NULL);
static const EnvSpec again =
    SPEC(MPIRL_ENV_ABI, "FixtureDiscrete-v0", 2, SPACE_DISCRETE, 2, NULL, NULL);

static const EnvSpec nan_env = {.abi = MPIRL_ENV_ABI,
                                .id = "FixtureNaN-v0",
                                .obs_dim = 2,
                                .obs_low = lo,
                                .obs_high = hi,
                                .act_kind = SPACE_DISCRETE,
                                .act_n = 2,
                                .max_steps = 100000,
                                .state_size = 2,
                                .state_bytes = sizeof(Fix),
                                .reset = fx_reset,
                                .step = nan_step,
                                .get_state = fx_get,
                                .set_state = fx_set};

static const EnvSpec *const multi_list[] = {&discrete, &box, NULL};
static const EnvSpec *const nan_list[] = {&nan_env, NULL};
static const EnvSpec *const abi_list[] = {&bad_abi, NULL};
static const EnvSpec *const clash_list[] = {&clash, NULL};
static const EnvSpec *const invalid_list[] = {&invalid, NULL};
static const EnvSpec *const twice_list[] = {&discrete, &again, NULL};

MPIRL_PLUGIN_EXPORT const EnvSpec *const *mpirl_env_plugin(int abi)
{
    const char *mode = getenv("MPIRL_FIXTURE_MODE");
    if (abi != MPIRL_ENV_ABI || (mode && !strcmp(mode, "null")))
        return NULL;
    if (mode == NULL || !strcmp(mode, "multi"))
        return multi_list;
    if (!strcmp(mode, "abi"))
        return abi_list;
    if (!strcmp(mode, "clash"))
        return clash_list;
    if (!strcmp(mode, "invalid"))
        return invalid_list;
    if (!strcmp(mode, "twice"))
        return twice_list;
    if (!strcmp(mode, "nan"))
        return nan_list;
    return NULL;
}
