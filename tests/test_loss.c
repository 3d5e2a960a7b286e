/* test_loss.c - every policy loss kind, the value loss (plain and clipped) and the
 * entropy bonus: gradient against central finite differences in double of the loss,
 * for both distributions and batch sizes 1, 5 and 32, plus the reported statistics.
 *
 * The differences are taken in double (step 1e-5 relative) of a double-precision
 * reference of the whole loss written out below from the formulas in loss.h, on the
 * reference networks and distributions of testutil.c; its value must match
 * loss_compute to 1e-5. What remains is the float32 rounding of the analytic gradient:
 * tolerance 1e-4 relative to max(|g_i|, 1e-3 max|g|).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"
#include "testutil.h"

typedef struct {
    Model m;
    ModelWork *w;
    float *params, *old_params;
    float *obs, *act, *adv, *ret, *old_logp, *old_val, *old_p, *old_logstd;
    Batch b;
    LossConfig cfg;
} Fix;

static void fix_make(Fix *f, DistKind k, int batch, uint64_t seed)
{
    ModelConfig mc = {.obs_dim = 3,
                      .dist = k,
                      .act_n = k == DIST_CATEGORICAL ? 4 : 2,
                      .pi_hidden = {8, 6},
                      .pi_n_hidden = 2,
                      .vf_hidden = {7},
                      .vf_n_hidden = 1,
                      .act = k == DIST_CATEGORICAL ? ACT_TANH : ACT_RELU,
                      .init_logstd = -0.3};
    char err[256];
    memset(f, 0, sizeof *f);
    ck_assert_int_eq(model_init(&f->m, &mc, err, sizeof err), 0);
    f->w = model_work_create(&f->m, batch);
    ck_assert_ptr_nonnull(f->w);
    int n = f->m.dist.n, ad = dist_action_dim(&f->m.dist);
    long np = (long)f->m.n_params;
    f->params = malloc(sizeof(float) * np);
    f->old_params = malloc(sizeof(float) * np);
    f->obs = malloc(sizeof(float) * batch * 3);
    f->act = malloc(sizeof(float) * batch * ad);
    f->adv = malloc(sizeof(float) * batch);
    f->ret = malloc(sizeof(float) * batch);
    f->old_logp = malloc(sizeof(float) * batch);
    f->old_val = malloc(sizeof(float) * batch);
    f->old_p = malloc(sizeof(float) * batch * n);
    f->old_logstd = malloc(sizeof(float) * n);
    Rng r;
    rng_seed(&r, seed, 0);
    tu_fill_normal(f->params, np, 0.5, &r);
    if (k == DIST_GAUSSIAN)
        for (int j = 0; j < n; j++)
            f->params[f->m.logstd_off + j] = (float)(-0.3 + 0.2 * rng_normal(&r));
    for (long i = 0; i < np; i++)
        f->old_params[i] = f->params[i] + (float)(0.1 * rng_normal(&r));
    tu_fill_normal(f->obs, batch * 3, 1.0, &r);
    tu_fill_normal(f->adv, batch, 1.0, &r);
    tu_fill_normal(f->ret, batch, 1.0, &r);
    memcpy(f->old_p, model_policy(f->w, &f->m, f->old_params, f->obs, batch),
           sizeof(float) * batch * n);
    memcpy(f->old_val, model_value(f->w, &f->m, f->old_params, f->obs, batch),
           sizeof(float) * batch);
    const float *ols = model_logstd(&f->m, f->old_params);
    if (ols)
        memcpy(f->old_logstd, ols, sizeof(float) * n);
    dist_sample(f->act, &f->m.dist, f->old_p, ols, batch, &r);
    dist_logp(f->old_logp, &f->m.dist, f->old_p, ols, f->act, batch);
    f->b = (Batch){.n = batch,
                   .obs = f->obs,
                   .act = f->act,
                   .adv = f->adv,
                   .ret = f->ret,
                   .old_logp = f->old_logp,
                   .old_val = f->old_val,
                   .old_p = f->old_p,
                   .old_logstd = k == DIST_GAUSSIAN ? f->old_logstd : NULL};
}

static void fix_free(Fix *f)
{
    model_work_destroy(&f->w);
    free(f->params);
    free(f->old_params);
    free(f->obs);
    free(f->act);
    free(f->adv);
    free(f->ret);
    free(f->old_logp);
    free(f->old_val);
    free(f->old_p);
    free(f->old_logstd);
}

/* The loss of loss.h in double, from the reference networks and distributions. */
static double fix_objective(void *ctx)
{
    Fix *f = ctx;
    const Batch *b = &f->b;
    const LossConfig *c = &f->cfg;
    const Dist *d = &f->m.dist;
    int n = b->n, k = d->n, ad = dist_action_dim(d);
    double a[64], mean = 0.0, ss = 0.0, sd;
    ck_assert(n <= 64);
    for (int i = 0; i < n; i++)
        mean += b->adv[i] / (double)n;
    for (int i = 0; i < n; i++)
        ss += (b->adv[i] - mean) * (b->adv[i] - mean);
    sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
    for (int i = 0; i < n; i++)
        a[i] = c->norm_adv ? (b->adv[i] - mean) / (sd + 1e-8) : b->adv[i];

    double s[8] = {0}, s_old[8] = {0}, pi = 0.0, vl = 0.0, ent = 0.0, kl = 0.0;
    for (int j = 0; j < k && d->kind == DIST_GAUSSIAN; j++) {
        s[j] = f->params[f->m.logstd_off + j];
        s_old[j] = b->old_logstd[j];
    }
    for (int i = 0; i < n; i++) {
        double p[8], p_old[8], act[8], v;
        tu_ref_mlp(p, &f->m.pi, f->params, b->obs + i * f->m.obs_dim);
        tu_ref_mlp(&v, &f->m.vf, f->params, b->obs + i * f->m.obs_dim);
        for (int j = 0; j < k; j++)
            p_old[j] = b->old_p[i * k + j];
        for (int j = 0; j < ad; j++)
            act[j] = b->act[i * ad + j];
        double lp = tu_ref_logp(d, p, s, act), r = exp(lp - b->old_logp[i]);
        switch (c->kind) {
        case LOSS_PPO_CLIP: {
            double cr = fmin(fmax(r, 1 - c->clip_eps), 1 + c->clip_eps);
            pi += fmax(-a[i] * r, -a[i] * cr);
            break;
        }
        case LOSS_PG:
            pi += -lp * a[i];
            break;
        default:
            pi += -r * a[i];
        }
        ent += tu_ref_entropy(d, p, s);
        kl += tu_ref_kl(d, p_old, s_old, p, s);
        double e2 = (v - b->ret[i]) * (v - b->ret[i]);
        if (c->vf_clip > 0) {
            double vc = b->old_val[i] + fmin(fmax(v - b->old_val[i], -c->vf_clip), c->vf_clip);
            e2 = fmax(e2, (vc - b->ret[i]) * (vc - b->ret[i]));
        }
        vl += 0.5 * e2;
    }
    pi /= n;
    if (c->kind == LOSS_KL_PENALTY)
        pi += c->kl_beta * kl / n;
    return pi + c->vf_coef * vl / n - c->ent_coef * ent / n;
}

static const char *kind_name[] = {"ppo-clip", "pg", "surrogate", "kl-penalty"};

/* gradient of one configuration against finite differences */
static void check_config(DistKind k, int batch, const LossConfig *cfg, uint64_t seed)
{
    Fix f;
    fix_make(&f, k, batch, seed);
    f.cfg = *cfg;
    long np = (long)f.m.n_params;
    float *grad = calloc((size_t)np, sizeof(float));
    double *num = malloc(sizeof(double) * np);
    LossStats st;
    ck_assert_int_eq(loss_compute(grad, &st, f.w, &f.m, f.params, &f.b, cfg), 0);
    double ref = fix_objective(&f);
    ck_assert_msg(fabs(st.loss - ref) <= 1e-5 * fmax(1.0, fabs(ref)),
                  "loss %.9g differs from the reference %.9g", st.loss, ref);
    tu_numeric_grad(num, f.params, np, 1e-5, fix_objective, &f);
    double gmax = 0.0;
    for (long i = 0; i < np; i++)
        gmax = fmax(gmax, fabs(num[i]));
    double err = tu_grad_err(grad, num, np, 1e-3 * gmax);
    printf("loss %-10s %s batch %2d vf_clip %.1f norm_adv %d: loss %.5f max rel grad err %.3g "
           "(|g|max %.3g, clip_frac %.2f)\n",
           kind_name[cfg->kind], k == DIST_CATEGORICAL ? "categorical" : "gaussian   ", batch,
           cfg->vf_clip, cfg->norm_adv, st.loss, err, gmax, st.clip_frac);
    ck_assert_msg(err < 1e-4, "%s batch %d: gradient relative error %g (tolerance 1e-4)",
                  kind_name[cfg->kind], batch, err);
    /* the value head only moves the loss through vf_coef */
    if (cfg->vf_coef == 0.0)
        for (long i = (long)f.m.n_policy; i < np; i++)
            ck_assert_float_eq(grad[i], 0.0f);
    free(grad);
    free(num);
    fix_free(&f);
}

static const int batches[] = {1, 5, 32};

START_TEST(test_ppo_clip)
{
    LossConfig a = {LOSS_PPO_CLIP, 0.2, 0, 0.01, 0.5, 0.2, 1};
    LossConfig b = {LOSS_PPO_CLIP, 0.1, 0, 0.0, 1.0, 0.0, 0};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++) {
            check_config((DistKind)k, batches[i], &a, 100 + i);
            check_config((DistKind)k, batches[i], &b, 200 + i);
        }
}
END_TEST

START_TEST(test_pg)
{
    LossConfig a = {LOSS_PG, 0, 0, 0.01, 0.5, 0.0, 0};
    LossConfig b = {LOSS_PG, 0, 0, 0.05, 0.25, 0.3, 1};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++) {
            check_config((DistKind)k, batches[i], &a, 300 + i);
            check_config((DistKind)k, batches[i], &b, 400 + i);
        }
}
END_TEST

START_TEST(test_surrogate)
{
    LossConfig a = {LOSS_SURROGATE, 0, 0, 0.0, 0.0, 0.0, 0};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            check_config((DistKind)k, batches[i], &a, 500 + i);
}
END_TEST

START_TEST(test_kl_penalty)
{
    LossConfig a = {LOSS_KL_PENALTY, 0, 0.7, 0.02, 0.25, 0.3, 1};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            check_config((DistKind)k, batches[i], &a, 600 + i);
}
END_TEST

START_TEST(test_stats)
{
    /* identical old and new policy: ratio 1, no clipping, approx KL 0, KL 0;
     * surrogate = -mean(A); value loss = 0.5 mean((V - R)^2) */
    Fix f;
    fix_make(&f, DIST_CATEGORICAL, 5, 7);
    memcpy(f.old_p, model_policy(f.w, &f.m, f.params, f.obs, 5), sizeof(float) * 5 * 4);
    dist_logp(f.old_logp, &f.m.dist, f.old_p, NULL, f.act, 5);
    const float *v = model_value(f.w, &f.m, f.params, f.obs, 5);
    double vl = 0.0, ma = 0.0;
    for (int i = 0; i < 5; i++) {
        vl += 0.5 * ((double)v[i] - f.ret[i]) * ((double)v[i] - f.ret[i]) / 5;
        ma += f.adv[i] / 5.0;
    }
    LossConfig cfg = {LOSS_KL_PENALTY, 0.2, 1.0, 0.0, 1.0, 0.0, 0};
    LossStats st;
    ck_assert_int_eq(loss_compute(NULL, &st, f.w, &f.m, f.params, &f.b, &cfg), 0);
    ck_assert_double_eq_tol(st.approx_kl, 0.0, 1e-12);
    ck_assert_double_eq_tol(st.kl, 0.0, 1e-7);
    ck_assert_double_eq_tol(st.pi_loss, -ma, 1e-6);
    ck_assert_double_eq_tol(st.v_loss, vl, 1e-6);
    ck_assert_double_eq_tol(st.loss, st.pi_loss + st.v_loss, 1e-12);
    cfg.kind = LOSS_PPO_CLIP;
    ck_assert_int_eq(loss_compute(NULL, &st, f.w, &f.m, f.params, &f.b, &cfg), 0);
    ck_assert_double_eq(st.clip_frac, 0.0);
    /* with the fixture's perturbed old policy some ratios leave [0.8, 1.2] */
    fix_free(&f);
    fix_make(&f, DIST_CATEGORICAL, 32, 8);
    ck_assert_int_eq(loss_compute(NULL, &st, f.w, &f.m, f.params, &f.b, &cfg), 0);
    ck_assert(st.clip_frac > 0.0 && st.clip_frac < 1.0);
    ck_assert(st.approx_kl > 0.0);
    /* a non-finite input is reported, not hidden */
    f.adv[3] = NAN;
    ck_assert_int_eq(loss_compute(NULL, &st, f.w, &f.m, f.params, &f.b, &cfg), -1);
    /* a batch larger than the workspace is refused */
    f.b.n = 33;
    ck_assert_int_eq(loss_compute(NULL, &st, f.w, &f.m, f.params, &f.b, &cfg), -1);
    fix_free(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loss");
    TCase *tc = tcase_create("loss_compute");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ppo_clip);
    tcase_add_test(tc, test_pg);
    tcase_add_test(tc, test_surrogate);
    tcase_add_test(tc, test_kl_penalty);
    tcase_add_test(tc, test_stats);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
