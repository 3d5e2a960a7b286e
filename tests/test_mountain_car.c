/* test_mountain_car.c - MountainCar-v0 (envs/mountain_car.c) against independent
 * reference data.
 *
 * tests/data/env_mountain_car.txt is written by scripts/env_golden.py, a NumPy
 * re-implementation of Gymnasium 1.x's MountainCar (identical bit for bit to
 * Gymnasium 1.4.0 itself when the data was made), with the goal x >= 0.5 and v >= 0 hit
 * exactly and missed by one double, the left wall and both velocity clips. Each
 * trajectory starts with set_state and replays its actions; per step the C environment
 * must give:
 *   observation: equal to the float32 reference (max 1 ulp allowed; 0 measured),
 *   reward and terminated: exactly equal,
 *   internal state (get_state): relative difference <= 1e-12 (0 measured).
 * Plus: the spec against Gymnasium's spaces, reset's distribution and determinism,
 * invalid actions, get_state / set_state round trips, the bounds invariants, and
 * step_batch against step and the reference data, bit for bit.
 *
 * The checks every environment shares are in envtest.c; this file holds what is
 * specific to MountainCar: its expectations and its own cases.
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

#define DATA "env_mountain_car.txt"

START_TEST(test_spec)
{
    envtest_spec(&env_mountain_car_v0, DATA, "MountainCar-v0");
}
END_TEST

START_TEST(test_golden)
{
    envtest_golden(&env_mountain_car_v0, DATA);
}
END_TEST

START_TEST(test_reset)
{
    /* Gymnasium: position ~ U(-0.6, -0.4), velocity 0 */
    const double lo[2] = {-0.6, 0.0}, hi[2] = {-0.4, 0.0};
    envtest_reset(&env_mountain_car_v0, lo, hi, 0);
}
END_TEST

static const float bad_actions[] = {-1.0f, 3.0f, 0.5f, 1.5f, NAN, INFINITY, -INFINITY, -2.0f};

START_TEST(test_invalid_action)
{
    envtest_invalid_actions(&env_mountain_car_v0, bad_actions, TU_COUNT(bad_actions));
}
END_TEST

/* step_batch against step and the reference data, bit for bit */
START_TEST(test_step_batch)
{
    ck_assert(env_mountain_car_v0.step_batch != NULL);
    envtest_golden_batch(&env_mountain_car_v0, DATA, env_mountain_car_v0.step_batch);
    envtest_batch(&env_mountain_car_v0, env_mountain_car_v0.step_batch, bad_actions,
                  TU_COUNT(bad_actions));
}
END_TEST

START_TEST(test_state_roundtrip)
{
    envtest_state_roundtrip(&env_mountain_car_v0);
}
END_TEST

/* Over random episodes: position in [-1.2, 0.6], velocity in [-0.07, 0.07], velocity
 * zero when resting on the left wall, reward -1, terminated exactly at the goal. */
START_TEST(test_invariants)
{
    const EnvSpec *spec = &env_mountain_car_v0;
    void *st = malloc(spec->state_bytes);
    ck_assert(st != NULL);
    Rng r;
    rng_seed(&r, 22, 0);
    float o[2];
    double s[2], rew;
    uint8_t done;
    long n_term = 0, n_wall = 0;
    spec->reset(spec, st, &r, o);
    for (long t = 0; t < 20000; t++) {
        spec->get_state(spec, st, s);
        /* pump with the velocity most of the time, so both ends are reached */
        float a = s[1] >= 0 ? 2.0f : 0.0f;
        if (rng_uniform(&r) < 0.2)
            a = (float)rng_below(&r, 3);
        ck_assert_int_eq(spec->step(spec, st, &a, o, &rew, &done), 0);
        spec->get_state(spec, st, s);
        ck_assert(s[0] >= -1.2 && s[0] <= 0.6 && s[1] >= -0.07 && s[1] <= 0.07);
        ck_assert(o[0] == (float)s[0] && o[1] == (float)s[1]);
        for (int i = 0; i < 2; i++)
            ck_assert(o[i] >= spec->obs_low[i] && o[i] <= spec->obs_high[i]);
        ck_assert(rew == -1.0);
        ck_assert(done == (s[0] >= 0.5 && s[1] >= 0.0));
        if (s[0] == -1.2) {
            ck_assert(s[1] >= 0.0);
            n_wall++;
        }
        n_term += done;
        if (done || t % 200 == 199)
            spec->reset(spec, st, &r, o);
    }
    printf("MountainCar-v0 invariants: 20000 steps, %ld at the goal, %ld on the left wall\n",
           n_term, n_wall);
    ck_assert(n_term > 0 && n_wall > 0);
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
        {"step_batch", test_step_batch},
        {"state_roundtrip", test_state_roundtrip},
        {"invariants", test_invariants},
    };
    return tu_run(tu_suite("mountain_car", cases, TU_COUNT(cases), 0));
}
