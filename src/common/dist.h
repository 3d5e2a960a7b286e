/* dist.h - action distributions: categorical over logits, diagonal Gaussian with a
 * state-independent log standard deviation.
 *
 * Per sample, the policy network outputs the distribution parameters p (n floats):
 * logits for a categorical over n actions, means for a Gaussian of dimension n. The
 * Gaussian's log-std (n floats) is shared by the whole batch. Actions are stored as
 * floats: one per sample for a categorical (the index), n per sample for a Gaussian.
 *
 * All per-sample arithmetic is done in double and rounded once to float. Gradients
 * are ADDED into the output arrays (p-gradients per sample, log-std gradients summed
 * over the batch); a NULL gradient pointer skips that part.
 *
 * The Fisher metric is analytic: for a categorical over logits M = diag(pi) - pi pi^T;
 * for a Gaussian M = diag(1/sigma^2) for the means and 2 I for the log-stds.
 *
 * Leaves out: action clipping (the environment wrapper clips; log-probs are always of
 * the unclipped action), squashed or state-dependent-std Gaussians.
 */
#ifndef MPIRL_DIST_H
#define MPIRL_DIST_H

#include "rng.h"

typedef enum { DIST_CATEGORICAL = 0, DIST_GAUSSIAN = 1 } DistKind;

typedef struct {
    DistKind kind;
    int n; /* categorical: actions; Gaussian: action dimension */
} Dist;

/* Floats per sample in an action array: 1 (categorical) or n (Gaussian). */
int dist_action_dim(const Dist *d);

/* logp[i] = log pi(act_i | p_i). */
void dist_logp(float *logp, const Dist *d, const float *p, const float *logstd, const float *act,
               int batch);

/* Add d(sum_i g[i] logp[i]) / dp into gp (batch, n) and / d logstd into glogstd (n). */
void dist_logp_backward(float *gp, float *glogstd, const Dist *d, const float *p,
                        const float *logstd, const float *act, const float *g, int batch);

/* ent[i] = entropy of pi(. | p_i). */
void dist_entropy(float *ent, const Dist *d, const float *p, const float *logstd, int batch);

/* Add d(sum_i g[i] ent[i]) / dp and / d logstd. */
void dist_entropy_backward(float *gp, float *glogstd, const Dist *d, const float *p,
                           const float *logstd, const float *g, int batch);

/* kl[i] = KL(pi0_i || pi1_i) for distributions with parameters (p0, logstd0) and
 * (p1, logstd1). Swap the arguments for the other direction. */
void dist_kl(float *kl, const Dist *d, const float *p0, const float *logstd0, const float *p1,
             const float *logstd1, int batch);

/* Add d(sum_i g[i] kl[i]) with respect to both arguments (any of the four gradient
 * pointers may be NULL). */
void dist_kl_backward(float *gp0, float *glogstd0, float *gp1, float *glogstd1, const Dist *d,
                      const float *p0, const float *logstd0, const float *p1, const float *logstd1,
                      const float *g, int batch);

/* Draw one action per sample from `rng`. */
void dist_sample(float *act, const Dist *d, const float *p, const float *logstd, int batch,
                 Rng *rng);

/* Most likely action per sample (argmax, lowest index on ties; the mean). */
void dist_mode(float *act, const Dist *d, const float *p, int batch);

/* out_i = M(p_i) u_i: the Fisher metric with respect to the per-sample parameters
 * applied to a tangent u (batch, n). Overwrites out. For a Gaussian the log-std part
 * of the metric is the constant dist_fisher_logstd(). */
void dist_fisher_apply(float *out, const Dist *d, const float *p, const float *logstd,
                       const float *u, int batch);

/* Fisher metric of one log-std coordinate of a Gaussian (2). */
double dist_fisher_logstd(void);

#endif
