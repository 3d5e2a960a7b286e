/* train.h - `mpirl train`: the actor-learner training loop.
 *
 * Every rank calls train_run with the same configuration. Rank 0 is the learner and
 * ranks 1..N-1 are actors; with one rank the process is both, in turn, and trains the
 * same way. The learner never steps environments when N > 1.
 *
 * Synchronous mode (--mode sync): every gradient of an optimizer step is computed at
 * the same parameter version. Per step, each actor's gradient of its own minibatch,
 * weighted by its sample count, is summed to the learner (one reduction), the learner
 * takes the step and broadcasts the new parameters. PPO does this epochs x minibatches
 * times per iteration, A2C once; ppo-kl like PPO with an adaptive KL penalty. TRPO and
 * NPG take one natural-gradient policy step per iteration (trpo.h), then fit the value
 * network by minibatch steps. They run in synchronous mode only.
 */
#ifndef MPIRL_TRAIN_H
#define MPIRL_TRAIN_H

#include "config.h"
#include "env.h"

/* Train as configured, writing into the existing directory `dir` (metrics.csv,
 * checkpoints). With resume not NULL, continue from that checkpoint (metrics.csv keeps
 * its rows up to the checkpoint's iteration). SIGINT or SIGTERM at any rank ends the
 * run after the current update with a checkpoint, and every rank returns 0. Returns 0
 * on success, 2 if the checkpoint does not fit this run (message printed by rank 0), 1
 * for a runtime failure (message printed by the rank that saw it). */
int train_run(const Config *cfg, const EnvSpec *spec, const char *dir, const char *resume);

#endif
