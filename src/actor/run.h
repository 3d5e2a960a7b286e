/* run.h - what every rank of a training run holds, whatever its role: the
 * configuration, the algorithm's row and the loss it implies, the model and its
 * parameters, the learner's normaliser statistics as last received, and the buffers of
 * the messages every rank takes part in (msg.h).
 *
 * The actor's own state (actor.h) and the learner's (src/learner/learner.h) are kept
 * apart and take a Run beside them. With one rank the process holds both.
 */
#ifndef MPIRL_RUN_H
#define MPIRL_RUN_H

#include <stddef.h>

#include "algo.h"
#include "config.h"
#include "env.h"
#include "loss.h"
#include "model.h"
#include "msg.h"
#include "rstats.h"

/* random streams of a rank besides its environments' (seed, rank, env index) */
#define STREAM_POLICY   0xffffffffu
#define STREAM_SHUFFLE  0xfffffffeu
#define STREAM_INIT     0xfffffffdu
#define STREAM_STRAGGLE 0xfffffffcu

typedef struct {
    const Config *cfg;
    const EnvSpec *spec;
    const char *dir; /* run directory */
    int rank, size, is_learner, is_actor, n_actors;
    const Algo *algo;        /* the algorithm's row (algo.h) */
    ModeId mode;             /* as run: one rank runs an async configuration in sync */
    int natural;             /* algo has ALGO_NATURAL: natural-gradient policy step, then a
                                value fit */
    int adaptive_kl;         /* algo has ALGO_ADAPTIVE_KL */
    int groups;              /* algo has ALGO_GROUPS: group rollouts of whole episodes,
                                group-relative advantages (group_kind), no critic */
    int group_kind;          /* GroupAdvKind */
    int reference;           /* grpo with kl_coef > 0: actors keep a reference policy */
    int running;             /* reinforce --baseline running: whole episodes (groups of
                                one), advantages G_t - b_t, no critic */
    int group_size;          /* members per group (1 when running) */
    int base_len;            /* running: 2 T doubles (b_t, then 1 where b_t is set), else 0 */
    double *baseline;        /* (base_len) the learner's running baseline, copied to all */
    int epochs, minibatches; /* of the minibatch loop (the value fit for trpo, npg) */
    double lambda;           /* GAE lambda of the rollouts (1 for REINFORCE) */
    LossConfig loss;
    double kl_beta; /* ppo-kl: the KL coefficient of the current iteration */
    Model m;
    long np;                 /* parameters */
    long npol;               /* policy parameters: the prefix of pbuf */
    float *pbuf;             /* (np + 1) parameters, then the sync control flag */
    float *msg;              /* (np + N_EXTRA) a gradient message */
    int stats_len;           /* doubles of the normaliser statistics: observations', then the
                                discounted return's, then the running baseline's
                                (run_norm_pack) */
    RunningStats global;     /* observation statistics, owned by the learner, copied to all */
    RunningStats ret_global; /* discounted-return statistics (dim 1), likewise */
    double *nbuf;            /* (stats_len) both packed, for messages */
    int summary_len;         /* doubles of an iteration summary: N_SUMMARY slots, the
                                episode window, then stats_len of statistics */
    double *summary;         /* (summary_len) this rank's iteration summary */
} Run;

/* The run of cfg on spec in directory dir for this rank (comm_rank, comm_size): the
 * algorithm and mode from their tables, the model (parameters zero), the buffers.
 * Returns 0, or -1 with a message in err (free with run_free in either case). */
int run_init(Run *r, const Config *cfg, const EnvSpec *spec, const char *dir, char *err,
             size_t errlen);

/* Free; accepts a zeroed struct. */
void run_free(Run *r);

/* The normaliser statistics obs and ret and base_len doubles of base (NULL: zeros) as
 * one flat buffer of stats_len doubles (out), and back into r->global, r->ret_global and
 * r->baseline. */
void run_norm_pack(const Run *r, const RunningStats *obs, const RunningStats *ret,
                   const double *base, double *out);
void run_norm_unpack(Run *r, const double *in);

/* The learning rate after done of total (iterations or steps): constant, or annealed
 * linearly to 0. */
double run_lr_at(const Run *r, double done, double total);

/* Iterations of varying size (--preempt cuts rollouts; group rollouts last as long as
 * their episodes): the step budget ends the run and the learning rate follows the
 * steps, not the iterations. */
static inline int run_by_steps(const Run *r)
{
    return r->cfg->preempt > 0 || r->groups;
}

#endif
