/* trainer.h - the training loop's private state, shared by train.c (the loops) and
 * train_ckpt.c (checkpoints). Not part of the library's interface.
 */
#ifndef MPIRL_TRAINER_H
#define MPIRL_TRAINER_H

#include <stdint.h>

#include "algo.h"
#include "config.h"
#include "env.h"
#include "loss.h"
#include "metrics.h"
#include "msg.h"
#include "optim.h"
#include "rollout.h"
#include "rstats.h"
#include "trpo.h"

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
    const Algo *algo;        /* the algorithm's row (algo.h) */
    ModeId mode;             /* as run: one rank runs an async configuration in sync */
    int natural;             /* algo has ALGO_NATURAL: natural-gradient policy step, then a
                                value fit */
    int adaptive_kl;         /* algo has ALGO_ADAPTIVE_KL */
    int epochs, minibatches; /* of the minibatch loop (the value fit for trpo, npg) */
    long npol;               /* policy parameters: the prefix of pbuf */
    double kl_beta;          /* ppo-kl: the KL coefficient of the current iteration */
    Trpo trpo;               /* trpo, npg: requests and answers of the policy step */
    double tm[N_TIMER];      /* actor: compute seconds per phase since the last summary */
    double learner_cg_s;     /* learner: its own CG arithmetic in the current iteration */
    double lambda;           /* GAE lambda of the rollouts (1 for REINFORCE) */
    long np;                 /* parameters */
    float *pbuf;             /* (np + 1) parameters, then the control flag */
    float *msg;              /* (np + N_EXTRA) reduction message */
    int stats_len;           /* doubles of the normaliser statistics: observations', then the
                                discounted return's (train.c's norm_pack) */
    RunningStats global;     /* observation statistics, owned by the learner, copied to all */
    RunningStats ret_global; /* discounted-return statistics (dim 1), likewise */
    double *nbuf;            /* (stats_len) both packed, for messages */
    ObsNorm norm;
    double *summary;  /* (N_SUMMARY + 2 * METRICS_WINDOW) this actor's iteration summary */
    double *gathered; /* learner: (size, summary length) and (size, stats_len) */
    /* actor */
    VecEnv venv;
    Rollout ro;
    ModelWork *w;
    Rng rng_policy, rng_shuffle;
    RunningStats raw;     /* this iteration's raw observations */
    RunningStats ret_raw; /* this iteration's discounted returns */
    RewardNorm rn;        /* reward normalisation: per-environment returns, frozen scale */
    int32_t *perm;
    float *mb_obs, *mb_act, *mb_adv, *mb_ret, *mb_logp, *mb_val, *mb_p;
    float *adv_n;   /* trpo, npg: (T * E) advantages normalised over the actor's batch */
    float *fvp_obs; /* trpo, npg: (fvp rows, obs_dim) the Fisher subsample */
    /* learner */
    Adam adam;
    Metrics mt;
    int64_t *stale_count;    /* async learner: (STALENESS_BINS) gradients received per
                                staleness since the last row */
    int64_t steps0;          /* environment steps before this process started (resume) */
    int64_t last_checkpoint; /* iteration of the newest checkpoint written (0: none) */
} Trainer;

/* The normaliser statistics obs and ret as one flat buffer of t->stats_len doubles
 * (out), and back into t->global and t->ret_global (train.c). */
void norm_pack(const Trainer *t, const RunningStats *obs, const RunningStats *ret, double *out);
void norm_unpack(Trainer *t, const double *in);

/* An actor's normalisers from t->global and t->ret_global: the observation normaliser
 * (if norm_obs) and the reward scale 1 / sqrt(Var[G] + 1e-8). */
void norm_refresh(Trainer *t);

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
