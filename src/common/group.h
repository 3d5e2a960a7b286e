/* group.h - critic-free advantages from groups of episodes that share a start state.
 *
 * A group is G episodes begun from the same initial state with different action
 * streams; R_i is the return of member i. The advantage of every step of member i is
 *   GROUP_GRPO      (R_i - mean R) / (std R + eps)                 (Shao et al. 2024,
 *                   DeepSeekMath; std with Bessel's correction, as PyTorch's std)
 *   GROUP_DR_GRPO   R_i - mean R                                   (Liu et al. 2025,
 *                   "Understanding R1-Zero-like training": no division by the std)
 *   GROUP_RLOO      R_i - mean_{j != i} R_j = G / (G - 1) (R_i - mean R)
 *                                                                  (Ahmadian et al. 2024)
 * The means are taken in double in member order. A group of one has advantage 0 (no
 * other member to compare with), and GRPO's advantage of a group whose returns are all
 * equal is 0 (the numerator is 0; eps keeps the division finite).
 *
 * GRPO's KL term against a reference policy uses the k3 estimator of KL(pi || pi_ref)
 * (Schulman, "Approximating KL divergence", 2020): with r = pi_ref(a|s) / pi(a|s) on
 * an action drawn from pi, k3 = r - log r - 1 >= 0, unbiased, and
 * d k3 / d log pi(a|s) = 1 - r.
 */
#ifndef MPIRL_GROUP_H
#define MPIRL_GROUP_H

typedef enum { GROUP_GRPO = 0, GROUP_DR_GRPO = 1, GROUP_RLOO = 2 } GroupAdvKind;

/* adv[g * size + i] for the n_groups groups of `size` members whose returns are
 * ret[g * size + i]. eps: GRPO's floor of the std (1e-4 in DeepSeekMath's code base;
 * mpirl uses 1e-8 as its advantage normalisation does). */
void group_advantages(double *adv, const double *ret, int n_groups, int size, GroupAdvKind kind,
                      double eps);

/* k3 = r - log r - 1 with log r = ref_logp - logp, and d k3 / d logp = 1 - r. */
double group_k3(double logp, double ref_logp, double *dlogp);

#endif
