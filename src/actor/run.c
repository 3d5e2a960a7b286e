/* run.c - the state every rank of a training run holds (see run.h). */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "fault.h"
#include "group.h"
#include "optim.h"
#include "policy.h"

/* the algorithm's row and the mode as run, then the loss and the minibatch loop */
static void loss_from_config(Run *r)
{
    const Config *c = r->cfg;
    const Algo *a = algo_find(c->algo); /* config_set admits the table's names only */
    r->algo = a;
    r->mode = mode_find(c->mode)->id == MODE_ASYNC && r->size > 1 ? MODE_ASYNC : MODE_SYNC;
    r->running = a->id == ALGO_REINFORCE && strcmp(c->baseline, "running") == 0;
    r->groups = (a->flags & ALGO_GROUPS) != 0 || r->running;
    r->group_size = r->running ? 1 : c->group_size;
    const int rloo_clip = a->id == ALGO_RLOO && c->rloo_clip;
    const int batched = (a->flags & ALGO_MINIBATCHED) != 0 || rloo_clip;
    r->group_kind = a->id == ALGO_RLOO ? GROUP_RLOO : c->grpo_std ? GROUP_GRPO : GROUP_DR_GRPO;
    r->adaptive_kl = (a->flags & ALGO_ADAPTIVE_KL) != 0;
    r->reference = a->id == ALGO_GRPO && c->kl_coef > 0;
    r->natural = (a->flags & ALGO_NATURAL) != 0;
    r->kl_beta = c->kl_beta_init;
    r->loss = (LossConfig){.kind = rloo_clip ? LOSS_PPO_CLIP : a->loss,
                           .clip_eps = c->clip_low > 0 ? c->clip_low : c->clip_eps,
                           .clip_high = c->clip_high > 0 ? c->clip_high : c->clip_eps,
                           .ent_coef = c->ent_coef,
                           .vf_coef = r->groups ? 0.0 : c->vf_coef,
                           .vf_clip = (a->flags & ALGO_VF_CLIP) ? c->vf_clip : 0.0,
                           .kl_beta = r->adaptive_kl       ? r->kl_beta
                                      : a->id == ALGO_GRPO ? c->kl_coef
                                                           : 0.0,
                           .norm_adv = c->norm_adv};
    r->epochs = batched ? c->epochs : 1;
    r->minibatches = batched ? c->minibatches : 1;
    if (r->natural) { /* the minibatch loop fits the value function only */
        r->epochs = c->vf_epochs;
        r->minibatches = c->vf_minibatches;
    }
    /* REINFORCE: Monte-Carlo returns (lambda = 1) against the learned baseline */
    r->lambda = (a->flags & ALGO_MONTE_CARLO) ? 1.0 : c->gae_lambda;
}

int run_init(Run *r, const Config *cfg, const EnvSpec *spec, const char *dir, char *err,
             size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    r->spec = spec;
    r->dir = dir;
    r->rank = comm_rank();
    r->size = comm_size();
    r->is_learner = r->rank == 0;
    r->is_actor = r->size == 1 || r->rank > 0;
    r->n_actors = r->size == 1 ? 1 : r->size - 1;
    if (policy_model_init(&r->m, cfg, spec, err, errlen) != 0)
        return -1;
    loss_from_config(r);
    r->np = (long)r->m.n_params;
    r->npol = (long)r->m.n_policy;
    const int d = spec->obs_dim;
    r->base_len = r->running ? 2 * cfg->rollout : 0;
    r->stats_len = rstats_buf_len(d) + rstats_buf_len(1) + r->base_len;
    r->summary_len = N_SUMMARY + 2 * METRICS_WINDOW + r->stats_len;
    r->pbuf = calloc((size_t)r->np + 1, sizeof(float));
    r->msg = calloc((size_t)r->np + N_EXTRA, sizeof(float));
    r->summary = calloc((size_t)r->summary_len, sizeof(double));
    r->nbuf = calloc((size_t)r->stats_len, sizeof(double));
    r->baseline = calloc((size_t)(r->base_len > 0 ? r->base_len : 1), sizeof(double));
    if (fault_at("trainer-alloc") || !r->pbuf || !r->msg || !r->summary || !r->nbuf ||
        !r->baseline || rstats_init(&r->global, d) != 0 || rstats_init(&r->ret_global, 1) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void run_free(Run *r)
{
    free(r->pbuf);
    free(r->msg);
    free(r->summary);
    free(r->nbuf);
    free(r->baseline);
    r->baseline = NULL;
    rstats_free(&r->global);
    rstats_free(&r->ret_global);
    r->pbuf = r->msg = NULL;
    r->summary = r->nbuf = NULL;
}

/* observations' statistics first (rstats_buf_len(obs_dim)), then the return's */
void run_norm_pack(const Run *r, const RunningStats *obs, const RunningStats *ret,
                   const double *base, double *out)
{
    const int no = rstats_buf_len(r->spec->obs_dim), nr = rstats_buf_len(1);
    memcpy(out, obs->buf, (size_t)no * sizeof(double));
    memcpy(out + no, ret->buf, (size_t)nr * sizeof(double));
    for (int k = 0; k < r->base_len; k++)
        out[no + nr + k] = base ? base[k] : 0.0;
}

void run_norm_unpack(Run *r, const double *in)
{
    const int no = rstats_buf_len(r->spec->obs_dim), nr = rstats_buf_len(1);
    memcpy(r->global.buf, in, (size_t)no * sizeof(double));
    memcpy(r->ret_global.buf, in + no, (size_t)nr * sizeof(double));
    memcpy(r->baseline, in + no + nr, (size_t)r->base_len * sizeof(double));
}

double run_lr_at(const Run *r, double done, double total)
{
    return r->cfg->anneal_lr ? lr_linear(r->cfg->lr, done, total) : r->cfg->lr;
}
