/* metrics.h - the learner's per-iteration metrics: metrics.csv and the progress line.
 *
 * metrics.csv has one row per learner iteration with the columns of metrics_header(),
 * written and flushed row by row so that a killed run keeps every finished row; an
 * asynchronous run also writes staleness.csv, the histogram of the staleness of the
 * gradients received in each iteration. The
 * episode window holds the returns and lengths of the last 100 finished episodes over
 * all actors.
 *
 * Columns that an algorithm does not have are written as "nan": kl (ppo, a2c, a3c,
 * reinforce), surrogate_improvement, cg_iterations, cg_residual (all but trpo and npg),
 * ls_steps (all but trpo), beta (all but ppo-kl), and the phase times cg_s,
 * linesearch_s, vf_s (all but trpo/npg; linesearch_s is also nan for npg).
 */
#ifndef MPIRL_METRICS_H
#define MPIRL_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "msg.h" /* METRICS_WINDOW */

#define STALENESS_HEADER "iteration,staleness,count"
#define ACTORS_HEADER    "iteration,rank,compute_s,delay_s,wait_s,gradients,dropped,staleness_mean"
/* bins of the staleness histogram: staleness 0 .. STALENESS_BINS - 2 exactly, the last
 * bin counts every staleness of STALENESS_BINS - 1 and more (staleness_max is exact) */
#define STALENESS_BINS 4096

typedef struct {
    int64_t iteration;
    int64_t env_steps;
    double wall_s;
    double sps;
    int64_t episodes;                            /* finished so far */
    double return_mean, return_std, length_mean; /* over the window; NaN before any */
    double policy_loss, value_loss, entropy, approx_kl, clip_fraction, explained_variance;
    double lr;
    double staleness_mean, staleness_max;
    int64_t dropped;
    double comm_s; /* the learner's time inside MPI calls */
    double wait_s; /* the learner's time waiting for the actors outside MPI */
    /* natural-gradient and adaptive-KL columns; NaN where the algorithm has none */
    double kl;                    /* mean KL(old || new) over the batch after the update */
    double surrogate_improvement; /* trpo, npg: of the step taken */
    double ls_steps;              /* trpo: line-search candidates evaluated */
    double cg_iterations;         /* trpo, npg: Fisher-vector products in CG */
    double cg_residual;           /* trpo, npg: ||r|| / ||g|| where CG stopped */
    double beta;                  /* ppo-kl: the KL coefficient of the iteration */
    /* seconds the actors spent computing in each phase (mean over actors; NaN where
     * the algorithm has no such phase) */
    double rollout_s, gradient_s, cg_s, linesearch_s, vf_s;
    double rollout_max_s; /* the slowest actor's rollout seconds */
    double delay_s;       /* seconds slept by --straggle (mean over actors) */
    double actor_spread;  /* the slowest actor's compute and delay over the fastest's */
} MetricsRow;

/* One actor's part of a metrics row (actors.csv). */
typedef struct {
    double compute_s;    /* rollouts and gradients */
    double delay_s;      /* slept by --straggle */
    double wait_s;       /* inside MPI: waiting for the learner and the others */
    double grads;        /* gradients computed */
    double dropped;      /* async: of its gradients, dropped by --max-staleness */
    double st_sum, st_n; /* async: staleness of its gradients received */
    int summaries;       /* summaries taken (0: nothing to write for this rank) */
} ActorRow;

/* "iteration,env_steps,...": the header of metrics.csv, from the column table of
 * metrics.c (one column per MetricsRow field, in this order, named like it) */
const char *metrics_header(void);

typedef struct {
    FILE *csv;
    FILE *stale;  /* staleness.csv of an asynchronous run, or NULL */
    FILE *actors; /* actors.csv */
    double ret[METRICS_WINDOW];
    double len[METRICS_WINDOW];
    int n, head;      /* ring buffer of the window */
    int64_t episodes; /* finished so far */
    int progress;     /* 0 quiet, 1 plain lines, 2 in-place terminal line */
    double last_print;
} Metrics;

/* Open DIR/metrics.csv and DIR/actors.csv for writing, and DIR/staleness.csv if
 * staleness != 0 (an asynchronous run). keep_iteration < 0: new files (header line first);
 * otherwise the existing files of a resumed run, cut after their rows of that iteration (rewritten
 * through a temporary file and a rename) and appended to. progress: 0 none, 1 plain
 * lines, 2 in-place. Returns 0, or -1 with a message. The episode window and count
 * are not touched (a resumed run restores them). */
int metrics_open(Metrics *mt, const char *dir, int progress, int64_t keep_iteration, int staleness,
                 char *err, size_t errlen);

/* Close the file, ending an in-place progress line. */
void metrics_close(Metrics *mt);

/* Add a finished episode to the window. */
void metrics_episode(Metrics *mt, double ret, double len);

/* Fill the window fields of row (mean, std, length, episodes). */
void metrics_window(const Metrics *mt, MetricsRow *row);

/* Append a row to metrics.csv and update the progress line (total_steps for the
 * percentage and ETA). Returns 0, or -1 if the write failed. */
int metrics_write(Metrics *mt, const MetricsRow *row, int64_t total_steps);

/* Append the staleness histogram of an iteration to staleness.csv: one row
 * "iteration,staleness,count" for every k < n with count[k] > 0 (nothing when the file
 * is not open). Returns 0, or -1 if the write failed. */
int metrics_staleness(Metrics *mt, int64_t iteration, const int64_t *count, int n);

/* Append an iteration's rows to actors.csv, "iteration,rank,compute_s,delay_s,wait_s,
 * gradients,dropped,staleness_mean", one for every rank r < n with something in
 * rows[r] (a summary, or in async mode a gradient received). Returns 0, or -1 if the write failed
 * (the partial rows are cut back). */
int metrics_actors(Metrics *mt, int64_t iteration, const ActorRow *rows, int n);

#endif
