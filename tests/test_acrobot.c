/* test_acrobot.c - Acrobot-v1 (envs/acrobot.c) against independent reference data.
 *
 * tests/data/env_acrobot.txt is written by scripts/env_golden.py, a NumPy
 * re-implementation of Gymnasium 1.x's Acrobot (book dynamics, RK4; identical bit for
 * bit to Gymnasium 1.4.0 itself, with NumPy's libm sin/cos, when the data was made).
 * Each trajectory starts with set_state and replays its actions; per step the C
 * environment must give:
 *   observation: equal to the float32 reference (max 1 ulp allowed; 0 measured),
 *   reward and terminated: exactly equal,
 *   internal state (get_state): relative difference <= 1e-12 (0 measured).
 * The data was computed with glibc's libm (sin, cos, and pow for Gymnasium's x**2), which
 * the C code also calls; its long trajectories are chaotic, so any other rounding would
 * show. Plus: the spec against Gymnasium's spaces, reset's distribution and determinism,
 * invalid actions, get_state / set_state round trips, and wrapping / bounds invariants.
 *
 * The checks every environment shares are in envtest.c; this file holds what is
 * specific to Acrobot: its expectations and its own cases.
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

#define DATA "env_acrobot.txt"
#define PI   3.14159265358979323846

START_TEST(test_spec)
{
    envtest_spec(&env_acrobot_v1, DATA, "Acrobot-v1");
}
END_TEST

START_TEST(test_golden)
{
    envtest_golden(&env_acrobot_v1, DATA);
}
END_TEST

START_TEST(test_reset)
{
    /* Gymnasium: every component ~ U(-0.1, 0.1), then .astype(float32) */
    const double lo[4] = {-0.1, -0.1, -0.1, -0.1}, hi[4] = {0.1, 0.1, 0.1, 0.1};
    envtest_reset(&env_acrobot_v1, lo, hi, 1);
}
END_TEST

START_TEST(test_invalid_action)
{
    const float bad[] = {-1.0f, 3.0f, 0.5f, 2.5f, NAN, INFINITY, -INFINITY, 1e9f};
    envtest_invalid_actions(&env_acrobot_v1, bad, TU_COUNT(bad));
}
END_TEST

START_TEST(test_state_roundtrip)
{
    envtest_state_roundtrip(&env_acrobot_v1);
}
END_TEST

/* Over random episodes: angles stay wrapped in [-pi, pi], velocities inside their bounds,
 * observations inside the observation space and consistent with the state, reward -1
 * or 0 exactly when terminated. */
START_TEST(test_invariants)
{
    const EnvSpec *spec = &env_acrobot_v1;
    void *st = malloc(spec->state_bytes);
    ck_assert(st != NULL);
    Rng r;
    rng_seed(&r, 21, 0);
    float o[6];
    double s[4], rew;
    uint8_t done;
    long n_term = 0;
    const double start[4] = {0.3, -2.0, 11.0, -26.0}; /* fast: reaches the bounds */
    ck_assert_int_eq(spec->set_state(spec, st, start, o), 0);
    for (long t = 0; t < 5000; t++) {
        const float a = (float)rng_below(&r, 3);
        ck_assert_int_eq(spec->step(spec, st, &a, o, &rew, &done), 0);
        spec->get_state(spec, st, s);
        ck_assert(s[0] >= -PI && s[0] <= PI && s[1] >= -PI && s[1] <= PI);
        ck_assert(fabs(s[2]) <= 4 * PI && fabs(s[3]) <= 9 * PI);
        for (int i = 0; i < 6; i++)
            ck_assert(o[i] >= spec->obs_low[i] && o[i] <= spec->obs_high[i]);
        ck_assert(o[0] == (float)cos(s[0]) && o[1] == (float)sin(s[0]));
        ck_assert(o[2] == (float)cos(s[1]) && o[3] == (float)sin(s[1]));
        ck_assert(o[4] == (float)s[2] && o[5] == (float)s[3]);
        ck_assert(rew == (done ? 0.0 : -1.0));
        ck_assert(done == (-cos(s[0]) - cos(s[1] + s[0]) > 1.0));
        n_term += done;
        if (t % 500 == 499) {
            float o0[6];
            spec->reset(spec, st, &r, o0);
        }
    }
    printf("Acrobot-v1 invariants: 5000 steps, %ld terminated\n", n_term);
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
        {"invariants", test_invariants},
    };
    return tu_run(tu_suite("acrobot", cases, TU_COUNT(cases), 0));
}
