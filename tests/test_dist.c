/* test_dist.c - categorical and diagonal-Gaussian distributions.
 *
 * Values are compared with the textbook formulas written out in double in testutil.c; every
 * gradient is compared with central finite differences in double of those formulas
 * (step 1e-5, so truncation ~1e-10), which leaves only the float32 rounding of the
 * analytic result: tolerance 1e-5 relative, floor 1e-4. The Fisher metric is checked
 * against the finite-difference Hessian of KL(p_old || p) at p = p_old. Sampling is
 * checked statistically with bounds of about five standard errors.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "testutil.h"

#define N    3
#define MAXB 5

/* ---- fixture: a batch with parameters, log-stds, actions and output weights ---- */

typedef struct {
    Dist d;
    int batch;
    float p0[MAXB * N], p1[MAXB * N], s0[N], s1[N], act[MAXB * N];
    float g[MAXB];
    int which; /* objective: 0 logp, 1 entropy, 2 KL(0||1), 3 KL(1||0) */
} Fix;

static void fix_make(Fix *f, DistKind k, int batch, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed, 3);
    memset(f, 0, sizeof *f);
    f->d.kind = k;
    f->d.n = N;
    f->batch = batch;
    tu_fill_normal(f->p0, batch * N, 1.0, &r);
    for (int i = 0; i < batch * N; i++)
        f->p1[i] = f->p0[i] + (float)(0.4 * rng_normal(&r));
    tu_fill_uniform(f->s0, N, -0.8, 0.3, &r);
    tu_fill_uniform(f->s1, N, -0.8, 0.3, &r);
    for (int i = 0; i < batch; i++) {
        if (k == DIST_CATEGORICAL)
            f->act[i] = (float)rng_below(&r, N);
        else
            for (int j = 0; j < N; j++)
                f->act[i * N + j] = f->p0[i * N + j] + (float)rng_normal(&r);
        f->g[i] = (float)rng_uniform_range(&r, -1, 1);
    }
}

static void to_d(double *o, const float *x, int n)
{
    for (int i = 0; i < n; i++)
        o[i] = x[i];
}

/* sum_i g_i * quantity_i with the double references */
static double fix_objective(void *ctx)
{
    Fix *f = ctx;
    double p0[N], p1[N], s0[N], s1[N], a[N], t = 0.0;
    to_d(s0, f->s0, N);
    to_d(s1, f->s1, N);
    for (int i = 0; i < f->batch; i++) {
        to_d(p0, f->p0 + i * N, N);
        to_d(p1, f->p1 + i * N, N);
        to_d(a, f->act + i * dist_action_dim(&f->d), dist_action_dim(&f->d));
        double q = f->which == 0   ? tu_ref_logp(&f->d, p0, s0, a)
                   : f->which == 1 ? tu_ref_entropy(&f->d, p0, s0)
                   : f->which == 2 ? tu_ref_kl(&f->d, p0, s0, p1, s1)
                                   : tu_ref_kl(&f->d, p1, s1, p0, s0);
        t += f->g[i] * q;
    }
    return t;
}

static double max_abs(const double *g, int n)
{
    double m = 0.0;
    for (int i = 0; i < n; i++)
        m = fmax(m, fabs(g[i]));
    return m;
}

/* analytic gradient (float) against finite differences of the reference */
static void check_grad(const char *what, const float *an, float *x, int n, Fix *f)
{
    double num[MAXB * N];
    tu_numeric_grad(num, x, n, 1e-5, fix_objective, f);
    double err = tu_grad_err(an, num, n, fmax(1e-4, 1e-4 * max_abs(num, n)));
    printf("dist %s %s batch %d: max rel err %.3g\n",
           f->d.kind == DIST_CATEGORICAL ? "categorical" : "gaussian", what, f->batch, err);
    ck_assert_msg(err < 1e-5, "%s gradient: relative error %g (tolerance 1e-5)", what, err);
}

static const int batches[] = {1, 2, 5};

START_TEST(test_logp)
{
    for (int k = 0; k < 2; k++) {
        for (int b = 0; b < 3; b++) {
            Fix f;
            fix_make(&f, (DistKind)k, batches[b], 10 + b);
            f.which = 0;
            float lp[MAXB], gp[MAXB * N] = {0}, gs[N] = {0};
            dist_logp(lp, &f.d, f.p0, f.s0, f.act, f.batch);
            double err = 0.0, p[N], s[N], a[N];
            to_d(s, f.s0, N);
            for (int i = 0; i < f.batch; i++) {
                to_d(p, f.p0 + i * N, N);
                to_d(a, f.act + i * dist_action_dim(&f.d), dist_action_dim(&f.d));
                err = fmax(err, fabs(lp[i] - tu_ref_logp(&f.d, p, s, a)));
            }
            ck_assert_msg(err < 1e-5, "log-prob differs by %g", err);
            dist_logp_backward(gp, gs, &f.d, f.p0, f.s0, f.act, f.g, f.batch);
            check_grad("dlogp/dp", gp, f.p0, f.batch * N, &f);
            if (k == DIST_GAUSSIAN)
                check_grad("dlogp/dlogstd", gs, f.s0, N, &f);
        }
    }
}
END_TEST

START_TEST(test_logp_invalid_action)
{
    Dist d = {DIST_CATEGORICAL, 3};
    float p[9] = {0}, act[3] = {3.0f, -1.0f, 0.5f}, lp[3];
    dist_logp(lp, &d, p, NULL, act, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(isnan(lp[i]), "invalid action %g gave log-prob %g", act[i], lp[i]);
}
END_TEST

START_TEST(test_entropy)
{
    for (int k = 0; k < 2; k++) {
        for (int b = 0; b < 3; b++) {
            Fix f;
            fix_make(&f, (DistKind)k, batches[b], 20 + b);
            f.which = 1;
            float h[MAXB], gp[MAXB * N] = {0}, gs[N] = {0};
            dist_entropy(h, &f.d, f.p0, f.s0, f.batch);
            double p[N], s[N];
            to_d(s, f.s0, N);
            for (int i = 0; i < f.batch; i++) {
                to_d(p, f.p0 + i * N, N);
                ck_assert_double_eq_tol(h[i], tu_ref_entropy(&f.d, p, s), 1e-5);
            }
            dist_entropy_backward(gp, gs, &f.d, f.p0, f.s0, f.g, f.batch);
            if (k == DIST_CATEGORICAL)
                check_grad("dH/dp", gp, f.p0, f.batch * N, &f);
            else
                check_grad("dH/dlogstd", gs, f.s0, N, &f);
        }
    }
}
END_TEST

START_TEST(test_kl)
{
    for (int k = 0; k < 2; k++) {
        for (int b = 0; b < 3; b++) {
            for (int dir = 2; dir <= 3; dir++) {
                Fix f;
                fix_make(&f, (DistKind)k, batches[b], 30 + b);
                f.which = dir;
                float kl[MAXB], gp0[MAXB * N] = {0}, gp1[MAXB * N] = {0}, gs0[N] = {0},
                                           gs1[N] = {0};
                /* dir 2: KL(0||1); dir 3: KL(1||0) through swapped arguments */
                const float *a0 = dir == 2 ? f.p0 : f.p1, *a1 = dir == 2 ? f.p1 : f.p0;
                const float *l0 = dir == 2 ? f.s0 : f.s1, *l1 = dir == 2 ? f.s1 : f.s0;
                dist_kl(kl, &f.d, a0, l0, a1, l1, f.batch);
                double p0[N], p1[N], s0[N], s1[N];
                to_d(s0, l0, N);
                to_d(s1, l1, N);
                for (int i = 0; i < f.batch; i++) {
                    to_d(p0, a0 + i * N, N);
                    to_d(p1, a1 + i * N, N);
                    ck_assert_double_eq_tol(kl[i], tu_ref_kl(&f.d, p0, s0, p1, s1), 1e-5);
                    ck_assert(kl[i] >= 0.0f);
                }
                dist_kl_backward(dir == 2 ? gp0 : gp1, dir == 2 ? gs0 : gs1, dir == 2 ? gp1 : gp0,
                                 dir == 2 ? gs1 : gs0, &f.d, a0, l0, a1, l1, f.g, f.batch);
                check_grad("dKL/dp0", gp0, f.p0, f.batch * N, &f);
                check_grad("dKL/dp1", gp1, f.p1, f.batch * N, &f);
                if (k == DIST_GAUSSIAN) {
                    check_grad("dKL/dlogstd0", gs0, f.s0, N, &f);
                    check_grad("dKL/dlogstd1", gs1, f.s1, N, &f);
                }
                /* KL of a distribution with itself is zero */
                dist_kl(kl, &f.d, f.p0, f.s0, f.p0, f.s0, f.batch);
                for (int i = 0; i < f.batch; i++)
                    ck_assert_float_eq_tol(kl[i], 0.0f, 1e-7);
            }
        }
    }
}
END_TEST

START_TEST(test_fisher)
{
    /* M u = Hessian of KL(p_old || p) at p = p_old applied to u, by differences of the
     * analytic KL gradient (itself checked above): (g(p + h u) - g(p - h u)) / 2h */
    for (int k = 0; k < 2; k++) {
        Fix f;
        fix_make(&f, (DistKind)k, 4, 40);
        Rng r;
        rng_seed(&r, 41, 0);
        float u[MAXB * N], mu[MAXB * N], gp[MAXB * N], gm[MAXB * N], pp[MAXB * N];
        tu_fill_normal(u, f.batch * N, 1.0, &r);
        dist_fisher_apply(mu, &f.d, f.p0, f.s0, u, f.batch);
        float ones[MAXB] = {1, 1, 1, 1, 1};
        double h = 3e-3, err = 0.0;
        for (int sign = 0; sign < 2; sign++) {
            float *g = sign ? gm : gp;
            memset(g, 0, sizeof gp);
            for (int i = 0; i < f.batch * N; i++)
                pp[i] = (float)(f.p0[i] + (sign ? -h : h) * u[i]);
            dist_kl_backward(NULL, NULL, g, NULL, &f.d, f.p0, f.s0, pp, f.s0, ones, f.batch);
        }
        for (int i = 0; i < f.batch * N; i++)
            err = fmax(err, fabs((gp[i] - gm[i]) / (2 * h) - mu[i]) / fmax(fabs(mu[i]), 1e-2));
        printf("dist fisher %d: max rel err vs KL Hessian %.3g\n", k, err);
        ck_assert_msg(err < 1e-3, "Fisher metric differs from the KL Hessian by %g", err);
        /* log-std block: d^2 KL / d s1^2 at s1 = s0 equals 2 per sample */
        if (k == DIST_GAUSSIAN) {
            float sp[N], sm[N], g1[N] = {0}, g2[N] = {0};
            for (int j = 0; j < N; j++) {
                sp[j] = (float)(f.s0[j] + h);
                sm[j] = (float)(f.s0[j] - h);
            }
            dist_kl_backward(NULL, NULL, NULL, g1, &f.d, f.p0, f.s0, f.p0, sp, ones, 1);
            dist_kl_backward(NULL, NULL, NULL, g2, &f.d, f.p0, f.s0, f.p0, sm, ones, 1);
            for (int j = 0; j < N; j++)
                ck_assert_double_eq_tol((g1[j] - g2[j]) / ((double)sp[j] - sm[j]),
                                        dist_fisher_logstd(), 1e-3);
        }
    }
}
END_TEST

START_TEST(test_sample_and_mode)
{
    Rng r;
    rng_seed(&r, 99, 1);
    /* categorical: frequencies against softmax, never an impossible action */
    Dist c = {DIST_CATEGORICAL, 3};
    float logits[3] = {0.5f, -1.0f, -INFINITY}, a;
    double p0 = exp(0.5) / (exp(0.5) + exp(-1.0));
    int counts[3] = {0}, n = 200000;
    for (int i = 0; i < n; i++) {
        dist_sample(&a, &c, logits, NULL, 1, &r);
        ck_assert(a == 0.0f || a == 1.0f);
        counts[(int)a]++;
    }
    double se = sqrt(p0 * (1 - p0) / n);
    printf("categorical sample: freq %.4f expected %.4f (se %.2g)\n", (double)counts[0] / n, p0,
           se);
    ck_assert(fabs((double)counts[0] / n - p0) < 5 * se);
    ck_assert_int_eq(counts[2], 0);
    dist_mode(&a, &c, logits, 1);
    ck_assert_float_eq(a, 0.0f);

    /* Gaussian: mean and std per dimension */
    Dist g = {DIST_GAUSSIAN, 2};
    float mu[2] = {0.3f, -2.0f}, ls[2] = {-0.5f, 0.7f}, x[2];
    double s1[2] = {0}, s2[2] = {0};
    for (int i = 0; i < n; i++) {
        dist_sample(x, &g, mu, ls, 1, &r);
        for (int j = 0; j < 2; j++) {
            s1[j] += x[j];
            s2[j] += (double)x[j] * x[j];
        }
    }
    for (int j = 0; j < 2; j++) {
        double m = s1[j] / n, sd = sqrt(s2[j] / n - m * m), want = exp(ls[j]);
        printf("gaussian sample dim %d: mean %.4f (%.4f) std %.4f (%.4f)\n", j, m, mu[j], sd, want);
        ck_assert(fabs(m - mu[j]) < 5 * want / sqrt(n));
        ck_assert(fabs(sd - want) < 5 * want / sqrt(2.0 * n));
    }
    dist_mode(x, &g, mu, 1);
    ck_assert_float_eq(x[0], mu[0]);
    ck_assert_float_eq(x[1], mu[1]);
    ck_assert_int_eq(dist_action_dim(&g), 2);
    ck_assert_int_eq(dist_action_dim(&c), 1);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"dist_logp", test_logp},       {"dist_logp_invalid_action", test_logp_invalid_action},
        {"dist_entropy", test_entropy}, {"dist_kl", test_kl},
        {"dist_fisher", test_fisher},   {"dist_sample_and_mode", test_sample_and_mode},
    };
    return tu_run(tu_suite("dist", cases, TU_COUNT(cases), 0));
}
