/* trainer.h - the training loop's private state, shared by train.c (the loops) and
 * train_ckpt.c (checkpoints). Not part of the library's interface.
 */
#ifndef MPIRL_TRAINER_H
#define MPIRL_TRAINER_H

#include <stdint.h>

#include "config.h"
#include "env.h"
#include "loss.h"
#include "metrics.h"
#include "optim.h"
#include "rollout.h"
#include "rstats.h"

/* extra floats after the gradient in a reduction message */
enum { X_COUNT, X_PI_LOSS, X_V_LOSS, X_ENTROPY, X_APPROX_KL, X_CLIP_FRAC, X_BAD, N_EXTRA };
/* control flag sent after the parameters */
enum { CTRL_CONTINUE = 0, CTRL_STOP_EPOCHS = 1, CTRL_ABORT = 2 };
/* per-actor iteration summary gathered by the learner (doubles) */
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
    N_SUMMARY
};

#define STREAM_POLICY  0xffffffffu
#define STREAM_SHUFFLE 0xfffffffeu
#define STREAM_INIT    0xfffffffdu

typedef struct {
    const Config *cfg;
    const char *dir; /* run directory */
    const EnvSpec *spec;
    Model m;
    LossConfig loss;
    int rank, size, is_learner, is_actor, n_actors;
    int epochs, minibatches;
    double lambda;       /* GAE lambda of the rollouts (1 for REINFORCE) */
    long np;             /* parameters */
    float *pbuf;         /* (np + 1) parameters, then the control flag */
    float *msg;          /* (np + N_EXTRA) reduction message */
    int stats_len;       /* doubles in a running-statistics buffer */
    RunningStats global; /* normaliser statistics, owned by the learner, copied to all */
    ObsNorm norm;
    double *summary;  /* (N_SUMMARY + 2 * METRICS_WINDOW) this actor's iteration summary */
    double *gathered; /* learner: (size, summary length) and (size, stats_len) */
    /* actor */
    VecEnv venv;
    Rollout ro;
    ModelWork *w;
    Rng rng_policy, rng_shuffle;
    RunningStats raw;
    int32_t *perm;
    float *mb_obs, *mb_act, *mb_adv, *mb_ret, *mb_logp, *mb_val, *mb_p;
    /* learner */
    Adam adam;
    Metrics mt;
    int64_t *stale_count;    /* async: gradients received per staleness since the last row */
    int stale_cap;           /* entries of stale_count */
    int64_t steps0;          /* environment steps before this process started (resume) */
    int64_t last_checkpoint; /* iteration of the newest checkpoint written (0: none) */
} Trainer;

/* Write DIR/checkpoint.bin (and the numbered copies) after `iteration` iterations. In
 * the synchronous form every rank calls it (the actors' environments, generators and
 * episode sums are gathered, so that a resumed run continues bit for bit); in the
 * asynchronous form only the learner calls it and saves its own state. Returns 0, or
 * -1 (message printed by the rank that failed; the previous checkpoint is intact). */
int trainer_checkpoint(Trainer *t, int64_t iteration, int64_t env_steps, int64_t version, int sync);

/* Restore from the checkpoint at path (read and validated by the learner, then sent
 * to the actors); every rank calls it after trainer_init. Writes the iteration, step
 * and version counters to resume from. Returns 0, 2 if the checkpoint does not fit
 * this run (message printed by rank 0), -1 on an MPI failure. */
int trainer_restore(Trainer *t, const char *path, int64_t *iteration, int64_t *env_steps,
                    int64_t *version);

#endif
