/* gae.c - generalized advantage estimation over a (T, E) rollout.
 *
 * Reference: J. Schulman, P. Moritz, S. Levine, M. Jordan and P. Abbeel,
 * "High-dimensional continuous control using generalized advantage estimation",
 * ICLR 2016, section 3: A_t = sum_l (gamma lambda)^l delta_{t+l}, computed backwards as
 * A_t = delta_t + gamma lambda A_{t+1}. Episode ends follow Gymnasium's
 * terminated / truncated split (Gymnasium 0.26+): a terminated step has no future
 * value, a truncated one bootstraps from the value of its final observation.
 *
 * Left out: advantage normalisation (the loss does it per minibatch) and V-trace or
 * other off-policy corrections.
 */
#include "gae.h"

#include "fail.h"

void gae_compute(float *adv, float *ret, const float *rew, const float *val, const float *last_val,
                 const float *final_val, const uint8_t *terminated, const uint8_t *truncated, int T,
                 int E, double gamma, double lambda)
{
    const double gl = gamma * lambda;
    /* one environment at a time so the running sum stays in a double register */
    for (int e = 0; e < E; e++) {
        double a_next = 0.0; /* A[t+1, e], already cut at episode ends */
        for (int t = T - 1; t >= 0; t--) {
            const long i = (long)t * E + e; /* (T, E) */
            double next_val, carry;
            if (terminated[i]) { /* true end: no future, takes precedence */
                next_val = 0.0;
                carry = 0.0;
            } else if (truncated[i]) { /* time limit: bootstrap from V(final obs) */
                if (!final_val) {
                    MPIRL_FAIL("gae_compute: truncated[%d, %d] is set but final_val is NULL", t, e);
                }
                next_val = final_val[i];
                carry = 0.0;
            } else {
                next_val = (t == T - 1) ? (double)last_val[e] : (double)val[i + E];
                carry = a_next;
            }
            const double v = val[i];
            const double delta = rew[i] + gamma * next_val - v; /* TD error */
            const double a = delta + gl * carry;
            adv[i] = (float)a;
            ret[i] = (float)(a + v);
            a_next = a;
        }
    }
}
