/* learner.h - the learner's state and the parts of its work both modes share: taking
 * an actor's summary, applying a mean gradient (clip, Adam, statistics), writing a
 * metrics row, reporting a stop. The synchronous iteration is sync.h, the asynchronous
 * loop async.h; the actor's half is src/actor/actor.h.
 */
#ifndef MPIRL_LEARNER_H
#define MPIRL_LEARNER_H

#include <stdint.h>

#include "correct.h"
#include "experience.h"
#include "metrics.h"
#include "optim.h"
#include "run.h"
#include "schedule.h"

typedef struct {
    Adam adam;
    Metrics mt;
    double *gathered;        /* sync: (size, summary_len) the actors' summaries */
    int64_t *stale_count;    /* async: (STALENESS_BINS) gradients received per staleness
                                since the last row */
    int64_t steps0;          /* environment steps before this process started (resume) */
    int64_t last_checkpoint; /* iteration of the newest checkpoint written (0: none) */
    double cg_s;             /* trpo, npg: its own CG arithmetic in the current iteration */
    double *last_seen;       /* async: (size) when each rank's last message arrived */
    unsigned char *lost;     /* async: (size) ranks given up on (learner_lost_actors) */
    int n_lost;
    double longest_iteration; /* wall seconds, for the default actor timeout: the longest
                                 sync iteration, or in async mode the longest gap between
                                 two messages of one actor */
    int metrics_failed;       /* a row could not be written (reported once) */
    ActorRow *per;            /* (size) each rank's part of the current row (actors.csv) */
    ParamHistory hist;        /* async with --dc-lambda: the last max_staleness + 1 versions */
    SoftSync soft;            /* async with --softsync K > 1: the group so far */
    float *soft_out;          /* (np + N_EXTRA) its mean, when complete */
    Schedule sched;           /* async with --record-schedule or --replay-schedule */
    int ship;                 /* async with --ship experience: rollouts arrive */
    Experience exp;           /* ... and the learner computes from them (experience.h) */
} Learner;

/* How long the learner still waits for an actor once a stop signal has arrived: twice
 * the longest iteration (async: gap), at least 5 s and at most 20 s (batch systems kill some 30 s
 * after their SIGTERM, and the checkpoint must be written before). */
double learner_stop_grace(const Learner *l);

/* Sync point-to-point phases (--backup, --preempt): receive the next message with tag
 * from any rank (its size into *got), waiting in slices up to the patience, or the stop
 * grace after a signal. Returns 0 with the sender in *src, or -1 on an MPI failure or
 * when nothing came in time: comm_timed_out then names the lowest rank marked in
 * waiting (size flags). */
int learner_wait_any(Learner *l, const Run *r, void *buf, long len, int tag, int *src, long *got,
                     const unsigned char *waiting);

/* loss statistics of the gradients applied since the last row, count-weighted sums */
typedef struct {
    double n, pi_loss, v_loss, entropy, approx_kl, clip_frac;
} StepStats;

/* What the learner accumulates between two metrics rows besides the loss statistics:
 * value-fit sums of the rollouts and, in async mode, staleness. */
typedef struct {
    double ret_sum, ret_sq, res_sum, res_sq, n; /* returns and residuals (ret - val) */
    double st_sum, st_max, st_n;                /* staleness of the gradients received */
    int64_t dropped;
    double time[N_TIMER], summaries; /* actors' compute seconds per phase, summaries taken */
    double rollout_max;              /* the largest rollout seconds of one summary */
    double kl_sum, kl_n;             /* ppo-kl: KL(old || new) after the update */
    double lr_sum, updates;          /* async: learning rates of the updates applied */
} RowSums;

/* What only some algorithms report (metrics.h): NaN where not applicable. */
typedef struct {
    double kl, improve, ls_steps, cg_iterations, cg_residual, beta;
} RowExtra;

extern const RowExtra NO_EXTRA;

/* The optimizer, the buffers of the mode r runs in, and the initial parameters (drawn
 * from the seed's learner stream into r->pbuf). Returns 0, or -1 with a message in err
 * (free with learner_free in either case). */
int learner_init(Learner *l, Run *r, char *err, size_t errlen);

/* Free; accepts a zeroed struct. */
void learner_free(Learner *l);

/* How long to wait for an actor: --actor-timeout, or without it the larger of 60 s and
 * 10 times the longest iteration so far. */
double learner_patience(const Learner *l, const Config *c);

/* Take the iteration summary s of the actor of rank `rank`: episodes into the window,
 * value-fit sums into f, its times and counts into its actors.csv row, raw observation
 * statistics into r's normaliser. Returns its environment steps. */
double learner_take_summary(Learner *l, Run *r, int rank, const double *s, RowSums *f);

/* Clip the mean gradient in r->msg to max_grad_norm, take an Adam step on r->pbuf and
 * add the statistics that follow the gradient to acc. Returns 0, or -1 when the
 * gradient is not finite (nothing is applied). */
int learner_apply(Learner *l, Run *r, double lr, StepStats *acc);

/* Async: count a gradient of the given staleness (>= 0) in the histogram; staleness
 * beyond its last bin is counted there (metrics.h). */
void learner_count_staleness(Learner *l, int64_t staleness);

/* Write the metrics row of iteration it from what was accumulated since the last row.
 * Returns 0 or -1 (message printed). */
int learner_write_row(Learner *l, const Run *r, int64_t it, int64_t env_steps, double wall,
                      double lr, const StepStats *acc, const RowSums *f, const RowExtra *x);

/* "mpirl: <what>; training stopped (the last checkpoint, of iteration K, is intact)",
 * or "(no checkpoint had been written yet)" */
void learner_report_stop(const Learner *l, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
