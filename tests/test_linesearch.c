/* test_linesearch.c - unit tests of linesearch_backtrack with a synthetic candidate:
 * surrogate improvement g f - h f^2 / 2 and KL c f^2 at step fraction f (the local
 * model of TRPO's line search), whose accepted fraction can be worked out by hand.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "linesearch.h"
#include "testutil.h"

typedef struct {
    double g, h, c; /* improve(f) = g f - h f^2 / 2, kl(f) = c f^2 */
    int calls;
    int fail_at;     /* 1-based call that returns an error, 0: never */
    int nan_at;      /* 1-based call that returns a NaN improvement, 0: never */
    double seen[64]; /* fractions asked for */
} Quad;

static int quad_eval(void *ctx, double frac, double *improve, double *kl)
{
    Quad *q = ctx;
    q->calls++;
    if (q->calls == q->fail_at)
        return 1;
    if (q->calls <= 64)
        q->seen[q->calls - 1] = frac;
    *improve = q->g * frac - 0.5 * q->h * frac * frac;
    *kl = q->c * frac * frac;
    if (q->calls == q->nan_at)
        *improve = NAN;
    return 0;
}

static Quad quad(double g, double h, double c)
{
    Quad q = {g, h, c, 0, 0, 0, {0}};
    return q;
}

START_TEST(test_accept_first)
{
    /* f = 1: improve 0.5 >= 0.1 * 1 * 1, kl 0.005 <= 0.01: accepted at once */
    Quad q = quad(1.0, 1.0, 0.005);
    const LsConfig cfg = {10, 0.5, 0.01, 0.1, 1.0};
    LsResult res;
    ck_assert_int_eq(linesearch_backtrack(&res, &cfg, quad_eval, &q), LS_ACCEPTED);
    ck_assert_int_eq(res.status, LS_ACCEPTED);
    ck_assert(res.frac == 1.0 && res.steps == 1 && q.calls == 1);
    ck_assert(res.improve == 0.5 && res.kl == 0.005);
    ck_assert(res.n_kl_rejects == 0 && res.n_improve_rejects == 0);
}
END_TEST

START_TEST(test_kl_reject)
{
    /* kl(f) = 0.1 f^2 <= 0.01 needs f <= 0.316: f = 1 and 0.5 refused, 0.25 taken */
    Quad q = quad(1.0, 1.0, 0.1);
    const LsConfig cfg = {10, 0.5, 0.01, 0.1, 1.0};
    LsResult res;
    ck_assert_int_eq(linesearch_backtrack(&res, &cfg, quad_eval, &q), LS_ACCEPTED);
    ck_assert(res.frac == 0.25 && res.steps == 3);
    ck_assert_int_eq(res.n_kl_rejects, 2);
    ck_assert_int_eq(res.n_improve_rejects, 0);
    ck_assert(fabs(res.improve - (0.25 - 0.5 * 0.0625)) < 1e-15);
    ck_assert(fabs(res.kl - 0.1 * 0.0625) < 1e-15);
    ck_assert(q.seen[0] == 1.0 && q.seen[1] == 0.5 && q.seen[2] == 0.25);

    /* the bound is inclusive: kl exactly max_kl is accepted */
    Quad e = quad(1.0, 0.0, 0.5);
    const LsConfig at = {5, 0.5, 0.5, 0.0, 0.0};
    ck_assert_int_eq(linesearch_backtrack(&res, &at, quad_eval, &e), LS_ACCEPTED);
    ck_assert(res.frac == 1.0);
}
END_TEST

START_TEST(test_improve_reject)
{
    /* improve(f) = f - 4 f^2: f = 1 -> -3, 0.5 -> -0.5, 0.25 -> 0 (not > 0),
     * 0.125 -> 0.0625 >= 0.1 * 0.125: accepted after three improvement rejections */
    Quad q = quad(1.0, 8.0, 1e-3);
    const LsConfig cfg = {10, 0.5, 1.0, 0.1, 1.0};
    LsResult res;
    ck_assert_int_eq(linesearch_backtrack(&res, &cfg, quad_eval, &q), LS_ACCEPTED);
    ck_assert(res.frac == 0.125 && res.steps == 4);
    ck_assert_int_eq(res.n_improve_rejects, 3);
    ck_assert_int_eq(res.n_kl_rejects, 0);
    ck_assert(res.improve == 0.0625);

    /* a stricter ratio: 0.0625 < 0.6 * 0.125 refused; f = 1/16: 0.046875 >= 0.0375 */
    q = quad(1.0, 8.0, 1e-3);
    const LsConfig strict = {10, 0.5, 1.0, 0.6, 1.0};
    ck_assert_int_eq(linesearch_backtrack(&res, &strict, quad_eval, &q), LS_ACCEPTED);
    ck_assert(res.frac == 0.0625 && res.n_improve_rejects == 4);
    ck_assert(fabs(res.improve - 0.046875) < 1e-15);

    /* no expected improvement: only improve > 0 counts, so f = 0.125 passes even with
     * ratio 0.6 */
    q = quad(1.0, 8.0, 1e-3);
    const LsConfig noexp = {10, 0.5, 1.0, 0.6, 0.0};
    ck_assert_int_eq(linesearch_backtrack(&res, &noexp, quad_eval, &q), LS_ACCEPTED);
    ck_assert(res.frac == 0.125);

    /* a shrink of 0.8: f = 0.8^k, first with 1 - 4 f > 0 and f - 4 f^2 >= 0.1 f, i.e.
     * f <= 0.225: 0.8^7 = 0.2097 */
    q = quad(1.0, 8.0, 1e-3);
    const LsConfig slow = {20, 0.8, 1.0, 0.1, 1.0};
    ck_assert_int_eq(linesearch_backtrack(&res, &slow, quad_eval, &q), LS_ACCEPTED);
    ck_assert_int_eq(res.steps, 8);
    ck_assert_msg(fabs(res.frac - pow(0.8, 7)) < 1e-15, "frac %.17g", res.frac);
}
END_TEST

START_TEST(test_no_step)
{
    /* improvement always negative: every candidate fails, nothing accepted */
    Quad q = quad(-1.0, 0.0, 1e-3);
    const LsConfig cfg = {10, 0.5, 1.0, 0.1, 1.0};
    LsResult res;
    ck_assert_int_eq(linesearch_backtrack(&res, &cfg, quad_eval, &q), LS_NO_STEP);
    ck_assert_int_eq(res.status, LS_NO_STEP);
    ck_assert(res.frac == 0.0);
    ck_assert_int_eq(res.steps, 10);
    ck_assert_int_eq(q.calls, 10);
    ck_assert_int_eq(res.n_improve_rejects, 10);
    ck_assert_int_eq(res.n_kl_rejects, 0);
    for (int k = 0; k < 10; k++)
        ck_assert_msg(q.seen[k] == ldexp(1.0, -k), "candidate %d: frac %.17g", k, q.seen[k]);
    /* the last candidate's numbers are reported */
    ck_assert(res.improve == -ldexp(1.0, -9) && fabs(res.kl - 1e-3 * ldexp(1.0, -18)) < 1e-30);

    /* KL always too large, then a mix: 3 candidates, KL bound never met */
    q = quad(1.0, 0.0, 100.0);
    const LsConfig three = {3, 0.5, 1.0, 0.1, 1.0};
    ck_assert_int_eq(linesearch_backtrack(&res, &three, quad_eval, &q), LS_NO_STEP);
    ck_assert(res.steps == 3 && res.n_kl_rejects == 3 && res.n_improve_rejects == 0);
    ck_assert(res.frac == 0.0);

    /* a NaN improvement is refused (counted with the KL refusals), the search goes on */
    q = quad(1.0, 1.0, 1e-3);
    q.nan_at = 1;
    ck_assert_int_eq(linesearch_backtrack(&res, &three, quad_eval, &q), LS_ACCEPTED);
    ck_assert(res.frac == 0.5 && res.n_kl_rejects == 1 && res.steps == 2);
}
END_TEST

START_TEST(test_eval_failed)
{
    /* first candidate refused for KL, the callback fails on the second */
    Quad q = quad(1.0, 1.0, 0.1);
    q.fail_at = 2;
    const LsConfig cfg = {10, 0.5, 0.01, 0.1, 1.0};
    LsResult res;
    ck_assert_int_eq(linesearch_backtrack(&res, &cfg, quad_eval, &q), LS_EVAL_FAILED);
    ck_assert_int_eq(res.status, LS_EVAL_FAILED);
    ck_assert(res.frac == 0.0);
    ck_assert_int_eq(q.calls, 2); /* stopped at once */
    ck_assert_int_eq(res.steps, 1);
    ck_assert_int_eq(res.n_kl_rejects, 1);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"ls_accept_first", test_accept_first},     {"ls_kl_reject", test_kl_reject},
        {"ls_improve_reject", test_improve_reject}, {"ls_no_step", test_no_step},
        {"ls_eval_failed", test_eval_failed},
    };
    return tu_run(tu_suite("linesearch", cases, TU_COUNT(cases), 0));
}
