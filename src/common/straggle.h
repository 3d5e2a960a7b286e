/* straggle.h - controlled heterogeneity: seeded slowdowns of the actors' compute
 * (--straggle SPEC), for studies of slow workers in sync and async training.
 *
 * SPEC is one or more terms joined by '+':
 *   ranks=R[,R...]:Fx  these actor ranks compute F times as long (F >= 1): after each
 *                      timed phase of d seconds they sleep (F - 1) d
 *   lognormal:SIGMA    every actor: a phase of d seconds lasts d X, X = exp(SIGMA z)
 *                      with z standard normal, so it sleeps d max(0, X - 1) (noise
 *                      only slows; SIGMA in [0, 3])
 *   pause:P,MS         every actor: after each rollout, with probability P, a pause of
 *                      MS milliseconds (a page fault storm, a noisy neighbour)
 * e.g. `ranks=1:3x+lognormal:0.3`. The timed phases are the rollout and each gradient
 * (a PPO minibatch, the value fit's minibatches): the delay is in proportion to the
 * measured compute (a rollout's is spread over its steps, so that a slow actor is slow
 * throughout and --preempt can cut it), so the effect is the same on any machine. Terms multiply: a
 * slow rank's noisy phase lasts d F X. The draws come from the rank's own stream (seed, rank,
 * STREAM_STRAGGLE), so a seed fixes them; a resumed run draws them afresh (they never change the
 * numbers of a sync run, only its timing).
 */
#ifndef MPIRL_STRAGGLE_H
#define MPIRL_STRAGGLE_H

#include <stddef.h>

#include "rng.h"

typedef struct {
    double factor;  /* this rank's fixed slowdown F (1: none) */
    double sigma;   /* lognormal noise (0: none) */
    double pause_p; /* probability of a pause after a rollout */
    double pause_s; /* its length, seconds */
} StraggleSpec;

/* Parse spec ("" or NULL: no slowdown) for rank `rank` of `size` ranks (rank 0, the
 * learner, is never slowed; named ranks must be actors, in [1, size - 1], or rank 0
 * when size is 1). Returns 0, or -1 with a message naming the term and the valid form. */
int straggle_parse(const char *spec, int rank, int size, StraggleSpec *out, char *err, size_t len);

/* Whether s slows anything down. */
int straggle_active(const StraggleSpec *s);

/* One phase's draws: the factor its compute is stretched by (F X, at least 1) into
 * *stretch and, for a rollout, the pause after it (seconds, or 0) into *pause. Draws
 * from rng only for the terms that are set. A phase that computed d seconds then
 * sleeps d (*stretch - 1) + *pause in all, at once or spread over it. */
void straggle_draw(const StraggleSpec *s, int rollout, Rng *rng, double *stretch, double *pause);

/* The delay (seconds) after a phase that computed d seconds, from straggle_draw. */
double straggle_delay(const StraggleSpec *s, double d, int rollout, Rng *rng);

/* Sleep for seconds (whole, even if a signal arrives: a slow node stays slow). */
void straggle_sleep(double seconds);

#endif
