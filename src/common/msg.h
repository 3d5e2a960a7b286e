/* msg.h - every message the ranks exchange during training, in one place.
 *
 * Synchronous mode (collectives, comm.h):
 *   gradient     float[np + N_EXTRA], summed to the learner: the count-weighted
 *                gradient, then the X_* extras (sample count, loss sums, a bad flag)
 *   parameters   float[np + 1], published by the learner after each minibatch step:
 *                the parameters, then the CTRL_* flag in the last float (a small
 *                integer, exact; it rides with the parameters to save a message)
 *   verdict      a SyncVerdict, broadcast by the learner at the end of an iteration:
 *                the CTRL_* flag, "write a checkpoint", ppo-kl's beta
 *   summary      double[N_SUMMARY + 2 * METRICS_WINDOW + stats], gathered by the
 *                learner: the S_* slots, the finished episodes' returns and lengths,
 *                the actor's raw normaliser statistics
 *   backup       with --backup B the minibatch steps go point to point instead
 *                (tags TAG_BACKUP_*, src/learner/backup.h)
 *   preempt      with --preempt each actor sends a MsgHeader (kind MSG_PREEMPT, version
 *                the steps it collected) when its rollout ends, and receives one from
 *                the learner once enough have (tags TAG_PREEMPT_*, actor.h)
 *   TRPO/NPG     a MsgHeader (kind MSG_TRPO, flags a TRPO_OP_* opcode), then
 *                float[npol], broadcast by the learner; the actors' answers are
 *                reduced back (trpo_serve.h)
 * Asynchronous mode (point-to-point, tags TAG_*): a MsgHeader (kind MSG_GRAD or
 * MSG_PARAMS), then
 *   TAG_GRAD     actor -> learner: the mean gradient, the X_* extras and (with
 *                FLAG_SUMMARY) the summary;
 *   TAG_PARAMS   learner -> actor: the CTRL_* flag in the header, the parameters and the
 *                merged normaliser statistics,
 *   TAG_GRAD     with --ship experience, kind MSG_EXPERIENCE: a rollout instead of a
 *                gradient (exp_layout) and its summary, the header's version the
 *                parameters it was collected with,
 * at the byte offsets of msg_layout (doubles 8-byte aligned).
 */
#ifndef MPIRL_MSG_H
#define MPIRL_MSG_H

#include <stdint.h>

/* the episodes of the learner's moving window (metrics.h), and at most as many of one
 * actor's summary */
#define METRICS_WINDOW 100

/* extra floats after the gradient */
enum { X_COUNT, X_PI_LOSS, X_V_LOSS, X_ENTROPY, X_APPROX_KL, X_CLIP_FRAC, X_BAD, N_EXTRA };

/* the learner's control flag */
enum { CTRL_CONTINUE = 0, CTRL_STOP_EPOCHS = 1, CTRL_ABORT = 2 };

/* an actor's compute phases (timed on the actor, reported in the summary) */
enum { T_ROLLOUT, T_GRADIENT, T_CG, T_LS, T_VF, N_TIMER };

/* slots of an actor's iteration summary (doubles) */
enum {
    S_STEPS,
    S_EPISODES,
    S_SENT,
    S_RET_SUM,
    S_RET_SQ,
    S_RES_SUM,
    S_RES_SQ,
    S_N,
    S_SIGNAL, /* a stop signal arrived at this rank */
    S_KL_SUM, /* ppo-kl: sum over the batch of KL(old || new) after the update */
    S_KL_N,
    S_DELAY, /* seconds slept by --straggle since the last summary */
    S_WAIT,  /* seconds inside MPI since the last summary (actors that are not the learner) */
    S_GRADS, /* gradients computed since the last summary */
    S_TIME,  /* N_TIMER: seconds computing in each phase since the last summary */
    N_SUMMARY = S_TIME + N_TIMER
};

/* TRPO/NPG request opcodes (trpo_serve.h) */
enum { TRPO_OP_FVP = 1, TRPO_OP_EVAL = 2, TRPO_OP_DONE = 3, TRPO_OP_ABORT = 4 };

/* asynchronous mode (and sync with --backup, backup.h): message tags and gradient flags */
enum {
    TAG_GRAD = 11,
    TAG_PARAMS = 12,
    TAG_BACKUP_GRAD = 13,
    TAG_BACKUP_PARAMS = 14,
    TAG_PREEMPT_DONE = 15,
    TAG_PREEMPT_STOP = 16
};
enum { FLAG_SUMMARY = 1, FLAG_BAD = 2, FLAG_SIGNAL = 4 };

/* what a message is (MsgHeader.kind) */
enum {
    MSG_GRAD = 1,
    MSG_PARAMS = 2,
    MSG_TRPO = 3,
    MSG_VERDICT = 4,
    MSG_PREEMPT = 5,
    MSG_EXPERIENCE = 6
};

/* the fixed header of the asynchronous messages and the TRPO requests: integers as
 * integers, 16 bytes, so the payload after it is 8-byte aligned */
typedef struct {
    int32_t kind;    /* MSG_* */
    int32_t flags;   /* gradient: FLAG_*; parameters: the control flag; TRPO: the opcode */
    int64_t version; /* gradient: computed at; parameters: current; TRPO: 0 */
} MsgHeader;

/* the learner's end-of-iteration verdict in synchronous mode */
typedef struct {
    int32_t kind;       /* MSG_VERDICT */
    int32_t ctrl;       /* CTRL_*: go on, stop after this iteration, abort */
    int32_t checkpoint; /* every rank writes its part of a checkpoint now */
    int32_t pad;
    double kl_beta; /* ppo-kl: the KL coefficient of the next iteration */
} SyncVerdict;

/* byte offsets inside the asynchronous messages */
typedef struct {
    long grad, extra, summary, grad_len; /* gradient message */
    long params, stats, params_len;      /* parameter message */
} MsgLayout;

/* the layout for np parameters, a summary of summary_len doubles and stats_len doubles
 * of normaliser statistics */
static inline MsgLayout msg_layout(long np, long summary_len, long stats_len)
{
    MsgLayout l;
    l.grad = (long)sizeof(MsgHeader);
    l.extra = l.grad + np * (long)sizeof(float);
    l.summary = (l.extra + N_EXTRA * (long)sizeof(float) + 7) & ~7L;
    l.grad_len = l.summary + summary_len * (long)sizeof(double);
    l.params = (long)sizeof(MsgHeader);
    l.stats = (l.params + np * (long)sizeof(float) + 7) & ~7L;
    l.params_len = l.stats + stats_len * (long)sizeof(double);
    return l;
}

/* byte offsets inside an experience message (--ship experience): n = T x E samples
 * of obs_dim observations (as the networks saw them) and act_dim actions */
typedef struct {
    long obs, act, logp, val, rew, final_obs, last_obs, term, trunc, summary, len;
} ExpLayout;

static inline ExpLayout exp_layout(long n, long E, long obs_dim, long act_dim, long summary_len)
{
    ExpLayout l;
    const long f = (long)sizeof(float);
    l.obs = (long)sizeof(MsgHeader);
    l.act = l.obs + n * obs_dim * f;
    l.logp = l.act + n * act_dim * f;
    l.val = l.logp + n * f;
    l.rew = l.val + n * f;
    l.final_obs = l.rew + n * f;
    l.last_obs = l.final_obs + n * obs_dim * f;
    l.term = l.last_obs + E * obs_dim * f;
    l.trunc = l.term + n;
    l.summary = (l.trunc + n + 7) & ~7L;
    l.len = l.summary + summary_len * (long)sizeof(double);
    return l;
}

#endif
