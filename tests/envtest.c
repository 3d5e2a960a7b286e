/* envtest.c - see envtest.h. */
#include "envtest.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    ck_assert(spec->defaults == NULL);
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

/* Replay every reference trajectory; prints and checks the largest differences. */
void envtest_golden(const EnvSpec *spec, const char *file)
{
    Golden *g = golden_load(file);
    const int ntraj = (int)golden_get(g, "ntraj", 1)[0];
    const int od = spec->obs_dim, ss = spec->state_size, ad = env_action_dim(spec);
    void *st = malloc(spec->state_bytes);
    ck_assert(st != NULL);
    int64_t max_ulp = 0;
    long steps = 0, obs_differ = 0, term_differ = 0;
    double max_rew = 0.0, max_state = 0.0;
    for (int k = 0; k < ntraj; k++) {
        char name[64];
        snprintf(name, sizeof name, "t%d_reward", k);
        const long T = golden_count(g, name);
        ck_assert_msg(T > 0, "%s: trajectory %d missing", file, k);
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
            const int64_t d = ulp_diff(o[i], (float)obs0[i]);
            max_ulp = d > max_ulp ? d : max_ulp;
        }
        for (long t = 0; t < T; t++) {
            for (int i = 0; i < ad; i++)
                a[i] = (float)act[t * ad + i];
            ck_assert_msg(spec->step(spec, st, a, o, &r, &done) == 0, "t%d step %ld refused", k, t);
            int64_t u = 0;
            for (int i = 0; i < od; i++) {
                const int64_t d = ulp_diff(o[i], (float)obs[t * od + i]);
                u = d > u ? d : u;
            }
            max_ulp = u > max_ulp ? u : max_ulp;
            obs_differ += u > 0;
            max_rew = fmax(max_rew, fabs(r - rew[t]));
            if (r != rew[t])
                printf("%s t%d step %ld: reward %.17g, reference %.17g\n", spec->id, k, t, r,
                       rew[t]);
            term_differ += done != (uint8_t)term[t];
            spec->get_state(spec, st, s);
            for (int i = 0; i < ss; i++)
                max_state = fmax(max_state, rel_diff(s[i], state[t * ss + i]));
            steps++;
        }
    }
    printf("%s vs reference (%d trajectories, %ld steps): obs max %lld ulp (%ld steps differ), "
           "reward max |diff| %.3g, terminated mismatches %ld, state max rel diff %.3g\n",
           spec->id, ntraj, steps, (long long)max_ulp, obs_differ, max_rew, term_differ, max_state);
    ck_assert_msg(max_ulp <= 1, "observations differ by %lld ulp", (long long)max_ulp);
    ck_assert_msg(max_rew == 0.0, "rewards differ by up to %.3g", max_rew);
    ck_assert_msg(term_differ == 0, "%ld terminated flags differ", term_differ);
    ck_assert_msg(max_state <= 1e-12, "states differ by %.3g relative", max_state);
    free(st);
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
