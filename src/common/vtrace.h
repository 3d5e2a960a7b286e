/* vtrace.h - V-trace off-policy value targets and policy-gradient advantages
 * (Espeholt et al. 2018, IMPALA), for experience shipped by actors whose policy mu lags
 * the learner's pi.
 *
 * For a rollout of T steps of E environments ((T, E) row-major, sample t * E + e),
 * with rho_t = pi(a_t | x_t) / mu(a_t | x_t), the value V_t of x_t under the learner's
 * parameters, and the next state's value
 *     V'_t = 0 if the episode terminated at t, V(final observation) if it was
 *            truncated at t, V_{t+1} otherwise (last_val at t = T - 1),
 * the targets follow backwards from the rollout's end:
 *     delta_t = min(rho_bar, rho_t) (r_t + gamma V'_t - V_t)
 *     vs_t    = V_t + delta_t + gamma c_t (vs_{t+1} - V_{t+1})
 * with c_t = lambda min(c_bar, rho_t), and the second term absent where the episode
 * ended at t (terminated or truncated) or at t = T - 1. The advantage of the policy
 * gradient is
 *     adv_t = w_t (r_t + gamma q_t - V_t),  q_t = 0 (terminated), V(final
 *             observation) (truncated), last_val (t = T - 1), vs_{t+1} otherwise,
 * w_t = min(pg_rho_bar, rho_t), or 1 if pg_rho_bar <= 0 (the PPO surrogate weighs by its
 * own ratio). With rho = 1 and rho_bar, c_bar >= 1, vs is the GAE(lambda) return and,
 * for lambda = 1, the n-step return bootstrapped at the rollout's end. Computed in
 * double, stored as float.
 */
#ifndef MPIRL_VTRACE_H
#define MPIRL_VTRACE_H

#include <stdint.h>

typedef struct {
    double gamma, lambda;
    double rho_bar, c_bar; /* clipping of the importance weights (IMPALA: 1, 1) */
    double pg_rho_bar;     /* of the advantage's weight (<= 0: unweighted) */
} VtraceConfig;

/* vs and adv (n = T * E each) from the learner's log-probabilities logp and values val
 * (n), the behaviour policy's log-probabilities logp_mu (n), rewards rew, the values of
 * the final observations final_val where truncated (n; read only there), last_val (E)
 * and the flags term, trunc (n). */
void vtrace_compute(float *vs, float *adv, const float *logp, const float *logp_mu,
                    const float *rew, const float *val, const float *final_val,
                    const float *last_val, const uint8_t *term, const uint8_t *trunc, int T, int E,
                    const VtraceConfig *c);

#endif
