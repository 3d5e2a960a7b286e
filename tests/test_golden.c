/* test_golden.c - the C library against independent PyTorch reference values.
 *
 * The data (tests/data/golden_{cat,gauss,cat1}.txt) is written by scripts/golden.py
 * with float64 autograd from float32-exact inputs; see that script for how each
 * quantity is defined. Each fixture file carries the model shape, the parameters, a
 * batch, and the expected network outputs, log-probs, entropies, KL divergences in both
 * directions, their gradients with respect to the distribution parameters, every loss
 * configuration of loss.h with its statistics and gradient, and the Fisher-vector
 * product (a Hessian-vector product of the mean KL by double back-propagation, not the
 * C code's J^T M J form). golden_cat.txt also holds an Adam / clip_grad_norm_ trace of
 * torch in float32.
 *
 * Tolerances, elementwise |c - ref| <= max(rtol * |ref|, atol). The C library stores
 * float32 and accumulates in double, so it differs from the float64 reference by a few
 * float roundings:
 *   forward quantities and losses (outputs, logp, entropy, KL, loss statistics):
 *       rtol 1e-5, atol 1e-6
 *   gradients (distribution, loss) and Fisher-vector products:  rtol 2e-5, atol 1e-6
 *       (atol batch * 1e-6 for the un-averaged sum_only product)
 *   Adam trace and gradient clipping (torch in float32):        rtol 1e-6, atol 1e-7
 * The largest differences measured (OpenBLAS, x86-64, GCC 12) were about 10x below these:
 * 1.1e-6 relative for the forward group, 2.5e-6 for gradients and products, 0 for Adam.
 * Every comparison prints its max absolute and relative difference.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "fvp.h"
#include "loss.h"
#include "model.h"
#include "optim.h"
#include "testutil.h"

#define FWD_RTOL  1e-5
#define FWD_ATOL  1e-6
#define GRAD_RTOL 2e-5
#define GRAD_ATOL 1e-6
#define OPT_RTOL  1e-6
#define OPT_ATOL  1e-7

static const char *const fixture_files[] = {"golden_cat.txt", "golden_gauss.txt",
                                            "golden_cat1.txt"};
#define N_FIXTURES ((int)(sizeof fixture_files / sizeof fixture_files[0]))

static const char *const loss_tags[] = {"ppo", "ppo2", "pg", "sur", "klpen", "ppoasym", "grpo"};
#define N_LOSS_TAGS ((int)(sizeof loss_tags / sizeof loss_tags[0]))

/* One fixture: the model built from `shape` and the inputs as the C library sees them. */
typedef struct {
    const char *file;
    Golden *g;
    Model m;
    ModelWork *w;
    int batch;
    int n;    /* distribution parameters per sample */
    int adim; /* floats per action */
    float *params, *obs, *act, *adv, *ret, *old_val, *old_p, *old_logp, *ref_logp;
    float *old_logstd; /* Gaussian only */
    float *pi_out;     /* reference policy output, rounded to float: input of dist_* */
} Fixture;

/* A golden array as a new float array (count < 0: any length). */
static float *golden_floats(const Golden *g, const char *name, long count)
{
    long n = golden_count(g, name);
    const double *v = golden_get(g, name, count);
    float *out = malloc((size_t)(n > 0 ? n : 1) * sizeof *out);
    ck_assert(out != NULL);
    golden_to_float(out, v, n);
    return out;
}

/* Load a fixture file and build its model from the `shape` array:
 * obs_dim dist act_n activation n_pi_hidden pi_hidden... n_vf_hidden vf_hidden... batch */
static void fixture_load(Fixture *f, const char *file)
{
    memset(f, 0, sizeof *f);
    f->file = file;
    f->g = golden_load(file);
    long ns = golden_count(f->g, "shape");
    const double *s = golden_get(f->g, "shape", -1);
    ck_assert_msg(ns >= 7, "%s: shape has %ld values, expected at least 7", file, ns);

    ModelConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    long k = 0;
    cfg.obs_dim = (int)s[k++];
    cfg.dist = (DistKind)(int)s[k++];
    cfg.act_n = (int)s[k++];
    cfg.act = (Activation)(int)s[k++];
    cfg.pi_n_hidden = (int)s[k++];
    ck_assert_msg(cfg.pi_n_hidden >= 0 && cfg.pi_n_hidden < MLP_MAX_LAYERS &&
                      k + cfg.pi_n_hidden + 2 <= ns,
                  "%s: malformed shape", file);
    for (int l = 0; l < cfg.pi_n_hidden; l++)
        cfg.pi_hidden[l] = (int)s[k++];
    cfg.vf_n_hidden = (int)s[k++];
    ck_assert_msg(cfg.vf_n_hidden >= 0 && cfg.vf_n_hidden < MLP_MAX_LAYERS &&
                      k + cfg.vf_n_hidden + 1 == ns,
                  "%s: malformed shape", file);
    for (int l = 0; l < cfg.vf_n_hidden; l++)
        cfg.vf_hidden[l] = (int)s[k++];
    f->batch = (int)s[k++];
    cfg.init_logstd = 0.0;

    char err[256] = "";
    ck_assert_msg(model_init(&f->m, &cfg, err, sizeof err) == 0, "%s: model_init: %s", file, err);
    f->n = f->m.dist.n;
    f->adim = dist_action_dim(&f->m.dist);
    ck_assert_msg((long)f->m.n_params == golden_count(f->g, "params"),
                  "%s: model has %zu parameters, reference %ld", file, f->m.n_params,
                  golden_count(f->g, "params"));
    ck_assert_msg((long)f->m.n_policy == golden_count(f->g, "fvp_v"),
                  "%s: model has %zu policy parameters, reference %ld", file, f->m.n_policy,
                  golden_count(f->g, "fvp_v"));
    f->w = model_work_create(&f->m, f->batch);
    ck_assert(f->w != NULL);

    const long b = f->batch, n = f->n;
    f->params = golden_floats(f->g, "params", (long)f->m.n_params);
    f->obs = golden_floats(f->g, "obs", b * cfg.obs_dim);
    f->act = golden_floats(f->g, "act", b * f->adim);
    f->adv = golden_floats(f->g, "adv", b);
    f->ret = golden_floats(f->g, "ret", b);
    f->old_val = golden_floats(f->g, "old_val", b);
    f->old_p = golden_floats(f->g, "old_p", b * n);
    f->old_logp = golden_floats(f->g, "old_logp", b);
    f->ref_logp = golden_floats(f->g, "ref_logp", b);
    f->pi_out = golden_floats(f->g, "pi_out", b * n);
    if (f->m.dist.kind == DIST_GAUSSIAN)
        f->old_logstd = golden_floats(f->g, "old_logstd", n);
}

static void fixture_free(Fixture *f)
{
    model_work_destroy(&f->w);
    free(f->params);
    free(f->obs);
    free(f->act);
    free(f->adv);
    free(f->ret);
    free(f->old_val);
    free(f->old_p);
    free(f->old_logp);
    free(f->ref_logp);
    free(f->pi_out);
    free(f->old_logstd);
    golden_free(f->g);
}

/* Compare got (n) with the reference want: prints the max absolute difference and the
 * max of |got - want| / max(|want|, atol / rtol), and fails if the latter exceeds rtol,
 * i.e. if some |got - want| > max(rtol |want|, atol). NaN fails. */
static void check_close_d(const char *file, const char *what, const double *got, const double *want,
                          long n, double rtol, double atol)
{
    double max_abs = 0.0, max_rel = 0.0;
    long worst = 0;
    for (long i = 0; i < n; i++) {
        double d = fabs(got[i] - want[i]);
        double den = fabs(want[i]) > atol / rtol ? fabs(want[i]) : atol / rtol;
        double rel = d / den;
        if (!(d <= max_abs))
            max_abs = d;
        if (!(rel <= max_rel)) {
            max_rel = rel;
            worst = i;
        }
    }
    printf("%-16s %-18s max abs diff %.3e  max rel diff %.3e  (tol rel %.0e, abs %.0e)\n", file,
           what, max_abs, max_rel, rtol, atol);
    ck_assert_msg(max_rel <= rtol,
                  "%s: %s[%ld] = %.9g, reference %.9g: |diff| %.3e exceeds max(rel %.0e * |ref|, "
                  "abs %.0e)",
                  file, what, worst, got[worst], want[worst], fabs(got[worst] - want[worst]), rtol,
                  atol);
}

static void check_close(const char *file, const char *what, const float *got, const double *want,
                        long n, double rtol, double atol)
{
    double *d = malloc((size_t)(n > 0 ? n : 1) * sizeof *d);
    ck_assert(d != NULL);
    for (long i = 0; i < n; i++)
        d[i] = got[i];
    check_close_d(file, what, d, want, n, rtol, atol);
    free(d);
}

/* Compare with the golden array `name` (which must have n values). */
static void check_golden(const Fixture *f, const char *name, const float *got, long n, double rtol,
                         double atol)
{
    check_close(f->file, name, got, golden_get(f->g, name, n), n, rtol, atol);
}

static float *zeros(long n)
{
    float *x = calloc((size_t)(n > 0 ? n : 1), sizeof *x);
    ck_assert(x != NULL);
    return x;
}

/* --- model: the layout built from `shape` is the one the reference used --- */

START_TEST(test_layout)
{
    Fixture f;
    fixture_load(&f, fixture_files[_i]);
    const Model *m = &f.m;
    /* pi.<l>.weight/bias, logstd (Gaussian), vf.<l>.weight/bias, contiguous */
    int e = 0;
    size_t off = 0;
    const Mlp *nets[2] = {&m->pi, &m->vf};
    const char *pre[2] = {"pi", "vf"};
    for (int k = 0; k < 2; k++) {
        for (int l = 0; l < nets[k]->n_layers; l++) {
            for (int wb = 0; wb < 2; wb++) {
                char name[PARAMS_NAME_LEN];
                snprintf(name, sizeof name, "%s.%d.%s", pre[k], l, wb ? "bias" : "weight");
                const ParamEntry *pe = &m->table.entry[e++];
                ck_assert_msg(strcmp(pe->name, name) == 0 && pe->offset == off,
                              "%s: entry %d is %s at %zu, expected %s at %zu", f.file, e - 1,
                              pe->name, pe->offset, name, off);
                off += params_entry_size(pe);
            }
        }
        if (k == 0 && m->dist.kind == DIST_GAUSSIAN) {
            const ParamEntry *pe = &m->table.entry[e++];
            ck_assert_msg(strcmp(pe->name, "logstd") == 0 && pe->offset == off &&
                              m->logstd_off == off,
                          "%s: log-std entry %s at %zu, expected logstd at %zu", f.file, pe->name,
                          pe->offset, off);
            off += params_entry_size(pe);
        }
        if (k == 0)
            ck_assert_msg(m->n_policy == off, "%s: n_policy %zu, expected %zu", f.file, m->n_policy,
                          off);
    }
    ck_assert_msg(e == m->table.n && off == m->n_params && off == m->table.total,
                  "%s: %d entries / %zu floats, table has %d / %zu", f.file, e, off, m->table.n,
                  m->table.total);
    fixture_free(&f);
}
END_TEST

/* --- forward: policy and value networks --- */

START_TEST(test_forward)
{
    Fixture f;
    fixture_load(&f, fixture_files[_i]);
    const long b = f.batch;
    const float *p = model_policy(f.w, &f.m, f.params, f.obs, f.batch);
    check_golden(&f, "pi_out", p, b * f.n, FWD_RTOL, FWD_ATOL);
    const float *v = model_value(f.w, &f.m, f.params, f.obs, f.batch);
    check_golden(&f, "values", v, b, FWD_RTOL, FWD_ATOL);
    fixture_free(&f);
}
END_TEST

/* --- dist: log-prob, entropy, KL both ways, at the reference distribution parameters --- */

START_TEST(test_dist)
{
    Fixture f;
    fixture_load(&f, fixture_files[_i]);
    const long b = f.batch;
    const float *ls = model_logstd(&f.m, f.params);
    float *out = zeros(b);

    dist_logp(out, &f.m.dist, f.pi_out, ls, f.act, f.batch);
    check_golden(&f, "logp", out, b, FWD_RTOL, FWD_ATOL);
    dist_entropy(out, &f.m.dist, f.pi_out, ls, f.batch);
    check_golden(&f, "entropy", out, b, FWD_RTOL, FWD_ATOL);
    dist_kl(out, &f.m.dist, f.old_p, f.old_logstd, f.pi_out, ls, f.batch);
    check_golden(&f, "kl_old_new", out, b, FWD_RTOL, FWD_ATOL);
    dist_kl(out, &f.m.dist, f.pi_out, ls, f.old_p, f.old_logstd, f.batch);
    check_golden(&f, "kl_new_old", out, b, FWD_RTOL, FWD_ATOL);

    free(out);
    fixture_free(&f);
}
END_TEST

/* --- dist backward: gradients of sum(logp), sum(entropy), sum KL(old || new) --- */

START_TEST(test_dist_backward)
{
    Fixture f;
    fixture_load(&f, fixture_files[_i]);
    const long b = f.batch, n = f.n;
    const int gauss = f.m.dist.kind == DIST_GAUSSIAN;
    const float *ls = model_logstd(&f.m, f.params);
    float *ones = zeros(b);
    for (long i = 0; i < b; i++)
        ones[i] = 1.0f;
    float *gp = zeros(b * n), *gls = zeros(n), *gp0 = zeros(b * n), *gls0 = zeros(n);

    /* the backward functions accumulate: zero before each */
    dist_logp_backward(gp, gauss ? gls : NULL, &f.m.dist, f.pi_out, ls, f.act, ones, f.batch);
    check_golden(&f, "dlogp_dp", gp, b * n, GRAD_RTOL, GRAD_ATOL);
    if (gauss)
        check_golden(&f, "dlogp_dlogstd", gls, n, GRAD_RTOL, GRAD_ATOL);

    memset(gp, 0, (size_t)(b * n) * sizeof *gp);
    memset(gls, 0, (size_t)n * sizeof *gls);
    dist_entropy_backward(gp, gauss ? gls : NULL, &f.m.dist, f.pi_out, ls, ones, f.batch);
    check_golden(&f, "dent_dp", gp, b * n, GRAD_RTOL, GRAD_ATOL);
    if (gauss)
        check_golden(&f, "dent_dlogstd", gls, n, GRAD_RTOL, GRAD_ATOL);

    memset(gp, 0, (size_t)(b * n) * sizeof *gp);
    memset(gls, 0, (size_t)n * sizeof *gls);
    /* KL(old || new): argument 0 is old, argument 1 is new */
    dist_kl_backward(gp0, gauss ? gls0 : NULL, gp, gauss ? gls : NULL, &f.m.dist, f.old_p,
                     f.old_logstd, f.pi_out, ls, ones, f.batch);
    check_golden(&f, "dkl_dp_new", gp, b * n, GRAD_RTOL, GRAD_ATOL);
    check_golden(&f, "dkl_dp_old", gp0, b * n, GRAD_RTOL, GRAD_ATOL);
    if (gauss) {
        check_golden(&f, "dkl_dlogstd_new", gls, n, GRAD_RTOL, GRAD_ATOL);
        check_golden(&f, "dkl_dlogstd_old", gls0, n, GRAD_RTOL, GRAD_ATOL);
    }

    free(ones);
    free(gp);
    free(gls);
    free(gp0);
    free(gls0);
    fixture_free(&f);
}
END_TEST

/* --- loss: every configuration, all statistics and the gradient --- */

START_TEST(test_loss)
{
    Fixture f;
    fixture_load(&f, fixture_files[_i]);
    const long np = (long)f.m.n_params;
    Batch bt = {.n = f.batch,
                .obs = f.obs,
                .act = f.act,
                .adv = f.adv,
                .ret = f.ret,
                .old_logp = f.old_logp,
                .ref_logp = f.ref_logp,
                .old_val = f.old_val,
                .old_p = f.old_p,
                .old_logstd = f.old_logstd};
    float *grad = zeros(np);

    for (int t = 0; t < N_LOSS_TAGS; t++) {
        const char *tag = loss_tags[t];
        char name[64];
        snprintf(name, sizeof name, "%s_cfg", tag);
        const double *c = golden_get(f.g, name, 7);
        LossConfig cfg = {.kind = (PolicyLossKind)(int)c[0],
                          .clip_eps = c[1],
                          .kl_beta = c[2],
                          .ent_coef = c[3],
                          .vf_coef = c[4],
                          .vf_clip = c[5],
                          .norm_adv = (int)c[6]};
        snprintf(name, sizeof name, "%s_clip_high", tag); /* asymmetric PPO only */
        if (golden_count(f.g, name) == 1)
            cfg.clip_high = golden_get(f.g, name, 1)[0];
        LossStats st;
        memset(grad, 0, (size_t)np * sizeof *grad); /* loss_compute accumulates */
        int rc = loss_compute(grad, &st, f.w, &f.m, f.params, &bt, &cfg);
        ck_assert_msg(rc == 0, "%s: loss_compute(%s) returned %d", f.file, tag, rc);

        const struct {
            const char *field;
            double value;
        } stats[] = {{"loss", st.loss},
                     {"pi_loss", st.pi_loss},
                     {"v_loss", st.v_loss},
                     {"entropy", st.entropy},
                     {"approx_kl", st.approx_kl},
                     {"clip_frac", st.clip_frac},
                     {"kl", st.kl}};
        for (size_t k = 0; k < sizeof stats / sizeof stats[0]; k++) {
            snprintf(name, sizeof name, "%s_%s", tag, stats[k].field);
            check_close_d(f.file, name, &stats[k].value, golden_get(f.g, name, 1), 1, FWD_RTOL,
                          FWD_ATOL);
        }
        snprintf(name, sizeof name, "%s_grad", tag);
        check_golden(&f, name, grad, np, GRAD_RTOL, GRAD_ATOL);
    }
    free(grad);
    fixture_free(&f);
}
END_TEST

/* --- Fisher-vector product against the Hessian of the mean KL --- */

START_TEST(test_fvp)
{
    Fixture f;
    fixture_load(&f, fixture_files[_i]);
    const long np = (long)f.m.n_policy;
    float *v = golden_floats(f.g, "fvp_v", np);
    float *out = zeros(np);

    fvp_compute(out, f.w, &f.m, f.params, f.obs, f.batch, v, 0.0, 0);
    check_golden(&f, "fvp_out", out, np, GRAD_RTOL, GRAD_ATOL);
    fvp_compute(out, f.w, &f.m, f.params, f.obs, f.batch, v, 0.1, 0);
    check_golden(&f, "fvp_damped", out, np, GRAD_RTOL, GRAD_ATOL);

    /* sum_only: batch * F v, and the damping is ignored */
    const double *ref = golden_get(f.g, "fvp_out", np);
    double *sum_ref = malloc((size_t)np * sizeof *sum_ref);
    ck_assert(sum_ref != NULL);
    for (long j = 0; j < np; j++)
        sum_ref[j] = f.batch * ref[j];
    fvp_compute(out, f.w, &f.m, f.params, f.obs, f.batch, v, 0.1, 1);
    check_close(f.file, "fvp_sum_only", out, sum_ref, np, GRAD_RTOL, f.batch * GRAD_ATOL);

    free(sum_ref);
    free(out);
    free(v);
    fixture_free(&f);
}
END_TEST

/* --- Adam and global-norm clipping against torch in float32 --- */

START_TEST(test_adam)
{
    const char *file = "golden_cat.txt";
    Golden *g = golden_load(file);
    enum { N = 10 };
    float p[N], grad[N];
    golden_to_float(p, golden_get(g, "adam_p0", N), N);
    AdamConfig cfg = {.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-5};
    Adam a;
    ck_assert(adam_init(&a, N, &cfg) == 0);
    for (int t = 1; t <= 3; t++) {
        char name[32];
        snprintf(name, sizeof name, "adam_g%d", t);
        golden_to_float(grad, golden_get(g, name, N), N);
        adam_step(&a, p, grad, 3e-3);
        snprintf(name, sizeof name, "adam_p%d", t);
        check_close(file, name, p, golden_get(g, name, N), N, OPT_RTOL, OPT_ATOL);
    }
    ck_assert_msg(a.t == 3, "adam: %ld steps counted, expected 3", a.t);
    adam_free(&a);
    golden_free(g);
}
END_TEST

START_TEST(test_clip)
{
    const char *file = "golden_cat.txt";
    Golden *g = golden_load(file);
    enum { N = 10 };
    float cg[N];
    golden_to_float(cg, golden_get(g, "clip_g", N), N);
    double norm0 = grad_global_norm(cg, N);
    check_close_d(file, "clip_norm (global)", &norm0, golden_get(g, "clip_norm", 1), 1, OPT_RTOL,
                  OPT_ATOL);
    double norm = grad_clip_global_norm(cg, N, 0.5);
    check_close_d(file, "clip_norm", &norm, golden_get(g, "clip_norm", 1), 1, OPT_RTOL, OPT_ATOL);
    check_close(file, "clip_out", cg, golden_get(g, "clip_out", N), N, OPT_RTOL, OPT_ATOL);
    golden_free(g);
}
END_TEST

static Suite *golden_suite(void)
{
    Suite *s = suite_create("golden");
    const TuCase looped[] = {{"layout", test_layout}, {"forward", test_forward},
                             {"dist", test_dist},     {"dist_backward", test_dist_backward},
                             {"loss", test_loss},     {"fvp", test_fvp}};
    for (int k = 0; k < TU_COUNT(looped); k++) {
        TCase *tc = tcase_create(looped[k].name);
        tcase_add_loop_test(tc, looped[k].fn, 0, N_FIXTURES); /* one run per fixture file */
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("optim");
    tcase_add_test(tc, test_adam);
    tcase_add_test(tc, test_clip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* keep the printed differences in order when forked */
    return tu_run(golden_suite());
}
