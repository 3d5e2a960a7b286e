/* test_correct.c - the stale-gradient corrections (correct.h) on their formulas: the
 * staleness-aware learning rate, delay compensation against the formula in long
 * double, the ring of parameter versions, and soft synchrony's means.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "correct.h"
#include "rng.h"
#include "testutil.h"

START_TEST(test_staleness_lr)
{
    ck_assert(correct_staleness_lr(3e-4, 0) == 3e-4);
    ck_assert(correct_staleness_lr(3e-4, 1) == 3e-4);
    ck_assert(correct_staleness_lr(3e-4, 4) == 3e-4 / 4);
    ck_assert(correct_staleness_lr(1.0, 1000) == 1e-3);
}
END_TEST

START_TEST(test_delay)
{
    enum { N = 1000 };
    float g[N], g0[N], now[N], then[N];
    Rng r;
    rng_seed(&r, 3, 0);
    for (int i = 0; i < N; i++) {
        g0[i] = g[i] = (float)rng_normal(&r);
        now[i] = (float)rng_normal(&r);
        then[i] = now[i] - (float)(0.1 * rng_normal(&r));
    }
    const double lambda = 0.04;
    correct_delay(g, now, then, lambda, N);
    for (int i = 0; i < N; i++) {
        const long double want =
            (long double)g0[i] +
            (long double)lambda * g0[i] * g0[i] * ((long double)now[i] - (long double)then[i]);
        ck_assert_msg(fabsl((long double)g[i] - want) <= 0.5L * FLT_EPSILON * fabsl(want) + 1e-30L,
                      "element %d: %.9g, want %.9Lg", i, (double)g[i], want);
    }
    /* no delay, or lambda 0: the gradient as it was */
    memcpy(g, g0, sizeof g);
    correct_delay(g, now, now, lambda, N);
    ck_assert(memcmp(g, g0, sizeof g) == 0);
    correct_delay(g, now, then, 0.0, N);
    ck_assert(memcmp(g, g0, sizeof g) == 0);
}
END_TEST

START_TEST(test_history)
{
    ParamHistory h;
    ck_assert(history_init(&h, 3, 2) == 0);
    ck_assert(history_get(&h, 0) == NULL);
    for (int v = 0; v < 7; v++) {
        const float p[2] = {(float)v, (float)(10 * v)};
        history_put(&h, v, p);
        for (int u = 0; u <= v + 1; u++) {
            const float *q = history_get(&h, u);
            if (u <= v && u > v - 3) { /* the last three versions are kept */
                ck_assert(q != NULL && q[0] == (float)u && q[1] == (float)(10 * u));
            } else {
                ck_assert(q == NULL);
            }
        }
    }
    ck_assert(history_get(&h, -1) == NULL);
    history_free(&h);
    ck_assert(history_init(&h, 0, 2) == -1);
}
END_TEST

START_TEST(test_softsync)
{
    SoftSync s;
    ck_assert(softsync_init(&s, 3, 2, 2) == 0);
    float out[4] = {0};
    double lr = 0;
    const float g[3][4] = {{1, 2, 10, 0}, {3, 5, 20, 1}, {5, -1, 30, 0}};
    ck_assert(softsync_add(&s, g[0], 1.0, out, &lr) == 0);
    ck_assert(softsync_add(&s, g[1], 2.0, out, &lr) == 0);
    ck_assert(softsync_add(&s, g[2], 6.0, out, &lr) == 1);
    /* the mean gradient, the summed extras, the mean learning rate */
    ck_assert(out[0] == 3.0f && out[1] == 2.0f && out[2] == 60.0f && out[3] == 1.0f);
    ck_assert(lr == 3.0);
    /* the next group starts from nothing */
    ck_assert(softsync_add(&s, g[0], 1.0, out, &lr) == 0);
    ck_assert(softsync_add(&s, g[0], 1.0, out, &lr) == 0);
    ck_assert(softsync_add(&s, g[0], 1.0, out, &lr) == 1);
    ck_assert(out[0] == 1.0f && out[1] == 2.0f && out[2] == 30.0f && lr == 1.0);
    softsync_free(&s);
    /* K = 1: every gradient on its own */
    ck_assert(softsync_init(&s, 1, 2, 2) == 0);
    ck_assert(softsync_add(&s, g[1], 0.5, out, &lr) == 1);
    ck_assert(memcmp(out, g[1], sizeof out) == 0 && lr == 0.5);
    softsync_free(&s);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {{"staleness_lr", test_staleness_lr},
                            {"delay", test_delay},
                            {"history", test_history},
                            {"softsync", test_softsync}};
    return tu_run(tu_suite("correct", cases, TU_COUNT(cases), 0));
}
