/* trpo.h - the learner's side of the trust-region and natural-gradient policy steps
 * (TRPO, NPG) over MPI.
 *
 * The learner (rank 0) drives; the actors hold the data and answer its requests
 * (src/actor/trpo_serve.h, which lists them). With one rank the process is learner and
 * actor: a request answers itself locally and the collectives are the identity.
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
#include "trpo_serve.h"

typedef struct {
    TrpoServer s;          /* the requests, and on an actor (or with one rank) its data */
    double damping;        /* lambda */
    float *x, *ax, *theta; /* learner: (npol) CG solution, (F + lambda I) x, theta_old */
    CgWork cg;             /* learner */
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

/* Buffers for model m: the server's (trpo_serve.h), and the learner's CG vectors only
 * if is_learner. Returns 0, or -1 if memory runs out (free with trpo_free). */
int trpo_init(Trpo *t, const Model *m, int is_learner, int is_actor);

/* Free; accepts a zeroed struct. */
void trpo_free(Trpo *t);

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
