/* model.c - actor-critic model over one flat parameter buffer (see model.h).
 *
 * Initialisation follows the convention of the PPO implementations the results are
 * compared with (Engstrom et al. 2020, "Implementation Matters"): orthogonal weights,
 * gain sqrt(2) on hidden layers, 0.01 on the policy head, 1 on the value head, zero
 * biases.
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int model_init(Model *m, const ModelConfig *cfg, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    if (cfg->obs_dim <= 0) {
        snprintf(err, errlen, "observation size %d: must be at least 1", cfg->obs_dim);
        return -1;
    }
    if (cfg->dist != DIST_CATEGORICAL && cfg->dist != DIST_GAUSSIAN) {
        snprintf(err, errlen, "distribution %d: valid are categorical, gaussian", (int)cfg->dist);
        return -1;
    }
    if (cfg->act_n <= 0 || (cfg->dist == DIST_CATEGORICAL && cfg->act_n < 2)) {
        snprintf(err, errlen, "action count %d: must be at least %d", cfg->act_n,
                 cfg->dist == DIST_CATEGORICAL ? 2 : 1);
        return -1;
    }
    if (cfg->act != ACT_TANH && cfg->act != ACT_RELU) {
        snprintf(err, errlen, "activation %d: valid are tanh, relu", (int)cfg->act);
        return -1;
    }
    const int max_hidden = MLP_MAX_LAYERS - 1;
    const int nh[2] = {cfg->pi_n_hidden, cfg->vf_n_hidden};
    const int *hs[2] = {cfg->pi_hidden, cfg->vf_hidden};
    const char *names[2] = {"policy", "value"};
    for (int k = 0; k < 2; k++) {
        if (nh[k] < 0 || nh[k] > max_hidden) {
            snprintf(err, errlen, "%s network: %d hidden layers, valid range 0..%d", names[k],
                     nh[k], max_hidden);
            return -1;
        }
        for (int l = 0; l < nh[k]; l++) {
            if (hs[k][l] < 1 || hs[k][l] > 65536) {
                snprintf(err, errlen, "%s network: hidden layer %d has width %d, valid 1..65536",
                         names[k], l, hs[k][l]);
                return -1;
            }
        }
    }
    m->obs_dim = cfg->obs_dim;
    m->dist.kind = cfg->dist;
    m->dist.n = cfg->act_n;
    m->init_logstd = cfg->init_logstd;
    params_init(&m->table);
    if (mlp_init(&m->pi, &m->table, "pi", cfg->obs_dim, cfg->pi_hidden, cfg->pi_n_hidden,
                 cfg->act_n, cfg->act) != 0) {
        snprintf(err, errlen, "policy network does not fit the parameter table");
        return -1;
    }
    if (cfg->dist == DIST_GAUSSIAN)
        m->logstd_off = params_add(&m->table, "logstd", cfg->act_n, 1);
    m->n_policy = m->table.total;
    if (mlp_init(&m->vf, &m->table, "vf", cfg->obs_dim, cfg->vf_hidden, cfg->vf_n_hidden, 1,
                 cfg->act) != 0 ||
        m->logstd_off == (size_t)-1) {
        snprintf(err, errlen, "value network does not fit the parameter table");
        return -1;
    }
    m->n_params = m->table.total;
    return 0;
}

int model_init_params(const Model *m, float *params, Rng *rng)
{
    if (mlp_init_orthogonal(&m->pi, params, sqrt(2.0), 0.01, rng) != 0 ||
        mlp_init_orthogonal(&m->vf, params, sqrt(2.0), 1.0, rng) != 0)
        return -1;
    if (m->dist.kind == DIST_GAUSSIAN)
        for (int j = 0; j < m->dist.n; j++)
            params[m->logstd_off + (size_t)j] = (float)m->init_logstd;
    return 0;
}

ModelWork *model_work_create(const Model *m, int max_batch)
{
    if (max_batch <= 0)
        return NULL;
    ModelWork *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->max_batch = max_batch;
    w->pi = mlp_cache_create(&m->pi, max_batch);
    w->vf = mlp_cache_create(&m->vf, max_batch);
    size_t per = (size_t)max_batch * (size_t)(m->dist.n > 1 ? m->dist.n : 1);
    float **scratch[] = {&w->logp, &w->g_logp, &w->g_out, &w->ent, &w->g_aux, &w->g_value};
    int ok = w->pi && w->vf;
    for (size_t k = 0; k < sizeof scratch / sizeof scratch[0]; k++)
        ok = ok && (*scratch[k] = calloc(per, sizeof(float))) != NULL;
    ok = ok && (w->adv = calloc((size_t)max_batch, sizeof(double))) != NULL;
    if (!ok)
        model_work_destroy(&w);
    return w;
}

void model_work_destroy(ModelWork **w)
{
    if (!w || !*w)
        return;
    mlp_cache_destroy(&(*w)->pi);
    mlp_cache_destroy(&(*w)->vf);
    free((*w)->logp);
    free((*w)->g_logp);
    free((*w)->g_out);
    free((*w)->ent);
    free((*w)->g_aux);
    free((*w)->g_value);
    free((*w)->adv);
    free(*w);
    *w = NULL;
}

const float *model_policy(ModelWork *w, const Model *m, const float *params, const float *obs,
                          int batch)
{
    return mlp_forward(w->pi, &m->pi, params, obs, batch);
}

const float *model_value(ModelWork *w, const Model *m, const float *params, const float *obs,
                         int batch)
{
    return mlp_forward(w->vf, &m->vf, params, obs, batch);
}

const float *model_logstd(const Model *m, const float *params)
{
    return m->dist.kind == DIST_GAUSSIAN ? params + m->logstd_off : NULL;
}
