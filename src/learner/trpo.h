/* trpo.h - trust-region and natural-gradient policy steps over MPI (TRPO, NPG).
 *
 * The learner (rank 0) drives; the actors hold the data. Every exchange of the policy
 * step is one request: the learner broadcasts a vector of the policy's size followed by
 * an opcode, and every actor answers on its own batch, the answers summed to the
 * learner. The actors do nothing but answer, in the order the learner asks, so the two
 * sides cannot get out of step:
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
 *
 * The step (Schulman et al. 2015, "Trust region policy optimization", appendix C):
 * solve (F + lambda I) x = g by conjugate gradient, scale to the KL radius delta with
 * beta = sqrt(2 delta / x^T (F + lambda I) x), then (TRPO) try theta + beta x s^k,
 * k = 0..ls_steps-1 (s = ls_shrink), accepting the first candidate whose surrogate
 * improves (> 0) and whose mean KL(old || new) <= ls_kl_factor delta; if none passes the parameters
 * stay as they were. NPG (Kakade 2001) takes the full step without a line search.
 */
#ifndef MPIRL_TRPO_H
#define MPIRL_TRPO_H

#include "cg.h"
#include "linesearch.h"
#include "loss.h"
#include "model.h"
#include "msg.h"

typedef struct {
    const Model *m;
    long npol;    /* policy parameters: the prefix [0, npol) of the model's buffer */
    int is_actor; /* answers requests on its own data */
    /* actor: the data of the current iteration (set by the caller) */
    ModelWork *w;          /* workspace for the whole batch */
    const float *params;   /* theta_old, the model's full buffer */
    Batch batch;           /* obs, act, adv (already normalised), old_logp, old_p, old_logstd */
    const float *fvp_obs;  /* (fvp_n, obs_dim) the Fisher subsample */
    int fvp_n;             /* its rows */
    int forward_valid;     /* actor: w holds the policy forward at params on fvp_obs; the
                              caller clears it whenever params, fvp_obs or w change */
    double damping;        /* learner: lambda */
    float *req;            /* (npol + 2): the vector, then the opcode */
    float *rep;            /* (n_params + 2): an FVP answer, then the count */
    float *x, *ax, *theta; /* learner: (npol) CG solution, (F + lambda I) x, theta_old */
    CgWork cg;             /* learner */
    double fvp_s, eval_s;  /* actor: seconds computing answers, accumulated */
    double wait_s;         /* learner: seconds inside requests, accumulated */
    int failed;            /* learner: a request failed (MPI) */
} Trpo;

typedef struct {
    int cg_iters;
    double damping;      /* lambda */
    double max_kl;       /* delta */
    int ls_steps;        /* candidates of the line search */
    double ls_shrink;    /* step factor between candidates (0.5 halves) */
    double ls_kl_factor; /* accepted KL: up to ls_kl_factor delta */
    int line_search;     /* 0: NPG, take the full step */
} TrpoConfig;

typedef struct {
    CgResult cg;
    double shs;     /* x^T (F + lambda I) x */
    double beta;    /* sqrt(2 delta / shs); 0 if no step was possible */
    double kl;      /* mean KL(old || new) of the step taken (of the last candidate if none) */
    double improve; /* surrogate improvement of that step (likewise) */
    int ls_steps;   /* candidates evaluated */
    int kl_rejects, improve_rejects; /* candidates refused for KL (or non-finite), for
                                        no improvement */
    int accepted;                    /* the parameters moved */
} TrpoResult;

/* Buffers for model m; the learner's CG vectors only if is_learner. Returns 0, or -1 if
 * memory runs out (free with trpo_free). */
int trpo_init(Trpo *t, const Model *m, int is_learner, int is_actor);

/* Free; accepts a zeroed struct. */
void trpo_free(Trpo *t);

/* Actor (never with one rank): answer requests until DONE, whose policy parameters are
 * copied into params (the prefix of the model's buffer). Returns 0 after DONE, 1 after
 * ABORT, -1 on an MPI failure. */
int trpo_serve(Trpo *t, float *params);

/* Learner: out = (F + damping) v over every actor's Fisher subsample (a CgMatVec with
 * ctx = the Trpo). Returns 0, or -1 on an MPI failure (t->failed set). */
int trpo_fvp(void *ctx, const float *v, float *out);

/* Learner: mean surrogate mean(r A) and mean KL(old || theta) over every actor's batch
 * for policy parameters theta (npol floats). Non-finite answers come back as they are.
 * Returns 0 or -1 on an MPI failure. */
int trpo_eval(Trpo *t, const float *theta, double *surr, double *kl);

/* Learner: end the requests: DONE with the policy parameters params (every actor adopts
 * them), or ABORT if abort is non-zero. Returns 0 or -1. */
int trpo_finish(Trpo *t, const float *params, int abort);

/* Learner: one natural-gradient step from params (updated in place, only if the step is
 * taken) for the ascent direction g (npol, the mean gradient of the surrogate) whose
 * surrogate at params is surr_old. Writes what happened into res. Returns 0, or -1 if a
 * request failed (params unchanged). Does not call trpo_finish. */
int trpo_step(TrpoResult *res, Trpo *t, float *params, const float *g, double surr_old,
              const TrpoConfig *cfg);

/* Learner: the backtracking line search alone: candidates params + full shrink^k,
 * k = 0..ls_steps-1, the first with improvement > 0 and KL <= max_kl is written into
 * params; if none passes, params stay untouched. Fills ls_steps, kl_rejects,
 * improve_rejects, kl, improve and accepted of res. Returns 0, or -1 if a request
 * failed (params unchanged). */
int trpo_linesearch(TrpoResult *res, Trpo *t, float *params, const float *full, double surr_old,
                    double max_kl, int ls_steps, double shrink);

#endif
