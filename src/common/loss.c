/* loss.c - policy, value and entropy losses with their gradients (see loss.h).
 *
 * Gradient flow: d loss / d logp_i and d loss / d H_i are formed per sample, mapped to
 * the distribution parameters by dist_*_backward, then to the policy weights by one
 * mlp_backward; the value loss goes through the value network's own backward.
 *
 * PPO clip (per sample, r the ratio, c = clip(r, 1-eps, 1+eps_hi)):
 *   term = max(-A r, -A c); d term / d r = -A when the unclipped branch is active
 *   (always the case inside the clip range, where c = r), 0 otherwise; and
 *   d r / d logp = r.
 * Clipped value loss: vc = old_V + clip(V - old_V, -k, k),
 *   term = 0.5 max((V - R)^2, (vc - R)^2); the clipped branch passes no gradient when
 *   V - old_V is outside [-k, k].
 */
#include "loss.h"

#include <math.h>
#include <string.h>

#include "dist.h"
#include "group.h"

void loss_advantage_moments(const float *adv, int n, double *mean, double *sd)
{
    double m = 0.0, ss = 0.0;
    for (int i = 0; i < n; i++)
        m += adv[i];
    m /= n;
    for (int i = 0; i < n; i++)
        ss += ((double)adv[i] - m) * ((double)adv[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
}

/* A (n) -> out (n), normalised to zero mean and unit (Bessel) std if asked. */
static void advantages(double *out, const float *adv, int n, int normalize)
{
    if (!normalize) {
        for (int i = 0; i < n; i++)
            out[i] = adv[i];
        return;
    }
    double mean, sd;
    loss_advantage_moments(adv, n, &mean, &sd);
    for (int i = 0; i < n; i++)
        out[i] = ((double)adv[i] - mean) / (sd + 1e-8);
}

/* Policy part: fills st's policy fields and, if grad, adds the policy gradient. */
static void policy_loss(float *grad, LossStats *st, ModelWork *w, const Model *m,
                        const float *params, const Batch *b, const LossConfig *cfg)
{
    const int n = b->n, k = m->dist.n;
    const double inv_n = 1.0 / n;
    const float *pout = model_policy(w, m, params, b->obs, n);
    const float *logstd = model_logstd(m, params);
    float *logp = w->logp, *g_logp = w->g_logp, *gp = w->g_out, *ent = w->ent, *g_aux = w->g_aux;
    double *a = w->adv;
    float *glogstd = grad && logstd ? grad + m->logstd_off : NULL;

    dist_logp(logp, &m->dist, pout, logstd, b->act, n);
    dist_entropy(ent, &m->dist, pout, logstd, n);
    advantages(a, b->adv, n, cfg->norm_adv);

    double pi = 0.0, akl = 0.0, clipped = 0.0, h = 0.0, k3_sum = 0.0;
    const double eps_hi = cfg->clip_high > 0.0 ? cfg->clip_high : cfg->clip_eps;
    for (int i = 0; i < n; i++) {
        double dlogp, term;
        double lr = b->old_logp ? (double)logp[i] - b->old_logp[i] : 0.0;
        double r = exp(lr);
        switch (cfg->kind) {
        case LOSS_PPO_CLIP:
        case LOSS_GRPO: {
            double lo = 1.0 - cfg->clip_eps, hi = 1.0 + eps_hi;
            double c = r < lo ? lo : (r > hi ? hi : r);
            double u = -a[i] * r, v = -a[i] * c;
            term = u > v ? u : v;
            dlogp = (u >= v ? -a[i] : 0.0) * r;
            clipped += r - 1.0 > eps_hi || r - 1.0 < -cfg->clip_eps;
            break;
        }
        case LOSS_PG:
            term = -(double)logp[i] * a[i];
            dlogp = -a[i];
            break;
        default: /* LOSS_SURROGATE, LOSS_KL_PENALTY */
            term = -r * a[i];
            dlogp = -a[i] * r;
            break;
        }
        if (cfg->kind == LOSS_GRPO && b->ref_logp) {
            double dk3;
            const double k3 = group_k3(logp[i], b->ref_logp[i], &dk3);
            k3_sum += k3;
            term += cfg->kl_beta * k3;
            dlogp += cfg->kl_beta * dk3;
        }
        pi += term;
        akl += (r - 1.0) - lr;
        h += ent[i];
        g_logp[i] = (float)(dlogp * inv_n);
    }
    st->pi_loss = pi * inv_n;
    st->approx_kl = b->old_logp ? akl * inv_n : 0.0;
    st->clip_frac = cfg->kind == LOSS_PPO_CLIP || cfg->kind == LOSS_GRPO ? clipped * inv_n : 0.0;
    st->entropy = h * inv_n;
    st->kl = cfg->kind == LOSS_GRPO ? k3_sum * inv_n : 0.0;

    if (cfg->kind == LOSS_KL_PENALTY) {
        float *kl = g_aux;
        dist_kl(kl, &m->dist, b->old_p, b->old_logstd, pout, logstd, n);
        double s = 0.0;
        for (int i = 0; i < n; i++)
            s += kl[i];
        st->kl = s * inv_n;
        st->pi_loss += cfg->kl_beta * st->kl;
    }
    if (!grad)
        return;

    memset(gp, 0, (size_t)n * (size_t)k * sizeof *gp);
    dist_logp_backward(gp, glogstd, &m->dist, pout, logstd, b->act, g_logp, n);
    if (cfg->ent_coef != 0.0) {
        for (int i = 0; i < n; i++)
            g_aux[i] = (float)(-cfg->ent_coef * inv_n);
        dist_entropy_backward(gp, glogstd, &m->dist, pout, logstd, g_aux, n);
    }
    if (cfg->kind == LOSS_KL_PENALTY && cfg->kl_beta != 0.0) {
        for (int i = 0; i < n; i++)
            g_aux[i] = (float)(cfg->kl_beta * inv_n);
        dist_kl_backward(NULL, NULL, gp, glogstd, &m->dist, b->old_p, b->old_logstd, pout, logstd,
                         g_aux, n);
    }
    mlp_backward(grad, NULL, &m->pi, params, w->pi, gp);
}

double loss_value_sum(float *grad, ModelWork *w, const Model *m, const float *params,
                      const Batch *b, double vf_clip, double coef, double div)
{
    const int n = b->n;
    const float *v = model_value(w, m, params, b->obs, n);
    float *gv = w->g_value;
    double s = 0.0;
    for (int i = 0; i < n; i++) {
        double e = (double)v[i] - b->ret[i], g = e;
        double term = e * e;
        if (vf_clip > 0.0) {
            double dv = (double)v[i] - b->old_val[i];
            int inside = dv >= -vf_clip && dv <= vf_clip;
            double vc = b->old_val[i] + (inside ? dv : (dv < 0 ? -vf_clip : vf_clip));
            double ec = vc - b->ret[i];
            if (ec * ec > term) {
                term = ec * ec;
                g = inside ? ec : 0.0;
            }
        }
        s += term;
        gv[i] = (float)(coef * g / div); /* d(0.5 coef sum(e^2) / div) / dV */
    }
    if (grad && coef != 0.0)
        mlp_backward(grad, NULL, &m->vf, params, w->vf, gv);
    return s;
}

int loss_compute(float *grad, LossStats *st, ModelWork *w, const Model *m, const float *params,
                 const Batch *b, const LossConfig *cfg)
{
    memset(st, 0, sizeof *st);
    if (b->n <= 0 || b->n > w->max_batch)
        return -1;
    policy_loss(grad, st, w, m, params, b, cfg);
    st->v_loss =
        b->ret
            ? 0.5 * loss_value_sum(grad, w, m, params, b, cfg->vf_clip, cfg->vf_coef, b->n) / b->n
            : 0.0;
    st->loss = st->pi_loss + cfg->vf_coef * st->v_loss - cfg->ent_coef * st->entropy;
    return isfinite(st->loss) ? 0 : -1;
}

double loss_kl_beta_update(double beta, double kl, double target)
{
    if (kl < target / 1.5)
        return beta / 2.0;
    if (kl > target * 1.5)
        return beta * 2.0;
    return beta;
}
