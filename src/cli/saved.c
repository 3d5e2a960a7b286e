/* saved.c - a policy read from a checkpoint (see saved.h). */
#include "saved.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_check.h"
#include "policy.h"

int saved_load(SavedPolicy *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    config_defaults(&s->cfg);
    if (!(s->ckpt = ckpt_read(path, err, errlen)))
        return 2;
    size_t n = 0;
    const char *text = ckpt_get(s->ckpt, "config", &n);
    char cerr[CONFIG_ERR_LEN];
    if (!text || config_load_text(&s->cfg, text, n, "the checkpoint's config", cerr) != 0) {
        snprintf(err, errlen, "%.200s: %.800s", path,
                 text ? cerr : "no configuration in the checkpoint");
        return 2;
    }
    if (!(s->reg = registry_create())) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    if (!(s->spec = registry_lookup(s->reg, s->cfg.env, err, errlen)) ||
        policy_model_init(&s->model, &s->cfg, s->spec, err, errlen) != 0)
        return 2;
    const int od = s->spec->obs_dim;
    const size_t pbytes = s->model.n_params * sizeof(float);
    const size_t sbytes = sizeof(double) * (size_t)rstats_buf_len(od);
    const void *p = NULL, *st = NULL, *meta = NULL;
    if (!(p = ckpt_get_exact(s->ckpt, "params", pbytes, err, errlen)) ||
        !(st = ckpt_get_exact(s->ckpt, "obs.stats", sbytes, err, errlen)) ||
        !(meta = ckpt_get_exact(s->ckpt, "meta", N_META * sizeof(int64_t), err, errlen)))
        return 2;
    int64_t m[N_META];
    memcpy(m, meta, sizeof m);
    s->iteration = m[M_ITERATION];
    s->env_steps = m[M_ENV_STEPS];
    if (!(s->params = malloc(pbytes)) || rstats_init(&s->stats, od) != 0 ||
        obsnorm_init(&s->norm, od, s->cfg.obs_clip) != 0) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    memcpy(s->params, p, pbytes);
    memcpy(s->stats.buf, st, sbytes);
    obsnorm_set(&s->norm, &s->stats, SAVED_NORM_EPS);
    return 0;
}

void saved_free(SavedPolicy *s)
{
    free(s->params);
    rstats_free(&s->stats);
    obsnorm_free(&s->norm);
    ckpt_destroy(&s->ckpt);
    registry_destroy(&s->reg);
    memset(s, 0, sizeof *s);
}

const ObsNorm *saved_norm(const SavedPolicy *s)
{
    return s->cfg.norm_obs ? &s->norm : NULL;
}
