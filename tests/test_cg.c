/* test_cg.c - unit tests of cg.c: solutions of random SPD systems against LAPACK's
 * Cholesky solve (dposv), and every stop reason (iteration limit, indefinite matrix,
 * failed product, non-finite product, b = 0).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"
#include "rng.h"
#include "testutil.h"

/* LAPACK (in libopenblas): solve A X = B for SPD A by Cholesky; A, B column-major. */
extern void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda,
                   double *b, const int *ldb, int *info);

/* A dense symmetric matrix behind the CgMatVec interface. The product runs in double
 * and is rounded once. fail_at / nan_at: 1-based call that fails or returns a NaN. */
typedef struct {
    int n;
    double *a; /* (n, n), symmetric */
    int calls;
    int fail_at, nan_at;
} DenseOp;

static int dense_matvec(void *ctx, const float *v, float *out)
{
    DenseOp *op = ctx;
    op->calls++;
    if (op->calls == op->fail_at)
        return -1;
    for (int i = 0; i < op->n; i++) {
        double s = 0.0;
        for (int j = 0; j < op->n; j++)
            s += op->a[i * op->n + j] * v[j];
        out[i] = (float)s;
    }
    if (op->calls == op->nan_at)
        out[op->n / 2] = NAN;
    return 0;
}

/* A = Q^T Q / n + c I with Q (n, n) standard normal: SPD, eigenvalues in about
 * [c, 4 + c]. */
static DenseOp spd_random(int n, double c, Rng *r)
{
    DenseOp op = {n, calloc((size_t)n * n, sizeof(double)), 0, 0, 0};
    double *q = malloc((size_t)n * n * sizeof *q);
    ck_assert(op.a && q);
    for (int i = 0; i < n * n; i++)
        q[i] = rng_normal(r);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++)
                s += q[k * n + i] * q[k * n + j];
            op.a[i * n + j] = s / n + (i == j ? c : 0.0);
        }
    free(q);
    return op;
}

/* ||b - A x|| in double. */
static double true_residual(const DenseOp *op, const float *x, const float *b)
{
    double ss = 0.0;
    for (int i = 0; i < op->n; i++) {
        double s = b[i];
        for (int j = 0; j < op->n; j++)
            s -= op->a[i * op->n + j] * x[j];
        ss += s * s;
    }
    return sqrt(ss);
}

static double norm2(const float *v, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += (double)v[i] * v[i];
    return sqrt(s);
}

START_TEST(test_work)
{
    CgWork w;
    ck_assert_int_eq(cg_work_init(&w, 33), 0);
    ck_assert(w.n == 33 && w.r && w.p && w.ap);
    w.r[32] = w.p[32] = w.ap[32] = 1.0f; /* the whole length is usable (ASan checks) */
    cg_work_free(&w);
    ck_assert(w.r == NULL && w.p == NULL && w.ap == NULL);
    cg_work_free(&w);
}
END_TEST

START_TEST(test_solve_spd)
{
    Rng r;
    rng_seed(&r, 404, 0);
    const int sizes[3] = {20, 37, 50};
    for (int s = 0; s < 3; s++) {
        const int n = sizes[s];
        DenseOp op = spd_random(n, 0.1, &r);
        float *b = malloc(n * sizeof *b), *x = malloc(n * sizeof *x);
        float *xref = malloc(n * sizeof *xref);
        double *a = malloc((size_t)n * n * sizeof *a), *bd = malloc(n * sizeof *bd);
        ck_assert(b && x && xref && a && bd);
        tu_fill_normal(b, n, 1.0, &r);

        /* exact solve: A is symmetric, so row-major is column-major */
        memcpy(a, op.a, (size_t)n * n * sizeof *a);
        for (int i = 0; i < n; i++)
            bd[i] = b[i];
        int info = 0, one = 1;
        dposv_("U", &n, &one, a, &n, bd, &n, &info);
        ck_assert_int_eq(info, 0);
        golden_to_float(xref, bd, n);

        CgWork w;
        ck_assert_int_eq(cg_work_init(&w, n), 0);
        CgResult res;
        const double rtol = 1e-5;
        cg_solve(x, &res, &w, dense_matvec, &op, b, 10 * n, rtol);
        const double rel_err = true_residual(&op, x, b) / norm2(b, n);
        const double dx = tu_max_abs_diff(x, xref, n), xn = norm2(xref, n);
        printf("cg n=%d: %s after %d products, residual %.2e (true %.2e), max |x - x_lapack| "
               "%.2e (||x|| %.2f)\n",
               n, cg_reason_name(res.reason), res.iterations, res.residual / res.b_norm, rel_err,
               dx, xn);
        ck_assert_int_eq(res.reason, CG_CONVERGED);
        ck_assert_int_eq(res.iterations, op.calls);
        ck_assert(res.iterations > 1 && res.iterations <= 10 * n);
        ck_assert(fabs(res.b_norm - norm2(b, n)) <= 1e-12 * res.b_norm);
        ck_assert(res.residual <= rtol * res.b_norm);
        ck_assert_msg(rel_err < 10 * rtol, "true relative residual %.3e", rel_err);
        /* cond(A) <= ~41, so the error is at most ~41 times the relative residual */
        ck_assert_msg(dx < 1e-3 * xn, "max |x - x_lapack| = %.3e", dx);

        cg_work_free(&w);
        free(op.a);
        free(b);
        free(x);
        free(xref);
        free(a);
        free(bd);
    }

    /* identity: one product, x = b */
    enum { N = 8 };
    double eye[N * N] = {0};
    for (int i = 0; i < N; i++)
        eye[i * N + i] = 1.0;
    DenseOp id = {N, eye, 0, 0, 0};
    float b[N], x[N];
    tu_fill_normal(b, N, 1.0, &r);
    CgWork w;
    CgResult res;
    ck_assert_int_eq(cg_work_init(&w, N), 0);
    cg_solve(x, &res, &w, dense_matvec, &id, b, 5, 1e-6);
    ck_assert_int_eq(res.reason, CG_CONVERGED);
    ck_assert_int_eq(res.iterations, 1);
    ck_assert_msg(tu_max_rel_diff(x, b, N, 1e-3) < 1e-6, "identity: %.3e",
                  tu_max_rel_diff(x, b, N, 1e-3));
    cg_work_free(&w);
}
END_TEST

START_TEST(test_max_iter)
{
    Rng r;
    rng_seed(&r, 405, 0);
    const int n = 40;
    DenseOp op = spd_random(n, 0.1, &r);
    float b[40], x[40];
    tu_fill_normal(b, n, 1.0, &r);
    CgWork w;
    CgResult res;
    ck_assert_int_eq(cg_work_init(&w, n), 0);
    cg_solve(x, &res, &w, dense_matvec, &op, b, 3, 1e-10);
    const double tr = true_residual(&op, x, b);
    printf("cg max-iter: %d products, tracked residual %.4e, true %.4e\n", res.iterations,
           res.residual, tr);
    ck_assert_int_eq(res.reason, CG_MAX_ITER);
    ck_assert_int_eq(res.iterations, 3);
    ck_assert_int_eq(op.calls, 3);
    ck_assert(res.residual > 1e-10 * res.b_norm && res.residual < res.b_norm);
    /* the tracked residual is the true one after a few steps */
    ck_assert_msg(fabs(res.residual - tr) < 1e-4 * tr, "tracked %.6e, true %.6e", res.residual, tr);
    /* zero products allowed: nothing computed */
    op.calls = 0;
    cg_solve(x, &res, &w, dense_matvec, &op, b, 0, 1e-6);
    ck_assert_int_eq(res.reason, CG_MAX_ITER);
    ck_assert(res.iterations == 0 && op.calls == 0 && norm2(x, n) == 0.0);
    cg_work_free(&w);
    free(op.a);
}
END_TEST

START_TEST(test_indefinite)
{
    enum { N = 4 };
    /* diag(1, -1, 2, 3) with b = (1, 2, 0, 0): b^T A b = 1 - 4 < 0 on the first step */
    double a[N * N] = {0};
    a[0] = 1.0;
    a[5] = -1.0;
    a[10] = 2.0;
    a[15] = 3.0;
    DenseOp op = {N, a, 0, 0, 0};
    const float b[N] = {1, 2, 0, 0};
    float x[N] = {9, 9, 9, 9};
    CgWork w;
    CgResult res;
    ck_assert_int_eq(cg_work_init(&w, N), 0);
    cg_solve(x, &res, &w, dense_matvec, &op, b, 10, 1e-8);
    ck_assert_int_eq(res.reason, CG_INDEFINITE);
    ck_assert_int_eq(res.iterations, 1);
    ck_assert(norm2(x, N) == 0.0); /* the last finite iterate is x0 = 0 */

    /* negative definite: fails at once too, whatever b */
    for (int i = 0; i < N; i++)
        a[i * N + i] = -1.0 - i;
    const float b2[N] = {0.3f, -1, 2, 0.5f};
    cg_solve(x, &res, &w, dense_matvec, &op, b2, 10, 1e-8);
    ck_assert_int_eq(res.reason, CG_INDEFINITE);

    /* diag(1, 2, 3, -1e-3), b = 1: positive curvature along b, the negative eigenvalue
     * shows up later (after one good step, x is kept) */
    for (int i = 0; i < N; i++)
        a[i * N + i] = i < 3 ? 1.0 + i : -1e-3;
    const float ones[N] = {1, 1, 1, 1};
    op.calls = 0;
    cg_solve(x, &res, &w, dense_matvec, &op, ones, 50, 1e-8);
    printf("cg indefinite diag(1,2,3,-1e-3): %s after %d products\n", cg_reason_name(res.reason),
           res.iterations);
    ck_assert_int_eq(res.reason, CG_INDEFINITE);
    ck_assert(res.iterations > 1);
    ck_assert(norm2(x, N) > 0.0 && isfinite(norm2(x, N)));
    cg_work_free(&w);
}
END_TEST

/* Run to max_iter = k and return x (the reference for a failure at call k + 1). */
static void solve_k(float *x, DenseOp *op, const float *b, int k)
{
    CgWork w;
    CgResult res;
    ck_assert_int_eq(cg_work_init(&w, op->n), 0);
    op->calls = 0;
    op->fail_at = op->nan_at = 0;
    cg_solve(x, &res, &w, dense_matvec, op, b, k, 1e-12);
    ck_assert_int_eq(res.reason, CG_MAX_ITER);
    cg_work_free(&w);
}

/* The system of the failure tests: a random SPD A of size n and b ~ N(0, 1) from seed,
 * and in xk the iterate after k products. */
static DenseOp fault_system(int n, float *b, float *xk, int k, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed, 0);
    DenseOp op = spd_random(n, 0.1, &r);
    tu_fill_normal(b, n, 1.0, &r);
    solve_k(xk, &op, b, k);
    return op;
}

START_TEST(test_matvec_failed)
{
    const int n = 30;
    float b[30], x[30], x2[30];
    DenseOp op = fault_system(n, b, x2, 2, 406);

    CgWork w;
    CgResult res;
    ck_assert_int_eq(cg_work_init(&w, n), 0);
    op.calls = 0;
    op.fail_at = 3;
    cg_solve(x, &res, &w, dense_matvec, &op, b, 100, 1e-8);
    ck_assert_int_eq(res.reason, CG_MATVEC_FAILED);
    ck_assert_int_eq(res.iterations, 2); /* products computed: the failed one is not */
    ck_assert_msg(memcmp(x, x2, sizeof x) == 0, "x is not the iterate after 2 products");

    /* failure on the very first product: x = 0 */
    op.calls = 0;
    op.fail_at = 1;
    cg_solve(x, &res, &w, dense_matvec, &op, b, 100, 1e-8);
    ck_assert_int_eq(res.reason, CG_MATVEC_FAILED);
    ck_assert(res.iterations == 0 && norm2(x, n) == 0.0);
    cg_work_free(&w);
    free(op.a);
}
END_TEST

START_TEST(test_nonfinite)
{
    const int n = 30;
    float b[30], x[30], x3[30];
    DenseOp op = fault_system(n, b, x3, 3, 407);

    CgWork w;
    CgResult res;
    ck_assert_int_eq(cg_work_init(&w, n), 0);
    op.calls = 0;
    op.nan_at = 4;
    cg_solve(x, &res, &w, dense_matvec, &op, b, 100, 1e-8);
    ck_assert_int_eq(res.reason, CG_NONFINITE);
    ck_assert_msg(memcmp(x, x3, sizeof x) == 0, "x is not the last finite iterate");
    for (int i = 0; i < n; i++)
        ck_assert(isfinite(x[i]));

    /* a step so long that x would overflow: A = 1e-38 I (products in float stay
     * finite and positive), b = 1e20: alpha = 1e38, x would be 1e58 */
    enum { M = 3 };
    double tiny[M * M] = {0};
    for (int i = 0; i < M; i++)
        tiny[i * M + i] = 1e-38;
    DenseOp top = {M, tiny, 0, 0, 0};
    const float big[M] = {1e20f, 1e20f, 1e20f};
    float y[M] = {5, 5, 5};
    CgWork w3;
    ck_assert_int_eq(cg_work_init(&w3, M), 0);
    cg_solve(y, &res, &w3, dense_matvec, &top, big, 10, 1e-6);
    ck_assert_int_eq(res.reason, CG_NONFINITE);
    ck_assert(y[0] == 0.0f && y[1] == 0.0f && y[2] == 0.0f);

    /* b itself non-finite */
    const float bad[M] = {1.0f, INFINITY, 0.0f};
    cg_solve(y, &res, &w3, dense_matvec, &top, bad, 10, 1e-6);
    ck_assert_int_eq(res.reason, CG_NONFINITE);
    ck_assert(res.iterations == 0 && isfinite(y[1]));
    cg_work_free(&w3);
    cg_work_free(&w);
    free(op.a);
}
END_TEST

START_TEST(test_zero_rhs)
{
    enum { N = 6 };
    double a[N * N] = {0};
    for (int i = 0; i < N; i++)
        a[i * N + i] = 2.0;
    DenseOp op = {N, a, 0, 0, 0};
    const float b[N] = {0};
    float x[N] = {7, 7, 7, 7, 7, 7};
    CgWork w;
    CgResult res;
    ck_assert_int_eq(cg_work_init(&w, N), 0);
    cg_solve(x, &res, &w, dense_matvec, &op, b, 10, 1e-6);
    ck_assert_int_eq(res.reason, CG_CONVERGED);
    ck_assert_int_eq(res.iterations, 0);
    ck_assert_int_eq(op.calls, 0);
    ck_assert(res.b_norm == 0.0 && res.residual == 0.0);
    for (int i = 0; i < N; i++)
        ck_assert(x[i] == 0.0f);
    cg_work_free(&w);
}
END_TEST

START_TEST(test_reason_name)
{
    const CgReason all[5] = {CG_CONVERGED, CG_MAX_ITER, CG_INDEFINITE, CG_NONFINITE,
                             CG_MATVEC_FAILED};
    ck_assert_str_eq(cg_reason_name(CG_CONVERGED), "converged");
    ck_assert_str_eq(cg_reason_name(CG_MAX_ITER), "max-iter");
    for (int i = 0; i < 5; i++) {
        ck_assert(cg_reason_name(all[i]) != NULL && cg_reason_name(all[i])[0] != '\0');
        for (int j = i + 1; j < 5; j++)
            ck_assert_str_ne(cg_reason_name(all[i]), cg_reason_name(all[j]));
    }
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"cg_work", test_work},
        {"cg_solve_spd", test_solve_spd},
        {"cg_solve_max_iter", test_max_iter},
        {"cg_solve_indefinite", test_indefinite},
        {"cg_solve_matvec_failed", test_matvec_failed},
        {"cg_solve_nonfinite", test_nonfinite},
        {"cg_solve_zero_rhs", test_zero_rhs},
        {"cg_reason_name", test_reason_name},
    };
    return tu_run(tu_suite("cg", cases, TU_COUNT(cases), 0));
}
