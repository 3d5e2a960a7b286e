/* test_optim.c - unit tests of optim.c: Adam against a three-step trace written out
 * in double from Kingma & Ba's formulas, the global gradient norm, clipping as
 * torch.nn.utils.clip_grad_norm_, and the linear learning-rate schedule.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optim.h"
#include "testutil.h"

START_TEST(test_adam_init_free)
{
    const AdamConfig cfg = {0.9, 0.999, 1e-8};
    Adam a;
    ck_assert_int_eq(adam_init(&a, 7, &cfg), 0);
    ck_assert(a.n == 7 && a.t == 0 && a.m && a.v);
    ck_assert(a.cfg.beta1 == 0.9 && a.cfg.beta2 == 0.999 && a.cfg.eps == 1e-8);
    for (int i = 0; i < 7; i++)
        ck_assert(a.m[i] == 0.0f && a.v[i] == 0.0f);
    adam_free(&a);
    ck_assert(a.m == NULL && a.v == NULL && a.n == 0);
    adam_free(&a); /* a freed (zeroed) struct is accepted */
    Adam z;
    memset(&z, 0, sizeof z);
    adam_free(&z);
}
END_TEST

/* Adam by the book, in double: Kingma & Ba (2015), algorithm 1, eps outside the
 * bias-corrected square root (the PyTorch placement). */
static void adam_reference(double *p, double *m, double *v, const double *g, int n, int t,
                           double lr, double b1, double b2, double eps)
{
    for (int i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1.0 - b1) * g[i];
        v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
        const double m_hat = m[i] / (1.0 - pow(b1, t));
        const double v_hat = v[i] / (1.0 - pow(b2, t));
        p[i] -= lr * m_hat / (sqrt(v_hat) + eps);
    }
}

/* Run three steps of adam_step and of the reference with the given configuration;
 * return the max relative difference over params, m and v. */
static double adam_trace(double b1, double b2, double eps, const double lr[3])
{
    enum { N = 6 };
    const double p0[N] = {0.5, -1.25, 2.0, 0.0, 3.0, -0.75};
    /* gradients per step: mixed signs and scales, a zero, a sign flip, a tiny one */
    const double g[3][N] = {{0.1, -2.0, 0.0, 1e-3, 5.0, -0.3},
                            {-0.2, -1.5, 0.0, 2e-3, 4.0, 0.6},
                            {0.05, -2.5, 1e-4, -1e-3, -3.0, 0.1}};
    const AdamConfig cfg = {b1, b2, eps};
    Adam a;
    ck_assert_int_eq(adam_init(&a, N, &cfg), 0);
    float pf[N], gf[N];
    double p[N], m[N] = {0}, v[N] = {0};
    for (int i = 0; i < N; i++) {
        pf[i] = (float)p0[i];
        p[i] = p0[i];
    }
    double worst = 0.0;
    for (int t = 1; t <= 3; t++) {
        for (int i = 0; i < N; i++)
            gf[i] = (float)g[t - 1][i];
        adam_step(&a, pf, gf, lr[t - 1]);
        adam_reference(p, m, v, g[t - 1], N, t, lr[t - 1], b1, b2, eps);
        ck_assert_int_eq((int)a.t, t);
        float pr[N], mr[N], vr[N];
        golden_to_float(pr, p, N);
        golden_to_float(mr, m, N);
        golden_to_float(vr, v, N);
        const double dp = tu_max_rel_diff(pf, pr, N, 1e-3);
        const double dm = tu_max_rel_diff(a.m, mr, N, 1e-6);
        const double dv = tu_max_rel_diff(a.v, vr, N, 1e-9);
        printf("adam b1=%g b2=%g eps=%g step %d: max rel diff params %.2e m %.2e v %.2e\n", b1, b2,
               eps, t, dp, dm, dv);
        worst = fmax(worst, fmax(dp, fmax(dm, dv)));
        /* the params must have moved by what the reference says (not only be close to
         * their start): compare the total displacement too */
        for (int i = 0; i < N; i++) {
            const double want = p[i] - p0[i], got = (double)pf[i] - p0[i];
            ck_assert_msg(fabs(got - want) <= 1e-6 * fmax(fabs(p0[i]), 1.0) + 1e-4 * fabs(want),
                          "step %d param %d: moved %.9g, want %.9g", t, i, got, want);
        }
    }
    adam_free(&a);
    return worst;
}

START_TEST(test_adam_step)
{
    /* default betas with a constant lr; odd betas, a large eps (so its placement
     * matters: grads of 1e-3 give sqrt(v_hat) ~ eps) and a changing lr */
    const double lr1[3] = {1e-2, 1e-2, 1e-2};
    const double lr2[3] = {3e-2, 1e-2, 5e-3};
    double d = adam_trace(0.9, 0.999, 1e-8, lr1);
    ck_assert_msg(d < 1e-6, "default config: max rel diff %.3e", d);
    d = adam_trace(0.8, 0.95, 1e-3, lr2);
    ck_assert_msg(d < 1e-6, "odd config: max rel diff %.3e", d);

    /* hand check of step 1: m_hat = g, v_hat = g^2, so p moves by -lr g / (|g| + eps) */
    const AdamConfig cfg = {0.9, 0.999, 1e-8};
    Adam a;
    ck_assert_int_eq(adam_init(&a, 2, &cfg), 0);
    float p[2] = {1.0f, 1.0f};
    const float g[2] = {4.0f, -0.5f};
    adam_step(&a, p, g, 0.1);
    ck_assert_msg(fabs(p[0] - 0.9) < 1e-6 && fabs(p[1] - 1.1) < 1e-6, "step 1: %.9g %.9g", p[0],
                  p[1]);
    adam_free(&a);
}
END_TEST

START_TEST(test_grad_global_norm)
{
    const float g[4] = {3.0f, -4.0f, 12.0f, 0.0f};
    ck_assert(grad_global_norm(g, 4) == 13.0);
    ck_assert(grad_global_norm(g, 0) == 0.0);
    /* squares beyond FLT_MAX: only a double accumulator gets 5e30 */
    const float big[2] = {3e30f, 4e30f};
    const double nb = grad_global_norm(big, 2);
    ck_assert_msg(fabs(nb / 5e30 - 1.0) < 1e-7, "norm %.9g, want 5e30", nb);
    /* many small terms: a float accumulator is off by ~1e-3 here, double by ~1e-11 */
    enum { N = 1 << 20 };
    float *ones = malloc(N * sizeof *ones);
    ck_assert(ones);
    for (long i = 0; i < N; i++)
        ones[i] = 1e-3f;
    const double want = sqrt((double)N) * (double)1e-3f;
    const double got = grad_global_norm(ones, N);
    printf("grad_global_norm: 2^20 x 1e-3: rel diff %.2e\n", fabs(got / want - 1.0));
    ck_assert_msg(fabs(got / want - 1.0) < 1e-9, "norm %.12g, want %.12g", got, want);
    free(ones);
}
END_TEST

START_TEST(test_grad_clip)
{
    /* norm 13 > 2: scaled by 2 / (13 + 1e-6), pre-clip norm returned */
    float g[3] = {3.0f, -4.0f, 12.0f};
    const float g0[3] = {3.0f, -4.0f, 12.0f};
    const double n = grad_clip_global_norm(g, 3, 2.0);
    ck_assert(n == 13.0);
    const double c = 2.0 / (13.0 + 1e-6);
    double worst = 0.0;
    for (int i = 0; i < 3; i++)
        worst = fmax(worst, fabs(g[i] - c * g0[i]) / fabs(c * g0[i]));
    printf("grad_clip: max rel diff %.2e\n", worst);
    ck_assert_msg(worst < 1e-6, "clipped values off by %.3e", worst);
    ck_assert_msg(fabs(grad_global_norm(g, 3) - 2.0) < 1e-6, "norm after clip %.9g",
                  grad_global_norm(g, 3));

    /* norm 13 < 20: untouched, bit for bit */
    float h[3] = {3.0f, -4.0f, 12.0f};
    ck_assert(grad_clip_global_norm(h, 3, 20.0) == 13.0);
    ck_assert(memcmp(h, g0, sizeof h) == 0);

    /* zero gradient with max 0: coefficient 0 / 1e-6 = 0 < 1, stays zero */
    float z[2] = {0.0f, 0.0f};
    ck_assert(grad_clip_global_norm(z, 2, 1.0) == 0.0);
    ck_assert(z[0] == 0.0f && z[1] == 0.0f);
}
END_TEST

START_TEST(test_lr_linear)
{
    ck_assert(lr_linear(1e-3, 0.0, 100.0) == 1e-3);                 /* start */
    ck_assert(fabs(lr_linear(1e-3, 25.0, 100.0) - 7.5e-4) < 1e-18); /* a quarter done */
    ck_assert(lr_linear(1e-3, 100.0, 100.0) == 0.0);                /* end */
    ck_assert(lr_linear(1e-3, 250.0, 100.0) == 0.0);                /* past the end: 0 */
    ck_assert(lr_linear(1e-3, -50.0, 100.0) == 1e-3);               /* before start: lr0 */
    ck_assert(lr_linear(1e-3, 10.0, 0.0) == 1e-3);                  /* no schedule */
    ck_assert(lr_linear(1e-3, 10.0, -5.0) == 1e-3);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"adam_init", test_adam_init_free},
        {"adam_step", test_adam_step},
        {"grad_global_norm", test_grad_global_norm},
        {"grad_clip_global_norm", test_grad_clip},
        {"lr_linear", test_lr_linear},
    };
    return tu_run(tu_suite("optim", cases, TU_COUNT(cases), 0));
}
