/* test_loss.c - every policy loss kind, the value loss (plain and clipped) and the
 * entropy bonus: gradient against central finite differences in double of the loss,
 * for both distributions and batch sizes 1, 5 and 32, plus the reported statistics.
 *
 * The differences are taken in double (step 1e-5 relative) of a double-precision
 * reference of the whole loss written out from the formulas in loss.h (tu_ref_loss in
 * testutil.c, on its reference networks and distributions); its value must match
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

/* the fixture: a small network, parameters N(0, 0.5^2), old parameters 0.1 away */
static void fix_make(TuLossFix *f, DistKind k, int batch, uint64_t seed)
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
    tu_loss_fix_make(f, &mc, batch, seed, 0.5, 0.1, 0);
}

static const char *kind_name[] = {"ppo-clip", "pg", "surrogate", "kl-penalty", "grpo"};

/* gradient of one configuration against finite differences */
static void check_config(DistKind k, int batch, const LossConfig *cfg, uint64_t seed)
{
    TuLossFix f;
    fix_make(&f, k, batch, seed);
    f.cfg = *cfg;
    long np = (long)f.m.n_params;
    float *grad = calloc((size_t)np, sizeof(float));
    double *num = malloc(sizeof(double) * np);
    LossStats st;
    ck_assert_int_eq(loss_compute(grad, &st, f.w, &f.m, f.params, &f.b, cfg), 0);
    double ref = tu_ref_loss(&f);
    ck_assert_msg(fabs(st.loss - ref) <= 1e-5 * fmax(1.0, fabs(ref)),
                  "loss %.9g differs from the reference %.9g", st.loss, ref);
    tu_numeric_grad(num, f.params, np, 1e-5, tu_ref_loss, &f);
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
    tu_loss_fix_free(&f);
}

/* every configuration for both distributions and batch sizes 1, 5 and 32; cfgs[c] with
 * batches[i] on seed seed0 + 100 c + i */
static void check_configs(const LossConfig *cfgs, int n_cfg, uint64_t seed0)
{
    static const int batches[] = {1, 5, 32};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < n_cfg; c++)
                check_config((DistKind)k, batches[i], &cfgs[c], seed0 + 100 * c + i);
}

START_TEST(test_ppo_clip)
{
    /* the last clips asymmetrically: [1 - 0.05, 1 + 0.3] */
    const LossConfig cfgs[] = {{LOSS_PPO_CLIP, 0.2, 0, 0.01, 0.5, 0.2, 1, 0},
                               {LOSS_PPO_CLIP, 0.1, 0, 0.0, 1.0, 0.0, 0, 0},
                               {LOSS_PPO_CLIP, 0.05, 0, 0.0, 0.5, 0.0, 1, 0.3}};
    check_configs(cfgs, 3, 100);
}
END_TEST

START_TEST(test_grpo)
{
    /* the clipped surrogate with a k3 term against ref_logp; no value network (ret is
     * given, vf_coef 0 leaves it out); the last clips asymmetrically */
    const LossConfig cfgs[] = {{LOSS_GRPO, 0.2, 0.04, 0.0, 0.0, 0.0, 0, 0},
                               {LOSS_GRPO, 0.2, 0.5, 0.01, 0.0, 0.0, 1, 0.28}};
    check_configs(cfgs, 2, 700);
}
END_TEST

START_TEST(test_pg)
{
    const LossConfig cfgs[] = {{LOSS_PG, 0, 0, 0.01, 0.5, 0.0, 0, 0},
                               {LOSS_PG, 0, 0, 0.05, 0.25, 0.3, 1, 0}};
    check_configs(cfgs, 2, 300);
}
END_TEST

START_TEST(test_surrogate)
{
    const LossConfig cfg = {LOSS_SURROGATE, 0, 0, 0.0, 0.0, 0.0, 0, 0};
    check_configs(&cfg, 1, 500);
}
END_TEST

START_TEST(test_kl_penalty)
{
    const LossConfig cfg = {LOSS_KL_PENALTY, 0, 0.7, 0.02, 0.25, 0.3, 1, 0};
    check_configs(&cfg, 1, 600);
}
END_TEST

START_TEST(test_stats)
{
    /* identical old and new policy: ratio 1, no clipping, approx KL 0, KL 0;
     * surrogate = -mean(A); value loss = 0.5 mean((V - R)^2) */
    TuLossFix f;
    fix_make(&f, DIST_CATEGORICAL, 5, 7);
    memcpy(f.old_p, model_policy(f.w, &f.m, f.params, f.obs, 5), sizeof(float) * 5 * 4);
    dist_logp(f.old_logp, &f.m.dist, f.old_p, NULL, f.act, 5);
    const float *v = model_value(f.w, &f.m, f.params, f.obs, 5);
    double vl = 0.0, ma = 0.0;
    for (int i = 0; i < 5; i++) {
        vl += 0.5 * ((double)v[i] - f.ret[i]) * ((double)v[i] - f.ret[i]) / 5;
        ma += f.adv[i] / 5.0;
    }
    LossConfig cfg = {LOSS_KL_PENALTY, 0.2, 1.0, 0.0, 1.0, 0.0, 0, 0};
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
    tu_loss_fix_free(&f);
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
    tu_loss_fix_free(&f);
}
END_TEST

/* ppo-kl's beta rule: halve below target / 1.5, double above 1.5 target, keep between
 * (the bounds themselves keep beta); a NaN measurement keeps it */
START_TEST(test_kl_beta_update)
{
    const double target = 0.01;
    ck_assert(loss_kl_beta_update(1.0, 0.001, target) == 0.5);
    ck_assert(loss_kl_beta_update(1.0, 0.0066, target) == 0.5);
    ck_assert(loss_kl_beta_update(1.0, target / 1.5, target) == 1.0);
    ck_assert(loss_kl_beta_update(1.0, 0.01, target) == 1.0);
    ck_assert(loss_kl_beta_update(1.0, target * 1.5, target) == 1.0);
    ck_assert(loss_kl_beta_update(1.0, 0.0151, target) == 2.0);
    ck_assert(loss_kl_beta_update(3.0, 1.0, target) == 6.0);
    ck_assert(loss_kl_beta_update(3.0, NAN, target) == 3.0);
    /* repeated: a KL that stays high doubles beta every iteration */
    double beta = 1.0;
    for (int i = 0; i < 5; i++)
        beta = loss_kl_beta_update(beta, 0.1, target);
    ck_assert(beta == 32.0);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"loss_ppo_clip", test_ppo_clip},   {"loss_pg", test_pg},
        {"loss_surrogate", test_surrogate}, {"loss_kl_penalty", test_kl_penalty},
        {"loss_stats", test_stats},         {"loss_kl_beta_update", test_kl_beta_update},
        {"loss_grpo", test_grpo},
    };
    return tu_run(tu_suite("loss", cases, TU_COUNT(cases), 120));
}
