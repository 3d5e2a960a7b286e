/* test_trpo.c - the distributed natural-gradient step (src/learner/trpo.c) under
 * mpiexec (suite mpi, 1 and 3 ranks).
 *
 * Every actor (ranks 1..N-1, or the only rank) holds its own batch of a different size,
 * drawn from a stream of its rank; the learner can draw the same batches, so it builds
 * the concatenated batch and compares the distributed requests with single-process
 * computations on it:
 *   - the summed Fisher-vector product equals fvp_compute on the concatenation
 *     (relative 1e-5), for a categorical and a Gaussian policy, with and without damping;
 *   - CG over the distributed product converges to LAPACK's solve of the explicitly
 *     built F + lambda I, and the KL predicted by 1/2 beta^2 x^T F x matches the KL
 *     measured at theta + beta x for small radii (5% at 1e-5, 2% at 1e-6);
 *   - the line search accepts a step within 1.5 delta that improves the surrogate,
 *     rejects candidates above the KL bound or lowering the surrogate, and leaves the
 *     parameters bit for bit untouched when every candidate fails;
 *   - ABORT releases the actors with status 1.
 * Every check runs on every rank (the actors answer the learner's requests meanwhile).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "fvp.h"
#include "testutil.h"
#include "trpo.h"

/* LAPACK (in libopenblas): solve A X = B for SPD A by Cholesky; A, B column-major. */
extern void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda,
                   double *b, const int *ldb, int *info);

#define OBS 3

/* The learner's checks must not leave the test early: the actors wait for its DONE.
 * EXPECT records the first failure; the test asserts it once the actors are released. */
static char fail[512];
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond) && !fail[0])                                                                   \
            snprintf(fail, sizeof fail, __VA_ARGS__);                                              \
    } while (0)

/* one rank's batch (or the concatenation of all actors' batches) */
typedef struct {
    int n;
    float *obs, *act, *adv, *logp, *p;
    ModelWork *w;
} Data;

typedef struct {
    Model m;
    float *params;
    Data mine; /* this actor's batch (n = 0 on the learner of several ranks) */
    Data all;  /* the learner: every actor's batch, in rank order */
    Trpo t;
    int learner, actor;
} Fix;

static int batch_of(int rank)
{
    return 9 + 7 * rank; /* different sizes: the sums must weight by sample count */
}

static int is_actor_rank(int r)
{
    return comm_size() == 1 || r > 0;
}

/* rows [off, off + n) of d from the stream of rank r */
static void draw(Data *d, const Fix *f, int r, int off)
{
    const int n = batch_of(r), k = f->m.dist.n, ad = dist_action_dim(&f->m.dist);
    Rng rng;
    rng_seed(&rng, 99, (uint64_t)r + 1);
    tu_fill_normal(d->obs + (size_t)off * OBS, (long)n * OBS, 1.0, &rng);
    tu_fill_normal(d->adv + off, n, 1.0, &rng);
    const float *p = model_policy(d->w, &f->m, f->params, d->obs + (size_t)off * OBS, n);
    memcpy(d->p + (size_t)off * k, p, (size_t)n * k * sizeof(float));
    const float *ls = model_logstd(&f->m, f->params);
    dist_sample(d->act + (size_t)off * ad, &f->m.dist, d->p + (size_t)off * k, ls, n, &rng);
    dist_logp(d->logp + off, &f->m.dist, d->p + (size_t)off * k, ls, d->act + (size_t)off * ad, n);
}

static void data_alloc(Data *d, const Model *m, int n)
{
    const int cap = n > 0 ? n : 1;
    d->n = n;
    d->obs = malloc(sizeof(float) * cap * OBS);
    d->act = malloc(sizeof(float) * cap * m->dist.n);
    d->adv = malloc(sizeof(float) * cap);
    d->logp = malloc(sizeof(float) * cap);
    d->p = malloc(sizeof(float) * cap * m->dist.n);
    d->w = model_work_create(m, cap);
}

static void data_free(Data *d)
{
    free(d->obs);
    free(d->act);
    free(d->adv);
    free(d->logp);
    free(d->p);
    model_work_destroy(&d->w);
}

static Batch batch(const Data *d, const Fix *f)
{
    return (Batch){.n = d->n,
                   .obs = d->obs,
                   .act = d->act,
                   .adv = d->adv,
                   .old_logp = d->logp,
                   .old_p = d->p,
                   .old_logstd = model_logstd(&f->m, f->params)};
}

static void fix_make(Fix *f, DistKind kind)
{
    ModelConfig mc = {.obs_dim = OBS,
                      .dist = kind,
                      .act_n = kind == DIST_CATEGORICAL ? 3 : 2,
                      .pi_hidden = {6},
                      .pi_n_hidden = 1,
                      .vf_hidden = {4},
                      .vf_n_hidden = 1,
                      .act = ACT_TANH,
                      .init_logstd = -0.5};
    char err[256];
    memset(f, 0, sizeof *f);
    ck_assert_int_eq(model_init(&f->m, &mc, err, sizeof err), 0);
    f->params = malloc(sizeof(float) * f->m.n_params);
    Rng r;
    rng_seed(&r, 5, 0);
    tu_fill_normal(f->params, (long)f->m.n_params, 0.6, &r);
    const int rank = comm_rank();
    f->learner = rank == 0;
    f->actor = is_actor_rank(rank);
    data_alloc(&f->mine, &f->m, f->actor ? batch_of(rank) : 0);
    if (f->actor)
        draw(&f->mine, f, rank, 0);
    if (f->learner) {
        int total = 0;
        for (int q = 0; q < comm_size(); q++)
            total += is_actor_rank(q) ? batch_of(q) : 0;
        data_alloc(&f->all, &f->m, total);
        int off = 0;
        for (int q = 0; q < comm_size(); q++)
            if (is_actor_rank(q)) {
                draw(&f->all, f, q, off);
                off += batch_of(q);
            }
    }
    ck_assert_int_eq(trpo_init(&f->t, &f->m, f->learner, f->actor), 0);
    f->t.s.w = f->mine.w;
    f->t.s.params = f->params;
    f->t.s.batch = batch(&f->mine, f);
    f->t.s.fvp_obs = f->mine.obs;
    f->t.s.fvp_n = f->mine.n;
}

static void fix_free(Fix *f)
{
    trpo_free(&f->t);
    data_free(&f->mine);
    if (f->learner)
        data_free(&f->all);
    free(f->params);
}

/* the actors answer until the learner is done; the test asserts the learner's verdict
 * (fail) after its last request, so every rank leaves the test at the same point */
static void serve_or_run(Fix *f, void (*learner)(Fix *f))
{
    if (!f->learner) {
        float *copy = malloc(sizeof(float) * f->m.n_params);
        ck_assert_int_eq(trpo_serve(&f->t.s, copy), 0);
        free(copy);
    } else {
        learner(f);
        ck_assert_int_eq(trpo_finish(&f->t, f->params, 0), 0);
    }
}

/* the learner's checks on a categorical and on a Gaussian policy, actors serving */
static void for_both_policies(void (*learner)(Fix *f))
{
    fail[0] = '\0';
    for (int k = 0; k < 2; k++) {
        Fix f;
        fix_make(&f, k == 0 ? DIST_CATEGORICAL : DIST_GAUSSIAN);
        serve_or_run(&f, learner);
        fix_free(&f);
    }
    ck_assert_msg(!fail[0], "%s", fail);
}

/* ---- distributed Fisher-vector product ---- */

static void fvp_checks(Fix *f)
{
    const long np = f->t.s.npol;
    float *v = malloc(sizeof(float) * np), *got = malloc(sizeof(float) * np),
          *want = malloc(sizeof(float) * np);
    Rng r;
    rng_seed(&r, 17, 0);
    for (int trial = 0; trial < 3; trial++) {
        const double damping = trial == 2 ? 0.1 : 0.0;
        tu_fill_normal(v, np, 1.0, &r);
        f->t.damping = damping;
        EXPECT((trpo_fvp(&f->t, v, got)) == (0), "%s", "trpo_fvp(&f->t, v, got) failed");
        fvp_compute(want, f->all.w, &f->m, f->params, f->all.obs, f->all.n, v, damping, 0);
        /* relative to the largest component: elementwise ratios of components that
         * nearly cancel say nothing about the product */
        double scale = 0.0;
        for (long i = 0; i < np; i++)
            scale = fmax(scale, fabs(want[i]));
        const double d = tu_max_abs_diff(got, want, np) / scale;
        printf("distributed FVP (%s, np %d, damping %g): max relative difference %.2e\n",
               f->m.dist.kind == DIST_CATEGORICAL ? "categorical" : "gaussian", comm_size(),
               damping, d);
        EXPECT(d < 1e-5, "relative difference %.3e", d);
    }
    free(v);
    free(got);
    free(want);
}

START_TEST(test_distributed_fvp)
{
    for_both_policies(fvp_checks);
}
END_TEST

/* ---- CG and the predicted KL ---- */

static void cg_checks(Fix *f)
{
    const int n = (int)f->t.s.npol;
    const double lambda = 0.1;
    /* explicit A = F + lambda I, column by column from the single-process product */
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n);
    float *e = calloc((size_t)n, sizeof(float)), *col = malloc(sizeof(float) * n);
    for (int j = 0; j < n; j++) {
        e[j] = 1.0f;
        fvp_compute(col, f->all.w, &f->m, f->params, f->all.obs, f->all.n, e, lambda, 0);
        for (int i = 0; i < n; i++)
            a[(size_t)j * n + i] = col[i];
        e[j] = 0.0f;
    }
    for (int j = 0; j < n; j++) /* symmetrise the float rounding */
        for (int i = 0; i < j; i++)
            a[(size_t)j * n + i] = a[(size_t)i * n + j] =
                0.5 * (a[(size_t)j * n + i] + a[(size_t)i * n + j]);
    float *g = malloc(sizeof(float) * n), *x = malloc(sizeof(float) * n);
    Rng r;
    rng_seed(&r, 23, 0);
    tu_fill_normal(g, n, 1.0, &r);
    for (int i = 0; i < n; i++)
        b[i] = g[i];
    int one = 1, info = 0;
    dposv_("U", &n, &one, a, &n, b, &n, &info);
    EXPECT((info) == (0), "%s", "info failed");
    f->t.damping = lambda;
    CgResult res;
    cg_solve(x, &res, &f->t.cg, trpo_fvp, &f->t, g, 4 * n, 1e-6);
    double dx = 0.0, xn = 0.0;
    for (int i = 0; i < n; i++) {
        dx = fmax(dx, fabs(x[i] - b[i]));
        xn = fmax(xn, fabs(b[i]));
    }
    printf("CG over the distributed FVP (np %d, n %d): %s after %d products, max |x - x_lapack| "
           "%.2e (max |x| %.2e)\n",
           comm_size(), n, cg_reason_name(res.reason), res.iterations, dx, xn);
    EXPECT((res.reason) == (CG_CONVERGED), "%s", "res.reason failed");
    EXPECT(dx < 1e-3 * xn, "max |x - x_lapack| = %.3e", dx);

    /* predicted against measured KL: beta = sqrt(2 delta / x^T F x) without damping; the
     * quadratic model's error shrinks with the step (about 4% at 1e-5, 1% at 1e-6 for
     * the Gaussian, whose log-std terms are the least quadratic) */
    float *fx = malloc(sizeof(float) * n), *cand = malloc(sizeof(float) * n);
    for (int k = 0; k < 2; k++) {
        const double delta = k == 0 ? 1e-5 : 1e-6;
        f->t.damping = 0.0;
        EXPECT((trpo_fvp(&f->t, x, fx)) == (0), "%s", "trpo_fvp(&f->t, x, fx) failed");
        double xfx = 0.0;
        for (int i = 0; i < n; i++)
            xfx += (double)x[i] * fx[i];
        const double beta = sqrt(2.0 * delta / xfx);
        const double predicted = 0.5 * beta * beta * xfx;
        for (int i = 0; i < n; i++)
            cand[i] = f->params[i] + (float)(beta * x[i]);
        double surr, kl;
        EXPECT((trpo_eval(&f->t, cand, &surr, &kl)) == (0), "%s",
               "trpo_eval(&f->t, cand, &surr, &kl) failed");
        printf("predicted KL %.4e, measured %.4e (ratio %.4f)\n", predicted, kl, kl / predicted);
        EXPECT(fabs(kl / predicted - 1.0) < (k == 0 ? 0.05 : 0.02), "predicted %g, measured %g",
               predicted, kl);
    }
    free(a);
    free(b);
    free(e);
    free(col);
    free(g);
    free(x);
    free(fx);
    free(cand);
}

START_TEST(test_cg_and_predicted_kl)
{
    for_both_policies(cg_checks);
}
END_TEST

/* ---- the line search ---- */

/* the learner's ascent direction: the gradient of mean(r A) over the concatenation */
static void surrogate_gradient(Fix *f, float *g, double *surr)
{
    float *grad = calloc(f->m.n_params, sizeof(float));
    const Batch b = batch(&f->all, f);
    const LossConfig lc = {.kind = LOSS_KL_PENALTY};
    LossStats st;
    EXPECT((loss_compute(grad, &st, f->all.w, &f->m, f->params, &b, &lc)) == (0), "%s",
           "loss_compute(grad, &st, f->all.w, &f->m, f->params, &b, &lc) failed");
    for (long i = 0; i < f->t.s.npol; i++)
        g[i] = -grad[i];
    *surr = -st.pi_loss;
    free(grad);
}

static void ls_checks(Fix *f)
{
    const long n = f->t.s.npol;
    const double delta = 0.01;
    float *g = malloc(sizeof(float) * n), *saved = malloc(sizeof(float) * n),
          *full = malloc(sizeof(float) * n);
    double surr_old;
    surrogate_gradient(f, g, &surr_old);
    memcpy(saved, f->params, sizeof(float) * n);
    /* the old surrogate as the actors evaluate it */
    double s0, k0;
    EXPECT((trpo_eval(&f->t, f->params, &s0, &k0)) == (0), "%s",
           "trpo_eval(&f->t, f->params, &s0, &k0) failed");
    EXPECT(fabs(s0 - surr_old) < 1e-6 && fabs(k0) < 1e-7, "surrogate %g vs %g, KL %g", s0, surr_old,
           k0);

    /* a whole TRPO step: accepted, within 1.5 delta, improving */
    TrpoConfig cfg = {.cg_iters = 10,
                      .damping = 0.1,
                      .max_kl = delta,
                      .ls_steps = 10,
                      .ls_shrink = 0.5,
                      .ls_kl_factor = 1.5,
                      .line_search = 1};
    TrpoResult res;
    EXPECT((trpo_step(&res, &f->t, f->params, g, surr_old, &cfg)) == (0), "%s",
           "trpo_step(&res, &f->t, f->params, g, surr_old, &cfg) failed");
    printf("trpo step: accepted %d after %d candidates, KL %.4e, improvement %.4e\n", res.accepted,
           res.ls_steps, res.kl, res.improve);
    EXPECT(res.accepted && res.kl <= 1.5 * delta && res.improve > 0, "%s",
           "res.accepted && res.kl <= 1.5 * delta && res.improve > 0");
    EXPECT(memcmp(saved, f->params, sizeof(float) * n) != 0, "%s",
           "memcmp(saved, f->params, sizeof(float) * n) != 0");
    const float *step = f->t.x; /* beta x: the full step just scaled */
    memcpy(f->params, saved, sizeof(float) * n);

    /* 64 times the full step: the first candidates exceed the KL bound and are
     * rejected, a smaller one is accepted */
    for (long i = 0; i < n; i++)
        full[i] = 64.0f * step[i];
    EXPECT((trpo_linesearch(&res, &f->t, f->params, full, surr_old, 1.5 * delta, 12, 0.5)) == (0),
           "%s",
           "trpo_linesearch(&res, &f->t, f->params, full, surr_old, 1.5 * delta, 12, 0.5) failed");
    printf("64 x the step: %d rejected for KL, accepted %d at KL %.4e\n", res.kl_rejects,
           res.accepted, res.kl);
    EXPECT(res.kl_rejects >= 1 && res.accepted && res.kl <= 1.5 * delta && res.improve > 0, "%s",
           "res.kl_rejects >= 1 && res.accepted && res.kl <= 1.5 * delta && res.improve > 0");
    memcpy(f->params, saved, sizeof(float) * n);

    /* the same with only two candidates: both above the bound, nothing moves */
    EXPECT((trpo_linesearch(&res, &f->t, f->params, full, surr_old, 1.5 * delta, 2, 0.5)) == (0),
           "%s",
           "trpo_linesearch(&res, &f->t, f->params, full, surr_old, 1.5 * delta, 2, 0.5) failed");
    EXPECT(!res.accepted && res.kl_rejects == 2 && res.ls_steps == 2, "%s",
           "!res.accepted && res.kl_rejects == 2 && res.ls_steps == 2");
    EXPECT(memcmp(saved, f->params, sizeof(float) * n) == 0, "%s",
           "memcmp(saved, f->params, sizeof(float) * n) == 0");

    /* the reverse step lowers the surrogate at every scale: all rejected, untouched */
    for (long i = 0; i < n; i++)
        full[i] = -step[i];
    EXPECT((trpo_linesearch(&res, &f->t, f->params, full, surr_old, 1.5 * delta, 10, 0.5)) == (0),
           "%s",
           "trpo_linesearch(&res, &f->t, f->params, full, surr_old, 1.5 * delta, 10, 0.5) failed");
    printf("reverse step: %d rejected for no improvement (last %.3e), accepted %d\n",
           res.improve_rejects, res.improve, res.accepted);
    EXPECT(!res.accepted && res.improve_rejects == 10 && res.improve < 0, "%s",
           "!res.accepted && res.improve_rejects == 10 && res.improve < 0");
    EXPECT(memcmp(saved, f->params, sizeof(float) * n) == 0, "%s",
           "memcmp(saved, f->params, sizeof(float) * n) == 0");
    free(g);
    free(saved);
    free(full);
}

START_TEST(test_line_search)
{
    for_both_policies(ls_checks);
}
END_TEST

/* ABORT releases every actor with status 1, after any number of requests */
START_TEST(test_abort)
{
    Fix f;
    fix_make(&f, DIST_CATEGORICAL);
    if (f.learner) {
        double surr, kl;
        ck_assert_int_eq(trpo_eval(&f.t, f.params, &surr, &kl), 0);
        ck_assert_int_eq(trpo_finish(&f.t, NULL, 1), 0);
    } else {
        ck_assert_int_eq(trpo_serve(&f.t.s, f.params), 1);
    }
    fix_free(&f);
}
END_TEST

int main(int argc, char **argv)
{
    if (comm_init(&argc, &argv) != 0)
        return 1;
    const TuCase cases[] = {
        {"trpo_distributed_fvp", test_distributed_fvp},
        {"trpo_cg_predicted_kl", test_cg_and_predicted_kl},
        {"trpo_line_search", test_line_search},
        {"trpo_abort", test_abort},
    };
    SRunner *sr = srunner_create(tu_suite("trpo", cases, TU_COUNT(cases), 120));
    srunner_set_fork_status(sr, CK_NOFORK); /* never fork inside an MPI process */
    srunner_run_all(sr, CK_NORMAL);
    double failed[1] = {srunner_ntests_failed(sr)};
    srunner_free(sr);
    comm_allsum_doubles(failed, 1);
    comm_finalize();
    return failed[0] == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
