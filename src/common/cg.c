/* cg.c - matrix-free conjugate gradient with a stop reason.
 *
 * Reference: M. R. Hestenes and E. Stiefel, "Methods of conjugate gradients for
 * solving linear systems", J. Res. NBS 49(6), 1952, in the form TRPO uses
 * (Schulman et al., 2015, appendix C):
 *   x = 0, r = p = b
 *   repeat: alpha = r.r / p.Ap; x += alpha p; r -= alpha Ap;
 *           beta = r'.r' / r.r; p = r' + beta p
 * Vectors are float, dot products double. The iterate is only written once the step
 * is known to keep x and r finite, so x always holds the last finite iterate.
 *
 * Left out: preconditioning, warm starts (x0 != 0), and recomputing the true residual
 * b - A x (the recurrence's r is reported).
 */
#include "cg.h"

#include <math.h>
#include <stdlib.h>

static double dot(const float *a, const float *b, long n)
{
    double s = 0.0;
    for (long i = 0; i < n; i++)
        s += (double)a[i] * (double)b[i];
    return s;
}

int cg_work_init(CgWork *w, long n)
{
    const size_t len = n > 0 ? (size_t)n : 1;
    w->n = 0;
    w->r = malloc(len * sizeof *w->r);
    w->p = malloc(len * sizeof *w->p);
    w->ap = malloc(len * sizeof *w->ap);
    if (!w->r || !w->p || !w->ap) {
        cg_work_free(w);
        return -1;
    }
    w->n = n;
    return 0;
}

void cg_work_free(CgWork *w)
{
    free(w->r);
    free(w->p);
    free(w->ap);
    w->r = w->p = w->ap = NULL;
    w->n = 0;
}

void cg_solve(float *x, CgResult *res, CgWork *w, CgMatVec matvec, void *ctx, const float *b,
              int max_iter, double rtol)
{
    const long n = w->n;
    float *r = w->r, *p = w->p, *ap = w->ap;

    for (long i = 0; i < n; i++) {
        x[i] = 0.0f;
        r[i] = b[i]; /* r = b - A 0 */
        p[i] = b[i];
    }
    double rr = dot(r, r, n);
    res->iterations = 0;
    res->b_norm = sqrt(rr);
    res->residual = res->b_norm;
    if (!isfinite(rr)) {
        res->reason = CG_NONFINITE;
        return;
    }
    const double tol = rtol * res->b_norm;
    if (rr == 0.0 || res->residual <= tol) { /* b = 0: x = 0 is exact */
        res->reason = CG_CONVERGED;
        return;
    }

    for (int k = 0; k < max_iter; k++) {
        if (matvec(ctx, p, ap) != 0) { /* ap = A p */
            res->reason = CG_MATVEC_FAILED;
            return;
        }
        res->iterations++;
        const double pap = dot(p, ap, n);
        if (!isfinite(pap)) {
            res->reason = CG_NONFINITE;
            return;
        }
        if (pap <= 0.0) { /* non-positive curvature along p */
            res->reason = CG_INDEFINITE;
            return;
        }
        const double alpha = rr / pap;
        const float af = (float)alpha;

        /* dry run of x + alpha p and r - alpha Ap: refuse the step, leaving x as it
         * is, if either would stop being finite; the same float expressions are
         * evaluated again below, so the dry run sees exactly what gets stored */
        double rr_new = 0.0;
        int finite = isfinite(alpha);
        for (long i = 0; i < n; i++) {
            const float xi = x[i] + af * p[i];
            const float ri = r[i] - af * ap[i];
            finite &= isfinite(xi) && isfinite(ri);
            rr_new += (double)ri * (double)ri;
        }
        if (!finite || !isfinite(rr_new)) {
            res->reason = CG_NONFINITE;
            return;
        }
        for (long i = 0; i < n; i++) {
            x[i] = x[i] + af * p[i];  /* x <- x + alpha p */
            r[i] = r[i] - af * ap[i]; /* r <- r - alpha Ap */
        }
        res->residual = sqrt(rr_new);
        if (res->residual <= tol) {
            res->reason = CG_CONVERGED;
            return;
        }
        const float bf = (float)(rr_new / rr); /* beta = r'.r' / r.r */
        for (long i = 0; i < n; i++)
            p[i] = r[i] + bf * p[i]; /* p <- r + beta p */
        rr = rr_new;
    }
    res->reason = CG_MAX_ITER;
}

const char *cg_reason_name(CgReason r)
{
    switch (r) {
    case CG_CONVERGED:
        return "converged";
    case CG_MAX_ITER:
        return "max-iter";
    case CG_INDEFINITE:
        return "indefinite";
    case CG_NONFINITE:
        return "non-finite";
    case CG_MATVEC_FAILED:
        return "matvec-failed";
    }
    return "unknown";
}
