/* trainer.h - one rank's part of a training run: what every rank holds (run.h), the
 * actor's state (actor.h) if it acts, the learner's (learner.h) if it learns, and the
 * TRPO requests (trpo.h) for trpo and npg. Shared by train.c (set-up and the choice of
 * loop), sync.c, async.c and train_ckpt.c (checkpoints). Not part of the library's
 * interface.
 */
#ifndef MPIRL_TRAINER_H
#define MPIRL_TRAINER_H

#include <stdint.h>

#include "actor.h"
#include "backup.h"
#include "ckpt_check.h"
#include "learner.h"
#include "run.h"
#include "trpo.h"

typedef struct Trainer {
    Run run;
    Actor actor;     /* if run.is_actor */
    Learner learner; /* if run.is_learner */
    Trpo trpo;       /* if run.natural */
    Backup backup;   /* if cfg->backup > 0 (sync) */
} Trainer;

/* Write DIR/checkpoint.bin (and the numbered copies) after `iteration` iterations. In
 * the CKPT_SYNC form every rank calls it (the actors' environments, generators and
 * episode sums are gathered, so that a resumed run continues bit for bit, and every
 * rank learns whether the file was written); in the others only the learner calls it
 * and saves its own state. Returns 0, or -1 (message printed by the rank that failed;
 * the previous checkpoint is intact). */
int trainer_checkpoint(Trainer *t, int64_t iteration, int64_t env_steps, int64_t version,
                       CkptForm form);

/* Restore from the checkpoint at path (read and validated by the learner, then sent
 * to the actors); every rank calls it after set-up. Writes the iteration, step and
 * version counters to resume from. Returns 0, 2 if the checkpoint does not fit this
 * run (message printed by rank 0), -1 on an MPI failure. */
int trainer_restore(Trainer *t, const char *path, int64_t *iteration, int64_t *env_steps,
                    int64_t *version);

#endif
