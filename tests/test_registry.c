/* test_registry.c - unit tests of registry.c and plugin.c: the five built-ins by id,
 * unknown ids (the message lists the valid ones), spec validation field by field,
 * registration and duplicate ids, plugin names, the example plugin (loaded, run through
 * a vector, selected by plugin:PATH[:ID]), a plugin with several specs, refused plugins
 * (ABI mismatch, id clash, invalid spec, missing file, missing symbol, not a library)
 * and the printed table.
 *
 * The plugins' paths come from meson (tests/meson.build): MPIRL_EXAMPLE_PLUGIN is
 * envs/examples/example_env.c, MPIRL_FIXTURE_PLUGIN is tests/plugin_fixture.c, whose
 * answer depends on MPIRL_FIXTURE_MODE (see that file).
 */
#define _GNU_SOURCE /* dladdr, to find a shared library without our symbol */
#include <check.h>
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "env.h"
#include "registry.h"
#include "testutil.h"
#include "vecenv.h"

/* MPIRL_ENV_ABI as text, for the messages that quote it */
#define ABI_STR(x)  #x
#define ABI_XSTR(x) ABI_STR(x)
#define ABI_TEXT    ABI_XSTR(MPIRL_ENV_ABI)

/* ---- a valid spec to mutate ---- */

typedef struct {
    double s;
} One;

static void one_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    (void)rng;
    ((One *)state)->s = 0.0;
    obs[0] = 0.0f;
}

static int one_step(const EnvSpec *spec, void *state, const float *action, float *obs,
                    double *reward, uint8_t *terminated)
{
    (void)spec;
    (void)action;
    One *s = state;
    s->s += 1.0;
    obs[0] = (float)s->s;
    *reward = 1.0;
    *terminated = 0;
    return 0;
}

static void one_get(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    out[0] = ((const One *)state)->s;
}

static int one_set(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    ((One *)state)->s = in[0];
    obs[0] = (float)in[0];
    return 0;
}

static const float one_lo[2] = {-1.0f, -1.0f};
static const float one_hi[2] = {1.0f, 1.0f};
static const char *const one_defaults[] = {"gamma=0.9", NULL};

static EnvSpec valid_spec(void)
{
    EnvSpec s = {.abi = MPIRL_ENV_ABI,
                 .id = "One-v0",
                 .obs_dim = 1,
                 .obs_low = one_lo,
                 .obs_high = one_hi,
                 .act_kind = SPACE_BOX,
                 .act_n = 2,
                 .act_low = one_lo,
                 .act_high = one_hi,
                 .max_steps = 10,
                 .state_size = 1,
                 .state_bytes = sizeof(One),
                 .defaults = one_defaults,
                 .reset = one_reset,
                 .step = one_step,
                 .get_state = one_get,
                 .set_state = one_set};
    return s;
}

/* ---- helpers ---- */

static EnvRegistry *create_ok(void)
{
    EnvRegistry *r = registry_create();
    ck_assert_ptr_nonnull(r);
    return r;
}

/* registry_lookup must fail with a message containing every one of the NULL-terminated
 * needles */
static void lookup_fails(EnvRegistry *r, const char *name, const char *const *needles)
{
    char err[1536] = "";
    ck_assert_msg(registry_lookup(r, name, err, sizeof err) == NULL, "lookup of '%s' succeeded",
                  name);
    ck_assert_msg(strchr(err, '\n') == NULL, "message is not one line: %s", err);
    for (int i = 0; needles[i] != NULL; i++)
        ck_assert_msg(strstr(err, needles[i]) != NULL, "'%s' not in the message: %s", needles[i],
                      err);
}

static const EnvSpec *lookup_ok(EnvRegistry *r, const char *name)
{
    char err[1536] = "";
    const EnvSpec *s = registry_lookup(r, name, err, sizeof err);
    ck_assert_msg(s != NULL, "lookup of '%s': %s", name, err);
    return s;
}

static void validate_fails(const EnvSpec *s, const char *needle)
{
    char err[512] = "";
    ck_assert_msg(registry_validate(s, err, sizeof err) == -1, "spec accepted (want: %s)", needle);
    ck_assert_msg(strstr(err, needle) != NULL, "'%s' not in the message: %s", needle, err);
}

/* Functions of the right types for the open/close/save/load pairing checks (never
 * called). */
static int fx_open(const EnvSpec *spec, void *state, char *err, size_t errlen)
{
    (void)spec, (void)state, (void)err, (void)errlen;
    return 0;
}
static void fx_close(const EnvSpec *spec, void *state)
{
    (void)spec, (void)state;
}
static void fx_save(const EnvSpec *spec, const void *state, void *out)
{
    (void)spec, (void)state, (void)out;
}
static int fx_load(const EnvSpec *spec, void *state, const void *in)
{
    (void)spec, (void)state, (void)in;
    return 0;
}

/* ---- cases ---- */

/* Built-in environments: the classic-control five, and Gymnasium's 22 MuJoCo ids when
 * mpirl is built with MuJoCo. */
#ifdef MPIRL_HAVE_MUJOCO
#define NB 27
#else
#define NB 5
#endif

START_TEST(test_builtins)
{
    EnvRegistry *r = create_ok();
    const EnvSpec *want[] = {&env_cartpole_v1, &env_acrobot_v1, &env_mountain_car_v0,
                             &env_mountain_car_continuous_v0, &env_pendulum_v1};
    const char *ids[] = {"CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0",
                         "Pendulum-v1"};
    ck_assert_int_eq(registry_count(r), NB);
    for (int i = 0; i < 5; i++) {
        ck_assert_ptr_eq(registry_find(r, ids[i]), want[i]);
        ck_assert_ptr_eq(lookup_ok(r, ids[i]), want[i]);
        ck_assert_ptr_eq(registry_get(r, i), want[i]);
        ck_assert_str_eq(registry_source(r, i), "built-in");
        char err[512] = "";
        ck_assert_msg(registry_validate(want[i], err, sizeof err) == 0, "%s", err);
    }
    ck_assert_ptr_null(registry_get(r, NB));
    ck_assert_ptr_null(registry_get(r, -1));
    ck_assert_ptr_null(registry_source(r, NB));
    ck_assert_ptr_null(registry_find(r, "cartpole-v1")); /* ids are exact */
    char err[512] = "";
#ifdef MPIRL_HAVE_MUJOCO
    for (int i = 5; i < NB; i++)
        ck_assert_str_eq(registry_source(r, i), "built-in");
    ck_assert(registry_find(r, "Hopper-v4") != NULL && registry_find(r, "Pusher-v5") != NULL);
#else
    /* a MuJoCo id in a build without MuJoCo names the package to install */
    ck_assert_ptr_null(registry_lookup(r, "Hopper-v4", err, sizeof err));
    ck_assert_msg(strstr(err, "libmujoco-dev") != NULL, "%s", err);
#endif
    ck_assert_ptr_null(registry_lookup(r, "Hopper-v3", err, sizeof err));
    ck_assert_msg(strstr(err, "unknown environment") != NULL, "%s", err);
    registry_destroy(&r);
    ck_assert_ptr_null(r);
    registry_destroy(&r); /* accepts NULL */
    registry_destroy(NULL);
}
END_TEST

START_TEST(test_unknown_id)
{
    EnvRegistry *r = create_ok();
    const char *needles[] = {
        "unknown environment 'CartPole-v2'", "CartPole-v1", "Acrobot-v1",  "MountainCar-v0",
        "MountainCarContinuous-v0",          "Pendulum-v1", "plugin:PATH", NULL};
    lookup_fails(r, "CartPole-v2", needles);
    char err[256];
    ck_assert_int_eq(registry_load(r, "CartPole-v2", err, sizeof err), -1);
    ck_assert_int_eq(registry_load(r, "CartPole-v1", err, sizeof err), 0);

    char ids[1024];
    registry_ids(r, ids, sizeof ids);
#ifdef MPIRL_HAVE_MUJOCO
    ck_assert_str_eq(ids, "CartPole-v1, Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0, "
                          "Pendulum-v1, Hopper-v4, Hopper-v5, HalfCheetah-v4, HalfCheetah-v5, "
                          "Walker2d-v4, Walker2d-v5, Ant-v4, Ant-v5, Humanoid-v4, Humanoid-v5, "
                          "HumanoidStandup-v4, HumanoidStandup-v5, Swimmer-v4, Swimmer-v5, "
                          "InvertedPendulum-v4, InvertedPendulum-v5, InvertedDoublePendulum-v4, "
                          "InvertedDoublePendulum-v5, Reacher-v4, Reacher-v5, Pusher-v4, "
                          "Pusher-v5");
#else
    ck_assert_str_eq(ids, "CartPole-v1, Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0, "
                          "Pendulum-v1");
#endif
    registry_ids(r, ids, 20); /* too small: truncated with "..." */
    ck_assert_int_eq((int)strlen(ids), 19);
    ck_assert_str_eq(ids + 16, "...");
    registry_destroy(&r);
}
END_TEST

START_TEST(test_validate)
{
    EnvSpec s = valid_spec();
    char err[512] = "";
    ck_assert_msg(registry_validate(&s, err, sizeof err) == 0, "%s", err);
    validate_fails(NULL, "NULL");

    s = valid_spec();
    s.abi = 999;
    validate_fails(&s, "built for environment ABI 999, this mpirl uses ABI " ABI_TEXT);
    s = valid_spec();
    s.id = NULL;
    validate_fails(&s, "without an id");
    const char *bad_ids[] = {"", "Has Space-v0", "a,b", "a:b", "dir/x", "libx.so", "tab\t"};
    for (int i = 0; i < TU_COUNT(bad_ids); i++) {
        s = valid_spec();
        s.id = bad_ids[i];
        validate_fails(&s, i == 0 ? "without an id" : i == 5 ? ".so" : "not allowed");
    }
    s = valid_spec();
    s.id = "A-very-long-environment-id-that-goes-on-and-on-well-past-64-chars-v0";
    validate_fails(&s, "longer than 64");

    s = valid_spec();
    s.obs_dim = 0;
    validate_fails(&s, "obs_dim is 0");
    s = valid_spec();
    s.obs_high = NULL;
    validate_fails(&s, "obs_low / obs_high missing");
    static const float inverted[1] = {-2.0f};
    s = valid_spec();
    s.obs_high = inverted;
    validate_fails(&s, "observation bounds of dimension 0");
    static const float nan_bound[1] = {NAN};
    s = valid_spec();
    s.obs_low = nan_bound;
    validate_fails(&s, "need low <= high");
    static const float inf_low[2] = {-INFINITY, -INFINITY}, inf_high[2] = {INFINITY, INFINITY};
    s = valid_spec();
    s.obs_low = inf_low; /* infinite observation bounds are fine (CartPole's velocities) */
    s.obs_high = inf_high;
    ck_assert_msg(registry_validate(&s, err, sizeof err) == 0, "%s", err);
    s.act_low = inf_low; /* not for a box action */
    validate_fails(&s, "action bounds of dimension 0");

    s = valid_spec();
    s.act_kind = (SpaceKind)7;
    validate_fails(&s, "act_kind is 7");
    s = valid_spec();
    s.act_n = 0;
    validate_fails(&s, "act_n is 0");
    s = valid_spec();
    s.act_low = NULL;
    validate_fails(&s, "box action without act_low / act_high");
    s = valid_spec();
    s.act_kind = SPACE_DISCRETE; /* a discrete space needs no bounds */
    s.act_low = s.act_high = NULL;
    ck_assert_msg(registry_validate(&s, err, sizeof err) == 0, "%s", err);

    s = valid_spec();
    s.max_steps = 0;
    validate_fails(&s, "max_steps is 0");
    s = valid_spec();
    s.state_size = 0;
    validate_fails(&s, "state_size is 0");
    s = valid_spec();
    s.state_bytes = 0;
    validate_fails(&s, "state_bytes is 0");
    s = valid_spec();
    s.reset = NULL;
    validate_fails(&s, "function reset is not set");
    s = valid_spec();
    s.step = NULL;
    validate_fails(&s, "function step is not set");
    s = valid_spec();
    s.get_state = NULL;
    validate_fails(&s, "function get_state is not set");
    s = valid_spec();
    s.set_state = NULL;
    validate_fails(&s, "function set_state is not set");
    static const char *const bad_defaults[] = {"gamma=0.9", "oops", NULL};
    s = valid_spec();
    s.defaults = bad_defaults;
    validate_fails(&s, "defaults[1]");

    /* step_batch is optional (valid_spec has none); with one, the state must be 8-byte
     * words */
    s = valid_spec();
    s.step_batch = env_cartpole_v1.step_batch;
    ck_assert_msg(registry_validate(&s, err, sizeof err) == 0, "%s", err);
    s.state_bytes = 12;
    validate_fails(&s, "state_bytes is 12");

    /* open/close and save/load come in pairs; a state with open has save, no batch */
    s = valid_spec();
    s.close = fx_close;
    validate_fails(&s, "must be set together");
    s = valid_spec();
    s.save = fx_save;
    validate_fails(&s, "must be set together");
    s.load = fx_load;
    s.save_bytes = 0;
    validate_fails(&s, "save_bytes is 0");
    s.save_bytes = 8;
    ck_assert_msg(registry_validate(&s, err, sizeof err) == 0, "%s", err);
    s.open = fx_open;
    s.close = fx_close;
    ck_assert_msg(registry_validate(&s, err, sizeof err) == 0, "%s", err);
    s.step_batch = env_cartpole_v1.step_batch;
    validate_fails(&s, "no step_batch");
    s = valid_spec();
    s.open = fx_open;
    s.close = fx_close;
    validate_fails(&s, "must have save and load");
}
END_TEST

START_TEST(test_add_and_duplicates)
{
    EnvRegistry *r = create_ok();
    static EnvSpec one, other, clash, broken;
    one = valid_spec();
    char err[512] = "";
    ck_assert_msg(registry_add(r, &one, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(registry_count(r), NB + 1);
    ck_assert_ptr_eq(registry_find(r, "One-v0"), &one);
    ck_assert_str_eq(registry_source(r, NB), "program");
    ck_assert_int_eq(registry_add(r, &one, err, sizeof err), 0); /* same spec: no-op */
    ck_assert_int_eq(registry_count(r), NB + 1);

    other = valid_spec(); /* another spec with a taken id */
    ck_assert_int_eq(registry_add(r, &other, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "'One-v0' is already registered (program)"), "%s", err);
    clash = valid_spec();
    clash.id = "Pendulum-v1";
    ck_assert_int_eq(registry_add(r, &clash, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "'Pendulum-v1' is already registered (built-in)"), "%s", err);
    broken = valid_spec();
    broken.id = "Broken-v0";
    broken.step = NULL;
    ck_assert_int_eq(registry_add(r, &broken, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "step"), "%s", err);
    ck_assert_int_eq(registry_count(r), NB + 1);
    ck_assert_ptr_eq(registry_find(r, "Pendulum-v1"), &env_pendulum_v1);
    registry_destroy(&r);
}
END_TEST

START_TEST(test_plugin_names)
{
    ck_assert(registry_is_plugin_name("./libx.so"));
    ck_assert(registry_is_plugin_name("libx.so"));
    ck_assert(registry_is_plugin_name("/abs/path/libx.so.1"));
    ck_assert(registry_is_plugin_name("plugin:libx"));
    ck_assert(registry_is_plugin_name("sub/libx"));
    ck_assert(!registry_is_plugin_name("CartPole-v1"));
    ck_assert(!registry_is_plugin_name("so"));

    EnvRegistry *r = create_ok();
    const char *empty_path[] = {"no plugin path", NULL};
    lookup_fails(r, "plugin:", empty_path);
    lookup_fails(r, "plugin::Id-v0", empty_path);
    const char *empty_id[] = {"empty environment id", NULL};
    lookup_fails(r, "plugin:./libx.so:", empty_id);
    /* the text after the last ':' is a path, not an id, when it holds a '/' */
    const char *missing[] = {"cannot open plugin 'dir:x/libnone.so'", NULL};
    lookup_fails(r, "plugin:dir:x/libnone.so", missing);
    registry_destroy(&r);
}
END_TEST

START_TEST(test_example_plugin)
{
    const char *path = tu_getenv("MPIRL_EXAMPLE_PLUGIN");
    EnvRegistry *r = create_ok();
    const EnvSpec *s = lookup_ok(r, path); /* a bare path with one spec */
    ck_assert_str_eq(s->id, "ExamplePointMass-v0");
    ck_assert_int_eq(registry_count(r), NB + 1);
    ck_assert_ptr_eq(registry_find(r, "ExamplePointMass-v0"), s);
    ck_assert_str_eq(registry_source(r, NB), path);
    ck_assert_int_eq(s->abi, MPIRL_ENV_ABI);
    ck_assert_int_eq(s->act_kind, SPACE_BOX);

    /* loading again, by either syntax, registers nothing new */
    char name[4200];
    snprintf(name, sizeof name, "plugin:%s", path);
    ck_assert_ptr_eq(lookup_ok(r, name), s);
    snprintf(name, sizeof name, "plugin:%s:ExamplePointMass-v0", path);
    ck_assert_ptr_eq(lookup_ok(r, name), s);
    ck_assert_int_eq(registry_count(r), NB + 1);
    const EnvSpec *const *list;
    int count;
    char err[512];
    ck_assert_int_eq(registry_load_plugin(r, path, &list, &count, err, sizeof err), 0);
    ck_assert_int_eq(count, 1);
    ck_assert_ptr_eq(list[0], s);
    ck_assert_ptr_null(list[1]);
    snprintf(name, sizeof name, "plugin:%s:Nope-v0", path);
    const char *nope[] = {"has no environment 'Nope-v0'", "valid: ExamplePointMass-v0", NULL};
    lookup_fails(r, name, nope);

    /* it runs: reset draws from the host's rng (x ~ U(-1, 1), v = 0), step follows the
     * documented dynamics */
    VecEnv v;
    ck_assert_int_eq(vecenv_init(&v, s, 4, 0, 9, 0, err, sizeof err), 0);
    ck_assert_int_eq(v.max_steps, 200);
    for (int i = 0; i < 4; i++) {
        Rng rng;
        rng_seed(&rng, 9, rng_stream_id(0, (uint32_t)i));
        ck_assert(v.obs[2 * i] == (float)rng_uniform_range(&rng, -1.0, 1.0));
        ck_assert(v.obs[2 * i + 1] == 0.0f);
    }
    double st[2];
    s->get_state(s, v.states, st);
    const float u[4] = {NAN, -5.0f, 0.0f, 0.5f};
    ck_assert_int_eq(vecenv_step(&v, u), -1); /* NaN refused, nothing stepped */
    ck_assert_int_eq(v.bad_env, 0);
    const float u2[4] = {1.0f, -5.0f, 0.0f, 0.5f};
    ck_assert_int_eq(vecenv_step(&v, u2), 0);
    const double v1 = 0.05, x1 = st[0] + v1 * 0.05;
    ck_assert(v.obs[0] == (float)x1 && v.obs[1] == (float)v1);
    ck_assert(v.reward[0] == (float)-(x1 * x1 + 0.1 * v1 * v1 + 0.01));
    ck_assert(v.obs[3] == -0.05f); /* -5 is clipped to -1 */
    vecenv_free(&v);
    registry_destroy(&r);
}
END_TEST

START_TEST(test_plugin_with_several_specs)
{
    const char *path = tu_getenv("MPIRL_FIXTURE_PLUGIN");
    unsetenv("MPIRL_FIXTURE_MODE");
    EnvRegistry *r = create_ok();
    /* a bare path must name exactly one environment */
    const char *choose[] = {"defines 2 environments (FixtureDiscrete-v0, FixtureBox-v0)",
                            "choose one with plugin:", NULL};
    lookup_fails(r, path, choose);
    /* the failed choice still loaded the library; listing needs no choice */
    ck_assert_int_eq(registry_count(r), NB + 2);
    char err[512];
    ck_assert_int_eq(registry_load(r, path, err, sizeof err), 0);
    ck_assert_int_eq(registry_count(r), NB + 2);
    char name[4200];
    snprintf(name, sizeof name, "plugin:%s:FixtureBox-v0", path);
    const EnvSpec *b = lookup_ok(r, name);
    ck_assert_str_eq(b->id, "FixtureBox-v0");
    ck_assert_int_eq(env_action_dim(b), 2);
    snprintf(name, sizeof name, "plugin:%s:FixtureDiscrete-v0", path);
    const EnvSpec *d = lookup_ok(r, name);
    ck_assert_int_eq(d->act_n, 3);
    ck_assert_ptr_eq(registry_find(r, "FixtureDiscrete-v0"), d);
    registry_destroy(&r);
}
END_TEST

/* Load the fixture in `mode` into a fresh registry: it must be refused with a message
 * holding needle, and leave the built-ins alone. */
static void fixture_refused(const char *mode, const char *needle)
{
    const char *path = tu_getenv("MPIRL_FIXTURE_PLUGIN");
    setenv("MPIRL_FIXTURE_MODE", mode, 1);
    EnvRegistry *r = create_ok();
    const char *needles[] = {needle, path, NULL};
    lookup_fails(r, path, needles);
    ck_assert_int_eq(registry_count(r), NB);
    ck_assert_ptr_eq(registry_find(r, "CartPole-v1"), &env_cartpole_v1);
    registry_destroy(&r);
    unsetenv("MPIRL_FIXTURE_MODE");
}

START_TEST(test_plugin_refused)
{
    fixture_refused("abi", "built for environment ABI 999, this mpirl uses ABI " ABI_TEXT);
    fixture_refused("null", "no environments for environment ABI " ABI_TEXT);
    fixture_refused("clash", "'CartPole-v1' is already registered (built-in)");
    fixture_refused("invalid", "obs_dim is 0");
    fixture_refused("twice", "defines environment id 'FixtureDiscrete-v0' twice");

    /* a valid plugin afterwards still loads */
    const char *path = tu_getenv("MPIRL_FIXTURE_PLUGIN");
    EnvRegistry *r = create_ok();
    char err[512];
    ck_assert_msg(registry_load(r, path, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(registry_count(r), NB + 2);
    registry_destroy(&r);
}
END_TEST

START_TEST(test_plugin_load_errors)
{
    EnvRegistry *r = create_ok();
    const char *missing[] = {"cannot open plugin '/nonexistent/libnone.so'",
                             "No such file or directory", NULL};
    lookup_fails(r, "/nonexistent/libnone.so", missing);
    const char *relative[] = {"cannot open plugin 'libnone-here.so'", NULL};
    lookup_fails(r, "libnone-here.so", relative); /* bare name: current directory */
    const char *dir[] = {"not a regular file", NULL};
    lookup_fails(r, "/tmp/", dir);

    /* a text file is not a library */
    char text[4096];
    snprintf(text, sizeof text, "%s/golden_cat.txt", tu_getenv("MPIRL_TEST_DATA"));
    const char *notlib[] = {"cannot load plugin", "as a shared library", NULL};
    lookup_fails(r, text, notlib);

    /* a real library without the entry point: the one holding cos */
    double (*fn)(double) = cos;
    void *addr;
    memcpy(&addr, &fn, sizeof addr); /* function to object pointer, as POSIX allows */
    Dl_info info;
    ck_assert(dladdr(addr, &info) != 0 && info.dli_fname != NULL);
    if (strchr(info.dli_fname, '/') != NULL) {
        const char *nosym[] = {"does not export mpirl_env_plugin", NULL};
        lookup_fails(r, info.dli_fname, nosym);
    }
    ck_assert_int_eq(registry_count(r), NB);
    registry_destroy(&r);
}
END_TEST

START_TEST(test_print)
{
    EnvRegistry *r = create_ok();
    const char *path = tu_getenv("MPIRL_EXAMPLE_PLUGIN");
    char err[512];
    ck_assert_msg(registry_load(r, path, err, sizeof err) == 0, "%s", err);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    registry_print(r, f);
    fclose(f);
    const char *needles[] = {"id",
                             "action",
                             "time limit",
                             "observation bounds",
                             "CartPole-v1",
                             "Discrete(2)",
                             "Acrobot-v1",
                             "Discrete(3)",
                             "MountainCar-v0",
                             "MountainCarContinuous-v0",
                             "Pendulum-v1",
                             "Box(1) [-2,2]",
                             "ExamplePointMass-v0",
                             "Box(1) [-1,1]",
                             path,
                             "[-2,2] [-2,2]",
                             "ExamplePointMass-v0: algo=ppo gamma=0.99"};
    for (int i = 0; i < TU_COUNT(needles); i++)
        ck_assert_msg(strstr(buf, needles[i]) != NULL, "'%s' not in:\n%s", needles[i], buf);
    /* one row per environment: its line holds its time limit */
    const char *row = strstr(buf, "\nCartPole-v1 ");
    ck_assert_ptr_nonnull(row);
    const char *eol = strchr(row + 1, '\n');
    ck_assert_ptr_nonnull(eol);
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(eol - row - 1), row + 1);
    ck_assert_msg(strstr(line, " 500 ") && strstr(line, "built-in"), "row: %s", line);
    free(buf);
    registry_destroy(&r);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"builtins", test_builtins},
        {"unknown_id", test_unknown_id},
        {"validate", test_validate},
        {"add_and_duplicates", test_add_and_duplicates},
        {"plugin_names", test_plugin_names},
        {"example_plugin", test_example_plugin},
        {"plugin_with_several_specs", test_plugin_with_several_specs},
        {"plugin_refused", test_plugin_refused},
        {"plugin_load_errors", test_plugin_load_errors},
        {"print", test_print},
    };
    return tu_run(tu_suite("registry", cases, TU_COUNT(cases), 0));
}
