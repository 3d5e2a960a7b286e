/* test_mountain_car_continuous.c - MountainCarContinuous-v0
 * (envs/mountain_car_continuous.c) against independent reference data.
 *
 * tests/data/env_mountain_car_continuous.txt is written by scripts/env_golden.py, a
 * NumPy re-implementation of Gymnasium 1.x's MountainCarContinuous (identical bit for
 * bit to Gymnasium 1.4.0 itself, with NumPy 1.24, when the data was made): float64
 * arithmetic, the state rounded to float32 after each step, the goal x >= 0.45 and
 * v >= 0 tested before that rounding (hit exactly and missed by one double),
 * out-of-range actions (clipped force, unclipped penalty), the left wall and both
 * velocity clips. Each trajectory starts with set_state and replays its actions; per
 * step the C environment must give:
 *   observation: equal to the float32 reference (max 1 ulp allowed; 0 measured),
 *   reward and terminated: exactly equal,
 *   internal state (get_state): relative difference <= 1e-12 (0 measured).
 * Plus: the spec against Gymnasium's spaces, reset's distribution and determinism,
 * invalid (NaN) actions, get_state / set_state round trips, the clipping invariants, and
 * step_batch against step and the reference data, bit for bit.
 *
 * The checks every environment shares are in envtest.c; this file holds what is
 * specific to MountainCarContinuous: its expectations and its own cases.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "env.h"
#include "envtest.h"
#include "rng.h"
#include "testutil.h"

#define DATA "env_mountain_car_continuous.txt"

START_TEST(test_spec)
{
    envtest_spec(&env_mountain_car_continuous_v0, DATA, "MountainCarContinuous-v0");
}
END_TEST

START_TEST(test_golden)
{
    envtest_golden(&env_mountain_car_continuous_v0, DATA);
}
END_TEST

START_TEST(test_reset)
{
    /* Gymnasium: position ~ U(-0.6, -0.4), velocity 0; float64 until the first step */
    const double lo[2] = {-0.6, 0.0}, hi[2] = {-0.4, 0.0};
    envtest_reset(&env_mountain_car_continuous_v0, lo, hi, 0);
}
END_TEST

static const float bad_actions[] = {NAN, -NAN};

START_TEST(test_invalid_action)
{
    envtest_invalid_actions(&env_mountain_car_continuous_v0, bad_actions, TU_COUNT(bad_actions));
}
END_TEST

/* step_batch against step and the reference data, bit for bit */
START_TEST(test_step_batch)
{
    ck_assert(env_mountain_car_continuous_v0.step_batch != NULL);
    envtest_golden_batch(&env_mountain_car_continuous_v0, DATA,
                         env_mountain_car_continuous_v0.step_batch);
    envtest_batch(&env_mountain_car_continuous_v0, env_mountain_car_continuous_v0.step_batch,
                  bad_actions, TU_COUNT(bad_actions));
}
END_TEST

START_TEST(test_state_roundtrip)
{
    envtest_state_roundtrip(&env_mountain_car_continuous_v0);
}
END_TEST

/* Out-of-range actions move the car like the bound but pay for their own size, infinite
 * ones included (reward -inf, as Python computes it); the state is float32 after every
 * step and stays inside its bounds. */
START_TEST(test_clipping)
{
    const EnvSpec *spec = &env_mountain_car_continuous_v0;
    void *st = malloc(spec->state_bytes), *st2 = malloc(spec->state_bytes);
    ck_assert(st && st2);
    Rng r;
    rng_seed(&r, 23, 0);
    float o[2], o2[2];
    double s[2], rew, rew2;
    uint8_t done, done2;
    spec->reset(spec, st, &r, o);
    for (long t = 0; t < 5000; t++) {
        spec->get_state(spec, st, s);
        ck_assert_int_eq(spec->set_state(spec, st2, s, o2), 0);
        float a = (float)rng_uniform_range(&r, -3.0, 3.0);
        if (t % 97 == 0)
            a = t % 2 ? INFINITY : -INFINITY;
        const float bounded = a > 1.0f ? 1.0f : a < -1.0f ? -1.0f : a;
        ck_assert_int_eq(spec->step(spec, st, &a, o, &rew, &done), 0);
        ck_assert_int_eq(spec->step(spec, st2, &bounded, o2, &rew2, &done2), 0);
        ck_assert(memcmp(o, o2, sizeof o) == 0 && done == done2);
        const double base = done ? 100.0 : 0.0;
        ck_assert(rew == base - ((double)a * a) * 0.1);
        ck_assert(rew2 == base - ((double)bounded * bounded) * 0.1);
        spec->get_state(spec, st, s);
        ck_assert(s[0] == (float)s[0] && s[1] == (float)s[1]); /* float32 state */
        ck_assert(o[0] == (float)s[0] && o[1] == (float)s[1]);
        ck_assert(s[0] >= (float)-1.2 && s[0] <= (float)0.6);
        ck_assert(s[1] >= (float)-0.07 && s[1] <= (float)0.07);
        if (done || t % 300 == 299)
            spec->reset(spec, st, &r, o);
    }
    free(st);
    free(st2);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"spec", test_spec},
        {"golden", test_golden},
        {"reset", test_reset},
        {"invalid_action", test_invalid_action},
        {"step_batch", test_step_batch},
        {"state_roundtrip", test_state_roundtrip},
        {"clipping", test_clipping},
    };
    return tu_run(tu_suite("mountain_car_continuous", cases, TU_COUNT(cases), 0));
}
