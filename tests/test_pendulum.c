/* test_pendulum.c - Pendulum-v1 (envs/pendulum.c) against independent reference data.
 *
 * tests/data/env_pendulum.txt is written by scripts/env_golden.py, a NumPy
 * re-implementation of Gymnasium 1.x's Pendulum (identical bit for bit to Gymnasium
 * 1.4.0 itself, with NumPy 1.24 and its libm sin/cos, when the data was made): torques
 * out of range, the angle on +-pi, cost terms where libm pow(x, 2) != x*x, spinning at
 * the speed limit with the angle unwrapped. Each trajectory starts with set_state and
 * replays its actions; per step the C environment must give:
 *   observation: equal to the float32 reference (max 1 ulp allowed; 0 measured),
 *   reward and terminated: exactly equal,
 *   internal state (get_state): relative difference <= 1e-12 (0 measured).
 * The data was computed with glibc's libm (sin, cos, pow), which the C code also calls.
 * Plus: the spec against Gymnasium's spaces, reset's distribution and determinism,
 * invalid (NaN) actions, get_state / set_state round trips and the clipping invariants.
 *
 * The checks every environment shares are in envtest.c; this file holds what is
 * specific to Pendulum: its expectations and its own cases.
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

#define DATA "env_pendulum.txt"
#define PI   3.14159265358979323846

START_TEST(test_spec)
{
    envtest_spec(&env_pendulum_v1, DATA, "Pendulum-v1");
}
END_TEST

START_TEST(test_golden)
{
    envtest_golden(&env_pendulum_v1, DATA);
}
END_TEST

START_TEST(test_reset)
{
    /* Gymnasium: theta ~ U(-pi, pi), theta_dot ~ U(-1, 1) */
    const double lo[2] = {-PI, -1.0}, hi[2] = {PI, 1.0};
    envtest_reset(&env_pendulum_v1, lo, hi, 0);
}
END_TEST

START_TEST(test_invalid_action)
{
    const float bad[] = {NAN, -NAN};
    envtest_invalid_actions(&env_pendulum_v1, bad, TU_COUNT(bad));
}
END_TEST

START_TEST(test_state_roundtrip)
{
    envtest_state_roundtrip(&env_pendulum_v1);
}
END_TEST

/* A torque beyond +-2 acts and costs exactly like the bound (infinite ones included);
 * never terminated; speed within 8; the reward within [-(pi^2 + 6.4 + 0.004), 0]. */
START_TEST(test_clipping)
{
    const EnvSpec *spec = &env_pendulum_v1;
    void *st = malloc(spec->state_bytes), *st2 = malloc(spec->state_bytes);
    ck_assert(st && st2);
    Rng r;
    rng_seed(&r, 24, 0);
    float o[3], o2[3];
    double s[2], s2[2], rew, rew2;
    uint8_t done, done2;
    spec->reset(spec, st, &r, o);
    for (long t = 0; t < 5000; t++) {
        spec->get_state(spec, st, s);
        ck_assert_int_eq(spec->set_state(spec, st2, s, o2), 0);
        float a = (float)rng_uniform_range(&r, -6.0, 6.0);
        if (t % 89 == 0)
            a = t % 2 ? INFINITY : -INFINITY;
        const float bounded = a > 2.0f ? 2.0f : a < -2.0f ? -2.0f : a;
        ck_assert_int_eq(spec->step(spec, st, &a, o, &rew, &done), 0);
        ck_assert_int_eq(spec->step(spec, st2, &bounded, o2, &rew2, &done2), 0);
        ck_assert(memcmp(o, o2, sizeof o) == 0 && rew == rew2);
        ck_assert(done == 0 && done2 == 0);
        spec->get_state(spec, st, s);
        spec->get_state(spec, st2, s2);
        ck_assert(s[0] == s2[0] && s[1] == s2[1]);
        ck_assert(fabs(s[1]) <= 8.0);
        ck_assert(rew <= 0.0 && rew >= -(PI * PI + 6.4 + 0.004 + 1e-9));
        ck_assert(o[0] == (float)cos(s[0]) && o[1] == (float)sin(s[0]) && o[2] == (float)s[1]);
        if (t % 200 == 199)
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
        {"state_roundtrip", test_state_roundtrip},
        {"clipping", test_clipping},
    };
    return tu_run(tu_suite("pendulum", cases, TU_COUNT(cases), 0));
}
