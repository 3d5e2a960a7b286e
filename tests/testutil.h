/* testutil.h - helpers shared by mpirl's Check tests: suite building and running,
 * random fills, differences, a loss fixture with its double-precision reference, and
 * the reader of the committed golden data (tests/data, written by scripts/golden.py).
 */
#ifndef MPIRL_TESTUTIL_H
#define MPIRL_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "loss.h"
#include "mlp.h"
#include "rng.h"

/* One test of a suite: the name of its TCase and the test. */
typedef struct {
    const char *name;
    const TTest *fn;
} TuCase;

/* Number of elements of an array. */
#define TU_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A suite called name with one TCase per case, each with timeout timeout_s seconds
 * (0: Check's default). */
Suite *tu_suite(const char *name, const TuCase *cases, int n, double timeout_s);

/* Run every test of s (CK_NORMAL output), free the runner (and with it s); returns
 * EXIT_SUCCESS if none failed, else EXIT_FAILURE. */
int tu_run(Suite *s);

/* The value of the environment variable name (one that meson test sets, such as a
 * plugin's path); aborts the test if it is unset or empty. */
const char *tu_getenv(const char *name);

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

/* A model, a workspace for `batch` samples, parameters theta and a batch collected at
 * nearby parameters theta_old, for the loss tests. theta: with init_orthogonal,
 * model_init_params plus N(0, param_sd^2) noise; else N(0, param_sd^2) with the
 * Gaussian log-stds at init_logstd + N(0, 0.2^2). theta_old = theta + N(0, old_sd^2).
 * obs, adv, ret ~ N(0, 1); actions sampled from the old policy, whose outputs, values,
 * log-std and log-probs fill the batch. All from rng_seed(seed, 0). cfg is left zero. */
typedef struct {
    Model m;
    ModelWork *w;
    float *params, *obs, *act, *adv, *ret, *old_logp, *old_val, *old_p, *old_logstd;
    float *ref_logp; /* old_logp + N(0, 0.3^2): a reference policy's log-probs (GRPO) */
    Batch b;
    LossConfig cfg;
} TuLossFix;

void tu_loss_fix_make(TuLossFix *f, const ModelConfig *mc, int batch, uint64_t seed,
                      double param_sd, double old_sd, int init_orthogonal);
void tu_loss_fix_free(TuLossFix *f);

/* The loss of loss.h (fix->cfg on fix->b at fix->params) in double, from the reference
 * networks and distributions above. fix: a TuLossFix (a TuObjective). */
double tu_ref_loss(void *fix);

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
