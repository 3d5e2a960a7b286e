/* gae.h - generalized advantage estimation (Schulman et al., 2016) over a rollout of T
 * steps of E environments.
 *
 * All arrays are (T, E) row-major, index t * E + e. For step t of env e:
 *   next = 0                 if terminated[t,e]              (true end: no future)
 *          final_val[t,e]    else if truncated[t,e]          (time limit: bootstrap
 *                                                              from V(final observation))
 *          val[t+1,e]        else (last_val[e] when t = T-1)
 *   delta = rew + gamma * next - val
 *   adv   = delta + gamma * lambda * adv[t+1,e], the sum cut after a terminated or
 *           truncated step
 *   ret   = adv + val
 * Sums run in double.
 */
#ifndef MPIRL_GAE_H
#define MPIRL_GAE_H

#include <stdint.h>

/* Fill adv and ret (T, E). final_val may be NULL if no step is truncated; a truncated
 * step without final_val is a caller bug (fail.h). */
void gae_compute(float *adv, float *ret, const float *rew, const float *val, const float *last_val,
                 const float *final_val, const uint8_t *terminated, const uint8_t *truncated, int T,
                 int E, double gamma, double lambda);

#endif
