/* actor.h - an actor's state and its half of every iteration: rollouts of its
 * environments, its gradients on its own minibatches, its iteration summary, and its
 * answers to TRPO's requests (trpo_serve.h). The learner's half is
 * src/learner/learner.h; both take the Run every rank holds (run.h).
 *
 * An actor writes its gradient messages into r->msg and its summary into r->summary;
 * everything else it touches is its own.
 */
#ifndef MPIRL_ACTOR_H
#define MPIRL_ACTOR_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "rollout.h"
#include "rstats.h"
#include "run.h"
#include "straggle.h"
#include "trpo_serve.h"
#include "vecenv.h"

typedef struct {
    VecEnv venv;
    Rollout ro;
    ModelWork *w;
    Rng rng_policy, rng_shuffle;
    RunningStats raw;     /* this iteration's raw observations */
    RunningStats ret_raw; /* this iteration's discounted returns */
    RewardNorm rn;        /* reward normalisation: per-environment returns, frozen scale */
    ObsNorm norm;         /* the observation normaliser of the learner's statistics */
    int32_t *perm;        /* (T * E) the minibatch order */
    float *mb_obs, *mb_act, *mb_adv, *mb_ret, *mb_logp, *mb_val, *mb_p;
    float *ref_params;        /* grpo with kl_coef: the reference policy's parameters (np) */
    int64_t ref_set;          /* ... 1 once they hold a policy (checkpointed) */
    int64_t rollouts;         /* ... rollouts so far (an async actor's iteration count) */
    float *ref_logp, *mb_ref; /* ... (T * E) its log-probs of the samples; a minibatch's */
    float *adv_n;             /* trpo, npg: (T * E) advantages normalised over the batch */
    float *fvp_obs;           /* trpo, npg: (fvp rows, obs_dim) the Fisher subsample */
    double tm[N_TIMER];       /* compute seconds per phase since the last summary */
    StraggleSpec straggle;    /* --straggle, this rank's part */
    Rng rng_straggle;         /* its draws: stream (seed, rank, STREAM_STRAGGLE) */
    double delay;             /* seconds slept for it since the last summary */
    double stretch;           /* the current rollout's draws (straggle_draw) */
    double owed;              /* ... its delay not slept yet */
    double slept;             /* ... seconds slept during it */
    double step_t0;           /* ... when its last step began */
    int preempt_at;           /* --preempt: steps after which the rollout may be cut (0: off) */
    MsgHeader preempt_msg;    /* ... the learner's word to stop */
    double grads;             /* gradients computed since the last summary */
} Actor;

/* Environments, rollout and minibatch buffers and generators of this rank for run r.
 * Returns 0, or -1 with a message in err (free with actor_free in either case). */
int actor_init(Actor *a, const Run *r, char *err, size_t errlen);

/* Free; accepts a zeroed struct. */
void actor_free(Actor *a);

/* The normalisers from the learner's statistics in r: the observation normaliser (if
 * norm_obs) and the reward scale 1 / sqrt(Var[G] + 1e-8) (1 before any statistics). */
void actor_norm_refresh(Actor *a, const Run *r);

/* Roll out T steps of every environment at r->pbuf and compute the advantages; the
 * minibatch order starts as the identity. Returns 0, or 1 after printing why the data
 * is unusable (iteration > 0 is named in the message). */
int actor_rollout(Actor *a, const Run *r, int64_t iteration);

/* The gradient of the loss on minibatch rows perm[lo..hi) times their count, then the
 * X_* extras, into r->msg. */
void actor_gradient(Actor *a, const Run *r, int lo, int hi);

/* trpo, npg: the gradient of 0.5 mean((V - R)^2) over minibatch rows perm[lo..hi)
 * times the count, into the value part of r->msg (the policy part stays 0), then the
 * extras. */
void actor_value_gradient(Actor *a, const Run *r, int lo, int hi);

/* This actor's iteration summary into r->summary: the S_* slots (a pending stop signal
 * in S_SIGNAL), up to the last METRICS_WINDOW episodes, then its raw normaliser
 * statistics; ppo-kl adds KL(old || new) over the batch at r->pbuf. The compute seconds
 * (with ts's answering seconds) go with it and restart at 0. */
void actor_summary(Actor *a, const Run *r, TrpoServer *ts);

/* trpo, npg: prepare ts for this iteration's requests (advantages normalised over the
 * whole batch, the Fisher subsample: fvp_subsample of the rows, evenly spaced), then the
 * count-weighted gradient of the loss -mean(r A) into g (npol floats) and d = (sum of
 * r A, sum of entropies, count, failed). failed: this rollout's data is unusable. */
void actor_surrogate_gradient(Actor *a, const Run *r, TrpoServer *ts, int failed, float *g,
                              double d[4]);

/* Checkpoints: the bytes of this actor's state (its environments, the reward
 * normaliser's returns, its two generators), written and read back. load returns 0 or
 * -1 if the environments' bytes do not fit. */
size_t actor_state_size(const Run *r);
void actor_state_save(const Actor *a, const Run *r, unsigned char *buf);
int actor_state_load(Actor *a, const Run *r, const unsigned char *buf);

/* Asynchronous mode: roll out, send the gradients one by one (with --ship experience:
 * the rollout itself, exp_layout), adopt each answer, until the learner says stop
 * (actor_async.c). out and in are message buffers of async_message_len and msg_layout's
 * params_len bytes; version is the parameter version r->pbuf
 * holds (0, or a resumed checkpoint's). Returns 0, or 1 if the learner aborted or this
 * actor failed. */
int actor_async(Actor *a, Run *r, unsigned char *out, unsigned char *in, int64_t version);

/* Bytes of the largest message an actor sends in async mode: a gradient or, with --ship
 * experience, a rollout. */
long async_message_len(const Run *r);

#endif
