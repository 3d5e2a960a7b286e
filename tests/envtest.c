/* envtest.c - see envtest.h. */
#include "envtest.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "rng.h"
#include "testutil.h"

#define MAX_DIM ENVTEST_MAX_DIM

/* Position of a float on the ordered integer line: b - a in ulps is the difference. */
static int64_t float_order(float f)
{
    int32_t i;
    memcpy(&i, &f, sizeof i);
    return i < 0 ? -(int64_t)(i & 0x7fffffff) : (int64_t)i;
}

static int64_t ulp_diff(float a, float b)
{
    const int64_t d = float_order(a) - float_order(b);
    return d < 0 ? -d : d;
}

static double rel_diff(double a, double b)
{
    if (a == b)
        return 0.0;
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

static const double *golden_traj(const Golden *g, int k, const char *what, long count)
{
    char name[64];
    snprintf(name, sizeof name, "t%d_%s", k, what);
    return golden_get(g, name, count);
}

/* The spec against the reference's sizes and Gymnasium's space bounds (exact floats). */
void envtest_spec(const EnvSpec *spec, const char *file, const char *id)
{
    Golden *g = golden_load(file);
    const double *sp = golden_get(g, "spec", 5);
    ck_assert_int_eq(spec->abi, MPIRL_ENV_ABI);
    ck_assert_str_eq(spec->id, id);
    ck_assert_int_eq(spec->obs_dim, (int)sp[0]);
    ck_assert_int_eq((int)spec->act_kind, (int)sp[1]);
    ck_assert_int_eq(spec->act_n, (int)sp[2]);
    ck_assert_int_eq(spec->max_steps, (int)sp[3]);
    ck_assert_int_eq(spec->state_size, (int)sp[4]);
    ck_assert(spec->obs_dim <= MAX_DIM && spec->act_n <= MAX_DIM && spec->state_size <= MAX_DIM);
    ck_assert(spec->state_bytes > 0);
    /* the training preset, if any, is valid for every algorithm it may qualify */
    static const char *const algos[] = {"ppo", "a2c", "a3c", "reinforce"};
    for (int a = 0; spec->defaults && a < 4; a++) {
        Config c;
        char err[CONFIG_ERR_LEN];
        config_defaults(&c);
        config_set(&c, "algo", algos[a], err);
        ck_assert_msg(config_apply_list(&c, spec->defaults, spec->id, err) == 0, "%s", err);
    }
    ck_assert(spec->reset && spec->step && spec->get_state && spec->set_state);
    const double *lo = golden_get(g, "obs_low", spec->obs_dim);
    const double *hi = golden_get(g, "obs_high", spec->obs_dim);
    for (int i = 0; i < spec->obs_dim; i++) {
        ck_assert_msg(spec->obs_low[i] == (float)lo[i] && spec->obs_high[i] == (float)hi[i],
                      "obs bound %d: [%.9g, %.9g], Gymnasium [%.9g, %.9g]", i,
                      (double)spec->obs_low[i], (double)spec->obs_high[i], lo[i], hi[i]);
    }
    if (spec->act_kind == SPACE_BOX) {
        ck_assert_int_eq(env_action_dim(spec), spec->act_n);
        const double *alo = golden_get(g, "act_low", spec->act_n);
        const double *ahi = golden_get(g, "act_high", spec->act_n);
        for (int i = 0; i < spec->act_n; i++)
            ck_assert(spec->act_low[i] == (float)alo[i] && spec->act_high[i] == (float)ahi[i]);
    } else {
        ck_assert_int_eq(env_action_dim(spec), 1);
        ck_assert(spec->act_low == NULL && spec->act_high == NULL);
    }
    golden_free(g);
}

/* The largest differences from the reference over a replay. */
typedef struct {
    int64_t max_ulp;
    long steps, obs_differ, term_differ;
    double max_rew, max_state;
} Diffs;

/* One step of one trajectory against the reference row t (obs od, state ss values). */
static void diff_step(Diffs *d, const EnvSpec *spec, int k, long t, const float *o, double r,
                      uint8_t done, const double *s, const double *obs, const double *rew,
                      const double *term, const double *state)
{
    const int od = spec->obs_dim, ss = spec->state_size;
    int64_t u = 0;
    for (int i = 0; i < od; i++) {
        const int64_t du = ulp_diff(o[i], (float)obs[t * od + i]);
        u = du > u ? du : u;
    }
    d->max_ulp = u > d->max_ulp ? u : d->max_ulp;
    d->obs_differ += u > 0;
    d->max_rew = fmax(d->max_rew, fabs(r - rew[t]));
    if (r != rew[t])
        printf("%s t%d step %ld: reward %.17g, reference %.17g\n", spec->id, k, t, r, rew[t]);
    d->term_differ += done != (uint8_t)term[t];
    for (int i = 0; i < ss; i++)
        d->max_state = fmax(d->max_state, rel_diff(s[i], state[t * ss + i]));
    d->steps++;
}

/* Print the differences of a replay (how: "" or " batched") and assert them. */
static void diff_check(const Diffs *d, const EnvSpec *spec, int ntraj, const char *how)
{
    printf("%s%s vs reference (%d trajectories, %ld steps): obs max %lld ulp (%ld steps "
           "differ), reward max |diff| %.3g, terminated mismatches %ld, state max rel diff "
           "%.3g\n",
           spec->id, how, ntraj, d->steps, (long long)d->max_ulp, d->obs_differ, d->max_rew,
           d->term_differ, d->max_state);
    ck_assert_msg(d->max_ulp <= 1, "observations differ by %lld ulp", (long long)d->max_ulp);
    ck_assert_msg(d->max_rew == 0.0, "rewards differ by up to %.3g", d->max_rew);
    ck_assert_msg(d->term_differ == 0, "%ld terminated flags differ", d->term_differ);
    ck_assert_msg(d->max_state <= 1e-12, "states differ by %.3g relative", d->max_state);
}

static long traj_len(const Golden *g, int k, const char *file)
{
    char name[64];
    snprintf(name, sizeof name, "t%d_reward", k);
    const long T = golden_count(g, name);
    ck_assert_msg(T > 0, "%s: trajectory %d missing", file, k);
    return T;
}

/* Replay every reference trajectory; prints and checks the largest differences. */
void envtest_golden(const EnvSpec *spec, const char *file)
{
    Golden *g = golden_load(file);
    const int ntraj = (int)golden_get(g, "ntraj", 1)[0];
    const int od = spec->obs_dim, ss = spec->state_size, ad = env_action_dim(spec);
    void *st = malloc(spec->state_bytes);
    ck_assert(st != NULL);
    Diffs d = {0};
    for (int k = 0; k < ntraj; k++) {
        const long T = traj_len(g, k, file);
        const double *start = golden_traj(g, k, "start", ss);
        const double *obs0 = golden_traj(g, k, "obs0", od);
        const double *act = golden_traj(g, k, "actions", T * ad);
        const double *obs = golden_traj(g, k, "obs", T * od);
        const double *rew = golden_traj(g, k, "reward", T);
        const double *term = golden_traj(g, k, "terminated", T);
        const double *state = golden_traj(g, k, "state", T * ss);
        float o[MAX_DIM], a[MAX_DIM];
        double s[MAX_DIM], r;
        uint8_t done;
        ck_assert_int_eq(spec->set_state(spec, st, start, o), 0);
        for (int i = 0; i < od; i++) {
            const int64_t du = ulp_diff(o[i], (float)obs0[i]);
            d.max_ulp = du > d.max_ulp ? du : d.max_ulp;
        }
        for (long t = 0; t < T; t++) {
            for (int i = 0; i < ad; i++)
                a[i] = (float)act[t * ad + i];
            ck_assert_msg(spec->step(spec, st, a, o, &r, &done) == 0, "t%d step %ld refused", k, t);
            spec->get_state(spec, st, s);
            diff_step(&d, spec, k, t, o, r, done, s, obs, rew, term, state);
        }
    }
    diff_check(&d, spec, ntraj, "");
    free(st);
    golden_free(g);
}

#define MAX_TRAJ 64

void envtest_golden_batch(const EnvSpec *spec, const char *file, EnvtestBatchFn fn)
{
    Golden *g = golden_load(file);
    const int n = (int)golden_get(g, "ntraj", 1)[0];
    const int od = spec->obs_dim, ss = spec->state_size, ad = env_action_dim(spec);
    ck_assert(n >= 1 && n <= MAX_TRAJ);
    const size_t sb = spec->state_bytes;
    unsigned char *batch = malloc((size_t)n * sb), *st = malloc(sb);
    float *o = malloc((size_t)n * od * sizeof *o), *a = malloc((size_t)n * ad * sizeof *a);
    double *r = malloc((size_t)n * sizeof *r);
    uint8_t *done = malloc((size_t)n);
    ck_assert(batch && st && o && a && r && done);
    long T[MAX_TRAJ], longest = 0;
    for (int k = 0; k < n; k++) {
        T[k] = traj_len(g, k, file);
        longest = T[k] > longest ? T[k] : longest;
        ck_assert_int_eq(spec->set_state(spec, st, golden_traj(g, k, "start", ss), o), 0);
        env_batch_put(spec, batch, n, k, st);
    }
    Diffs d = {0};
    for (long t = 0; t < longest; t++) {
        for (int k = 0; k < n; k++) {
            const double *act = t < T[k] ? golden_traj(g, k, "actions", T[k] * ad) : NULL;
            for (int i = 0; i < ad; i++) /* past its end: action 0, results unused */
                a[k * ad + i] = act ? (float)act[t * ad + i] : 0.0f;
        }
        int bad = -1;
        ck_assert_msg(fn(spec, batch, n, a, o, r, done, &bad) == 0, "step %ld refused (row %d)", t,
                      bad);
        for (int k = 0; k < n; k++) {
            if (t >= T[k])
                continue;
            double s[MAX_DIM];
            env_batch_get(spec, batch, n, k, st);
            spec->get_state(spec, st, s);
            diff_step(&d, spec, k, t, o + (size_t)k * od, r[k], done[k], s,
                      golden_traj(g, k, "obs", T[k] * od), golden_traj(g, k, "reward", T[k]),
                      golden_traj(g, k, "terminated", T[k]), golden_traj(g, k, "state", T[k] * ss));
        }
    }
    diff_check(&d, spec, n, " batched");
    free(batch);
    free(st);
    free(o);
    free(a);
    free(r);
    free(done);
    golden_free(g);
}

/* Reset: deterministic per (seed, stream); component i ~ U[lo[i], hi[i]) drawn in state
 * order from the Rng (lo == hi: the constant lo, no draw), rounded to float32 if
 * round_f32; over many resets the draws fill their interval; the observation is the
 * one set_state gives for the same state. */
void envtest_reset(const EnvSpec *spec, const double *lo, const double *hi, int round_f32)
{
    const int ss = spec->state_size, od = spec->obs_dim;
    void *st = malloc(spec->state_bytes), *st2 = malloc(spec->state_bytes);
    ck_assert(st && st2);
    double mn[MAX_DIM], mx[MAX_DIM];
    for (int i = 0; i < ss; i++) {
        mn[i] = INFINITY;
        mx[i] = -INFINITY;
    }
    for (uint64_t seed = 0; seed < 2000; seed++) {
        Rng r, r2;
        rng_seed(&r, seed, rng_stream_id(0, 3));
        r2 = r;
        float o[MAX_DIM], o2[MAX_DIM];
        double s[MAX_DIM], s2[MAX_DIM];
        spec->reset(spec, st, &r, o);
        spec->get_state(spec, st, s);
        for (int i = 0; i < ss; i++) {
            double want = lo[i];
            if (lo[i] != hi[i]) {
                want = rng_uniform_range(&r2, lo[i], hi[i]);
                if (round_f32)
                    want = (float)want;
            }
            ck_assert_msg(s[i] == want, "seed %llu: state[%d] = %.17g, expected %.17g",
                          (unsigned long long)seed, i, s[i], want);
            mn[i] = fmin(mn[i], s[i]);
            mx[i] = fmax(mx[i], s[i]);
        }
        ck_assert_msg(memcmp(&r, &r2, sizeof r) == 0, "reset used more draws than expected");
        /* same seed, same start */
        Rng r3;
        rng_seed(&r3, seed, rng_stream_id(0, 3));
        spec->reset(spec, st2, &r3, o2);
        spec->get_state(spec, st2, s2);
        ck_assert(memcmp(s, s2, (size_t)ss * sizeof *s) == 0);
        ck_assert(memcmp(o, o2, (size_t)od * sizeof *o) == 0);
        /* the observation of that state */
        ck_assert_int_eq(spec->set_state(spec, st2, s, o2), 0);
        ck_assert(memcmp(o, o2, (size_t)od * sizeof *o) == 0);
    }
    for (int i = 0; i < ss; i++) {
        if (lo[i] == hi[i])
            continue; /* a constant, checked above */
        /* a float32 rounding may land on the rounded bounds, as in Gymnasium */
        const double span = hi[i] - lo[i], lo_ok = round_f32 ? (double)(float)lo[i] : lo[i],
                     hi_f = round_f32 ? (double)(float)hi[i] : hi[i];
        ck_assert_msg(mn[i] >= lo_ok && (mx[i] < hi[i] || (round_f32 && mx[i] <= hi_f)),
                      "state[%d] in [%.6g, %.6g], outside [%.6g, %.6g)", i, mn[i], mx[i], lo[i],
                      hi[i]);
        ck_assert_msg(mn[i] <= lo[i] + 0.01 * span && mx[i] >= hi[i] - 0.01 * span,
                      "state[%d]: 2000 resets only cover [%.6g, %.6g] of [%.6g, %.6g)", i, mn[i],
                      mx[i], lo[i], hi[i]);
    }
    /* different seeds, different starts */
    Rng ra, rb;
    rng_seed(&ra, 1, 0);
    rng_seed(&rb, 2, 0);
    float oa[MAX_DIM], ob[MAX_DIM];
    spec->reset(spec, st, &ra, oa);
    spec->reset(spec, st2, &rb, ob);
    ck_assert(memcmp(oa, ob, (size_t)od * sizeof *oa) != 0);
    printf("%s reset: 2000 seeds match rng_uniform_range draws in Gymnasium's bounds\n", spec->id);
    free(st);
    free(st2);
}

/* A valid action for step number t (discrete: cycles through the indices; box: inside
 * and outside the bounds). */
static void some_action(const EnvSpec *spec, long t, float *a)
{
    if (spec->act_kind == SPACE_DISCRETE) {
        a[0] = (float)((t * 7 + t / 3) % spec->act_n);
        return;
    }
    for (int i = 0; i < spec->act_n; i++)
        a[i] = (float)(1.5 * spec->act_high[i] * sin(0.37 * (double)t + i));
}

/* Invalid actions return -1 and change neither the state nor the outputs. */
void envtest_invalid_actions(const EnvSpec *spec, const float *bad, int nbad)
{
    void *st = malloc(spec->state_bytes), *copy = malloc(spec->state_bytes);
    ck_assert(st && copy);
    Rng r;
    rng_seed(&r, 5, 0);
    float o[MAX_DIM], a[MAX_DIM];
    spec->reset(spec, st, &r, o);
    for (long t = 0; t < 3; t++) {
        some_action(spec, t, a);
        double rew;
        uint8_t done;
        ck_assert_int_eq(spec->step(spec, st, a, o, &rew, &done), 0);
    }
    for (int j = 0; j < nbad; j++) {
        memcpy(copy, st, spec->state_bytes);
        for (int i = 0; i < spec->act_n; i++)
            a[i] = 0.0f;
        a[j % env_action_dim(spec)] = bad[j];
        float o2[MAX_DIM];
        for (int i = 0; i < spec->obs_dim; i++)
            o2[i] = o[i] = -12345.0f;
        double rew = -777.0;
        uint8_t done = 9;
        ck_assert_msg(spec->step(spec, st, a, o, &rew, &done) == -1, "action %g accepted",
                      (double)bad[j]);
        ck_assert_msg(memcmp(copy, st, spec->state_bytes) == 0, "action %g changed the state",
                      (double)bad[j]);
        ck_assert(memcmp(o, o2, (size_t)spec->obs_dim * sizeof *o) == 0);
        ck_assert(rew == -777.0 && done == 9);
    }
    /* every valid discrete index is accepted */
    if (spec->act_kind == SPACE_DISCRETE) {
        for (int k = 0; k < spec->act_n; k++) {
            a[0] = (float)k;
            double rew;
            uint8_t done;
            ck_assert_int_eq(spec->step(spec, st, a, o, &rew, &done), 0);
        }
    }
    free(st);
    free(copy);
}

/* get_state / set_state: an exact round trip, a copy steps exactly like the original,
 * non-finite values are refused without change. */
void envtest_state_roundtrip(const EnvSpec *spec)
{
    const int ss = spec->state_size, od = spec->obs_dim;
    void *st = malloc(spec->state_bytes), *st2 = malloc(spec->state_bytes),
         *copy = malloc(spec->state_bytes);
    ck_assert(st && st2 && copy);
    Rng r;
    rng_seed(&r, 11, 0);
    float o[MAX_DIM], o2[MAX_DIM], a[MAX_DIM];
    double s[MAX_DIM], s2[MAX_DIM], rew, rew2;
    uint8_t done, done2;
    spec->reset(spec, st, &r, o);
    for (long t = 0; t < 7; t++) {
        some_action(spec, t, a);
        ck_assert_int_eq(spec->step(spec, st, a, o, &rew, &done), 0);
    }
    spec->get_state(spec, st, s);
    ck_assert_int_eq(spec->set_state(spec, st2, s, o2), 0);
    ck_assert(memcmp(o, o2, (size_t)od * sizeof *o) == 0);
    spec->get_state(spec, st2, s2);
    ck_assert(memcmp(s, s2, (size_t)ss * sizeof *s) == 0);
    for (long t = 7; t < 200; t++) {
        some_action(spec, t, a);
        ck_assert_int_eq(spec->step(spec, st, a, o, &rew, &done), 0);
        ck_assert_int_eq(spec->step(spec, st2, a, o2, &rew2, &done2), 0);
        ck_assert(memcmp(o, o2, (size_t)od * sizeof *o) == 0);
        ck_assert(rew == rew2 && done == done2);
    }
    spec->get_state(spec, st, s);
    spec->get_state(spec, st2, s2);
    ck_assert(memcmp(s, s2, (size_t)ss * sizeof *s) == 0);
    const double bad[3] = {NAN, INFINITY, -INFINITY};
    for (int i = 0; i < ss; i++)
        for (int j = 0; j < 3; j++) {
            double b[MAX_DIM];
            memcpy(b, s, sizeof b);
            b[i] = bad[j];
            memcpy(copy, st, spec->state_bytes);
            for (int q = 0; q < od; q++)
                o2[q] = o[q] = 3.0f;
            ck_assert_int_eq(spec->set_state(spec, st, b, o), -1);
            ck_assert(memcmp(copy, st, spec->state_bytes) == 0);
            ck_assert(memcmp(o, o2, (size_t)od * sizeof *o) == 0);
        }
    free(st);
    free(st2);
    free(copy);
}

/* A random valid action (discrete: uniform index; box: uniform over the bounds widened by
 * half their width on each side, to exercise the clipping). */
static void random_action(const EnvSpec *spec, Rng *r, float *a)
{
    if (spec->act_kind == SPACE_DISCRETE) {
        a[0] = (float)rng_below(r, (uint32_t)spec->act_n);
        return;
    }
    for (int i = 0; i < spec->act_n; i++) {
        const double lo = spec->act_low[i], hi = spec->act_high[i], w = hi - lo;
        a[i] = (float)rng_uniform_range(r, lo - 0.5 * w, hi + 0.5 * w);
    }
}

/* n environments through fn and through step side by side; returns the number of
 * terminations seen. */
static long batch_vs_step(const EnvSpec *spec, EnvtestBatchFn fn, int n, long steps, Rng *r)
{
    const int od = spec->obs_dim, ad = env_action_dim(spec);
    const size_t sb = spec->state_bytes, e = (size_t)n;
    unsigned char *batch = malloc(e * sb), *st = malloc(e * sb), *got = malloc(sb);
    float *o = malloc(e * od * sizeof *o), *o2 = malloc(e * od * sizeof *o2);
    float *a = malloc(e * ad * sizeof *a);
    double *rew = malloc(e * sizeof *rew), *rew2 = malloc(e * sizeof *rew2);
    uint8_t *done = malloc(e), *done2 = malloc(e);
    Rng *er = malloc(e * sizeof *er);
    ck_assert(batch && st && got && o && o2 && a && rew && rew2 && done && done2 && er);
    for (int i = 0; i < n; i++) {
        rng_seed(&er[i], 77, rng_stream_id(0, (uint32_t)i));
        spec->reset(spec, st + i * sb, &er[i], o2);
        env_batch_put(spec, batch, n, i, st + i * sb);
    }
    long terminations = 0;
    for (long t = 0; t < steps; t++) {
        for (int i = 0; i < n; i++)
            random_action(spec, r, a + (size_t)i * ad);
        int bad = -1;
        ck_assert_msg(fn(spec, batch, n, a, o, rew, done, &bad) == 0, "n=%d step %ld refused", n,
                      t);
        for (int i = 0; i < n; i++)
            ck_assert_int_eq(spec->step(spec, st + i * sb, a + (size_t)i * ad, o2 + (size_t)i * od,
                                        &rew2[i], &done2[i]),
                             0);
        ck_assert_msg(memcmp(o, o2, e * od * sizeof *o) == 0, "n=%d step %ld: obs differ", n, t);
        ck_assert_msg(memcmp(rew, rew2, e * sizeof *rew) == 0, "n=%d step %ld: rewards differ", n,
                      t);
        ck_assert_msg(memcmp(done, done2, e) == 0, "n=%d step %ld: terminated differ", n, t);
        for (int i = 0; i < n; i++) {
            env_batch_get(spec, batch, n, i, got);
            ck_assert_msg(memcmp(got, st + i * sb, sb) == 0, "n=%d step %ld: state %d differs", n,
                          t, i);
            terminations += done[i] != 0;
            if ((done[i] && rng_uniform(r) < 0.5) || rng_uniform(r) < 0.005) {
                spec->reset(spec, st + i * sb, &er[i], o2);
                env_batch_put(spec, batch, n, i, st + i * sb);
            }
        }
    }
    free(batch);
    free(st);
    free(got);
    free(o);
    free(o2);
    free(a);
    free(rew);
    free(rew2);
    free(done);
    free(done2);
    free(er);
    return terminations;
}

/* Refused actions: -1, *bad = the first refused row, nothing changed. */
static void batch_refuses(const EnvSpec *spec, EnvtestBatchFn fn, const float *bad, int nbad)
{
    enum { N = 37 };
    const int od = spec->obs_dim, ad = env_action_dim(spec);
    const size_t sb = spec->state_bytes;
    unsigned char *batch = malloc(N * sb), *copy = malloc(N * sb), *st = malloc(sb);
    float o[N * MAX_DIM], a[N * MAX_DIM];
    double rew[N];
    uint8_t done[N];
    ck_assert(batch && copy && st);
    Rng r;
    rng_seed(&r, 13, 0);
    for (int i = 0; i < N; i++) {
        spec->reset(spec, st, &r, o);
        env_batch_put(spec, batch, N, i, st);
    }
    for (int j = 0; j < nbad; j++) {
        for (int i = 0; i < N; i++)
            random_action(spec, &r, a + i * ad);
        const int first = (int)rng_below(&r, N - 1);
        const int second = first + 1 + (int)rng_below(&r, (uint32_t)(N - 1 - first));
        a[first * ad + j % ad] = bad[j];
        a[second * ad + j % ad] = bad[j];
        memcpy(copy, batch, N * sb);
        for (int i = 0; i < N * od; i++)
            o[i] = -12345.0f;
        for (int i = 0; i < N; i++) {
            rew[i] = -777.0;
            done[i] = 9;
        }
        int at = -1;
        ck_assert_msg(fn(spec, batch, N, a, o, rew, done, &at) == -1, "action %g accepted",
                      (double)bad[j]);
        ck_assert_msg(at == first, "action %g at rows %d and %d: bad = %d", (double)bad[j], first,
                      second, at);
        ck_assert_msg(memcmp(copy, batch, N * sb) == 0, "action %g changed the batch",
                      (double)bad[j]);
        for (int i = 0; i < N * od; i++)
            ck_assert(o[i] == -12345.0f);
        for (int i = 0; i < N; i++)
            ck_assert(rew[i] == -777.0 && done[i] == 9);
    }
    free(batch);
    free(copy);
    free(st);
}

void envtest_batch(const EnvSpec *spec, EnvtestBatchFn fn, const float *bad, int nbad)
{
    ck_assert(fn != NULL && spec->state_bytes % 8 == 0);
    /* (environments, steps): partial vectors, several vectors, more than one chunk */
    const int runs[4][2] = {{1, 1000}, {3, 1000}, {37, 500}, {300, 100}};
    Rng r;
    rng_seed(&r, 31, 0);
    long terminations = 0, steps = 0;
    for (int k = 0; k < 4; k++) {
        terminations += batch_vs_step(spec, fn, runs[k][0], runs[k][1], &r);
        steps += (long)runs[k][0] * runs[k][1];
    }
    batch_refuses(spec, fn, bad, nbad);
    printf("%s batched: %ld environment steps (%ld terminations) identical to step, %d refused "
           "actions changed nothing\n",
           spec->id, steps, terminations, nbad);
}
