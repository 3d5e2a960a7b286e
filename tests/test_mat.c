/* test_mat.c - the dense products against plain double loops, for the shapes the
 * networks use (including single rows, single inner dimension and beta = 0 / 1). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mat.h"
#include "testutil.h"

/* op: 0 = A B^T, 1 = A B, 2 = A^T B */
static void reference(double *c, const float *a, const float *b, const float *c0, int op, int m,
                      int n, int k, float beta)
{
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double s = beta * (double)c0[i * n + j];
            for (int p = 0; p < k; p++) {
                double av = op == 2 ? a[p * m + i] : a[i * k + p];
                double bv = op == 0 ? b[j * k + p] : b[p * n + j];
                s += av * bv;
            }
            c[i * n + j] = s;
        }
    }
}

static void check_op(int op)
{
    static const int shapes[][3] = {{1, 1, 1},   {1, 64, 4},  {5, 3, 1},  {8, 64, 64},
                                    {64, 2, 64}, {33, 17, 9}, {1, 2, 64}, {2, 1, 3}};
    Rng r;
    rng_seed(&r, 7, (uint64_t)op);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * n * k);
        float *c = malloc(sizeof(float) * m * n), *c0 = malloc(sizeof(float) * m * n);
        double *ref = malloc(sizeof(double) * m * n);
        tu_fill_uniform(a, (long)m * k, -1, 1, &r);
        tu_fill_uniform(b, (long)n * k, -1, 1, &r);
        tu_fill_uniform(c0, (long)m * n, -1, 1, &r);
        for (int beta = 0; beta <= 1; beta++) {
            for (int i = 0; i < m * n; i++)
                c[i] = c0[i];
            if (op == 0)
                mat_mul_abt(c, a, b, m, n, k, (float)beta);
            else if (op == 1)
                mat_mul_ab(c, a, b, m, n, k, (float)beta);
            else
                mat_mul_atb(c, a, b, m, n, k, (float)beta);
            reference(ref, a, b, c0, op, m, n, k, (float)beta);
            double err = 0.0;
            for (int i = 0; i < m * n; i++)
                err = fmax(err, fabs(c[i] - ref[i]));
            printf("mat op %d (%d,%d,%d) beta %d: max abs diff %.3g\n", op, m, n, k, beta, err);
            ck_assert_msg(err < 1e-5 * (k + 1), "op %d shape (%d,%d,%d): diff %g", op, m, n, k,
                          err);
        }
        free(a);
        free(b);
        free(c);
        free(c0);
        free(ref);
    }
}

START_TEST(test_mul_abt)
{
    check_op(0);
}
END_TEST

START_TEST(test_mul_ab)
{
    check_op(1);
}
END_TEST

START_TEST(test_mul_atb)
{
    check_op(2);
}
END_TEST

START_TEST(test_rows_and_vectors)
{
    float y[6] = {1, 2, 3, 4, 5, 6}, bias[3] = {10, 20, 30}, sums[3] = {1, 1, 1};
    mat_add_row(y, bias, 2, 3);
    ck_assert_float_eq(y[0], 11);
    ck_assert_float_eq(y[5], 36);
    mat_sum_rows(sums, y, 2, 3);
    ck_assert_float_eq(sums[0], 1 + 11 + 14);
    ck_assert_float_eq(sums[2], 1 + 33 + 36);
    float a[3] = {1, 2, 3}, b[3] = {4, -5, 6};
    ck_assert_double_eq(vec_dot(a, b, 3), 12.0);
    vec_axpy(a, 2.0f, b, 3);
    ck_assert_float_eq(a[1], -8);
    vec_scale(a, 0.5f, 3);
    ck_assert_float_eq(a[2], 7.5);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"mat_mul_abt", test_mul_abt},
        {"mat_mul_ab", test_mul_ab},
        {"mat_mul_atb", test_mul_atb},
        {"mat_rows_and_vectors", test_rows_and_vectors},
    };
    return tu_run(tu_suite("mat", cases, TU_COUNT(cases), 0));
}
