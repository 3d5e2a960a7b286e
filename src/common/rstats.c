/* rstats.c - mergeable running mean / variance of vectors and the float observation
 * normaliser built from them.
 *
 * Reference: T. F. Chan, G. H. Golub and R. J. LeVeque, "Updating formulae and a
 * pairwise algorithm for computing sample variances", Stanford CS report STAN-CS-79-773
 * (1979):
 *   n = na + nb, d = mb - ma, mean = ma + d nb / n, M2 = M2a + M2b + d^2 na nb / n.
 * A batch is first reduced to its own (count, mean, M2) by the two-pass algorithm,
 * then merged. Normalisation as Gymnasium's NormalizeObservation (Gymnasium 0.29):
 * population variance, (x - mean) / sqrt(var + eps), then clipped.
 *
 * Left out: weighted samples, higher moments, the reward-scaling wrapper (which
 * needs discounted returns, not observations), and Gymnasium's initial pseudo-count
 * of 1e-4 (here an empty accumulator means mean 0, variance 1).
 */
#include "rstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Buffer layout [count, mean(dim), M2(dim)]. */
#define RS_COUNT(b) ((b)[0])
#define RS_MEAN(b)  ((b) + 1)
#define RS_M2(b, d) ((b) + 1 + (d))

int rstats_init(RunningStats *s, int dim)
{
    s->dim = 0;
    s->buf = calloc((size_t)rstats_buf_len(dim > 0 ? dim : 0), sizeof *s->buf);
    if (!s->buf)
        return -1;
    s->dim = dim;
    return 0;
}

void rstats_free(RunningStats *s)
{
    free(s->buf);
    s->buf = NULL;
    s->dim = 0;
}

int rstats_buf_len(int dim)
{
    return 1 + 2 * dim;
}

void rstats_reset(RunningStats *s)
{
    memset(s->buf, 0, (size_t)rstats_buf_len(s->dim) * sizeof *s->buf);
}

/* The batch (n, dim) of float32 rows xf or float64 rows xd (one of them NULL) merged
 * into s; a float32 value enters as the double it converts to, so both forms of the
 * same numbers give the same statistics. */
static void update_rows(RunningStats *s, const float *xf, const double *xd, int n)
{
    if (n <= 0)
        return;
    const int dim = s->dim;
    const double na = RS_COUNT(s->buf), nb = n, ntot = na + nb;
    double *mean = RS_MEAN(s->buf), *m2 = RS_M2(s->buf, dim);
#define X(r, j) (xf ? (double)xf[(long)(r)*dim + (j)] : xd[(long)(r)*dim + (j)])
    /* one column at a time: its batch moments in two passes, then Chan's merge; no
     * scratch memory needed */
    for (int j = 0; j < dim; j++) {
        double sum = 0.0;
        for (int r = 0; r < n; r++)
            sum += X(r, j);
        const double mb = sum / nb;
        double m2b = 0.0;
        for (int r = 0; r < n; r++) {
            const double dx = X(r, j) - mb;
            m2b += dx * dx;
        }
        if (na <= 0.0) { /* empty side: the batch's moments as they are */
            mean[j] = mb;
            m2[j] = m2b;
            continue;
        }
        const double d = mb - mean[j];
        mean[j] += d * nb / ntot;
        m2[j] += m2b + d * d * na * nb / ntot;
    }
#undef X
    RS_COUNT(s->buf) = ntot;
}

void rstats_update(RunningStats *s, const float *x, int n)
{
    update_rows(s, x, NULL, n);
}

void rstats_update64(RunningStats *s, const double *x, int n)
{
    update_rows(s, NULL, x, n);
}

void rstats_merge_buf(RunningStats *s, const double *other)
{
    const int dim = s->dim;
    const double na = RS_COUNT(s->buf), nb = RS_COUNT(other);
    if (nb <= 0.0) /* nothing to add */
        return;
    if (na <= 0.0) { /* empty side: take other's statistics as they are */
        memmove(s->buf, other, (size_t)rstats_buf_len(dim) * sizeof *s->buf);
        return;
    }
    const double ntot = na + nb;
    double *mean = RS_MEAN(s->buf), *m2 = RS_M2(s->buf, dim);
    const double *mean_b = RS_MEAN(other), *m2_b = RS_M2(other, dim);
    /* every element reads both sides before writing, and the count is written last,
     * so other may be s's own buffer */
    for (int j = 0; j < dim; j++) {
        const double ma = mean[j], mb = mean_b[j];
        const double d = mb - ma;
        mean[j] = ma + d * nb / ntot;
        m2[j] = m2[j] + m2_b[j] + d * d * na * nb / ntot;
    }
    RS_COUNT(s->buf) = ntot;
}

void rstats_merge(RunningStats *s, const RunningStats *other)
{
    rstats_merge_buf(s, other->buf);
}

double rstats_count(const RunningStats *s)
{
    return RS_COUNT(s->buf);
}

const double *rstats_mean(const RunningStats *s)
{
    return RS_MEAN(s->buf);
}

void rstats_var(const RunningStats *s, double *var)
{
    const double n = RS_COUNT(s->buf);
    const double *m2 = RS_M2(s->buf, s->dim);
    for (int j = 0; j < s->dim; j++)
        var[j] = n > 0.0 ? m2[j] / n : 1.0;
}

int obsnorm_init(ObsNorm *o, int dim, double clip)
{
    o->dim = 0;
    o->clip = clip;
    const size_t len = dim > 0 ? (size_t)dim : 1;
    o->shift = malloc(len * sizeof *o->shift);
    o->scale = malloc(len * sizeof *o->scale);
    o->mean64 = malloc(len * sizeof *o->mean64);
    o->std64 = malloc(len * sizeof *o->std64);
    if (!o->shift || !o->scale || !o->mean64 || !o->std64) {
        obsnorm_free(o);
        return -1;
    }
    o->dim = dim;
    for (int j = 0; j < dim; j++) {
        o->shift[j] = 0.0f;
        o->scale[j] = 1.0f;
        o->mean64[j] = 0.0;
        o->std64[j] = 1.0;
    }
    return 0;
}

void obsnorm_free(ObsNorm *o)
{
    free(o->shift);
    free(o->scale);
    free(o->mean64);
    free(o->std64);
    o->shift = NULL;
    o->scale = NULL;
    o->mean64 = NULL;
    o->std64 = NULL;
    o->dim = 0;
}

void obsnorm_set(ObsNorm *o, const RunningStats *s, double eps)
{
    const double n = RS_COUNT(s->buf);
    const double *mean = RS_MEAN(s->buf), *m2 = RS_M2(s->buf, s->dim);
    for (int j = 0; j < o->dim; j++) {
        const double mu = n > 0.0 ? mean[j] : 0.0;
        const double var = n > 0.0 ? m2[j] / n : 1.0;
        o->shift[j] = (float)mu;
        o->scale[j] = (float)(1.0 / sqrt(var + eps));
        o->mean64[j] = mu;
        o->std64[j] = sqrt(var + eps);
    }
}

void obsnorm_apply(const ObsNorm *o, float *out, const float *x, int n)
{
    const int dim = o->dim;
    const float hi = (float)o->clip, lo = -(float)o->clip;
    for (long r = 0; r < n; r++) {
        for (int j = 0; j < dim; j++) {
            const long i = r * dim + j; /* (n, dim) */
            float y = (x[i] - o->shift[j]) * o->scale[j];
            /* comparisons, not fminf/fmaxf, so that a NaN stays visible */
            y = y < lo ? lo : y;
            y = y > hi ? hi : y;
            out[i] = y;
        }
    }
}

void obsnorm_apply64(const ObsNorm *o, float *out, const double *x, int n)
{
    const int dim = o->dim;
    const double hi = o->clip, lo = -o->clip;
    for (long r = 0; r < n; r++) {
        for (int j = 0; j < dim; j++) {
            const long i = r * dim + j; /* (n, dim) */
            double y = (x[i] - o->mean64[j]) / o->std64[j];
            y = y < lo ? lo : y;
            y = y > hi ? hi : y;
            out[i] = (float)y;
        }
    }
}
