/* test_slow.c - long checks of the numerical core at realistic sizes (suite `slow`).
 *
 * 1. Gradients of every loss kind on 64-64 networks with minibatches of 64, against
 *    central finite differences in double of tu_ref_loss (as test_loss.c) on a
 *    random subset of 200 coordinates per configuration, several seeds.
 * 2. The natural-gradient solve TRPO performs: conjugate gradient with fvp_compute as
 *    the product, on (F + lambda I) x = g, against LAPACK's Cholesky solve of the
 *    explicitly built matrix (relative 1e-3 after 60 iterations).
 * 3. The trust-region step scaled to KL radius delta, beta = sqrt(2 delta / x^T F x):
 *    the measured mean KL(old || new) after the step matches delta to 5% for
 *    delta in 1e-5..1e-3 (second-order accuracy of the quadratic model).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"
#include "fvp.h"
#include "loss.h"
#include "testutil.h"

extern void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda,
                   double *b, const int *ldb, int *info);

/* the fixture: 2 hidden layers of h tanh units each, orthogonal initialisation moved by
 * N(0, 0.1^2), old parameters 0.02 away */
static void fix_make(TuLossFix *f, DistKind k, int obs_dim, int h, int batch, uint64_t seed)
{
    ModelConfig mc = {.obs_dim = obs_dim,
                      .dist = k,
                      .act_n = k == DIST_CATEGORICAL ? 3 : 2,
                      .pi_hidden = {h, h},
                      .pi_n_hidden = 2,
                      .vf_hidden = {h, h},
                      .vf_n_hidden = 2,
                      .act = ACT_TANH,
                      .init_logstd = -0.5};
    tu_loss_fix_make(f, &mc, batch, seed, 0.1, 0.02, 1);
}

START_TEST(test_loss_large)
{
    const LossConfig cfgs[] = {{LOSS_PPO_CLIP, 0.2, 0, 0.01, 0.5, 0.2, 1, 0},
                               {LOSS_PG, 0, 0, 0.01, 0.5, 0, 0, 0},
                               {LOSS_SURROGATE, 0, 0, 0, 0, 0, 0, 0},
                               {LOSS_KL_PENALTY, 0, 1.0, 0.0, 0.5, 0, 1, 0}};
    for (int k = 0; k < 2; k++) {
        for (int c = 0; c < 4; c++) {
            for (int seed = 0; seed < 2; seed++) {
                TuLossFix f;
                fix_make(&f, (DistKind)k, 8, 64, 64, 1000 + 10 * c + seed);
                f.cfg = cfgs[c];
                long np = (long)f.m.n_params;
                float *grad = calloc((size_t)np, sizeof(float));
                LossStats st;
                ck_assert_int_eq(loss_compute(grad, &st, f.w, &f.m, f.params, &f.b, &f.cfg), 0);
                ck_assert(fabs(st.loss - tu_ref_loss(&f)) < 1e-5 * fmax(1.0, fabs(st.loss)));
                /* 200 random coordinates */
                Rng r;
                rng_seed(&r, 77, (uint64_t)(c * 2 + seed));
                double gmax = 0.0, err = 0.0, num[200];
                float an[200];
                for (int q = 0; q < 200; q++) {
                    long i = (long)rng_below(&r, (uint32_t)np);
                    tu_numeric_grad(&num[q], f.params + i, 1, 1e-5, tu_ref_loss, &f);
                    an[q] = grad[i];
                    gmax = fmax(gmax, fabs(num[q]));
                }
                for (long i = 0; i < np; i++)
                    gmax = fmax(gmax, fabs(grad[i]));
                err = tu_grad_err(an, num, 200, 1e-3 * gmax);
                printf("slow loss kind %d dist %d seed %d (%ld params): max rel err %.3g\n", c, k,
                       seed, np, err);
                ck_assert_msg(err < 1e-4, "gradient error %g", err);
                free(grad);
                tu_loss_fix_free(&f);
            }
        }
    }
}
END_TEST

typedef struct {
    TuLossFix *f;
    double damping;
} FvpCtx;

static int fvp_matvec(void *ctx, const float *v, float *out)
{
    FvpCtx *c = ctx;
    fvp_compute(out, c->f->w, &c->f->m, c->f->params, c->f->obs, c->f->b.n, v, c->damping, 0);
    return 0;
}

START_TEST(test_natural_step)
{
    for (int k = 0; k < 2; k++) {
        TuLossFix f;
        fix_make(&f, (DistKind)k, 4, 16, 256, 2000 + k);
        long np = (long)f.m.n_policy;
        int n = f.m.dist.n, B = f.b.n;
        double damping = 0.1;
        /* policy gradient of the surrogate at theta_old = params (old_logp = logp) */
        float *grad = calloc(f.m.n_params, sizeof(float)), *g = malloc(sizeof(float) * np);
        memcpy(f.old_p, model_policy(f.w, &f.m, f.params, f.obs, B), sizeof(float) * B * n);
        if (k == DIST_GAUSSIAN)
            memcpy(f.old_logstd, model_logstd(&f.m, f.params), sizeof(float) * n);
        dist_logp(f.old_logp, &f.m.dist, f.old_p, model_logstd(&f.m, f.params), f.act, B);
        LossConfig sur = {LOSS_SURROGATE, 0, 0, 0, 0, 0, 0, 0};
        LossStats st;
        loss_compute(grad, &st, f.w, &f.m, f.params, &f.b, &sur);
        for (long i = 0; i < np; i++)
            g[i] = -grad[i]; /* ascent direction */

        /* explicit F + damping I column by column from the product, in double */
        double *A = malloc(sizeof(double) * np * np), *x_ref = malloc(sizeof(double) * np);
        float *e = calloc((size_t)np, sizeof(float)), *col = malloc(sizeof(float) * np);
        FvpCtx ctx = {&f, damping};
        for (long j = 0; j < np; j++) {
            e[j] = 1.0f;
            fvp_matvec(&ctx, e, col);
            e[j] = 0.0f;
            for (long i = 0; i < np; i++)
                A[j * np + i] = col[i]; /* column-major */
        }
        for (long i = 0; i < np; i++)
            for (long j = 0; j < i; j++) /* symmetrise the float rounding */
                A[j * np + i] = A[i * np + j] = 0.5 * (A[j * np + i] + A[i * np + j]);
        for (long i = 0; i < np; i++)
            x_ref[i] = g[i];
        int nn = (int)np, one = 1, info = 0;
        dposv_("L", &nn, &one, A, &nn, x_ref, &nn, &info);
        ck_assert_int_eq(info, 0);

        float *x = malloc(sizeof(float) * np), *fx = malloc(sizeof(float) * np);
        CgWork w;
        CgResult res;
        ck_assert_int_eq(cg_work_init(&w, np), 0);
        cg_solve(x, &res, &w, fvp_matvec, &ctx, g, 60, 1e-10);
        double num = 0.0, den = 0.0;
        for (long i = 0; i < np; i++) {
            num += (x[i] - x_ref[i]) * (x[i] - x_ref[i]);
            den += x_ref[i] * x_ref[i];
        }
        printf("slow natural step dist %d: %ld params, CG %s after %d iterations, "
               "|x - x_lapack| / |x_lapack| = %.3g\n",
               k, np, cg_reason_name(res.reason), res.iterations, sqrt(num / den));
        ck_assert_msg(sqrt(num / den) < 1e-3, "CG solution differs from LAPACK by %g",
                      sqrt(num / den));

        /* scale to the KL radius and measure the KL */
        ctx.damping = 0.0;
        fvp_matvec(&ctx, x, fx);
        double xfx = tu_dot(x, fx, np);
        for (int t = 0; t < 3; t++) {
            double delta = t == 0 ? 1e-3 : (t == 1 ? 1e-4 : 1e-5);
            double beta = sqrt(2 * delta / xfx);
            float *newp = malloc(sizeof(float) * f.m.n_params), *kl = malloc(sizeof(float) * B);
            memcpy(newp, f.params, sizeof(float) * f.m.n_params);
            for (long i = 0; i < np; i++)
                newp[i] += (float)(beta * x[i]);
            const float *pn = model_policy(f.w, &f.m, newp, f.obs, B);
            dist_kl(kl, &f.m.dist, f.old_p, k == DIST_GAUSSIAN ? f.old_logstd : NULL, pn,
                    model_logstd(&f.m, newp), B);
            double mkl = 0.0;
            for (int i = 0; i < B; i++)
                mkl += kl[i] / (double)B;
            printf("slow natural step dist %d: delta %.0e measured KL %.4e (ratio %.4f)\n", k,
                   delta, mkl, mkl / delta);
            ck_assert_msg(fabs(mkl / delta - 1.0) < 0.05, "KL %g for radius %g", mkl, delta);
            free(newp);
            free(kl);
        }
        cg_work_free(&w);
        free(grad);
        free(g);
        free(A);
        free(x_ref);
        free(e);
        free(col);
        free(x);
        free(fx);
        tu_loss_fix_free(&f);
    }
}
END_TEST

int main(void)
{
    const TuCase cases[] = {{"slow_loss_large", test_loss_large},
                            {"slow_natural_step", test_natural_step}};
    return tu_run(tu_suite("slow", cases, TU_COUNT(cases), 900));
}
