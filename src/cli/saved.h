/* saved.h - a policy as a checkpoint saved it: the run's configuration, its
 * environment, the model and its parameters, the observation normaliser.
 *
 * What `mpirl eval` runs and `mpirl export` writes out. Reading is local to the
 * process (no MPI): under mpirun every rank reads the file itself.
 */
#ifndef MPIRL_SAVED_H
#define MPIRL_SAVED_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt.h"
#include "config.h"
#include "model.h"
#include "registry.h"
#include "rstats.h"

/* The variance floor of the normaliser, y = (x - mean) / sqrt(var + eps), as training
 * uses it. */
#define SAVED_NORM_EPS 1e-8

typedef struct {
    Ckpt *ckpt;
    EnvRegistry *reg;
    const EnvSpec *spec;
    Config cfg;
    Model model;
    float *params;      /* model.n_params */
    RunningStats stats; /* the observation statistics as saved */
    ObsNorm norm;       /* built from them (used when cfg.norm_obs) */
    int64_t iteration;  /* of the checkpoint */
    int64_t env_steps;
} SavedPolicy;

/* Read the checkpoint at path. Returns 0; 2 with a message in err when the file is
 * missing, not a checkpoint, damaged or inconsistent with its own configuration
 * (bad input); 1 when memory runs out. *s is then safe to saved_free. */
int saved_load(SavedPolicy *s, const char *path, char *err, size_t errlen);

/* Free everything; accepts a zeroed or failed SavedPolicy. */
void saved_free(SavedPolicy *s);

/* The normaliser the policy's inputs go through: &s->norm, or NULL when the run did
 * not normalise observations. */
const ObsNorm *saved_norm(const SavedPolicy *s);

#endif
