/* fvp.c - Fisher-vector products J^T M J v (see fvp.h).
 *
 * For the policy network's output p_i (distribution parameters of sample i):
 *   u_i = J_i v          one forward-mode pass (mlp_jvp)
 *   w_i = M_i u_i        analytic Fisher metric of the distribution (dist_fisher_apply)
 *   F v = sum_i J_i^T w_i  one backward pass (mlp_backward), scaled by 1/B
 * The Gaussian log-std is a direct parameter (J = I for every sample), so its block is
 * 2 v_logstd per sample. Martens (2014) calls this the generalised Gauss-Newton form;
 * for these exponential-family heads it equals the Fisher matrix exactly.
 */
#include "fvp.h"

#include <string.h>

#include "dist.h"
#include "mat.h"

void fvp_compute(float *out, ModelWork *w, const Model *m, const float *params, const float *obs,
                 int batch, const float *v, double damping, int sum_only)
{
    model_policy(w, m, params, obs, batch);
    fvp_apply(out, w, m, params, batch, v, damping, sum_only);
}

void fvp_apply(float *out, ModelWork *w, const Model *m, const float *params, int batch,
               const float *v, double damping, int sum_only)
{
    const float *pout = w->pi->h[m->pi.n_layers]; /* the last forward's output */
    const float *logstd = model_logstd(m, params);
    float *jv = w->g_out, *mjv = w->g_aux; /* (B, n) each */
    const long np = (long)batch * m->dist.n;
    const double scale = sum_only ? 1.0 : 1.0 / batch;

    mlp_jvp(jv, &m->pi, params, v, w->pi);
    dist_fisher_apply(mjv, &m->dist, pout, logstd, jv, batch);
    vec_scale(mjv, (float)scale, np);
    memset(out, 0, m->n_policy * sizeof *out);
    mlp_backward(out, NULL, &m->pi, params, w->pi, mjv);
    if (m->dist.kind == DIST_GAUSSIAN) {
        /* sum_i (1/B or 1) * 2 v_s over the batch */
        double c = dist_fisher_logstd() * scale * batch;
        for (int j = 0; j < m->dist.n; j++)
            out[m->logstd_off + (size_t)j] = (float)(c * v[m->logstd_off + (size_t)j]);
    }
    if (!sum_only && damping != 0.0)
        vec_axpy(out, (float)damping, v, (long)m->n_policy);
}
