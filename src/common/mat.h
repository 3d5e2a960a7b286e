/* mat.h - the few dense products mpirl needs, row-major, float32.
 *
 * Every matrix product in the networks goes through these helpers, so the choice
 * between OpenBLAS sgemm and a plain loop for thin shapes is made in one place
 * (see PERFORMANCE.md: a BLAS call costs >= 130 ns, so very thin products are
 * faster as loops the compiler vectorizes).
 */
#ifndef MPIRL_MAT_H
#define MPIRL_MAT_H

/* C(m,n) = A(m,k) * B(n,k)^T + beta * C.      (forward: Y = X W^T) */
void mat_mul_abt(float *c, const float *a, const float *b, int m, int n, int k, float beta);

/* C(m,n) = A(m,k) * B(k,n) + beta * C.        (backward: dX = dY W) */
void mat_mul_ab(float *c, const float *a, const float *b, int m, int n, int k, float beta);

/* C(m,n) = A(k,m)^T * B(k,n) + beta * C.      (backward: dW = dY^T X) */
void mat_mul_atb(float *c, const float *a, const float *b, int m, int n, int k, float beta);

/* y(m,n) += bias(n) broadcast over rows. */
void mat_add_row(float *y, const float *bias, int m, int n);

/* out(n) += sum over rows of x(m,n). */
void mat_sum_rows(float *out, const float *x, int m, int n);

/* Dot product in double. */
double vec_dot(const float *a, const float *b, long n);

/* y += alpha * x. */
void vec_axpy(float *y, float alpha, const float *x, long n);

/* x *= alpha. */
void vec_scale(float *x, float alpha, long n);

#endif
