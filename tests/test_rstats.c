/* test_rstats.c - unit tests of rstats.c: statistics built from uneven chunks, merged
 * in different groupings (and through the flat buffer) against the one-pass mean and
 * population variance computed directly in double; empty sides; and the observation
 * normaliser against its formula.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "rstats.h"
#include "testutil.h"

enum { DIM = 5, NCHUNK = 4 };
static const int chunk_rows[NCHUNK] = {1, 7, 100, 3};

/* Rows with a different offset and spread per column; column 4 sits far from zero
 * (mean 1e4) to punish the naive sum-of-squares variance. */
static float *make_rows(int n, Rng *r)
{
    static const double offset[DIM] = {0.0, -3.0, 10.0, 0.5, 1e4};
    static const double spread[DIM] = {1.0, 0.1, 5.0, 1e-3, 2.0};
    float *x = malloc((size_t)n * DIM * sizeof *x);
    ck_assert(x);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < DIM; j++)
            x[i * DIM + j] = (float)(offset[j] + spread[j] * rng_normal(r));
    return x;
}

/* Direct statistics of the n rows in double: mean, then the mean squared deviation. */
static void direct_stats(const float *x, int n, double *mean, double *var)
{
    for (int j = 0; j < DIM; j++) {
        double s = 0.0;
        for (int i = 0; i < n; i++)
            s += x[i * DIM + j];
        mean[j] = s / n;
        double q = 0.0;
        for (int i = 0; i < n; i++)
            q += (x[i * DIM + j] - mean[j]) * (x[i * DIM + j] - mean[j]);
        var[j] = q / n;
    }
}

/* Max relative difference of s's mean and variance from the direct ones (the mean's
 * relative to max(|mean|, sd), so a near-zero mean is judged on the data's scale). */
static double stats_diff(const RunningStats *s, const double *mean, const double *var)
{
    double v[DIM], worst = 0.0;
    rstats_var(s, v);
    const double *m = rstats_mean(s);
    for (int j = 0; j < DIM; j++) {
        const double scale = fmax(fabs(mean[j]), sqrt(var[j]));
        worst = fmax(worst, fabs(m[j] - mean[j]) / scale);
        worst = fmax(worst, fabs(v[j] - var[j]) / var[j]);
    }
    return worst;
}

START_TEST(test_init_reset)
{
    ck_assert_int_eq(rstats_buf_len(DIM), 1 + 2 * DIM);
    ck_assert_int_eq(rstats_buf_len(1), 3);
    RunningStats s;
    ck_assert_int_eq(rstats_init(&s, DIM), 0);
    ck_assert_int_eq(s.dim, DIM);
    ck_assert(rstats_count(&s) == 0.0);
    double v[DIM];
    rstats_var(&s, v);
    for (int j = 0; j < DIM; j++)
        ck_assert(rstats_mean(&s)[j] == 0.0 && v[j] == 1.0); /* count 0: mean 0, var 1 */

    const float x[2 * DIM] = {1, 2, 3, 4, 5, 3, 2, 1, 0, -1};
    rstats_update(&s, x, 2);
    ck_assert(rstats_count(&s) == 2.0);
    rstats_var(&s, v);
    ck_assert(rstats_mean(&s)[0] == 2.0 && v[0] == 1.0); /* {1, 3}: mean 2, var 1 */
    ck_assert(rstats_mean(&s)[4] == 2.0 && v[4] == 9.0); /* {5, -1}: mean 2, var 9 */
    rstats_update(&s, x, 0);                             /* no rows: no change */
    ck_assert(rstats_count(&s) == 2.0 && rstats_mean(&s)[0] == 2.0);

    rstats_reset(&s);
    ck_assert(rstats_count(&s) == 0.0);
    rstats_var(&s, v);
    for (int j = 0; j < DIM; j++)
        ck_assert(rstats_mean(&s)[j] == 0.0 && v[j] == 1.0);
    rstats_free(&s);
    ck_assert(s.buf == NULL);
    rstats_free(&s); /* zeroed struct accepted */
}
END_TEST

START_TEST(test_update_chunks)
{
    Rng r;
    rng_seed(&r, 17, 0);
    int total = 0;
    for (int c = 0; c < NCHUNK; c++)
        total += chunk_rows[c];
    float *x = make_rows(total, &r);
    double mean[DIM], var[DIM];
    direct_stats(x, total, mean, var);

    /* (a) one batch; (b) the chunks one after another into one accumulator */
    RunningStats a, b;
    ck_assert_int_eq(rstats_init(&a, DIM), 0);
    ck_assert_int_eq(rstats_init(&b, DIM), 0);
    rstats_update(&a, x, total);
    for (int c = 0, off = 0; c < NCHUNK; off += chunk_rows[c], c++)
        rstats_update(&b, x + off * DIM, chunk_rows[c]);
    const double da = stats_diff(&a, mean, var), db = stats_diff(&b, mean, var);
    printf("rstats_update: one batch %.2e, chunks 1/7/100/3 %.2e (max rel diff)\n", da, db);
    ck_assert(rstats_count(&a) == total && rstats_count(&b) == total);
    ck_assert_msg(da < 1e-12, "one batch: %.3e", da);
    ck_assert_msg(db < 1e-12, "chunks: %.3e", db);
    rstats_free(&a);
    rstats_free(&b);
    free(x);
}
END_TEST

START_TEST(test_merge_groupings)
{
    Rng r;
    rng_seed(&r, 18, 0);
    int total = 0, off[NCHUNK];
    for (int c = 0; c < NCHUNK; c++) {
        off[c] = total;
        total += chunk_rows[c];
    }
    float *x = make_rows(total, &r);
    double mean[DIM], var[DIM];
    direct_stats(x, total, mean, var);

    RunningStats part[NCHUNK];
    for (int c = 0; c < NCHUNK; c++) {
        ck_assert_int_eq(rstats_init(&part[c], DIM), 0);
        rstats_update(&part[c], x + off[c] * DIM, chunk_rows[c]);
    }
    RunningStats acc, left, right;
    ck_assert_int_eq(rstats_init(&acc, DIM), 0);
    ck_assert_int_eq(rstats_init(&left, DIM), 0);
    ck_assert_int_eq(rstats_init(&right, DIM), 0);

    /* (a) left fold in order: ((1 + 7) + 100) + 3 */
    for (int c = 0; c < NCHUNK; c++)
        rstats_merge(&acc, &part[c]);
    const double d_fold = stats_diff(&acc, mean, var);

    /* (b) tree (1 + 7) + (100 + 3), the right half merged through the flat buffer */
    rstats_merge(&left, &part[0]);
    rstats_merge(&left, &part[1]);
    rstats_merge_buf(&right, part[2].buf);
    rstats_merge_buf(&right, part[3].buf);
    rstats_merge_buf(&left, right.buf);
    const double d_tree = stats_diff(&left, mean, var);

    /* (c) reverse order into the 100-row part: ((100 + 3) + 7) + 1 */
    rstats_merge(&part[2], &part[3]);
    rstats_merge(&part[2], &part[1]);
    rstats_merge(&part[2], &part[0]);
    const double d_rev = stats_diff(&part[2], mean, var);

    printf("rstats_merge: fold %.2e, tree %.2e, reverse %.2e (max rel diff)\n", d_fold, d_tree,
           d_rev);
    ck_assert(rstats_count(&acc) == total && rstats_count(&left) == total &&
              rstats_count(&part[2]) == total);
    ck_assert_msg(d_fold < 1e-12, "fold: %.3e", d_fold);
    ck_assert_msg(d_tree < 1e-12, "tree: %.3e", d_tree);
    ck_assert_msg(d_rev < 1e-12, "reverse: %.3e", d_rev);

    /* a stream merged with itself: same mean and variance, twice the count */
    double v_before[DIM], v_after[DIM], m_before[DIM];
    rstats_var(&acc, v_before);
    memcpy(m_before, rstats_mean(&acc), sizeof m_before);
    rstats_merge(&acc, &acc);
    rstats_var(&acc, v_after);
    ck_assert(rstats_count(&acc) == 2.0 * total);
    for (int j = 0; j < DIM; j++)
        ck_assert(fabs(rstats_mean(&acc)[j] - m_before[j]) <= 1e-12 * fabs(m_before[j]) &&
                  fabs(v_after[j] - v_before[j]) <= 1e-12 * v_before[j]);

    for (int c = 0; c < NCHUNK; c++)
        rstats_free(&part[c]);
    rstats_free(&acc);
    rstats_free(&left);
    rstats_free(&right);
    free(x);
}
END_TEST

START_TEST(test_merge_empty)
{
    Rng r;
    rng_seed(&r, 19, 0);
    float *x = make_rows(20, &r);
    RunningStats full, empty, target;
    ck_assert_int_eq(rstats_init(&full, DIM), 0);
    ck_assert_int_eq(rstats_init(&empty, DIM), 0);
    ck_assert_int_eq(rstats_init(&target, DIM), 0);
    rstats_update(&full, x, 20);
    const size_t bytes = (size_t)rstats_buf_len(DIM) * sizeof(double);
    double *snapshot = malloc(bytes);
    ck_assert(snapshot);
    memcpy(snapshot, full.buf, bytes);

    /* empty into full: nothing changes, bit for bit */
    rstats_merge(&full, &empty);
    ck_assert(memcmp(full.buf, snapshot, bytes) == 0);
    /* full into empty: an exact copy */
    rstats_merge(&target, &full);
    ck_assert(memcmp(target.buf, snapshot, bytes) == 0);
    /* empty into empty: still empty */
    rstats_merge_buf(&empty, empty.buf);
    ck_assert(rstats_count(&empty) == 0.0);

    /* a hand-made buffer (count 2, mean 1, M2 8 in every column: var 4) */
    double hand[1 + 2 * DIM] = {2.0};
    for (int j = 0; j < DIM; j++) {
        hand[1 + j] = 1.0;
        hand[1 + DIM + j] = 8.0;
    }
    rstats_merge_buf(&empty, hand);
    double v[DIM];
    rstats_var(&empty, v);
    ck_assert(rstats_count(&empty) == 2.0 && rstats_mean(&empty)[2] == 1.0 && v[2] == 4.0);
    /* merged with {count 2, mean 3, M2 0}: n 4, mean 2, M2 8 + 0 + 2^2 * 2 * 2 / 4 = 12 */
    double other[1 + 2 * DIM] = {2.0};
    for (int j = 0; j < DIM; j++)
        other[1 + j] = 3.0;
    rstats_merge_buf(&empty, other);
    rstats_var(&empty, v);
    ck_assert(rstats_count(&empty) == 4.0 && rstats_mean(&empty)[0] == 2.0 && v[0] == 3.0);

    free(snapshot);
    free(x);
    rstats_free(&full);
    rstats_free(&empty);
    rstats_free(&target);
}
END_TEST

START_TEST(test_obsnorm)
{
    Rng r;
    rng_seed(&r, 20, 0);
    const int n = 64;
    float *x = make_rows(n, &r);
    RunningStats s;
    ck_assert_int_eq(rstats_init(&s, DIM), 0);
    ObsNorm o;
    const double clip = 2.5, eps = 1e-8;
    ck_assert_int_eq(obsnorm_init(&o, DIM, clip), 0);

    /* freshly initialised: identity, then clipped */
    const float raw[DIM] = {0.5f, -1.0f, 3.0f, -7.0f, 2.5f};
    const float want_id[DIM] = {0.5f, -1.0f, 2.5f, -2.5f, 2.5f};
    float y[DIM];
    obsnorm_apply(&o, y, raw, 1);
    ck_assert(memcmp(y, want_id, sizeof y) == 0);

    /* statistics from the first half, applied to all rows (the second half has values
     * beyond the clip: we shift it by +10 sd in column 0) */
    rstats_update(&s, x, n / 2);
    for (int i = n / 2; i < n; i++)
        x[i * DIM] += 10.0f;
    obsnorm_set(&o, &s, eps);
    float *out = malloc((size_t)n * DIM * sizeof *out),
          *want = malloc((size_t)n * DIM * sizeof *want);
    ck_assert(out && want);
    double var[DIM];
    rstats_var(&s, var);
    int clipped = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < DIM; j++) {
            double z = (x[i * DIM + j] - rstats_mean(&s)[j]) / sqrt(var[j] + eps);
            clipped += fabs(z) > clip;
            z = z > clip ? clip : (z < -clip ? -clip : z);
            want[i * DIM + j] = (float)z;
        }
    obsnorm_apply(&o, out, x, n);
    /* the normaliser works in float: allow a few roundings of x and of the mean, seen
     * through the scale 1 / sd (large for column 3: mean 0.5, sd 1e-3) */
    double worst = 0.0, dmax = 0.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < DIM; j++) {
            const double sd = sqrt(var[j] + eps);
            const double tol =
                4.0 * FLT_EPSILON * (clip + (fabs(x[i * DIM + j]) + fabs(rstats_mean(&s)[j])) / sd);
            const double diff = fabs(out[i * DIM + j] - want[i * DIM + j]);
            dmax = fmax(dmax, diff);
            worst = fmax(worst, diff / tol);
        }
    printf("obsnorm_apply: %d of %d values clipped, max abs diff %.2e (%.2f of tolerance)\n",
           clipped, n * DIM, dmax, worst);
    ck_assert(clipped >= n / 2);
    ck_assert_msg(worst <= 1.0, "max abs diff %.3e, %.2f times the tolerance", dmax, worst);
    for (int i = 0; i < n * DIM; i++)
        ck_assert(out[i] >= -clip && out[i] <= clip);

    /* the float64 path: Gymnasium's arithmetic exactly, (float)clip((x - mean) / sd),
     * here on values a float cannot hold (x + 1e-9 x) */
    double *x64 = malloc((size_t)n * DIM * sizeof *x64);
    float *out64 = malloc((size_t)n * DIM * sizeof *out64);
    ck_assert(x64 && out64);
    for (int i = 0; i < n * DIM; i++)
        x64[i] = (double)x[i] * (1.0 + 1e-9);
    obsnorm_apply64(&o, out64, x64, n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < DIM; j++) {
            double z = (x64[i * DIM + j] - rstats_mean(&s)[j]) / sqrt(var[j] + eps);
            z = z > clip ? clip : (z < -clip ? -clip : z);
            ck_assert_msg(out64[i * DIM + j] == (float)z, "row %d col %d: %.9g, want %.9g", i, j,
                          (double)out64[i * DIM + j], (double)(float)z);
        }
    /* statistics of float64 rows: the float rows widened give the float path's numbers */
    RunningStats s32, s64;
    ck_assert(rstats_init(&s32, DIM) == 0 && rstats_init(&s64, DIM) == 0);
    for (int i = 0; i < n * DIM; i++)
        x64[i] = x[i];
    rstats_update(&s32, x, n);
    rstats_update64(&s64, x64, n);
    ck_assert(memcmp(s32.buf, s64.buf, (size_t)rstats_buf_len(DIM) * sizeof(double)) == 0);
    rstats_free(&s32);
    rstats_free(&s64);
    free(x64);
    free(out64);

    /* in place gives the same */
    obsnorm_apply(&o, x, x, n);
    ck_assert(memcmp(x, out, (size_t)n * DIM * sizeof *x) == 0);

    /* from empty statistics: mean 0, var 1, scale 1 / sqrt(1 + eps) */
    rstats_reset(&s);
    obsnorm_set(&o, &s, 0.25);
    obsnorm_apply(&o, y, raw, 1);
    const float want_e[DIM] = {0.5f / sqrtf(1.25f), -1.0f / sqrtf(1.25f), 2.5f, -2.5f,
                               2.5f / sqrtf(1.25f)};
    ck_assert_msg(tu_max_abs_diff(y, want_e, DIM) < 1e-6, "empty stats: %.3e",
                  tu_max_abs_diff(y, want_e, DIM));

    free(out);
    free(want);
    free(x);
    obsnorm_free(&o);
    ck_assert(o.shift == NULL && o.scale == NULL && o.mean64 == NULL && o.std64 == NULL);
    obsnorm_free(&o);
    rstats_free(&s);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"rstats_init_reset", test_init_reset},
        {"rstats_update", test_update_chunks},
        {"rstats_merge", test_merge_groupings},
        {"rstats_merge_empty", test_merge_empty},
        {"obsnorm", test_obsnorm},
    };
    return tu_run(tu_suite("rstats", cases, TU_COUNT(cases), 0));
}
