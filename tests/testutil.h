/* testutil.h - helpers shared by mpirl's Check tests: random fills, differences, and
 * the reader of the committed golden data (tests/data, written by scripts/golden.py).
 */
#ifndef MPIRL_TESTUTIL_H
#define MPIRL_TESTUTIL_H

#include <stddef.h>

#include "dist.h"
#include "mlp.h"
#include "rng.h"

/* x[i] ~ U[lo, hi). */
void tu_fill_uniform(float *x, long n, double lo, double hi, Rng *r);

/* x[i] ~ N(0, sd^2). */
void tu_fill_normal(float *x, long n, double sd, Rng *r);

/* sum a_i b_i in double. */
double tu_dot(const float *a, const float *b, long n);

/* max |a - b|. */
double tu_max_abs_diff(const float *a, const float *b, long n);

/* max |a - b| / max(|b|, floor): relative difference with an absolute floor. */
double tu_max_rel_diff(const float *a, const float *b, long n, double floor);

/* Objective for finite differences: evaluates f at the current inputs, in double. */
typedef double (*TuObjective)(void *ctx);

/* Central differences in double: g[i] = (f(x + d+) - f(x - d-)) / (d+ + d-), where
 * d+- are the perturbations +-h*max(1,|x_i|) as actually representable in float (the
 * difference is taken between the float values really evaluated). x is restored. */
void tu_numeric_grad(double *g, float *x, long n, double h, TuObjective f, void *ctx);

/* max |a_i - g_i| / max(|g_i|, floor). */
double tu_grad_err(const float *a, const double *g, long n, double floor);

/* Double-precision references, written out from the textbook formulas, for the finite
 * difference checks: one row of an MLP forward pass, and the log-prob, entropy and
 * KL(0 || 1) of one sample (p: logits or means, s: log-stds, a: the action). */
void tu_ref_mlp(double *y, const Mlp *m, const float *params, const float *x);
double tu_ref_logp(const Dist *d, const double *p, const double *s, const double *a);
double tu_ref_entropy(const Dist *d, const double *p, const double *s);
double tu_ref_kl(const Dist *d, const double *p0, const double *s0, const double *p1,
                 const double *s1);

/* Golden data file: a sequence of named arrays. Format (text):
 *   # comment lines
 *   name count
 *   v0 v1 ... (count numbers, any whitespace)
 */
typedef struct {
    int n;
    char **names;
    long *counts;
    double **values;
} Golden;

/* Load $MPIRL_TEST_DATA/<file>; aborts the test (ck_abort) on any error. */
Golden *golden_load(const char *file);
void golden_free(Golden *g);

/* The array called name; aborts the test if missing or if its length differs from
 * count (count < 0: any length). */
const double *golden_get(const Golden *g, const char *name, long count);

/* Length of the array called name, -1 if missing. */
long golden_count(const Golden *g, const char *name);

/* Copy an array into floats. */
void golden_to_float(float *out, const double *in, long n);

#endif
