/* rstats.h - running mean and variance of vectors, mergeable across ranks, and
 * observation normalisation.
 *
 * The statistics of one stream are (count, mean, M2) with M2 the sum of squared
 * deviations; two sets combine exactly with the parallel formula of Chan, Golub &
 * LeVeque (1979):
 *   n = na + nb, d = mb - ma, mean = ma + d nb / n, M2 = M2a + M2b + d^2 na nb / n.
 * They are kept in one flat double buffer [count, mean(dim), M2(dim)] so that a rank's
 * statistics travel in a single message.
 *
 * Normalisation: y = clip((x - mean) / sqrt(var + eps), -clip, clip), var = M2 / count
 * (population variance, as Gymnasium's NormalizeObservation); with count = 0 the mean
 * is 0 and the variance 1.
 */
#ifndef MPIRL_RSTATS_H
#define MPIRL_RSTATS_H

typedef struct {
    int dim;
    double *buf; /* [count, mean(dim), M2(dim)] */
} RunningStats;

/* Zero statistics of dimension dim; returns 0 or -1 if memory runs out. */
int rstats_init(RunningStats *s, int dim);

/* Free; accepts a zeroed struct. */
void rstats_free(RunningStats *s);

/* Doubles in the flat buffer: 1 + 2 dim. */
int rstats_buf_len(int dim);

/* Back to count 0. */
void rstats_reset(RunningStats *s);

/* Add the n rows of x (n, dim): the batch's own moments (two passes, double) merged
 * into s. */
void rstats_update(RunningStats *s, const float *x, int n);
/* The same for float64 rows (observations as the MuJoCo set returns them, discounted
 * returns). */
void rstats_update64(RunningStats *s, const double *x, int n);

/* Merge statistics given as a flat buffer of the same dimension into s. */
void rstats_merge_buf(RunningStats *s, const double *other);

/* Merge `other` into s (same dimension). */
void rstats_merge(RunningStats *s, const RunningStats *other);

double rstats_count(const RunningStats *s);
const double *rstats_mean(const RunningStats *s);

/* var[i] = M2[i] / count (1 when count = 0). */
void rstats_var(const RunningStats *s, double *var);

/* Precomputed normaliser: float for the per-step hot path of float32 observations,
 * double for float64 ones. */
typedef struct {
    int dim;
    double clip;    /* the float path compares with (float)clip */
    float *shift;   /* mean */
    float *scale;   /* 1 / sqrt(var + eps) */
    double *mean64; /* mean */
    double *std64;  /* sqrt(var + eps) */
} ObsNorm;

/* Allocate for dim; identity transform with the given clip. Returns 0 or -1. */
int obsnorm_init(ObsNorm *o, int dim, double clip);

/* Free; accepts a zeroed struct. */
void obsnorm_free(ObsNorm *o);

/* Load mean and 1/sqrt(var + eps) from s. */
void obsnorm_set(ObsNorm *o, const RunningStats *s, double eps);

/* out (n, dim) = clip((x - shift) * scale); out may equal x. */
void obsnorm_apply(const ObsNorm *o, float *out, const float *x, int n);
/* out (n, dim) = (float)clip((x - mean) / sqrt(var + eps)) computed in double, as
 * Gymnasium's NormalizeObservation and a clip do it on float64 observations before the
 * network's float32 cast. */
void obsnorm_apply64(const ObsNorm *o, float *out, const double *x, int n);

#endif
