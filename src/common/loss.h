/* loss.h - policy-gradient losses and their exact gradients.
 *
 * One call evaluates, on a batch, the policy loss of the chosen kind, the value loss
 * and the entropy bonus,
 *     loss = pi_loss + vf_coef * v_loss - ent_coef * entropy,
 * and ADDS d loss / d theta into a gradient buffer of the model's layout.
 *
 * Policy losses, with r = exp(logp - old_logp) and A the (optionally normalised)
 * advantage, means over the batch:
 *   LOSS_PPO_CLIP   -mean(min(r A, clip(r, 1-eps, 1+eps_hi) A))  (Schulman et al. 2017;
 *                   eps_hi = clip_high, when set, as DAPO's clip-higher, Yu et al. 2025)
 *   LOSS_PG         -mean(logp A)                                  (REINFORCE / A2C)
 *   LOSS_SURROGATE  -mean(r A)                                     (TRPO's objective)
 *   LOSS_KL_PENALTY -mean(r A) + beta * mean(KL(old || new))       (adaptive-KL PPO)
 *   LOSS_GRPO       LOSS_PPO_CLIP's term + beta * mean(k3)           (Shao et al. 2024)
 *                   with k3 = r_ref - log r_ref - 1, r_ref = exp(ref_logp - logp), the
 *                   estimator of KL(new || ref) of group.h; no ref_logp: no KL term
 * Value loss: 0.5 mean((V - R)^2), or with vf_clip > 0 the clipped form
 *   0.5 mean(max((V - R)^2, (old_V + clip(V - old_V, -vf_clip, vf_clip) - R)^2)).
 * Advantage normalisation: A <- (A - mean) / (std + 1e-8) over the batch, std with
 * Bessel's correction (a batch of one gets A = 0). It is a constant for the gradient.
 */
#ifndef MPIRL_LOSS_H
#define MPIRL_LOSS_H

#include "model.h"

typedef enum {
    LOSS_PPO_CLIP = 0,
    LOSS_PG = 1,
    LOSS_SURROGATE = 2,
    LOSS_KL_PENALTY = 3,
    LOSS_GRPO = 4
} PolicyLossKind;

typedef struct {
    int n;                   /* samples */
    const float *obs;        /* (n, obs_dim) */
    const float *act;        /* (n, action dim) */
    const float *adv;        /* (n) advantages */
    const float *ret;        /* (n) value targets; NULL skips the value network */
    const float *old_logp;   /* (n) log-probs at collection (PPO, surrogate, KL) */
    const float *old_val;    /* (n) values at collection (clipped value loss) */
    const float *old_p;      /* (n, dist.n) distribution parameters at collection (KL) */
    const float *old_logstd; /* (dist.n) Gaussian log-std at collection (KL) */
    const float *ref_logp;   /* (n) log-probs under the reference policy (GRPO), or NULL */
} Batch;

typedef struct {
    PolicyLossKind kind;
    double clip_eps; /* PPO ratio clip: [1 - clip_eps, 1 + clip_high] */
    double kl_beta;  /* KL penalty coefficient (KL penalty; GRPO's k3 term) */
    double ent_coef;
    double vf_coef; /* value-loss weight; 0 leaves the value gradient out */
    double vf_clip; /* <= 0: plain value loss */
    int norm_adv;
    double clip_high; /* the upper clip when > 0 (asymmetric, DAPO's clip-higher); 0: clip_eps */
} LossConfig;

typedef struct {
    double loss;
    double pi_loss;
    double v_loss;
    double entropy;   /* mean entropy */
    double approx_kl; /* mean((r - 1) - log r), needs old_logp */
    double clip_frac; /* fraction with r outside [1 - clip_eps, 1 + eps_hi] (PPO) */
    double kl;        /* mean KL(old || new) (KL penalty), mean k3 (GRPO); else 0 */
} LossStats;

/* Evaluate the loss on `b` and, if grad is not NULL, add its gradient into grad
 * (m->n_params floats). Returns 0, or -1 if the loss is not finite (stats are filled,
 * grad may be partly updated). b->n must not exceed the workspace's max_batch. */
int loss_compute(float *grad, LossStats *st, ModelWork *w, const Model *m, const float *params,
                 const Batch *b, const LossConfig *cfg);

/* The value part of the loss alone (loss_compute's, and the value fit of trpo and npg):
 * the sum over b of the squared errors (V - R)^2, each the larger of the plain and the
 * clipped error if vf_clip > 0 (b->old_val needed then). If grad is not NULL and coef is
 * not 0, adds the gradient of 0.5 coef sum / div into grad. */
double loss_value_sum(float *grad, ModelWork *w, const Model *m, const float *params,
                      const Batch *b, double vf_clip, double coef, double div);

/* Adaptive KL coefficient of ppo-kl (Schulman et al. 2017, section 4): given the
 * mean KL(old || new) measured after an iteration, beta / 2 if kl < target / 1.5,
 * beta * 2 if kl > 1.5 target, beta otherwise (also for a NaN kl). */
double loss_kl_beta_update(double beta, double kl, double target);

/* Mean and Bessel-corrected std of n advantages: the statistics of the advantage
 * normalisation above, A <- (A - mean) / (std + 1e-8), for callers that normalise a
 * whole batch themselves. */
void loss_advantage_moments(const float *adv, int n, double *mean, double *sd);

#endif
