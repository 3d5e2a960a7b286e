/* correct.h - corrections for stale gradients in asynchronous training, each a flag of
 * its own and combinable (README, "Asynchronous corrections"):
 *
 *   staleness-aware learning rate (Zhang, Gupta, Lian and Liu 2016, "Staleness-aware
 *   Async-SGD for distributed deep learning"): a gradient of staleness tau is applied
 *   with the learning rate alpha / max(1, tau);
 *
 *   delay compensation (DC-ASGD; Zheng et al. 2017, "Asynchronous stochastic gradient
 *   descent with delay compensation"): g + lambda g (.) g (.) (theta_now - theta_tau),
 *   the first-order Taylor correction with the diagonal outer-product approximation of
 *   the Hessian, theta_tau the parameters the gradient was computed at;
 *
 *   soft synchrony (Zhang et al. 2016, "softsync"): the learner applies the mean of
 *   every K gradients that arrive, once.
 */
#ifndef MPIRL_CORRECT_H
#define MPIRL_CORRECT_H

#include <stdint.h>

/* alpha / max(1, tau) */
double correct_staleness_lr(double alpha, int64_t tau);

/* g[i] += lambda g[i]^2 (now[i] - then[i]) for i < n, in double per element. */
void correct_delay(float *g, const float *now, const float *then, double lambda, long n);

/* The parameters of the last `depth` versions, for the delay compensation: version v
 * lives in slot v % depth. */
typedef struct {
    float *slots; /* (depth, n) */
    int64_t *version;
    int depth;
    long n;
} ParamHistory;

/* Room for depth versions of n parameters; 0 or -1 (no memory). */
int history_init(ParamHistory *h, int depth, long n);
void history_free(ParamHistory *h);
/* Record the parameters of version v. */
void history_put(ParamHistory *h, int64_t v, const float *params);
/* The parameters of version v, or NULL if they are no longer (or not yet) kept. */
const float *history_get(const ParamHistory *h, int64_t v);

/* The mean of every k gradients (with their extras summed), for soft synchrony. */
typedef struct {
    float *sum;    /* (n) gradient sum */
    float *extras; /* (n_extras) sums */
    double lr_sum; /* sum of the gradients' learning rates */
    int k, count;  /* group size, gradients in the group so far */
    long n;
    int n_extras;
} SoftSync;

/* A group of k gradients of n floats followed by n_extras floats. 0 or -1. */
int softsync_init(SoftSync *s, int k, long n, int n_extras);
void softsync_free(SoftSync *s);
/* Add gradient g (n floats, then n_extras) to be applied at learning rate lr. Returns 1
 * when the group is complete: then out (n + n_extras floats) holds the mean gradient and
 * the summed extras, *lr the mean learning rate, and the group starts again; else 0. */
int softsync_add(SoftSync *s, const float *g, double lr, float *out, double *mean_lr);

#endif
