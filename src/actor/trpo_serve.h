/* trpo_serve.h - the actor's side of the TRPO and NPG policy step: answering the
 * learner's requests on its own data (the learner's side, CG and the line search, is
 * src/learner/trpo.h).
 *
 * Every exchange of the policy step is one request: the learner broadcasts a MsgHeader
 * whose flags hold a TRPO_OP_* opcode, then a vector of the policy's size (msg.h), and
 * every actor answers on its own batch, the answers summed to the learner. The actors do
 * nothing but answer, in the order the learner asks, so the two sides cannot get out of
 * step:
 *
 *   TRPO_OP_FVP    v          -> sum over samples of J^T M J v (fvp_compute, sum_only) on
 *                                the actor's Fisher subsample, and the sample count
 *                                (floats, summed to the learner)
 *   TRPO_OP_EVAL   theta      -> sums of r A and of KL(old || theta) over the actor's
 *                                whole batch, and its count (doubles, summed to all)
 *   TRPO_OP_DONE   theta      -> no answer: the actors adopt theta (the policy prefix)
 *   TRPO_OP_ABORT  (ignored)  -> no answer: the actors stop training
 *
 * Every sum is of per-sample terms; the learner divides by the global sample count, so
 * actors with different batch sizes are weighted by their samples. With one rank the
 * process is learner and actor: a request answers itself locally and the collectives
 * are the identity.
 */
#ifndef MPIRL_TRPO_SERVE_H
#define MPIRL_TRPO_SERVE_H

#include "loss.h"
#include "model.h"
#include "msg.h"

typedef struct {
    const Model *m;
    long npol;    /* policy parameters: the prefix [0, npol) of the model's buffer */
    int is_actor; /* answers requests on its own data */
    /* the data of the current iteration (set by the caller) */
    ModelWork *w;         /* workspace for the whole batch */
    const float *params;  /* theta_old, the model's full buffer */
    Batch batch;          /* obs, act, adv (already normalised), old_logp, old_p, old_logstd */
    const float *fvp_obs; /* (fvp_n, obs_dim) the Fisher subsample */
    int fvp_n;            /* its rows */
    int forward_valid;    /* w holds the policy forward at params on fvp_obs; the caller
                             clears it whenever params, fvp_obs or w change */
    unsigned char *req;   /* the request: a MsgHeader, then npol floats (req_vec) */
    float *req_vec;       /* the request's vector, inside req */
    float *rep;           /* (n_params + 2): an FVP answer, then the count */
    double fvp_s, eval_s; /* seconds computing answers, accumulated */
} TrpoServer;

/* Request and answer buffers for model m. Returns 0, or -1 if memory runs out (free
 * with trpo_server_free). */
int trpo_server_init(TrpoServer *s, const Model *m, int is_actor);

/* Free; accepts a zeroed struct. */
void trpo_server_free(TrpoServer *s);

/* One request on every rank: s->req (filled by the learner) is broadcast, the actors
 * answer (FVP: into s->rep, summed to the learner; EVAL: ev[0..3] summed to every
 * rank). Returns the opcode, or -1 on an MPI failure. */
int trpo_exchange(TrpoServer *s, double *ev);

/* Actor (never with one rank): answer requests until DONE, whose policy parameters are
 * copied into params (the prefix of the model's buffer). Returns 0 after DONE, 1 after
 * ABORT, -1 on an MPI failure. */
int trpo_serve(TrpoServer *s, float *params);

#endif
