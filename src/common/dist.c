/* dist.c - categorical and diagonal-Gaussian action distributions (see dist.h).
 *
 * Categorical over logits z (n): log p_j = z_j - logsumexp(z),
 *   d log p_a / dz_j = [j = a] - p_j,  H = lse - sum_j p_j z_j,
 *   dH/dz_j = -p_j (log p_j + H),
 *   KL(p || q) = sum_j p_j (log p_j - log q_j),
 *   dKL/dz^q_j = q_j - p_j,  dKL/dz^p_j = p_j (log p_j - log q_j - KL),
 *   Fisher in logit space M = diag(p) - p p^T.
 * Gaussian with mean mu (n) and log-std s (n), sigma = exp(s):
 *   log pi(a) = sum_j -0.5 ((a_j - mu_j)/sigma_j)^2 - s_j - 0.5 log(2 pi),
 *   H = sum_j s_j + 0.5 (1 + log(2 pi)),
 *   KL(0 || 1) = sum_j s1 - s0 + (sigma0^2 + (mu0 - mu1)^2) / (2 sigma1^2) - 0.5,
 *   Fisher: 1/sigma^2 for each mean, 2 for each log-std.
 * Every per-sample quantity is computed in double from the float inputs.
 */
#include "dist.h"

#include <math.h>

#define LOG_2PI 1.8378770664093454835606594728112

int dist_action_dim(const Dist *d)
{
    return d->kind == DIST_CATEGORICAL ? 1 : d->n;
}

/* log-sum-exp of z (n), in double */
static double logsumexp(const float *z, int n)
{
    double m = z[0];
    for (int j = 1; j < n; j++)
        if (z[j] > m)
            m = z[j];
    double s = 0.0;
    for (int j = 0; j < n; j++)
        s += exp((double)z[j] - m);
    return m + log(s);
}

/* Categorical action index of a stored action, or -1 if it is not a valid index. */
static int cat_index(float a, int n)
{
    if (!(a >= 0.0f) || a >= (float)n || a != floorf(a))
        return -1;
    return (int)a;
}

void dist_logp(float *logp, const Dist *d, const float *p, const float *logstd, const float *act,
               int batch)
{
    int n = d->n;
    for (int i = 0; i < batch; i++) {
        const float *z = p + (long)i * n;
        if (d->kind == DIST_CATEGORICAL) {
            int a = cat_index(act[i], n);
            logp[i] = a < 0 ? NAN : (float)((double)z[a] - logsumexp(z, n));
        } else {
            const float *a = act + (long)i * n;
            double s = 0.0;
            for (int j = 0; j < n; j++) {
                double u = ((double)a[j] - z[j]) * exp(-(double)logstd[j]);
                s += -0.5 * u * u - logstd[j] - 0.5 * LOG_2PI;
            }
            logp[i] = (float)s;
        }
    }
}

void dist_logp_backward(float *gp, float *glogstd, const Dist *d, const float *p,
                        const float *logstd, const float *act, const float *g, int batch)
{
    int n = d->n;
    for (int i = 0; i < batch; i++) {
        const float *z = p + (long)i * n;
        double gi = g[i];
        if (d->kind == DIST_CATEGORICAL) {
            if (!gp)
                continue;
            int a = cat_index(act[i], n);
            double lse = logsumexp(z, n);
            for (int j = 0; j < n; j++) {
                double pj = exp((double)z[j] - lse);
                gp[(long)i * n + j] += (float)(gi * ((j == a ? 1.0 : 0.0) - pj));
            }
        } else {
            const float *a = act + (long)i * n;
            for (int j = 0; j < n; j++) {
                double inv_var = exp(-2.0 * (double)logstd[j]);
                double diff = (double)a[j] - z[j];
                if (gp)
                    gp[(long)i * n + j] += (float)(gi * diff * inv_var);
                if (glogstd)
                    glogstd[j] += (float)(gi * (diff * diff * inv_var - 1.0));
            }
        }
    }
}

void dist_entropy(float *ent, const Dist *d, const float *p, const float *logstd, int batch)
{
    int n = d->n;
    if (d->kind == DIST_GAUSSIAN) {
        double h = 0.0;
        for (int j = 0; j < n; j++)
            h += logstd[j] + 0.5 * (1.0 + LOG_2PI);
        for (int i = 0; i < batch; i++)
            ent[i] = (float)h;
        return;
    }
    for (int i = 0; i < batch; i++) {
        const float *z = p + (long)i * n;
        double lse = logsumexp(z, n), pz = 0.0;
        for (int j = 0; j < n; j++)
            pz += exp((double)z[j] - lse) * z[j];
        ent[i] = (float)(lse - pz);
    }
}

void dist_entropy_backward(float *gp, float *glogstd, const Dist *d, const float *p,
                           const float *logstd, const float *g, int batch)
{
    int n = d->n;
    (void)logstd;
    if (d->kind == DIST_GAUSSIAN) {
        double gs = 0.0;
        for (int i = 0; i < batch; i++)
            gs += g[i];
        if (glogstd)
            for (int j = 0; j < n; j++)
                glogstd[j] += (float)gs;
        return;
    }
    if (!gp)
        return;
    for (int i = 0; i < batch; i++) {
        const float *z = p + (long)i * n;
        double lse = logsumexp(z, n), pz = 0.0;
        for (int j = 0; j < n; j++)
            pz += exp((double)z[j] - lse) * z[j];
        double h = lse - pz;
        for (int j = 0; j < n; j++) {
            double lpj = (double)z[j] - lse;
            gp[(long)i * n + j] += (float)(-(double)g[i] * exp(lpj) * (lpj + h));
        }
    }
}

void dist_kl(float *kl, const Dist *d, const float *p0, const float *logstd0, const float *p1,
             const float *logstd1, int batch)
{
    int n = d->n;
    for (int i = 0; i < batch; i++) {
        const float *z0 = p0 + (long)i * n, *z1 = p1 + (long)i * n;
        double s = 0.0;
        if (d->kind == DIST_CATEGORICAL) {
            double lse0 = logsumexp(z0, n), lse1 = logsumexp(z1, n);
            for (int j = 0; j < n; j++) {
                double l0 = (double)z0[j] - lse0, l1 = (double)z1[j] - lse1;
                s += exp(l0) * (l0 - l1);
            }
        } else {
            for (int j = 0; j < n; j++) {
                double s0 = logstd0[j], s1 = logstd1[j], dm = (double)z0[j] - z1[j];
                s += s1 - s0 + (exp(2.0 * s0) + dm * dm) * 0.5 * exp(-2.0 * s1) - 0.5;
            }
        }
        kl[i] = (float)s;
    }
}

void dist_kl_backward(float *gp0, float *glogstd0, float *gp1, float *glogstd1, const Dist *d,
                      const float *p0, const float *logstd0, const float *p1, const float *logstd1,
                      const float *g, int batch)
{
    int n = d->n;
    for (int i = 0; i < batch; i++) {
        const float *z0 = p0 + (long)i * n, *z1 = p1 + (long)i * n;
        double gi = g[i];
        if (d->kind == DIST_CATEGORICAL) {
            double lse0 = logsumexp(z0, n), lse1 = logsumexp(z1, n), kl = 0.0;
            for (int j = 0; j < n; j++) {
                double l0 = (double)z0[j] - lse0, l1 = (double)z1[j] - lse1;
                kl += exp(l0) * (l0 - l1);
            }
            for (int j = 0; j < n; j++) {
                double l0 = (double)z0[j] - lse0, l1 = (double)z1[j] - lse1;
                double q0 = exp(l0), q1 = exp(l1);
                if (gp0)
                    gp0[(long)i * n + j] += (float)(gi * q0 * (l0 - l1 - kl));
                if (gp1)
                    gp1[(long)i * n + j] += (float)(gi * (q1 - q0));
            }
        } else {
            for (int j = 0; j < n; j++) {
                double s0 = logstd0[j], s1 = logstd1[j], dm = (double)z0[j] - z1[j];
                double inv_var1 = exp(-2.0 * s1), var0 = exp(2.0 * s0);
                if (gp0)
                    gp0[(long)i * n + j] += (float)(gi * dm * inv_var1);
                if (gp1)
                    gp1[(long)i * n + j] += (float)(-gi * dm * inv_var1);
                if (glogstd0)
                    glogstd0[j] += (float)(gi * (var0 * inv_var1 - 1.0));
                if (glogstd1)
                    glogstd1[j] += (float)(gi * (1.0 - (var0 + dm * dm) * inv_var1));
            }
        }
    }
}

void dist_sample(float *act, const Dist *d, const float *p, const float *logstd, int batch,
                 Rng *rng)
{
    int n = d->n;
    for (int i = 0; i < batch; i++) {
        const float *z = p + (long)i * n;
        if (d->kind == DIST_CATEGORICAL) {
            double lse = logsumexp(z, n), u = rng_uniform(rng), c = 0.0;
            int a = -1;
            for (int j = 0; j < n; j++) {
                double pj = exp((double)z[j] - lse);
                if (pj <= 0.0)
                    continue;
                a = j; /* the last index with p > 0 absorbs rounding */
                c += pj;
                if (u < c)
                    break;
            }
            act[i] = (float)a;
        } else {
            for (int j = 0; j < n; j++)
                act[(long)i * n + j] =
                    (float)((double)z[j] + exp((double)logstd[j]) * rng_normal(rng));
        }
    }
}

void dist_mode(float *act, const Dist *d, const float *p, int batch)
{
    int n = d->n;
    for (int i = 0; i < batch; i++) {
        const float *z = p + (long)i * n;
        if (d->kind == DIST_CATEGORICAL) {
            int best = 0;
            for (int j = 1; j < n; j++)
                if (z[j] > z[best])
                    best = j;
            act[i] = (float)best;
        } else {
            for (int j = 0; j < n; j++)
                act[(long)i * n + j] = z[j];
        }
    }
}

void dist_fisher_apply(float *out, const Dist *d, const float *p, const float *logstd,
                       const float *u, int batch)
{
    int n = d->n;
    for (int i = 0; i < batch; i++) {
        const float *z = p + (long)i * n, *ui = u + (long)i * n;
        float *oi = out + (long)i * n;
        if (d->kind == DIST_CATEGORICAL) {
            /* (diag(p) - p p^T) u = p * (u - p.u) */
            double lse = logsumexp(z, n), pu = 0.0;
            for (int j = 0; j < n; j++)
                pu += exp((double)z[j] - lse) * ui[j];
            for (int j = 0; j < n; j++)
                oi[j] = (float)(exp((double)z[j] - lse) * ((double)ui[j] - pu));
        } else {
            for (int j = 0; j < n; j++)
                oi[j] = (float)((double)ui[j] * exp(-2.0 * (double)logstd[j]));
        }
    }
}

double dist_fisher_logstd(void)
{
    return 2.0;
}
