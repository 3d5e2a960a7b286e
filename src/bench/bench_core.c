/* bench_core.c - timings of the numerical core's hot kernels (run by scripts/bench).
 *
 * Shapes are CartPole's default actor-critic (4-64-64-2 policy, 4-64-64-1 value,
 * tanh). Each figure is the median of repeated timed blocks, per sample where it says
 * so. Not a test: it prints numbers and asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "fvp.h"
#include "gae.h"
#include "mat.h"
#include "loss.h"
#include "optim.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* median over `blocks` blocks of the time of `reps` calls of fn(ctx), per call */
static double median_time(void (*fn)(void *), void *ctx, int reps, int blocks)
{
    double t[64];
    fn(ctx); /* warm-up */
    for (int b = 0; b < blocks; b++) {
        double t0 = clock_now();
        for (int r = 0; r < reps; r++)
            fn(ctx);
        t[b] = (clock_now() - t0) / reps;
    }
    qsort(t, (size_t)blocks, sizeof t[0], cmp_double);
    return t[blocks / 2];
}

typedef struct {
    Model m;
    ModelWork *w;
    float *params, *grad, *v, *out;
    Batch b;
    LossConfig cfg;
    Adam adam;
    int batch;
    /* GAE */
    float *rew, *val, *last, *adv, *ret;
    uint8_t *term, *trunc;
} Ctx;

static void run_forward(void *p)
{
    Ctx *c = p;
    model_policy(c->w, &c->m, c->params, c->b.obs, c->batch);
    model_value(c->w, &c->m, c->params, c->b.obs, c->batch);
}

static void run_ppo_step(void *p)
{
    Ctx *c = p;
    LossStats st;
    memset(c->grad, 0, c->m.n_params * sizeof(float));
    loss_compute(c->grad, &st, c->w, &c->m, c->params, &c->b, &c->cfg);
    grad_clip_global_norm(c->grad, (long)c->m.n_params, 0.5);
    adam_step(&c->adam, c->params, c->grad, 1e-9);
}

static void run_policy_grad(void *p)
{
    Ctx *c = p;
    LossStats st;
    LossConfig sur = {LOSS_SURROGATE, 0, 0, 0, 0, 0, 0, 0};
    Batch b = c->b;
    b.ret = NULL; /* policy only, as TRPO's gradient */
    memset(c->grad, 0, c->m.n_params * sizeof(float));
    loss_compute(c->grad, &st, c->w, &c->m, c->params, &b, &sur);
}

static void run_fvp(void *p)
{
    Ctx *c = p;
    fvp_compute(c->out, c->w, &c->m, c->params, c->b.obs, c->batch, c->v, 0.1, 0);
}

/* the product as CG repeats it: the forward pass left in the workspace is reused */
static void run_fvp_apply(void *p)
{
    Ctx *c = p;
    fvp_apply(c->out, c->w, &c->m, c->params, c->batch, c->v, 0.1, 0);
}

typedef struct {
    int m, n, k;
    float *a, *b, *c;
} Gemm;

static void run_gemm(void *p)
{
    Gemm *g = p;
    mat_mul_abt(g->c, g->a, g->b, g->m, g->n, g->k, 0.0f);
}

/* GFLOP/s of C(m,n) = A(m,k) B(n,k)^T through mat_mul_abt (OpenBLAS sgemm) */
static double gemm_gflops(int m, int n, int k, int reps)
{
    Gemm g = {
        m, n, k, calloc((size_t)m * k, 4), calloc((size_t)n * k, 4), calloc((size_t)m * n, 4)};
    for (long i = 0; i < (long)m * k; i++)
        g.a[i] = (float)(i % 7) * 0.1f;
    for (long i = 0; i < (long)n * k; i++)
        g.b[i] = (float)(i % 5) * 0.1f;
    double t = median_time(run_gemm, &g, reps, 9);
    free(g.a);
    free(g.b);
    free(g.c);
    return 2.0 * m * n * k / t / 1e9;
}

static void run_gae(void *p)
{
    Ctx *c = p;
    gae_compute(c->adv, c->ret, c->rew, c->val, c->last, c->val, c->term, c->trunc, 128, 8, 0.99,
                0.95);
}

static void ctx_init(Ctx *c, int batch)
{
    ModelConfig mc = {.obs_dim = 4,
                      .dist = DIST_CATEGORICAL,
                      .act_n = 2,
                      .pi_hidden = {64, 64},
                      .pi_n_hidden = 2,
                      .vf_hidden = {64, 64},
                      .vf_n_hidden = 2,
                      .act = ACT_TANH};
    char err[256];
    memset(c, 0, sizeof *c);
    if (model_init(&c->m, &mc, err, sizeof err) != 0) {
        fprintf(stderr, "bench_core: %s\n", err);
        exit(1);
    }
    c->batch = batch;
    c->w = model_work_create(&c->m, batch);
    c->params = malloc(sizeof(float) * c->m.n_params);
    c->grad = malloc(sizeof(float) * c->m.n_params);
    c->v = malloc(sizeof(float) * c->m.n_params);
    c->out = malloc(sizeof(float) * c->m.n_params);
    float *obs = malloc(sizeof(float) * batch * 4), *act = malloc(sizeof(float) * batch);
    float *adv = malloc(sizeof(float) * batch), *ret = malloc(sizeof(float) * batch);
    float *lp = malloc(sizeof(float) * batch), *ov = malloc(sizeof(float) * batch);
    Rng r;
    rng_seed(&r, 1, 0);
    model_init_params(&c->m, c->params, &r);
    for (size_t i = 0; i < c->m.n_params; i++)
        c->v[i] = (float)rng_normal(&r);
    for (int i = 0; i < batch * 4; i++)
        obs[i] = (float)rng_normal(&r);
    for (int i = 0; i < batch; i++) {
        act[i] = (float)rng_below(&r, 2);
        adv[i] = (float)rng_normal(&r);
        ret[i] = (float)rng_normal(&r);
        lp[i] = -0.69f;
        ov[i] = 0.0f;
    }
    c->b = (Batch){batch, obs, act, adv, ret, lp, ov, NULL, NULL, NULL};
    c->cfg = (LossConfig){LOSS_PPO_CLIP, 0.2, 0, 0.0, 0.5, 0.0, 1, 0};
    AdamConfig ac = {0.9, 0.999, 1e-5};
    adam_init(&c->adam, (long)c->m.n_params, &ac);
    long n = 128 * 8;
    c->rew = calloc((size_t)n, sizeof(float));
    c->val = calloc((size_t)n, sizeof(float));
    c->adv = calloc((size_t)n, sizeof(float));
    c->ret = calloc((size_t)n, sizeof(float));
    c->last = calloc(8, sizeof(float));
    c->term = calloc((size_t)n, 1);
    c->trunc = calloc((size_t)n, 1);
}

int main(void)
{
    Ctx c1, c64, c128, c1024;
    ctx_init(&c1, 1);
    ctx_init(&c64, 64);
    ctx_init(&c128, 128);
    ctx_init(&c1024, 1024);
    printf("# mpirl core kernels, CartPole actor-critic 4-64-64-2 / 4-64-64-1 tanh, %zu params\n",
           c1.m.n_params);
    printf("%-44s %12s\n", "kernel", "time");
    double t;
    t = median_time(run_forward, &c1, 20000, 15);
    printf("%-44s %9.3f us\n", "policy+value forward, B=1 (per sample)", t * 1e6);
    t = median_time(run_forward, &c64, 2000, 15);
    printf("%-44s %9.3f us\n", "policy+value forward, B=64 (per sample)", t * 1e6 / 64);
    t = median_time(run_ppo_step, &c128, 500, 15);
    printf("%-44s %9.3f us\n", "PPO minibatch step, B=128 (per sample)", t * 1e6 / 128);
    double tg = median_time(run_policy_grad, &c1024, 100, 15);
    printf("%-44s %9.3f us\n", "policy gradient, B=1024 (per sample)", tg * 1e6 / 1024);
    double tf = median_time(run_fvp, &c1024, 100, 15);
    printf("%-44s %9.3f us\n", "Fisher-vector product, B=1024 (per sample)", tf * 1e6 / 1024);
    printf("%-44s %9.2f x\n", "FVP / policy gradient", tf / tg);
    run_fvp(&c1024); /* the forward the products below reuse */
    double ta = median_time(run_fvp_apply, &c1024, 100, 15);
    printf("%-44s %9.3f us\n", "FVP reusing the forward (CG), B=1024", ta * 1e6 / 1024);
    printf("%-44s %9.2f x\n", "FVP reusing the forward / policy gradient", ta / tg);
    t = median_time(run_gae, &c1, 5000, 15);
    printf("%-44s %9.3f ns\n", "GAE, T=128 E=8 (per step)", t * 1e9 / (128 * 8));
    printf("%-44s %9.1f GFLOP/s\n", "sgemm [128x64]x[64x64]^T", gemm_gflops(128, 64, 64, 2000));
    printf("%-44s %9.1f GFLOP/s\n", "sgemm [1024x1024]x[1024x1024]^T (peak)",
           gemm_gflops(1024, 1024, 1024, 3));
    return 0;
}
