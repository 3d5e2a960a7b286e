/* ckpt_check.h - the learner's verdict on a checkpoint before anything in it is used:
 * that it fits this run (environment, model size, rank layout) and that every value
 * is in its range (a file with a valid checksum may still have been made by hand).
 * Free of MPI and of the trainer's state, so that the fuzz harness
 * (tests/fuzz/fuzz_ckpt_values.c) runs the same checks trainer_restore runs.
 */
#ifndef MPIRL_CKPT_CHECK_H
#define MPIRL_CKPT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt.h"

/* The int64 slots of the "meta" section (train_ckpt.c lists every section). */
enum {
    M_FORM,
    M_ITERATION,
    M_ENV_STEPS,
    M_VERSION,
    M_EPISODES,
    M_ACTORS,
    M_NUM_ENVS,
    M_PARAMS,
    M_OBS_DIM,
    M_ADAM_T,
    N_META
};

/* What a checkpoint holds (its meta section says which). */
typedef enum {
    CKPT_SYNC = 0,   /* a sync run: the learner's state and every actor's */
    CKPT_ASYNC = 1,  /* an async run: the learner's state (actors start afresh) */
    CKPT_LEARNER = 2 /* a sync run whose actors were lost: the learner's state alone */
} CkptForm;

/* What the resuming run is. */
typedef struct {
    const char *env; /* environment id */
    long np;         /* parameters */
    int obs_dim;
    int sync;     /* sync mode: the actor layout must match */
    int n_actors; /* actors of this run */
    int num_envs; /* environments per actor */
} CkptShape;

/* The checked sections, pointing into the Ckpt (unaligned: read them with memcpy).
 * ret and beta are NULL when the checkpoint predates them. */
typedef struct {
    const int64_t *meta;
    const void *params, *adam_m, *adam_v; /* float[np] */
    const void *stats;                    /* double[1 + 2 obs_dim] */
    const void *ret;                      /* double[3], or NULL */
    const void *window;                   /* double[2 + 2 METRICS_WINDOW] */
    const void *beta;                     /* double, or NULL */
} CkptView;

/* Check c against s and fill v. Returns 0, or -1 with a one-line message in err (the
 * section or value that is wrong, and what this run needs). */
int ckpt_check(const Ckpt *c, const CkptShape *s, CkptView *v, char *err, size_t len);

/* The double at index i of unaligned data p (likewise the float). */
double ckpt_double_at(const void *p, size_t i);
float ckpt_float_at(const void *p, size_t i);

#endif
