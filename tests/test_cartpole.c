/* test_cartpole.c - CartPole-v1 (envs/cartpole.c) against independent reference data.
 *
 * tests/data/env_cartpole.txt is written by scripts/env_golden.py, a NumPy
 * re-implementation of Gymnasium 1.x's CartPole (identical bit for bit to Gymnasium
 * 1.4.0 itself, with NumPy's libm sin/cos, when the data was made). Each trajectory
 * starts with set_state and replays its actions; per step the C environment must give:
 *   observation: equal to the float32 reference (max 1 ulp allowed; 0 measured),
 *   reward and terminated: exactly equal,
 *   internal state (get_state): relative difference <= 1e-12 (0 measured).
 * The data was computed with glibc's libm, which the C code also calls. Plus: the spec
 * against Gymnasium's spaces, reset's distribution and determinism, invalid actions,
 * get_state / set_state round trips, the reward after termination, and step_batch (both
 * builds of its loop) against step and the reference data, bit for bit.
 *
 * The checks every environment shares are in envtest.c; this file holds what is
 * specific to CartPole: its expectations and its own cases.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "env.h"
#include "envtest.h"
#include "rng.h"
#include "testutil.h"

#define DATA "env_cartpole.txt"

START_TEST(test_spec)
{
    envtest_spec(&env_cartpole_v1, DATA, "CartPole-v1");
}
END_TEST

START_TEST(test_golden)
{
    envtest_golden(&env_cartpole_v1, DATA);
}
END_TEST

START_TEST(test_reset)
{
    /* Gymnasium: every component ~ U(-0.05, 0.05) */
    const double lo[4] = {-0.05, -0.05, -0.05, -0.05}, hi[4] = {0.05, 0.05, 0.05, 0.05};
    envtest_reset(&env_cartpole_v1, lo, hi, 0);
}
END_TEST

START_TEST(test_state_roundtrip)
{
    envtest_state_roundtrip(&env_cartpole_v1);
}
END_TEST

static const float bad_actions[] = {-1.0f, 2.0f, 0.5f, 1.0000001f, NAN, INFINITY, -INFINITY, 1e9f};

START_TEST(test_invalid_action)
{
    envtest_invalid_actions(&env_cartpole_v1, bad_actions, TU_COUNT(bad_actions));
}
END_TEST

/* step_batch's two builds of its loop, forced (builtin.h) */
static int batch_base(const EnvSpec *spec, void *batch, int n, const float *action, float *obs,
                      double *reward, uint8_t *terminated, int *bad)
{
    (void)spec;
    return cartpole_step_batch_isa(0, batch, n, action, obs, reward, terminated, bad);
}

static int batch_avx2(const EnvSpec *spec, void *batch, int n, const float *action, float *obs,
                      double *reward, uint8_t *terminated, int *bad)
{
    (void)spec;
    return cartpole_step_batch_isa(1, batch, n, action, obs, reward, terminated, bad);
}

/* step_batch against the reference and step, bit for bit, through fn */
static void check_batch(EnvtestBatchFn fn)
{
    envtest_golden_batch(&env_cartpole_v1, DATA, fn);
    envtest_batch(&env_cartpole_v1, fn, bad_actions, TU_COUNT(bad_actions));
}

/* as the spec dispatches it (the AVX2 build when the CPU has it) */
START_TEST(test_step_batch)
{
    ck_assert(env_cartpole_v1.step_batch != NULL);
    check_batch(env_cartpole_v1.step_batch);
}
END_TEST

/* each build of its loop: the baseline one always, the AVX2 one if the CPU has it */
START_TEST(test_step_batch_builds)
{
    printf("CartPole-v1 step_batch, baseline build:\n");
    check_batch(batch_base);
    if (cartpole_has_avx2()) {
        printf("CartPole-v1 step_batch, AVX2 build:\n");
        check_batch(batch_avx2);
    } else {
        printf("CartPole-v1 step_batch: no AVX2 on this CPU or build, its loop not tested\n");
    }
}
END_TEST

/* Reward 1 up to and including the terminating step, 0 after it; reset and set_state
 * start a new episode. */
START_TEST(test_reward_after_termination)
{
    const EnvSpec *spec = &env_cartpole_v1;
    void *st = malloc(spec->state_bytes);
    ck_assert(st != NULL);
    const double edge[4] = {2.4, 0.5, 0.0, 0.0};
    const float right = 1.0f;
    float o[4];
    double r;
    uint8_t done;
    for (int episode = 0; episode < 2; episode++) {
        ck_assert_int_eq(spec->set_state(spec, st, edge, o), 0);
        ck_assert_int_eq(spec->step(spec, st, &right, o, &r, &done), 0);
        ck_assert(done == 1 && r == 1.0);
        for (int t = 0; t < 3; t++) {
            ck_assert_int_eq(spec->step(spec, st, &right, o, &r, &done), 0);
            ck_assert(done == 1 && r == 0.0);
        }
    }
    Rng rng;
    rng_seed(&rng, 3, 0);
    spec->reset(spec, st, &rng, o);
    ck_assert_int_eq(spec->step(spec, st, &right, o, &r, &done), 0);
    ck_assert(done == 0 && r == 1.0);
    free(st);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"spec", test_spec},
        {"golden", test_golden},
        {"reset", test_reset},
        {"invalid_action", test_invalid_action},
        {"state_roundtrip", test_state_roundtrip},
        {"reward_after_termination", test_reward_after_termination},
        {"step_batch", test_step_batch},
        {"step_batch_builds", test_step_batch_builds},
    };
    return tu_run(tu_suite("cartpole", cases, TU_COUNT(cases), 0));
}
