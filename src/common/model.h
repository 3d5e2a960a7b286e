/* model.h - an actor-critic model: policy MLP, optional log-std, value MLP, all in one
 * flat float buffer.
 *
 * Layout: the policy network's layers, then (Gaussian only) the log-std vector, then
 * the value network's layers. The policy parameters are therefore the prefix
 * [0, n_policy) of the buffer, which is what TRPO's conjugate gradient works on.
 */
#ifndef MPIRL_MODEL_H
#define MPIRL_MODEL_H

#include <stddef.h>

#include "dist.h"
#include "mlp.h"
#include "params.h"
#include "rng.h"

typedef struct {
    int obs_dim;
    DistKind dist;
    int act_n; /* actions (categorical) or action dimension */
    int pi_hidden[MLP_MAX_LAYERS - 1];
    int pi_n_hidden;
    int vf_hidden[MLP_MAX_LAYERS - 1];
    int vf_n_hidden;
    Activation act;
    double init_logstd; /* Gaussian only */
} ModelConfig;

typedef struct {
    int obs_dim;
    Dist dist;
    Mlp pi;            /* obs -> distribution parameters */
    Mlp vf;            /* obs -> value (1 output) */
    size_t logstd_off; /* Gaussian only */
    size_t n_policy;   /* policy parameters are [0, n_policy) */
    size_t n_params;
    ParamTable table;
    double init_logstd;
} Model;

/* Per-batch workspace of a model: network caches and per-sample buffers. */
typedef struct {
    int max_batch;
    MlpCache *pi;
    MlpCache *vf;
    /* per-sample scratch, (max_batch, max(n, 1)) floats each (n: the distribution's
     * parameters per sample); fvp.c reuses g_out and g_aux for J v and M J v */
    float *logp;    /* log-probabilities of the batch's actions */
    float *g_logp;  /* d loss / d logp */
    float *g_out;   /* d loss / d policy output */
    float *ent;     /* entropies */
    float *g_aux;   /* the distribution's other gradient terms */
    float *g_value; /* d loss / d value */
    double *adv;    /* (max_batch) the advantages as the loss uses them */
} ModelWork;

/* Build the model described by cfg. Returns 0, or -1 with a message in err (which
 * names the offending field and its valid range) if cfg is invalid. */
int model_init(Model *m, const ModelConfig *cfg, char *err, size_t errlen);

/* Initialise params (m->n_params floats): orthogonal weights with gains sqrt(2) for
 * hidden layers, 0.01 for the policy head, 1 for the value head; zero biases;
 * log-std = init_logstd. Returns 0, or -1 if LAPACK fails. */
int model_init_params(const Model *m, float *params, Rng *rng);

/* Workspace for batches of up to max_batch samples; NULL on allocation failure. */
ModelWork *model_work_create(const Model *m, int max_batch);

/* Free a workspace and set *w to NULL; accepts NULL. */
void model_work_destroy(ModelWork **w);

/* Policy forward of obs (batch, obs_dim): returns the distribution parameters
 * (batch, dist.n), owned by w. */
const float *model_policy(ModelWork *w, const Model *m, const float *params, const float *obs,
                          int batch);

/* Value forward: returns values (batch), owned by w. */
const float *model_value(ModelWork *w, const Model *m, const float *params, const float *obs,
                         int batch);

/* The log-std vector inside params (NULL for a categorical policy). */
const float *model_logstd(const Model *m, const float *params);

#endif
