/* trpo.c - TRPO and NPG steps driven by the learner (see trpo.h); the actors answer
 * in src/actor/trpo_serve.c.
 *
 * Left out: preconditioned CG, reusing the previous step as a warm start, and the
 * Armijo-style expected-improvement test (the issue asks for improvement > 0 only).
 */
#include "trpo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "comm.h"

/* residual tolerance of CG relative to ||g||: small enough that the iteration count
 * decides, as in the reference implementations */
#define TRPO_CG_RTOL 1e-10

int trpo_init(Trpo *t, const Model *m, int is_learner, int is_actor)
{
    memset(t, 0, sizeof *t);
    if (trpo_server_init(&t->s, m, is_actor) != 0)
        return -1;
    if (is_learner) {
        const size_t npol = (size_t)t->s.npol;
        t->x = calloc(npol, sizeof(float));
        t->ax = calloc(npol, sizeof(float));
        t->theta = calloc(npol, sizeof(float));
        if (!t->x || !t->ax || !t->theta || cg_work_init(&t->cg, t->s.npol) != 0)
            return -1;
    }
    return 0;
}

void trpo_free(Trpo *t)
{
    trpo_server_free(&t->s);
    free(t->x);
    free(t->ax);
    free(t->theta);
    cg_work_free(&t->cg);
    t->x = t->ax = t->theta = NULL;
}

/* send one request; returns 0, or -1 on an MPI failure (t->failed set) */
static int request(Trpo *t, const float *v, int op, double *ev)
{
    const double t0 = clock_now();
    if (v)
        memcpy(t->s.req_vec, v, (size_t)t->s.npol * sizeof(float));
    *(MsgHeader *)t->s.req = (MsgHeader){.kind = MSG_TRPO, .flags = op, .version = 0};
    const int r = trpo_exchange(&t->s, ev);
    t->wait_s += clock_now() - t0;
    if (r < 0)
        t->failed = 1;
    return r < 0 ? -1 : 0;
}

int trpo_fvp(void *ctx, const float *v, float *out)
{
    Trpo *t = ctx;
    double ev[4];
    if (request(t, v, TRPO_OP_FVP, ev) != 0)
        return -1;
    const double n = t->s.rep[t->s.npol];
    const float inv = n > 0 ? (float)(1.0 / n) : 0.0f;
    for (long i = 0; i < t->s.npol; i++)
        out[i] = t->s.rep[i] * inv + (float)t->damping * v[i]; /* F v + lambda v */
    return 0;
}

int trpo_eval(Trpo *t, const float *theta, double *surr, double *kl)
{
    double ev[4];
    if (request(t, theta, TRPO_OP_EVAL, ev) != 0)
        return -1;
    *surr = ev[2] > 0 ? ev[0] / ev[2] : NAN;
    *kl = ev[2] > 0 ? ev[1] / ev[2] : NAN;
    return 0;
}

int trpo_finish(Trpo *t, const float *params, int abort)
{
    return request(t, abort ? NULL : params, abort ? TRPO_OP_ABORT : TRPO_OP_DONE, NULL);
}

typedef struct {
    Trpo *t;
    const float *full; /* beta x */
    double surr_old;
} LsCtx;

/* out = theta_old + frac * full */
static void candidate(float *out, const float *theta, const float *full, double frac, long n)
{
    const float f = (float)frac;
    for (long i = 0; i < n; i++)
        out[i] = theta[i] + f * full[i];
}

static int ls_eval(void *ctx, double frac, double *improve, double *kl)
{
    LsCtx *c = ctx;
    Trpo *t = c->t;
    /* the candidate is built in ax (free after the scaling) */
    candidate(t->ax, t->theta, c->full, frac, t->s.npol);
    double surr;
    if (trpo_eval(t, t->ax, &surr, kl) != 0)
        return -1;
    *improve = surr - c->surr_old;
    return 0;
}

int trpo_step(TrpoResult *res, Trpo *t, float *params, const float *g, double surr_old,
              const TrpoConfig *cfg)
{
    const long n = t->s.npol;
    memset(res, 0, sizeof *res);
    res->kl = res->improve = NAN;
    t->damping = cfg->damping;
    cg_solve(t->x, &res->cg, &t->cg, trpo_fvp, t, g, cfg->cg_iters, TRPO_CG_RTOL);
    if (res->cg.reason == CG_MATVEC_FAILED || t->failed)
        return -1;
    /* on an indefinite or non-finite stop x is the last finite iterate: still a
     * direction of ascent, scaled to the radius like any other */
    if (res->cg.iterations == 0)
        return 0; /* g = 0 (or not finite): nothing to do */
    if (trpo_fvp(t, t->x, t->ax) != 0)
        return -1;
    double shs = 0.0;
    for (long i = 0; i < n; i++)
        shs += (double)t->x[i] * t->ax[i]; /* x^T (F + lambda I) x */
    res->shs = shs;
    if (!(shs > 0.0) || !isfinite(shs))
        return 0;
    res->beta = sqrt(2.0 * cfg->max_kl / shs);
    /* full step beta x, kept in x */
    for (long i = 0; i < n; i++)
        t->x[i] = (float)(res->beta * t->x[i]);
    memcpy(t->theta, params, (size_t)n * sizeof(float));
    LsCtx c = {t, t->x, surr_old};
    if (!cfg->line_search) {
        if (ls_eval(&c, 1.0, &res->improve, &res->kl) != 0)
            return -1;
        res->ls_steps = 0;
        if (!isfinite(res->improve) || !isfinite(res->kl))
            return 0; /* a full step into non-finite values is not taken */
        memcpy(params, t->ax, (size_t)n * sizeof(float));
        res->accepted = 1;
        return 0;
    }
    return trpo_linesearch(res, t, params, t->x, surr_old, cfg->ls_kl_factor * cfg->max_kl,
                           cfg->ls_steps, cfg->ls_shrink);
}

int trpo_linesearch(TrpoResult *res, Trpo *t, float *params, const float *full, double surr_old,
                    double max_kl, int ls_steps, double shrink)
{
    const long n = t->s.npol;
    memcpy(t->theta, params, (size_t)n * sizeof(float));
    LsCtx c = {t, full, surr_old};
    const LsConfig lc = {.max_steps = ls_steps,
                         .shrink = shrink,
                         .max_kl = max_kl,
                         .accept_ratio = 0.0,
                         .expected_improve = 0.0};
    LsResult lr;
    const LsStatus st = linesearch_backtrack(&lr, &lc, ls_eval, &c);
    res->ls_steps = lr.steps;
    res->kl_rejects = lr.n_kl_rejects;
    res->improve_rejects = lr.n_improve_rejects;
    res->kl = lr.kl;
    res->improve = lr.improve;
    res->accepted = 0;
    if (st == LS_EVAL_FAILED)
        return -1;
    if (st == LS_ACCEPTED) {
        candidate(params, t->theta, full, lr.frac, n);
        res->accepted = 1;
    }
    return 0;
}
