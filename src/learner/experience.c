/* experience.c - learning from shipped rollouts with V-trace (see experience.h). */
#include "experience.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "loss.h"
#include "vtrace.h"

int experience_init(Experience *x, const Run *r)
{
    memset(x, 0, sizeof *x);
    const Config *c = r->cfg;
    const int d = r->spec->obs_dim, ad = dist_action_dim(&r->m.dist);
    x->T = c->rollout;
    x->E = c->num_envs;
    x->n = x->T * x->E;
    x->l = exp_layout(x->n, x->E, d, ad, r->summary_len);
    const size_t n = (size_t)x->n, mb = (n + (size_t)r->minibatches - 1) / (size_t)r->minibatches;
    x->w = model_work_create(&r->m, x->n);
    x->logp = malloc(n * sizeof(float));
    x->val = malloc(n * sizeof(float));
    x->fval = calloc(n, sizeof(float));
    x->lastv = malloc((size_t)x->E * sizeof(float));
    x->vs = malloc(n * sizeof(float));
    x->adv = malloc(n * sizeof(float));
    x->scratch = malloc(n * (size_t)d * sizeof(float));
    x->perm = malloc(n * sizeof(int32_t));
    x->mb_obs = malloc(mb * (size_t)d * sizeof(float));
    x->mb_act = malloc(mb * (size_t)ad * sizeof(float));
    x->mb_adv = malloc(mb * sizeof(float));
    x->mb_ret = malloc(mb * sizeof(float));
    x->mb_logp = malloc(mb * sizeof(float));
    x->mb_val = malloc(mb * sizeof(float));
    if (!x->w || !x->logp || !x->val || !x->fval || !x->lastv || !x->vs || !x->adv || !x->scratch ||
        !x->perm || !x->mb_obs || !x->mb_act || !x->mb_adv || !x->mb_ret || !x->mb_logp ||
        !x->mb_val)
        return -1;
    for (int i = 0; i < x->n; i++)
        x->perm[i] = i;
    rng_seed(&x->rng, (uint64_t)c->seed, rng_stream_id(0, STREAM_SHUFFLE));
    return 0;
}

void experience_free(Experience *x)
{
    model_work_destroy(&x->w);
    free(x->logp);
    free(x->val);
    free(x->fval);
    free(x->lastv);
    free(x->vs);
    free(x->adv);
    free(x->scratch);
    free(x->perm);
    free(x->mb_obs);
    free(x->mb_act);
    free(x->mb_adv);
    free(x->mb_ret);
    free(x->mb_logp);
    free(x->mb_val);
    memset(x, 0, sizeof *x);
}

#define AT(msg, off, type) ((const type *)((msg) + (off)))

int experience_prepare(Experience *x, const Run *r, const unsigned char *msg)
{
    const Model *m = &r->m;
    const int n = x->n, E = x->E, d = m->obs_dim;
    const float *obs = AT(msg, x->l.obs, float), *act = AT(msg, x->l.act, float);
    const uint8_t *term = AT(msg, x->l.term, uint8_t), *trunc = AT(msg, x->l.trunc, uint8_t);
    const float *logstd = model_logstd(m, r->pbuf);
    const float *pout = model_policy(x->w, m, r->pbuf, obs, n);
    dist_logp(x->logp, &m->dist, pout, logstd, act, n);
    memcpy(x->val, model_value(x->w, m, r->pbuf, obs, n), (size_t)n * sizeof(float));
    /* V(final observation) of the rows a time limit cut, in one batch */
    const float *final_obs = AT(msg, x->l.final_obs, float);
    int cut = 0;
    for (int i = 0; i < n; i++)
        if (trunc[i] && !term[i])
            memcpy(x->scratch + (size_t)cut++ * d, final_obs + (size_t)i * d,
                   (size_t)d * sizeof(float));
    if (cut > 0) {
        const float *fv = model_value(x->w, m, r->pbuf, x->scratch, cut);
        for (int i = 0, k = 0; i < n; i++)
            x->fval[i] = trunc[i] && !term[i] ? fv[k++] : 0.0f;
    }
    memcpy(x->lastv, model_value(x->w, m, r->pbuf, AT(msg, x->l.last_obs, float), E),
           (size_t)E * sizeof(float));
    const Config *c = r->cfg;
    const int appo = r->loss.kind == LOSS_PPO_CLIP; /* its ratio weighs the advantage */
    const VtraceConfig vc = {.gamma = c->gamma,
                             .lambda = r->lambda,
                             .rho_bar = c->vtrace_rho_bar,
                             .c_bar = c->vtrace_c_bar,
                             .pg_rho_bar = appo ? 0.0 : c->vtrace_rho_bar};
    vtrace_compute(x->vs, x->adv, x->logp, AT(msg, x->l.logp, float), AT(msg, x->l.rew, float),
                   x->val, x->fval, x->lastv, term, trunc, x->T, E, &vc);
    for (int i = 0; i < n; i++)
        if (!isfinite(x->vs[i]) || !isfinite(x->adv[i]))
            return -1;
    return 0;
}

int experience_gradient(Experience *x, const Run *r, const unsigned char *msg, int mb)
{
    const Model *m = &r->m;
    const int n = x->n, d = m->obs_dim, ad = dist_action_dim(&m->dist);
    if (mb == 0)
        rng_shuffle(&x->rng, x->perm, n);
    const int lo = (int)((long)mb * n / r->minibatches);
    const int hi = (int)((long)(mb + 1) * n / r->minibatches);
    const float *obs = AT(msg, x->l.obs, float), *act = AT(msg, x->l.act, float);
    const float *logp_mu = AT(msg, x->l.logp, float), *val_mu = AT(msg, x->l.val, float);
    for (int k = lo; k < hi; k++) {
        const int i = x->perm[k], j = k - lo;
        memcpy(x->mb_obs + (size_t)j * d, obs + (size_t)i * d, (size_t)d * sizeof(float));
        memcpy(x->mb_act + (size_t)j * ad, act + (size_t)i * ad, (size_t)ad * sizeof(float));
        x->mb_adv[j] = x->adv[i];
        x->mb_ret[j] = x->vs[i];
        x->mb_logp[j] = logp_mu[i];
        x->mb_val[j] = val_mu[i];
    }
    const Batch b = {.n = hi - lo,
                     .obs = x->mb_obs,
                     .act = x->mb_act,
                     .adv = x->mb_adv,
                     .ret = x->mb_ret,
                     .old_logp = x->mb_logp,
                     .old_val = x->mb_val};
    memset(r->msg, 0, ((size_t)r->np + N_EXTRA) * sizeof(float));
    LossStats st;
    const int bad = loss_compute(r->msg, &st, x->w, m, r->pbuf, &b, &r->loss) != 0;
    const double cnt = b.n;
    float *e = r->msg + r->np;
    e[X_COUNT] = (float)cnt;
    e[X_PI_LOSS] = (float)(st.pi_loss * cnt);
    e[X_V_LOSS] = (float)(st.v_loss * cnt);
    e[X_ENTROPY] = (float)(st.entropy * cnt);
    e[X_APPROX_KL] = (float)(st.approx_kl * cnt);
    e[X_CLIP_FRAC] = (float)(st.clip_frac * cnt);
    e[X_BAD] = bad ? 1.0f : 0.0f;
    return bad ? -1 : 0;
}
