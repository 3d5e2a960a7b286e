/* cg.h - matrix-free conjugate gradient for symmetric positive-definite systems.
 *
 * Solves A x = b given only the product v -> A v (Hestenes & Stiefel, 1952; the form
 * used by TRPO, Schulman et al. 2015, appendix C). Vectors are float, every dot
 * product is accumulated in double. Like PETSc's KSP it reports why it stopped
 * instead of failing: converged, iteration limit, a direction of non-positive
 * curvature (A not positive definite), a non-finite value, or a failed product.
 */
#ifndef MPIRL_CG_H
#define MPIRL_CG_H

typedef enum {
    CG_CONVERGED = 0,    /* ||r|| <= rtol * ||b|| */
    CG_MAX_ITER = 1,     /* iteration limit reached first */
    CG_INDEFINITE = 2,   /* p^T A p <= 0: A is not positive definite along p */
    CG_NONFINITE = 3,    /* a NaN or infinity appeared */
    CG_MATVEC_FAILED = 4 /* the product callback returned non-zero */
} CgReason;

/* out = A v; returns 0 on success. */
typedef int (*CgMatVec)(void *ctx, const float *v, float *out);

typedef struct {
    CgReason reason;
    int iterations;  /* products computed */
    double residual; /* ||b - A x|| as tracked by the recurrence */
    double b_norm;   /* ||b|| */
} CgResult;

typedef struct {
    long n;
    float *r, *p, *ap;
} CgWork;

/* Work vectors for systems of size n; returns 0 or -1 if memory runs out. */
int cg_work_init(CgWork *w, long n);

/* Free the work vectors; accepts a zeroed struct. */
void cg_work_free(CgWork *w);

/* Solve A x = b of size w->n starting from x = 0 (x is overwritten). Stops when
 * ||r|| <= rtol * ||b|| or after max_iter products. On CG_INDEFINITE, CG_NONFINITE or
 * CG_MATVEC_FAILED, x holds the last finite iterate. With b = 0, x = 0 and the result
 * is CG_CONVERGED after 0 iterations. */
void cg_solve(float *x, CgResult *res, CgWork *w, CgMatVec matvec, void *ctx, const float *b,
              int max_iter, double rtol);

/* Name of a stop reason ("converged", "max-iter", ...). */
const char *cg_reason_name(CgReason r);

#endif
