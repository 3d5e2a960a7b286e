/* policy.c - the model of a run configuration (see policy.h). */
#include "policy.h"

#include <string.h>

int policy_model_init(Model *m, const Config *cfg, const EnvSpec *spec, char *err, size_t errlen)
{
    ModelConfig mc = {0};
    mc.obs_dim = spec->obs_dim;
    mc.dist = spec->act_kind == SPACE_DISCRETE ? DIST_CATEGORICAL : DIST_GAUSSIAN;
    mc.act_n = spec->act_n;
    mc.pi_n_hidden = mc.vf_n_hidden = cfg->n_hidden;
    for (int i = 0; i < cfg->n_hidden; i++)
        mc.pi_hidden[i] = mc.vf_hidden[i] = cfg->hidden[i];
    mc.act = strcmp(cfg->activation, "relu") == 0 ? ACT_RELU : ACT_TANH;
    mc.init_logstd = cfg->init_logstd;
    return model_init(m, &mc, err, errlen);
}
