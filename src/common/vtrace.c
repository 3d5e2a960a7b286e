/* vtrace.c - V-trace targets and advantages (see vtrace.h). */
#include "vtrace.h"

#include <math.h>

void vtrace_compute(float *vs, float *adv, const float *logp, const float *logp_mu,
                    const float *rew, const float *val, const float *final_val,
                    const float *last_val, const uint8_t *term, const uint8_t *trunc, int T, int E,
                    const VtraceConfig *c)
{
    for (int e = 0; e < E; e++) {
        double ahead = 0.0; /* vs_{t+1} - V_{t+1}, or 0 where the trace stops */
        double vs_next = last_val[e];
        for (int t = T - 1; t >= 0; t--) {
            const long i = (long)t * E + e;
            const double rho = exp((double)logp[i] - (double)logp_mu[i]);
            const int ended = term[i] || trunc[i];
            /* the next state's value, and what the advantage bootstraps from */
            double next, q;
            if (term[i]) {
                next = q = 0.0;
            } else if (trunc[i]) {
                next = q = final_val[i];
            } else if (t == T - 1) {
                next = q = last_val[e];
            } else {
                next = val[i + E];
                q = vs_next;
            }
            const double v = val[i];
            const double delta = fmin(c->rho_bar, rho) * (rew[i] + c->gamma * next - v);
            const double cc = c->lambda * fmin(c->c_bar, rho);
            const double diff = delta + (ended || t == T - 1 ? 0.0 : c->gamma * cc * ahead);
            const double w = c->pg_rho_bar > 0 ? fmin(c->pg_rho_bar, rho) : 1.0;
            adv[i] = (float)(w * (rew[i] + c->gamma * q - v));
            vs[i] = (float)(v + diff);
            vs_next = v + diff;
            ahead = diff;
        }
    }
}
