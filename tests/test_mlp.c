/* test_mlp.c - MLP forward against a plain double implementation, backward and JVP
 * against central finite differences in double, and orthogonal initialisation.
 *
 * The finite differences are taken in double on a double-precision reference forward
 * pass (tu_ref_mlp in testutil.c) (itself checked against mlp_forward to 1e-5), with
 * step 1e-4: truncation error ~1e-8, rounding ~1e-12. What remains is the float32
 * rounding of the analytic gradient, so gradients must agree to 3e-4 relative (floor
 * 1e-3 of the gradient's largest entry).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"
#include "testutil.h"

typedef struct {
    Mlp m;
    ParamTable t;
    MlpCache *c;
    float *params;
    float *x;
    double *w; /* objective weights (B, out) */
    int batch;
} Net;

static void net_make(Net *n, int in, const int *hidden, int nh, int out, Activation act, int batch,
                     uint64_t seed)
{
    params_init(&n->t);
    ck_assert_int_eq(mlp_init(&n->m, &n->t, "net", in, hidden, nh, out, act), 0);
    n->c = mlp_cache_create(&n->m, batch);
    ck_assert_ptr_nonnull(n->c);
    n->params = malloc(n->t.total * sizeof(float));
    n->x = malloc(sizeof(float) * batch * in);
    n->w = malloc(sizeof(double) * batch * out);
    n->batch = batch;
    Rng r;
    rng_seed(&r, seed, 0);
    tu_fill_normal(n->params, (long)n->t.total, 0.6, &r);
    tu_fill_normal(n->x, (long)batch * in, 1.0, &r);
    for (int i = 0; i < batch * out; i++)
        n->w[i] = rng_uniform_range(&r, -1, 1);
}

static void net_free(Net *n)
{
    mlp_cache_destroy(&n->c);
    ck_assert_ptr_null(n->c);
    free(n->params);
    free(n->x);
    free(n->w);
}

/* sum_ij w_ij out_ij with the double reference forward */
static double net_objective(void *ctx)
{
    Net *n = ctx;
    int in = n->m.size[0], out = n->m.size[n->m.n_layers];
    double s = 0.0, y[64];
    for (int i = 0; i < n->batch; i++) {
        tu_ref_mlp(y, &n->m, n->params, n->x + (long)i * in);
        for (int j = 0; j < out; j++)
            s += n->w[i * out + j] * y[j];
    }
    return s;
}

/* floor for relative errors: 1e-3 of the largest |g| */
static double grad_floor(const double *g, long n)
{
    double m = 0.0;
    for (long i = 0; i < n; i++)
        m = fmax(m, fabs(g[i]));
    return 1e-3 * fmax(m, 1e-12);
}

static const int hidden2[2] = {7, 5};

START_TEST(test_forward)
{
    for (int act = 0; act <= 1; act++) {
        for (int batch = 1; batch <= 9; batch += 8) {
            Net n;
            net_make(&n, 4, hidden2, 2, 3, (Activation)act, batch, 11 + act);
            const float *y = mlp_forward(n.c, &n.m, n.params, n.x, batch);
            double err = 0.0, ref[3];
            for (int i = 0; i < batch; i++) {
                tu_ref_mlp(ref, &n.m, n.params, n.x + i * 4);
                for (int j = 0; j < 3; j++)
                    err = fmax(err, fabs(y[i * 3 + j] - ref[j]) / fmax(1.0, fabs(ref[j])));
            }
            printf("mlp forward act %d batch %d: max rel diff %.3g\n", act, batch, err);
            ck_assert_msg(err < 1e-5, "forward differs by %g", err);
            net_free(&n);
        }
    }
}
END_TEST

START_TEST(test_backward)
{
    static const int batches[] = {1, 3, 17};
    for (int act = 0; act <= 1; act++) {
        for (int bi = 0; bi < 3; bi++) {
            int batch = batches[bi];
            Net n;
            net_make(&n, 4, hidden2, 2, 3, (Activation)act, batch, 100 + bi + 10 * act);
            long np = (long)n.t.total;
            float *grad = calloc((size_t)np, sizeof(float));
            float *gx = calloc((size_t)batch * 4, sizeof(float));
            float *gout = malloc(sizeof(float) * batch * 3);
            double *num = malloc(sizeof(double) * (np > batch * 4 ? np : batch * 4));
            for (int i = 0; i < batch * 3; i++)
                gout[i] = (float)n.w[i];
            /* make the objective exactly the float weights the backward sees */
            for (int i = 0; i < batch * 3; i++)
                n.w[i] = gout[i];
            mlp_forward(n.c, &n.m, n.params, n.x, batch);
            mlp_backward(grad, gx, &n.m, n.params, n.c, gout);
            tu_numeric_grad(num, n.params, np, 1e-4, net_objective, &n);
            double ep = tu_grad_err(grad, num, np, grad_floor(num, np));
            tu_numeric_grad(num, n.x, (long)batch * 4, 1e-4, net_objective, &n);
            double ex = tu_grad_err(gx, num, (long)batch * 4, grad_floor(num, (long)batch * 4));
            printf("mlp backward act %d batch %d: max rel err params %.3g inputs %.3g\n", act,
                   batch, ep, ex);
            ck_assert_msg(ep < 3e-4 && ex < 3e-4, "gradient error params %g inputs %g", ep, ex);

            /* accumulation: a second backward doubles the gradient */
            float *g2 = malloc(sizeof(float) * np);
            memcpy(g2, grad, sizeof(float) * np);
            mlp_forward(n.c, &n.m, n.params, n.x, batch);
            mlp_backward(grad, NULL, &n.m, n.params, n.c, gout);
            for (long i = 0; i < np; i++)
                ck_assert_float_eq_tol(grad[i], 2 * g2[i], 1e-6 * fabs(g2[i]) + 1e-7);
            free(g2);
            free(grad);
            free(gx);
            free(gout);
            free(num);
            net_free(&n);
        }
    }
}
END_TEST

START_TEST(test_jvp)
{
    static const int batches[] = {1, 6};
    for (int act = 0; act <= 1; act++) {
        for (int bi = 0; bi < 2; bi++) {
            int batch = batches[bi];
            Net n;
            net_make(&n, 3, hidden2, 2, 2, (Activation)act, batch, 300 + bi + 10 * act);
            long np = (long)n.t.total;
            float *v = malloc(sizeof(float) * np), *jv = malloc(sizeof(float) * batch * 2);
            Rng r;
            rng_seed(&r, 5, (uint64_t)bi);
            tu_fill_normal(v, np, 1.0, &r);
            mlp_forward(n.c, &n.m, n.params, n.x, batch);
            mlp_jvp(jv, &n.m, n.params, v, n.c);

            /* (J v)_k = grad(y_k) . v with grad(y_k) by finite differences in double */
            double maxerr = 0.0, *num = malloc(sizeof(double) * np);
            for (int k = 0; k < batch * 2; k++) {
                for (int i = 0; i < batch * 2; i++)
                    n.w[i] = i == k;
                tu_numeric_grad(num, n.params, np, 1e-4, net_objective, &n);
                double fd = 0.0;
                for (long i = 0; i < np; i++)
                    fd += num[i] * v[i];
                maxerr = fmax(maxerr, fabs(fd - jv[k]) / fmax(fabs(fd), 1e-3));
            }
            free(num);

            /* adjoint identity: c^T (J v) = (J^T c)^T v, with J^T c from the backward */
            float *g = calloc((size_t)np, sizeof(float)), *c = malloc(sizeof(float) * batch * 2);
            tu_fill_normal(c, batch * 2, 1.0, &r);
            mlp_forward(n.c, &n.m, n.params, n.x, batch);
            mlp_backward(g, NULL, &n.m, n.params, n.c, c);
            double lhs = tu_dot(c, jv, batch * 2), rhs = tu_dot(g, v, np);
            double adj = fabs(lhs - rhs) / fmax(1.0, fabs(lhs));
            printf("mlp jvp act %d batch %d: max rel err vs FD %.3g, adjoint %.3g\n", act, batch,
                   maxerr, adj);
            ck_assert_msg(maxerr < 3e-4, "JVP differs from finite differences by %g", maxerr);
            ck_assert_msg(adj < 1e-5, "JVP and backward disagree: %g vs %g", lhs, rhs);
            free(g);
            free(c);
            free(v);
            free(jv);
            net_free(&n);
        }
    }
}
END_TEST

START_TEST(test_orthogonal)
{
    static const int hidden[2] = {16, 9};
    ParamTable t;
    Mlp m;
    params_init(&t);
    ck_assert_int_eq(mlp_init(&m, &t, "pi", 4, hidden, 2, 3, ACT_TANH), 0);
    float *p = malloc(sizeof(float) * t.total), *q = malloc(sizeof(float) * t.total);
    Rng r;
    rng_seed(&r, 1, 2);
    for (size_t i = 0; i < t.total; i++)
        p[i] = 123.0f;
    ck_assert_int_eq(mlp_init_orthogonal(&m, p, sqrt(2.0), 0.01, &r), 0);
    for (int l = 0; l < m.n_layers; l++) {
        int rows = m.size[l + 1], cols = m.size[l];
        double gain = l + 1 == m.n_layers ? 0.01 : sqrt(2.0), err = 0.0;
        const float *w = p + m.w_off[l];
        /* rows >= cols: W^T W = g^2 I (cols x cols); else W W^T = g^2 I (rows x rows) */
        int k = rows >= cols ? cols : rows;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double s = 0.0;
                for (int i = 0; i < (rows >= cols ? rows : cols); i++)
                    s += rows >= cols ? (double)w[i * cols + a] * w[i * cols + b]
                                      : (double)w[a * cols + i] * w[b * cols + i];
                err = fmax(err, fabs(s / (gain * gain) - (a == b)));
            }
        }
        printf("orthogonal layer %d (%dx%d): max |W'W/g^2 - I| %.3g\n", l, rows, cols, err);
        ck_assert_msg(err < 1e-5, "layer %d not orthogonal: %g", l, err);
        for (int i = 0; i < rows; i++)
            ck_assert_float_eq(p[m.b_off[l] + i], 0.0f);
    }
    /* same seed, same weights; another seed, other weights */
    rng_seed(&r, 1, 2);
    mlp_init_orthogonal(&m, q, sqrt(2.0), 0.01, &r);
    ck_assert_mem_eq(p, q, sizeof(float) * t.total);
    rng_seed(&r, 2, 2);
    mlp_init_orthogonal(&m, q, sqrt(2.0), 0.01, &r);
    ck_assert(memcmp(p, q, sizeof(float) * t.total) != 0);
    free(p);
    free(q);
}
END_TEST

START_TEST(test_tanh)
{
    /* [-12, 12] in steps of 4e-5, then the special values */
    double worst = 0.0, at = 0.0;
    for (long i = -300000; i <= 300000; i++) {
        float x = (float)(i * 4e-5);
        double err = fabs((double)mlp_tanh(x) - tanh((double)x));
        if (err > worst) {
            worst = err;
            at = x;
        }
        ck_assert(fabsf(mlp_tanh(x)) <= 1.0f);
    }
    printf("mlp_tanh: max abs error %.3g at x = %.7g\n", worst, at);
    ck_assert_msg(worst < 3e-7, "tanh approximation error %g at %g", worst, at);
    /* odd, exact at 0, saturates, propagates NaN */
    for (float x = 0.01f; x < 12.0f; x *= 1.37f)
        ck_assert_float_eq(mlp_tanh(-x), -mlp_tanh(x));
    ck_assert_float_eq(mlp_tanh(0.0f), 0.0f);
    ck_assert(signbit(mlp_tanh(-0.0f)));
    ck_assert_float_eq(mlp_tanh(30.0f), 1.0f);
    ck_assert_float_eq(mlp_tanh(INFINITY), 1.0f);
    ck_assert_float_eq(mlp_tanh(-INFINITY), -1.0f);
    ck_assert(isnan(mlp_tanh(NAN)));
    /* monotone on a fine grid around the branch switch */
    float prev = mlp_tanh(0.5f);
    for (float x = 0.5f; x < 0.6f; x = nextafterf(x, 1.0f)) {
        float y = mlp_tanh(x);
        ck_assert_msg(y >= prev, "not monotone at %.9g", x);
        prev = y;
    }
}
END_TEST

START_TEST(test_init_rejects)
{
    ParamTable t;
    Mlp m;
    params_init(&t);
    int bad[1] = {0};
    ck_assert_int_eq(mlp_init(&m, &t, "x", 3, bad, 1, 2, ACT_TANH), -1);
    int many[MLP_MAX_LAYERS] = {1, 1, 1, 1, 1, 1, 1, 1};
    ck_assert_int_eq(mlp_init(&m, &t, "y", 3, many, MLP_MAX_LAYERS, 2, ACT_TANH), -1);
    ck_assert_int_eq(mlp_init(&m, &t, "z", 0, NULL, 0, 2, ACT_TANH), -1);
    ck_assert_ptr_null(mlp_cache_create(&m, 0));
    MlpCache *none = NULL;
    mlp_cache_destroy(&none);
    mlp_cache_destroy(NULL);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"mlp_forward", test_forward}, {"mlp_backward", test_backward},
        {"mlp_jvp", test_jvp},         {"mlp_orthogonal", test_orthogonal},
        {"mlp_tanh", test_tanh},       {"mlp_init_rejects", test_init_rejects},
    };
    return tu_run(tu_suite("mlp", cases, TU_COUNT(cases), 60));
}
