/* experience.h - the learner's side of --ship experience (IMPALA's layout): an actor
 * sends its rollout (exp_layout in msg.h) collected with the parameters of some earlier
 * version, its behaviour policy mu; the learner evaluates it at its current parameters
 * pi, computes V-trace targets and advantages (vtrace.h, rho bar and c bar from the
 * configuration, lambda the algorithm's GAE lambda), then takes the algorithm's
 * gradient steps on it:
 *   a3c  one step on the whole rollout, loss -mean(min(rho_bar, rho) A log pi) + value
 *        loss 0.5 mean((V - vs)^2) - entropy bonus (IMPALA's loss);
 *   ppo  APPO: epochs x minibatches of PPO's clipped surrogate with the ratio pi / mu
 *        against the behaviour policy, the unweighted V-trace advantages (normalised
 *        per minibatch if norm_adv) and vs as the value target (clipped around mu's
 *        values if vf_clip), the minibatch order from the learner's own stream.
 * The targets are computed once per rollout, at the parameters it arrived at.
 */
#ifndef MPIRL_EXPERIENCE_H
#define MPIRL_EXPERIENCE_H

#include <stdint.h>

#include "model.h"
#include "msg.h"
#include "rng.h"
#include "run.h"

typedef struct {
    ExpLayout l;
    int T, E, n;
    ModelWork *w;                                /* batches of n */
    float *logp, *val, *fval, *lastv, *vs, *adv; /* (n), lastv (E) */
    float *scratch;                              /* (n, obs_dim) truncated rows */
    int32_t *perm;                               /* (n) the minibatch order */
    float *mb_obs, *mb_act, *mb_adv, *mb_ret, *mb_logp, *mb_val;
    Rng rng; /* the order's stream: (seed, 0, STREAM_SHUFFLE), unused by rank 0 otherwise */
} Experience;

/* Buffers for r's rollouts. Returns 0 or -1 (out of memory; free in either case). */
int experience_init(Experience *x, const Run *r);
void experience_free(Experience *x);

/* V-trace targets and advantages of the rollout in msg at r->pbuf. Returns 0, or -1 if
 * a value or target is not finite. */
int experience_prepare(Experience *x, const Run *r, const unsigned char *msg);

/* The mean gradient of minibatch mb (of r->minibatches) of epoch ep into r->msg, with
 * the X_* extras as an actor's message has them (count-weighted sums); the order is
 * shuffled at mb 0 of every epoch. Returns 0, or -1 if the loss is not finite. */
int experience_gradient(Experience *x, const Run *r, const unsigned char *msg, int mb);

#endif
