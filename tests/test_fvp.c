/* test_fvp.c - Fisher-vector products against the explicit Fisher matrix.
 *
 * For a tiny network the test builds J_i (the Jacobian of sample i's distribution
 * parameters with respect to the policy parameters) row by row with reverse-mode
 * passes, the metric M_i from its closed form written out here, and
 * F = (1/B) sum_i J_i^T M_i J_i in double; fvp_compute must equal F v to 5e-5
 * relative (float32 storage, double accumulation). Also: damping adds lambda v,
 * sum_only gives B times the undamped mean, F is symmetric positive semi-definite, and
 * fvp_apply (no forward pass) gives bit for bit what fvp_compute gives.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fvp.h"
#include "testutil.h"

typedef struct {
    Model m;
    ModelWork *w;
    float *params, *obs;
    int batch;
    long np;   /* policy parameters */
    double *F; /* (np, np) */
} Fix;

static void fix_make(Fix *f, DistKind k, int batch, Activation act, uint64_t seed)
{
    ModelConfig mc = {.obs_dim = 3,
                      .dist = k,
                      .act_n = k == DIST_CATEGORICAL ? 3 : 2,
                      .pi_hidden = {5, 4},
                      .pi_n_hidden = 2,
                      .vf_hidden = {3},
                      .vf_n_hidden = 1,
                      .act = act,
                      .init_logstd = 0.0};
    char err[256];
    memset(f, 0, sizeof *f);
    ck_assert_int_eq(model_init(&f->m, &mc, err, sizeof err), 0);
    f->w = model_work_create(&f->m, batch);
    f->batch = batch;
    f->np = (long)f->m.n_policy;
    f->params = malloc(sizeof(float) * f->m.n_params);
    f->obs = malloc(sizeof(float) * batch * 3);
    Rng r;
    rng_seed(&r, seed, 0);
    tu_fill_normal(f->params, (long)f->m.n_params, 0.7, &r);
    tu_fill_normal(f->obs, batch * 3, 1.0, &r);

    /* explicit F */
    int n = f->m.dist.n;
    long np = f->np;
    f->F = calloc((size_t)(np * np), sizeof(double));
    float *J = malloc(sizeof(float) * n * np), *e = malloc(sizeof(float) * batch * n);
    const float *ls = model_logstd(&f->m, f->params);
    for (int i = 0; i < batch; i++) {
        const float *p = model_policy(f->w, &f->m, f->params, f->obs, batch) + i * n;
        double pd[8], M[8][8];
        for (int j = 0; j < n; j++)
            pd[j] = p[j];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (k == DIST_CATEGORICAL) {
                    double z = 0.0;
                    for (int j = 0; j < n; j++)
                        z += exp(pd[j]);
                    double pa = exp(pd[a]) / z, pb = exp(pd[b]) / z;
                    M[a][b] = (a == b ? pa : 0.0) - pa * pb;
                } else {
                    M[a][b] = a == b ? exp(-2.0 * ls[a]) : 0.0;
                }
            }
        }
        /* row a of J_i: gradient of p_ia */
        memset(J, 0, sizeof(float) * n * np);
        for (int a = 0; a < n; a++) {
            memset(e, 0, sizeof(float) * batch * n);
            e[i * n + a] = 1.0f;
            model_policy(f->w, &f->m, f->params, f->obs, batch);
            mlp_backward(J + a * np, NULL, &f->m.pi, f->params, f->w->pi, e);
        }
        for (long u = 0; u < np; u++)
            for (long v = 0; v < np; v++) {
                double s = 0.0;
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++)
                        s += (double)J[a * np + u] * M[a][b] * J[b * np + v];
                f->F[u * np + v] += s / batch;
            }
        if (k == DIST_GAUSSIAN) /* log-std: J = I, metric 2 */
            for (int a = 0; a < n; a++) {
                long o = (long)f->m.logstd_off + a;
                f->F[o * np + o] += 2.0 / batch;
            }
    }
    free(J);
    free(e);
}

static void fix_free(Fix *f)
{
    model_work_destroy(&f->w);
    free(f->params);
    free(f->obs);
    free(f->F);
}

START_TEST(test_fvp_explicit)
{
    static const int batches[] = {1, 4, 9};
    for (int k = 0; k < 2; k++) {
        for (int act = 0; act < 2; act++) {
            for (int bi = 0; bi < 3; bi++) {
                Fix f;
                fix_make(&f, (DistKind)k, batches[bi], (Activation)act, 50 + bi + 7 * k);
                long np = f.np;
                float *v = malloc(sizeof(float) * np), *out = malloc(sizeof(float) * np);
                float *ref = malloc(sizeof(float) * np), *sum = malloc(sizeof(float) * np);
                Rng r;
                rng_seed(&r, 60, (uint64_t)bi);
                tu_fill_normal(v, np, 1.0, &r);
                for (long u = 0; u < np; u++) {
                    double s = 0.0;
                    for (long w = 0; w < np; w++)
                        s += f.F[u * np + w] * v[w];
                    ref[u] = (float)s;
                }
                double fmax_ = 0.0;
                for (long u = 0; u < np; u++)
                    fmax_ = fmax(fmax_, fabs(ref[u]));
                fvp_compute(out, f.w, &f.m, f.params, f.obs, f.batch, v, 0.0, 0);
                double err = tu_max_rel_diff(out, ref, np, 1e-3 * fmax_);
                printf("fvp %s act %d batch %d: max rel diff vs explicit J^T M J %.3g\n",
                       k ? "gaussian" : "categorical", act, f.batch, err);
                ck_assert_msg(err < 5e-5, "FVP differs from explicit F v by %g", err);

                /* damping */
                fvp_compute(out, f.w, &f.m, f.params, f.obs, f.batch, v, 0.1, 0);
                for (long u = 0; u < np; u++)
                    ref[u] += 0.1f * v[u];
                err = tu_max_rel_diff(out, ref, np, 1e-3 * fmax_);
                ck_assert_msg(err < 5e-5, "damped FVP differs by %g", err);

                /* sum_only: B times the undamped mean */
                fvp_compute(out, f.w, &f.m, f.params, f.obs, f.batch, v, 0.0, 0);
                fvp_compute(sum, f.w, &f.m, f.params, f.obs, f.batch, v, 0.1, 1);
                for (long u = 0; u < np; u++)
                    ck_assert_float_eq_tol(sum[u], f.batch * out[u],
                                           1e-5 * f.batch * (fabs(out[u]) + 1e-3 * fmax_));

                /* symmetric and positive semi-definite: w^T F v = v^T F w, v^T F v >= 0 */
                float *w2 = malloc(sizeof(float) * np), *fw = malloc(sizeof(float) * np);
                tu_fill_normal(w2, np, 1.0, &r);
                fvp_compute(fw, f.w, &f.m, f.params, f.obs, f.batch, w2, 0.0, 0);
                double a = tu_dot(w2, out, np), b = tu_dot(v, fw, np);
                ck_assert_msg(fabs(a - b) <= 1e-5 * fmax(fabs(a), 1.0), "not symmetric: %g %g", a,
                              b);
                ck_assert(tu_dot(v, out, np) >= -1e-6);

                /* fvp_apply reuses the forward pass left in the workspace: bit for bit
                 * the product fvp_compute gives, for any vector and both forms */
                float *again = malloc(sizeof(float) * np);
                fvp_apply(again, f.w, &f.m, f.params, f.batch, v, 0.0, 0);
                ck_assert(memcmp(again, out, sizeof(float) * np) == 0);
                fvp_apply(again, f.w, &f.m, f.params, f.batch, v, 0.1, 1);
                ck_assert(memcmp(again, sum, sizeof(float) * np) == 0);
                free(again);
                free(w2);
                free(fw);
                free(v);
                free(out);
                free(ref);
                free(sum);
                fix_free(&f);
            }
        }
    }
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"fvp_compute_apply", test_fvp_explicit},
    };
    return tu_run(tu_suite("fvp", cases, TU_COUNT(cases), 0));
}
