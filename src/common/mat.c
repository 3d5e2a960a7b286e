/* mat.c - dense products for the networks (see mat.h).
 *
 * Row-major float32. Products with at least MAT_BLAS_MIN rows go to OpenBLAS sgemm;
 * a single row (the B = 1 policy step) uses plain loops written so that they vectorize,
 * about 3x the speed of sgemm for that shape (PERFORMANCE.md). Shape-specific kernels for the thin
 * input layer and the heads are left for when profiling of the training loop asks for them.
 */
#include "mat.h"

#include <cblas.h>

#define MAT_BLAS_MIN 2

/* a . b over k floats with 8 independent partial sums, so that the loop vectorizes
 * without reassociation flags (the order of the additions is fixed, hence
 * reproducible). */
static float dot8(const float *a, const float *b, int k)
{
    float acc[8] = {0};
    int p = 0;
    for (; p + 8 <= k; p += 8)
        for (int l = 0; l < 8; l++)
            acc[l] += a[p + l] * b[p + l];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; p < k; p++)
        s += a[p] * b[p];
    return s;
}

void mat_mul_abt(float *c, const float *a, const float *b, int m, int n, int k, float beta)
{
    if (m >= MAT_BLAS_MIN) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, b, k, beta, c, n);
        return;
    }
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            float s = dot8(a + (long)i * k, b + (long)j * k, k);
            c[(long)i * n + j] = s + (beta != 0.0f ? beta * c[(long)i * n + j] : 0.0f);
        }
    }
}

void mat_mul_ab(float *c, const float *a, const float *b, int m, int n, int k, float beta)
{
    if (m >= MAT_BLAS_MIN) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, beta, c,
                    n);
        return;
    }
    for (int i = 0; i < m; i++) {
        float *ci = c + (long)i * n;
        if (beta == 0.0f)
            for (int j = 0; j < n; j++)
                ci[j] = 0.0f;
        else if (beta != 1.0f)
            for (int j = 0; j < n; j++)
                ci[j] *= beta;
        for (int p = 0; p < k; p++) {
            float aip = a[(long)i * k + p];
            const float *bp = b + (long)p * n;
            for (int j = 0; j < n; j++)
                ci[j] += aip * bp[j];
        }
    }
}

void mat_mul_atb(float *c, const float *a, const float *b, int m, int n, int k, float beta)
{
    if (k >= MAT_BLAS_MIN) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0f, a, m, b, n, beta, c, n);
        return;
    }
    /* k == 1 (or 0): an outer product */
    for (int i = 0; i < m; i++) {
        float *ci = c + (long)i * n;
        for (int j = 0; j < n; j++) {
            float s = 0.0f;
            for (int p = 0; p < k; p++)
                s += a[(long)p * m + i] * b[(long)p * n + j];
            ci[j] = s + (beta != 0.0f ? beta * ci[j] : 0.0f);
        }
    }
}

void mat_add_row(float *y, const float *bias, int m, int n)
{
    for (int i = 0; i < m; i++) {
        float *yi = y + (long)i * n;
        for (int j = 0; j < n; j++)
            yi[j] += bias[j];
    }
}

void mat_sum_rows(float *out, const float *x, int m, int n)
{
    for (int i = 0; i < m; i++) {
        const float *xi = x + (long)i * n;
        for (int j = 0; j < n; j++)
            out[j] += xi[j];
    }
}

double vec_dot(const float *a, const float *b, long n)
{
    double s = 0.0;
    for (long i = 0; i < n; i++)
        s += (double)a[i] * (double)b[i];
    return s;
}

void vec_axpy(float *y, float alpha, const float *x, long n)
{
    for (long i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

void vec_scale(float *x, float alpha, long n)
{
    for (long i = 0; i < n; i++)
        x[i] *= alpha;
}
