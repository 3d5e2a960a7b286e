/* test_vecenv.c - unit tests of vecenv.c: same-step auto-reset with the final
 * observation kept, TimeLimit truncation (also together with termination), episode
 * statistics, seeding by (seed, rank, env index), refused actions (nothing changes), and
 * the wrapper around the real CartPole-v1 (through step_batch and through step, bit for
 * bit) and Pendulum-v1.
 *
 * Most cases use a test environment defined here, Tally, whose every value can be
 * predicted: reset draws x ~ U[0, 1) from the environment's generator and sets the
 * count c = 0; action 0 or 1 increments c, rewards c and observes (x, c); action 1 also
 * terminates. So an episode of length L returns L (L + 1) / 2, x identifies the
 * episode, and c is the step count.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "env.h"
#include "rng.h"
#include "testutil.h"
#include "vecenv.h"

/* ---- the Tally environment ---- */

typedef struct {
    double x, c;
} Tally;

static void tally_obs(const Tally *s, float *obs)
{
    obs[0] = (float)s->x;
    obs[1] = (float)s->c;
}

static void tally_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    Tally *s = state;
    s->x = rng_uniform(rng);
    s->c = 0.0;
    tally_obs(s, obs);
}

static int tally_step(const EnvSpec *spec, void *state, const float *action, float *obs,
                      double *reward, uint8_t *terminated)
{
    (void)spec;
    if (action[0] != 0.0f && action[0] != 1.0f)
        return -1;
    Tally *s = state;
    s->c += 1.0;
    *reward = s->c;
    *terminated = action[0] == 1.0f;
    tally_obs(s, obs);
    return 0;
}

static void tally_get(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    const Tally *s = state;
    out[0] = s->x;
    out[1] = s->c;
}

static int tally_set(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    Tally *s = state;
    s->x = in[0];
    s->c = in[1];
    tally_obs(s, obs);
    return 0;
}

static const float tally_low[2] = {0.0f, 0.0f};
static const float tally_high[2] = {1.0f, 1000.0f};

#define TALLY_LIMIT 5

static const EnvSpec tally = {.abi = MPIRL_ENV_ABI,
                              .id = "Tally-v0",
                              .obs_dim = 2,
                              .obs_low = tally_low,
                              .obs_high = tally_high,
                              .act_kind = SPACE_DISCRETE,
                              .act_n = 2,
                              .max_steps = TALLY_LIMIT,
                              .state_size = 2,
                              .state_bytes = sizeof(Tally),
                              .reset = tally_reset,
                              .step = tally_step,
                              .get_state = tally_get,
                              .set_state = tally_set};

/* ---- helpers ---- */

static void init_ok(VecEnv *v, const EnvSpec *spec, int n, int max_steps, uint64_t seed,
                    uint32_t rank)
{
    char err[256] = "";
    const int rc = vecenv_init(v, spec, n, max_steps, seed, rank, err, sizeof err);
    ck_assert_msg(rc == 0, "vecenv_init(%s, n=%d): %s", spec->id, n, err);
}

/* the k-th (0-based) uniform draw of environment i's stream */
static double nth_uniform(uint64_t seed, uint32_t rank, uint32_t i, int k)
{
    Rng r;
    rng_seed(&r, seed, rng_stream_id(rank, i));
    double x = 0.0;
    for (int j = 0; j <= k; j++)
        x = rng_uniform(&r);
    return x;
}

static void step_ok(VecEnv *v, const float *action)
{
    ck_assert_msg(vecenv_step(v, action) == 0, "vecenv_step: %s", v->err);
}

/* ---- cases ---- */

START_TEST(test_init_and_reset)
{
    VecEnv v;
    init_ok(&v, &tally, 3, 0, 7, 2);
    ck_assert_int_eq(v.n, 3);
    ck_assert_int_eq(v.obs_dim, 2);
    ck_assert_int_eq(v.act_dim, 1);
    ck_assert_int_eq(v.max_steps, TALLY_LIMIT);
    for (int i = 0; i < 3; i++) {
        /* environment i draws from rng_seed(seed, rng_stream_id(rank, i)) */
        ck_assert(v.obs[2 * i] == (float)nth_uniform(7, 2, (uint32_t)i, 0));
        ck_assert(v.obs[2 * i + 1] == 0.0f);
        ck_assert(memcmp(v.obs + 2 * i, v.final_obs + 2 * i, 2 * sizeof(float)) == 0);
        ck_assert(v.reward[i] == 0.0f && v.terminated[i] == 0 && v.truncated[i] == 0);
        ck_assert(v.ep_return[i] == 0.0 && v.ep_len[i] == 0);
    }
    ck_assert_int_eq(v.n_done, 0);
    /* arrays are contiguous rows of one allocation, each 64-byte aligned */
    ck_assert((uintptr_t)v.obs % 64 == 0 && (uintptr_t)v.final_obs % 64 == 0);
    ck_assert((uintptr_t)v.reward % 64 == 0 && (uintptr_t)v.terminated % 64 == 0);

    /* a second reset continues each stream: the second draw */
    const float a[3] = {0, 0, 0};
    step_ok(&v, a);
    vecenv_reset(&v);
    for (int i = 0; i < 3; i++) {
        ck_assert(v.obs[2 * i] == (float)nth_uniform(7, 2, (uint32_t)i, 1));
        ck_assert(v.ep_len[i] == 0 && v.ep_return[i] == 0.0);
    }
    vecenv_free(&v);
    ck_assert(v.obs == NULL && v.n == 0);
    vecenv_free(&v); /* freeing twice is harmless */
}
END_TEST

START_TEST(test_init_errors)
{
    VecEnv v;
    char err[256];
    ck_assert_int_eq(vecenv_init(&v, &tally, 0, 0, 1, 0, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "0 environments") && strstr(err, "[1,"), "message: %s", err);
    ck_assert(v.obs == NULL);
    ck_assert_int_eq(vecenv_init(&v, &tally, 2, -3, 1, 0, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "-3") && strstr(err, "Tally-v0"), "message: %s", err);
    vecenv_free(&v);
}
END_TEST

START_TEST(test_autoreset_keeps_final_obs)
{
    VecEnv v;
    init_ok(&v, &tally, 2, 0, 11, 0);
    const float x0 = v.obs[0], x1 = v.obs[2];
    const float a[2] = {1, 0}; /* env 0 terminates, env 1 continues */
    step_ok(&v, a);

    ck_assert_int_eq(v.terminated[0], 1);
    ck_assert_int_eq(v.truncated[0], 0);
    ck_assert_int_eq(v.terminated[1], 0);
    ck_assert_int_eq(v.truncated[1], 0);
    ck_assert(v.reward[0] == 1.0f && v.reward[1] == 1.0f);
    /* env 0: final_obs is the terminal observation, obs the new episode's first */
    ck_assert(v.final_obs[0] == x0 && v.final_obs[1] == 1.0f);
    ck_assert(v.obs[0] == (float)nth_uniform(11, 0, 0, 1) && v.obs[1] == 0.0f);
    ck_assert(v.obs[0] != x0);
    /* env 1: obs and final_obs both hold the step's observation */
    ck_assert(v.obs[2] == x1 && v.obs[3] == 1.0f);
    ck_assert(memcmp(v.obs + 2, v.final_obs + 2, 2 * sizeof(float)) == 0);
    /* statistics */
    ck_assert_int_eq(v.n_done, 1);
    ck_assert(v.done_return[0] == 1.0 && v.done_len[0] == 1);
    ck_assert(v.ep_return[0] == 0.0 && v.ep_len[0] == 0);
    ck_assert(v.ep_return[1] == 1.0 && v.ep_len[1] == 1);

    /* next step: env 1 terminates after 2 steps, env 0 continues its new episode */
    const float b[2] = {0, 1};
    step_ok(&v, b);
    ck_assert_int_eq(v.n_done, 1);
    ck_assert(v.terminated[0] == 0 && v.terminated[1] == 1);
    ck_assert(v.done_return[1] == 3.0 && v.done_len[1] == 2);
    ck_assert(v.done_return[0] == 1.0 && v.done_len[0] == 1); /* untouched */
    ck_assert(v.final_obs[2] == x1 && v.final_obs[3] == 2.0f);
    ck_assert(v.obs[3] == 0.0f);
    vecenv_free(&v);
}
END_TEST

START_TEST(test_truncation_at_limit)
{
    VecEnv v;
    init_ok(&v, &tally, 1, 0, 3, 0);
    const float a[1] = {0};
    for (int episode = 0; episode < 3; episode++) {
        const float x = v.obs[0];
        for (int t = 1; t <= TALLY_LIMIT; t++) {
            step_ok(&v, a);
            ck_assert_int_eq(v.terminated[0], 0);
            ck_assert_msg(v.truncated[0] == (t == TALLY_LIMIT), "step %d: truncated %d", t,
                          v.truncated[0]);
            ck_assert(v.final_obs[0] == x && v.final_obs[1] == (float)t);
        }
        ck_assert_int_eq(v.n_done, 1);
        ck_assert_int_eq(v.done_len[0], TALLY_LIMIT);
        ck_assert(v.done_return[0] == TALLY_LIMIT * (TALLY_LIMIT + 1) / 2.0);
        ck_assert(v.obs[1] == 0.0f && v.obs[0] != x); /* reset in the same step */
        ck_assert(v.obs[0] == (float)nth_uniform(3, 0, 0, episode + 1));
    }
    vecenv_free(&v);

    /* max_steps > 0 overrides the spec's limit */
    init_ok(&v, &tally, 1, 2, 3, 0);
    ck_assert_int_eq(v.max_steps, 2);
    step_ok(&v, a);
    ck_assert_int_eq(v.truncated[0], 0);
    step_ok(&v, a);
    ck_assert_int_eq(v.truncated[0], 1);
    ck_assert_int_eq(v.done_len[0], 2);
    vecenv_free(&v);
}
END_TEST

START_TEST(test_terminated_and_truncated)
{
    /* terminating on the step that reaches the limit sets both flags (Gymnasium) */
    VecEnv v;
    init_ok(&v, &tally, 2, 0, 5, 1);
    const float go[2] = {0, 0}, end[2] = {1, 0};
    for (int t = 1; t < TALLY_LIMIT; t++)
        step_ok(&v, go);
    step_ok(&v, end);
    ck_assert(v.terminated[0] == 1 && v.truncated[0] == 1);
    ck_assert(v.terminated[1] == 0 && v.truncated[1] == 1);
    ck_assert_int_eq(v.n_done, 2);
    ck_assert(v.done_len[0] == TALLY_LIMIT && v.done_len[1] == TALLY_LIMIT);
    vecenv_free(&v);
}
END_TEST

START_TEST(test_episode_statistics)
{
    /* random actions over many steps: every finished episode's return and length
     * match an independent count from the observations */
    enum { E = 5, STEPS = 400 };
    VecEnv v;
    init_ok(&v, &tally, E, 0, 21, 0);
    Rng r;
    rng_seed(&r, 99, 0);
    int len[E] = {0}, finished = 0;
    for (int t = 0; t < STEPS; t++) {
        float a[E];
        for (int i = 0; i < E; i++)
            a[i] = rng_uniform(&r) < 0.2 ? 1.0f : 0.0f;
        step_ok(&v, a);
        int done = 0;
        for (int i = 0; i < E; i++) {
            len[i]++;
            ck_assert(v.reward[i] == (float)len[i]);
            const int want_trunc = len[i] >= TALLY_LIMIT, want_term = a[i] == 1.0f;
            ck_assert_int_eq(v.truncated[i], want_trunc);
            ck_assert_int_eq(v.terminated[i], want_term);
            ck_assert(v.final_obs[2 * i + 1] == (float)len[i]);
            if (want_trunc || want_term) {
                ck_assert_int_eq(v.done_len[i], len[i]);
                ck_assert(v.done_return[i] == len[i] * (len[i] + 1) / 2.0);
                ck_assert(v.ep_len[i] == 0 && v.ep_return[i] == 0.0);
                len[i] = 0;
                done++;
            } else {
                ck_assert_int_eq(v.ep_len[i], len[i]);
                ck_assert(v.ep_return[i] == len[i] * (len[i] + 1) / 2.0);
            }
        }
        ck_assert_int_eq(v.n_done, done);
        finished += done;
    }
    ck_assert(finished > STEPS); /* many episodes of both kinds went by */
    vecenv_free(&v);
}
END_TEST

/* Run two vectors with the same actions (random indices below act_n) for T steps;
 * returns whether every obs, final_obs, reward, flag and episode statistic matched. */
static int same_streams(VecEnv *a, VecEnv *b, int T)
{
    enum { MAX_E = 512 };
    ck_assert(a->n == b->n && a->n <= MAX_E && a->spec->act_kind == SPACE_DISCRETE);
    Rng r;
    rng_seed(&r, 5, 0);
    const size_t n = (size_t)a->n, no = sizeof(float) * n * (size_t)a->obs_dim;
    int same = memcmp(a->obs, b->obs, no) == 0;
    for (int t = 0; t < T; t++) {
        float act[MAX_E];
        for (size_t i = 0; i < n; i++)
            act[i] = a->spec == &tally ? (rng_uniform(&r) < 0.3 ? 1.0f : 0.0f)
                                       : (float)rng_below(&r, (uint32_t)a->spec->act_n);
        step_ok(a, act);
        step_ok(b, act);
        same = same && memcmp(a->obs, b->obs, no) == 0 &&
               memcmp(a->final_obs, b->final_obs, no) == 0 &&
               memcmp(a->reward, b->reward, sizeof(float) * n) == 0 &&
               memcmp(a->terminated, b->terminated, n) == 0 &&
               memcmp(a->truncated, b->truncated, n) == 0 &&
               memcmp(a->ep_return, b->ep_return, sizeof(double) * n) == 0 &&
               memcmp(a->ep_len, b->ep_len, sizeof(int) * n) == 0 &&
               memcmp(a->done_return, b->done_return, sizeof(double) * n) == 0 &&
               memcmp(a->done_len, b->done_len, sizeof(int) * n) == 0 && a->n_done == b->n_done;
    }
    return same;
}

START_TEST(test_seeded_determinism)
{
    VecEnv a, b;
    /* same (seed, rank): identical streams, resets included */
    init_ok(&a, &tally, 4, 0, 1234, 3);
    init_ok(&b, &tally, 4, 0, 1234, 3);
    ck_assert(same_streams(&a, &b, 300));
    /* within a vector, environments differ from each other */
    for (int i = 1; i < 4; i++)
        ck_assert(a.obs[0] != a.obs[2 * i]);
    vecenv_free(&a);
    vecenv_free(&b);

    /* a different rank gives different streams for every environment index */
    init_ok(&a, &tally, 4, 0, 1234, 3);
    init_ok(&b, &tally, 4, 0, 1234, 4);
    for (int i = 0; i < 4; i++)
        ck_assert(a.obs[2 * i] != b.obs[2 * i]);
    ck_assert(!same_streams(&a, &b, 50));
    vecenv_free(&a);
    vecenv_free(&b);

    /* a different seed too */
    init_ok(&a, &tally, 4, 0, 1234, 3);
    init_ok(&b, &tally, 4, 0, 1235, 3);
    for (int i = 0; i < 4; i++)
        ck_assert(a.obs[2 * i] != b.obs[2 * i]);
    vecenv_free(&a);
    vecenv_free(&b);

    /* environment i of a vector of 4 is environment i of a vector of 2 */
    init_ok(&a, &tally, 4, 0, 77, 1);
    init_ok(&b, &tally, 2, 0, 77, 1);
    ck_assert(memcmp(a.obs, b.obs, 4 * sizeof(float)) == 0);
    vecenv_free(&a);
    vecenv_free(&b);
}
END_TEST

/* Copies of everything a vector shows, to check that a refused step changed nothing. */
typedef struct {
    float obs[64], final_obs[64], reward[16];
    uint8_t terminated[16], truncated[16];
    double ep_return[16], done_return[16];
    int ep_len[16], done_len[16], n_done;
} Shown;

static void snapshot(Shown *s, const VecEnv *v)
{
    ck_assert(v->n <= 16 && v->n * v->obs_dim <= 64);
    memset(s, 0, sizeof *s);
    const size_t n = (size_t)v->n, no = n * (size_t)v->obs_dim;
    memcpy(s->obs, v->obs, no * sizeof(float));
    memcpy(s->final_obs, v->final_obs, no * sizeof(float));
    memcpy(s->reward, v->reward, n * sizeof(float));
    memcpy(s->terminated, v->terminated, n);
    memcpy(s->truncated, v->truncated, n);
    memcpy(s->ep_return, v->ep_return, n * sizeof(double));
    memcpy(s->done_return, v->done_return, n * sizeof(double));
    memcpy(s->ep_len, v->ep_len, n * sizeof(int));
    memcpy(s->done_len, v->done_len, n * sizeof(int));
    s->n_done = v->n_done;
}

static int same_shown(const VecEnv *v, const Shown *before)
{
    Shown now;
    snapshot(&now, v);
    return memcmp(&now, before, sizeof now) == 0;
}

START_TEST(test_invalid_action)
{
    /* every action is checked before any environment steps: nothing changes */
    VecEnv v;
    init_ok(&v, &tally, 3, 0, 8, 0);
    const float go[3] = {0, 1, 0};
    step_ok(&v, go);
    Shown before;
    snapshot(&before, &v);
    const float bad[3] = {0, 2, 0};
    ck_assert_int_eq(vecenv_step(&v, bad), -1);
    ck_assert_int_eq(v.bad_env, 1);
    ck_assert_msg(strstr(v.err, "environment 1") && strstr(v.err, "Tally-v0") &&
                      strstr(v.err, "action 2") && strstr(v.err, "[0, 1]"),
                  "message: %s", v.err);
    ck_assert(same_shown(&v, &before));

    const float half[3] = {0.5f, 0, 0.5f}; /* the first refused row is named */
    ck_assert_int_eq(vecenv_step(&v, half), -1);
    ck_assert_int_eq(v.bad_env, 0);
    ck_assert_msg(strstr(v.err, "0.5"), "message: %s", v.err);
    ck_assert(same_shown(&v, &before));
    /* and the vector goes on as if the refused steps had not been asked for */
    step_ok(&v, go);
    ck_assert(v.ep_len[0] == 2 && v.ep_len[1] == 0 && v.ep_len[2] == 2);
    vecenv_free(&v);

    /* a continuous environment names the refused components */
    init_ok(&v, &env_pendulum_v1, 2, 0, 8, 0);
    snapshot(&before, &v);
    const float nan_action[2] = {0.5f, NAN};
    ck_assert_int_eq(vecenv_step(&v, nan_action), -1);
    ck_assert_int_eq(v.bad_env, 1);
    ck_assert_msg(strstr(v.err, "Pendulum-v1") && strstr(v.err, "nan"), "message: %s", v.err);
    ck_assert(same_shown(&v, &before));
    /* a NaN action from a NaN observation: the message names the observation */
    v.obs[1 * 3 + 2] = NAN;
    ck_assert_int_eq(vecenv_step(&v, nan_action), -1);
    ck_assert_msg(strstr(v.err, "environment 1 of Pendulum-v1: its observation is not finite "
                                "(component 2 is nan)"),
                  "message: %s", v.err);
    vecenv_free(&v);

    /* the same through step_batch (CartPole-v1, a vector long enough to use it); a twin
     * vector that never saw the refused step stays identical */
    enum { E = 9 };
    VecEnv twin;
    init_ok(&v, &env_cartpole_v1, E, 0, 8, 0);
    init_ok(&twin, &env_cartpole_v1, E, 0, 8, 0);
    ck_assert(v.batched);
    Rng r;
    rng_seed(&r, 4, 0);
    for (int t = 0; t < 40; t++) {
        float a[E];
        for (int i = 0; i < E; i++)
            a[i] = (float)rng_below(&r, 2);
        step_ok(&v, a);
        step_ok(&twin, a);
        if (t % 10 != 9)
            continue;
        snapshot(&before, &v);
        a[3] = -1.0f;
        a[7] = 0.25f;
        ck_assert_int_eq(vecenv_step(&v, a), -1);
        ck_assert_int_eq(v.bad_env, 3);
        ck_assert_msg(strstr(v.err, "environment 3") && strstr(v.err, "CartPole-v1") &&
                          strstr(v.err, "action -1"),
                      "message: %s", v.err);
        ck_assert(same_shown(&v, &before));
    }
    ck_assert(same_streams(&v, &twin, 200));
    vecenv_free(&v);
    vecenv_free(&twin);
}
END_TEST

START_TEST(test_cartpole)
{
    /* CartPole-v1 under random actions: terminations happen, the final observation is
     * past a limit (|x| > 2.4 or |theta| > 12 degrees), the reset one within 0.05 */
    enum { E = 8, STEPS = 3000 };
    VecEnv v;
    init_ok(&v, &env_cartpole_v1, E, 0, 42, 0);
    ck_assert_int_eq(v.max_steps, 500);
    Rng r;
    rng_seed(&r, 43, 0);
    int terminations = 0;
    for (int t = 0; t < STEPS; t++) {
        float a[E];
        for (int i = 0; i < E; i++)
            a[i] = (float)rng_below(&r, 2);
        step_ok(&v, a);
        for (int i = 0; i < E; i++) {
            const float *o = v.obs + 4 * i, *f = v.final_obs + 4 * i;
            ck_assert(v.reward[i] == 1.0f);
            if (v.terminated[i]) {
                terminations++;
                ck_assert_msg(fabsf(f[0]) > 2.4f || fabsf(f[2]) > 0.20943952f,
                              "terminal obs x=%g theta=%g", (double)f[0], (double)f[2]);
                for (int k = 0; k < 4; k++)
                    ck_assert(fabsf(o[k]) <= 0.05f);
                ck_assert(v.done_return[i] == (double)v.done_len[i]);
            } else if (!v.truncated[i]) {
                ck_assert(memcmp(o, f, 4 * sizeof(float)) == 0);
            }
        }
    }
    ck_assert_msg(terminations > 100, "%d terminations", terminations);
    vecenv_free(&v);
}
END_TEST

/* groups of G members from one start: after vecenv_copy_env, every member of a group
 * follows the same trajectory bit for bit under the same actions until its episode
 * ends; the groups start apart; the members' generators stay their own (the next
 * resets differ) */
static void check_groups(const EnvSpec *spec, int groups, int size)
{
    const int E = groups * size, od = spec->obs_dim, ad = env_action_dim(spec);
    VecEnv v;
    init_ok(&v, spec, E, 0, 7, 0);
    for (int g = 0; g < groups; g++)
        for (int i = 1; i < size; i++)
            ck_assert_int_eq(vecenv_copy_env(&v, g * size + i, g * size), 0);
    for (int g = 1; g < groups; g++)
        ck_assert_msg(memcmp(v.obs, v.obs + (size_t)g * size * od, sizeof(float) * od) != 0,
                      "%s: groups 0 and %d start alike", spec->id, g);
    float *act = calloc((size_t)E * ad, sizeof(float));
    char *ended = calloc((size_t)E, 1);
    Rng r;
    rng_seed(&r, 11, 0);
    for (int t = 0; t < 300; t++) {
        for (int g = 0; g < groups; g++) /* one action per group, the same for its members */
            for (int j = 0; j < ad; j++) {
                const float a = spec->act_kind == SPACE_DISCRETE
                                    ? (float)rng_below(&r, (uint32_t)spec->act_n)
                                    : (float)(2 * rng_uniform(&r) - 1) * spec->act_high[j];
                for (int i = 0; i < size; i++)
                    act[(size_t)(g * size + i) * ad + j] = a;
            }
        step_ok(&v, act);
        for (int g = 0; g < groups; g++) {
            const int lead = g * size;
            for (int i = 1; i < size; i++) {
                const int m = lead + i;
                if (ended[m])
                    continue;
                ck_assert(memcmp(v.final_obs + (size_t)m * od, v.final_obs + (size_t)lead * od,
                                 sizeof(float) * od) == 0);
                ck_assert(v.reward64[m] == v.reward64[lead]);
                ck_assert(v.terminated[m] == v.terminated[lead] &&
                          v.truncated[m] == v.truncated[lead]);
                if (v.terminated[m] || v.truncated[m]) { /* reset by each one's generator */
                    ck_assert(memcmp(v.obs + (size_t)m * od, v.obs + (size_t)lead * od,
                                     sizeof(float) * od) != 0);
                    ended[m] = 1;
                }
            }
        }
    }
    free(act);
    free(ended);
    vecenv_free(&v);
}

START_TEST(test_copy_env_groups)
{
    check_groups(&env_cartpole_v1, 3, 4); /* 12: the batched path */
    check_groups(&env_cartpole_v1, 1, 3); /* 3: one state struct each */
    check_groups(&env_pendulum_v1, 2, 4);
    check_groups(&env_acrobot_v1, 2, 2);
}
END_TEST

START_TEST(test_batched_like_step)
{
    /* CartPole-v1 through step_batch (its structure of arrays) and through step (the same
     * spec without step_batch) give the same vectors bit for bit, with the time limit
     * cut short so that truncations (and both flags at once) happen too; sizes around
     * the batch loop's vector widths and chunks. */
    EnvSpec plain = env_cartpole_v1;
    plain.step_batch = NULL;
    const int sizes[] = {4, 7, 300};
    for (int k = 0; k < TU_COUNT(sizes); k++) {
        VecEnv a, b;
        init_ok(&a, &env_cartpole_v1, sizes[k], 30, 17, 2);
        init_ok(&b, &plain, sizes[k], 30, 17, 2);
        ck_assert(a.batched && !b.batched);
        ck_assert_msg(same_streams(&a, &b, 1500), "%d environments: batched and plain differ",
                      sizes[k]);
        vecenv_free(&a);
        vecenv_free(&b);
    }

    /* fewer than 4 environments step one by one; environment i is the same anyway */
    VecEnv few, many;
    init_ok(&few, &env_cartpole_v1, 3, 0, 23, 1);
    init_ok(&many, &env_cartpole_v1, 40, 0, 23, 1);
    ck_assert(!few.batched && many.batched);
    Rng r;
    rng_seed(&r, 6, 0);
    for (int t = 0; t < 2000; t++) {
        float act[40];
        for (int i = 0; i < 40; i++)
            act[i] = (float)rng_below(&r, 2);
        step_ok(&few, act);
        step_ok(&many, act);
        ck_assert(memcmp(few.obs, many.obs, 12 * sizeof(float)) == 0);
        ck_assert(memcmp(few.final_obs, many.final_obs, 12 * sizeof(float)) == 0);
        ck_assert(memcmp(few.terminated, many.terminated, 3) == 0);
        ck_assert(memcmp(few.truncated, many.truncated, 3) == 0);
    }
    vecenv_free(&few);
    vecenv_free(&many);
}
END_TEST

START_TEST(test_pendulum_time_limit)
{
    /* Pendulum-v1 never terminates: every episode is truncated at exactly 200 steps */
    enum { E = 3 };
    VecEnv v;
    init_ok(&v, &env_pendulum_v1, E, 0, 42, 0);
    Rng r;
    rng_seed(&r, 44, 0);
    double sum[E] = {0};
    for (int t = 1; t <= 450; t++) {
        float a[E];
        for (int i = 0; i < E; i++)
            a[i] = (float)rng_uniform_range(&r, -2.0, 2.0);
        step_ok(&v, a);
        for (int i = 0; i < E; i++) {
            ck_assert_int_eq(v.terminated[i], 0);
            ck_assert_int_eq(v.truncated[i], t % 200 == 0);
            sum[i] += v.reward[i];
            if (v.truncated[i]) {
                ck_assert_int_eq(v.done_len[i], 200);
                ck_assert(fabs(v.done_return[i] - sum[i]) <= 1e-4 * fabs(sum[i]));
                sum[i] = 0.0;
            }
        }
    }
    vecenv_free(&v);
}
END_TEST

/* save, run k steps, load into a fresh vector, run the same k steps: identical, for a
 * batched (CartPole x 16) and a per-environment (Pendulum x 3) vector */
START_TEST(test_save_load)
{
    const EnvSpec *specs[2] = {&env_cartpole_v1, &env_pendulum_v1};
    const int sizes[2] = {16, 3};
    for (int k = 0; k < 2; k++) {
        VecEnv a, b;
        char err[256];
        ck_assert_int_eq(vecenv_init(&a, specs[k], sizes[k], 0, 7, 1, err, sizeof err), 0);
        ck_assert_int_eq(vecenv_init(&b, specs[k], sizes[k], 0, 99, 2, err, sizeof err), 0);
        const int n = sizes[k], ad = a.act_dim, od = a.obs_dim;
        float *act = malloc(sizeof(float) * (size_t)(n * ad) * 300);
        Rng r;
        rng_seed(&r, 3, 3);
        for (int i = 0; i < n * ad * 300; i++)
            act[i] = specs[k]->act_kind == SPACE_DISCRETE ? (float)rng_below(&r, 2)
                                                          : (float)rng_uniform_range(&r, -2, 2);
        for (int t = 0; t < 100; t++) /* somewhere mid-episode */
            ck_assert_int_eq(vecenv_step(&a, act + (size_t)t * n * ad), 0);
        size_t len = vecenv_save_size(specs[k], n);
        unsigned char *blob = malloc(len);
        vecenv_save(&a, blob);
        ck_assert_int_eq(vecenv_load(&b, blob, len - 1), -1);
        ck_assert_int_eq(vecenv_load(&b, blob, len), 0);
        ck_assert_mem_eq(a.obs, b.obs, sizeof(float) * (size_t)(n * od));
        for (int t = 100; t < 300; t++) {
            ck_assert_int_eq(vecenv_step(&a, act + (size_t)t * n * ad), 0);
            ck_assert_int_eq(vecenv_step(&b, act + (size_t)t * n * ad), 0);
            ck_assert_mem_eq(a.obs, b.obs, sizeof(float) * (size_t)(n * od));
            ck_assert_mem_eq(a.final_obs, b.final_obs, sizeof(float) * (size_t)(n * od));
            ck_assert_mem_eq(a.reward, b.reward, sizeof(float) * (size_t)n);
            ck_assert_mem_eq(a.terminated, b.terminated, (size_t)n);
            ck_assert_mem_eq(a.truncated, b.truncated, (size_t)n);
            ck_assert_mem_eq(a.ep_return, b.ep_return, sizeof(double) * (size_t)n);
        }
        free(blob);
        free(act);
        vecenv_free(&a);
        vecenv_free(&b);
    }
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"init_and_reset", test_init_and_reset},
        {"init_errors", test_init_errors},
        {"autoreset_keeps_final_obs", test_autoreset_keeps_final_obs},
        {"truncation_at_limit", test_truncation_at_limit},
        {"terminated_and_truncated", test_terminated_and_truncated},
        {"episode_statistics", test_episode_statistics},
        {"seeded_determinism", test_seeded_determinism},
        {"invalid_action", test_invalid_action},
        {"cartpole", test_cartpole},
        {"batched_like_step", test_batched_like_step},
        {"pendulum_time_limit", test_pendulum_time_limit},
        {"save_load", test_save_load},
        {"copy_env_groups", test_copy_env_groups},
    };
    return tu_run(tu_suite("vecenv", cases, TU_COUNT(cases), 0));
}
