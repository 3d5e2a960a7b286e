/* envtest.h - the checks every environment test (test_<env>.c) runs on its EnvSpec:
 * the spec against the reference's sizes and Gymnasium's spaces, a replay of the
 * reference trajectories (tests/data/env_<name>.txt, written by scripts/env_golden.py),
 * reset's distribution and determinism, invalid actions, and get_state / set_state
 * round trips. Each test file passes its environment's expectations (reset bounds,
 * invalid actions) and adds the cases that only make sense for that environment.
 *
 * Every function asserts with Check (ck_assert*), so it is called from inside a test.
 */
#ifndef MPIRL_ENVTEST_H
#define MPIRL_ENVTEST_H

#include <stdint.h>

#include "env.h"

/* Largest obs_dim, act_n and state_size the checks handle (the classic-control set
 * fits); envtest_spec asserts it. */
#define ENVTEST_MAX_DIM 16

/* spec against $MPIRL_TEST_DATA/<file>: abi, id, obs_dim, act_kind, act_n, max_steps and
 * state_size equal to the reference's, no defaults, all four functions set, observation
 * and (box) action bounds equal to Gymnasium's as floats, no bounds for a discrete
 * action. */
void envtest_spec(const EnvSpec *spec, const char *file, const char *id);

/* Replay every trajectory of <file>: set_state to its start, then its actions through
 * step. Prints the largest differences and asserts observations within 1 ulp of the
 * float32 reference, rewards and terminated flags exactly equal, and the state
 * (get_state) within a relative difference of 1e-12. */
void envtest_golden(const EnvSpec *spec, const char *file);

/* Reset over 2000 seeds: deterministic per (seed, stream); state component i ~
 * U[lo[i], hi[i]) drawn in state order with rng_uniform_range (lo == hi: the constant lo,
 * no draw), rounded to float32 if round_f32; no other draws; the draws cover their
 * interval; the observation is set_state's for the same state; two seeds give two
 * starts. Prints one line. */
void envtest_reset(const EnvSpec *spec, const double *lo, const double *hi, int round_f32);

/* After a few valid steps, each action bad[j] (in component j % action dimension, the
 * others 0) is refused: step returns -1 and changes neither the state nor obs, reward and
 * terminated. A discrete environment then accepts each of its indices. */
void envtest_invalid_actions(const EnvSpec *spec, const float *bad, int nbad);

/* A batched step with step_batch's signature (env.h): the spec's own, or one build of
 * it that a test wants to check separately. */
typedef int (*EnvtestBatchFn)(const EnvSpec *spec, void *batch, int n, const float *action,
                              float *obs, double *reward, uint8_t *terminated, int *bad);

/* Replay every trajectory of <file> at once through fn, trajectory k in environment k of
 * the batch (stored with env_batch_put; filler actions once it has ended), with
 * envtest_golden's checks. */
void envtest_golden_batch(const EnvSpec *spec, const char *file, EnvtestBatchFn fn);

/* fn against step, bit for bit, for vectors of 1, 3, 37 and 300 environments (1000,
 * 1000, 500 and 100 steps) of random valid actions (box: also beyond the bounds), where
 * an environment that
 * terminated is reset with probability 1/2 and otherwise steps on past its end, and any
 * is reset with probability 1/200 (as truncation would). After every step the obs,
 * reward and terminated arrays and every state struct (env_batch_get) equal those of n
 * step calls byte for byte. Then each of bad[0..nbad) (in component j % action
 * dimension) at two random rows: fn returns -1 with *bad = the first of the rows and
 * changes neither the batch nor the outputs. Prints one line. */
void envtest_batch(const EnvSpec *spec, EnvtestBatchFn fn, const float *bad, int nbad);

/* get_state / set_state: an exact round trip of state and observation, a copy steps
 * exactly like the original for 193 steps, and a NaN or infinite value in any component
 * is refused (-1) with the state and obs unchanged. */
void envtest_state_roundtrip(const EnvSpec *spec);

#endif
