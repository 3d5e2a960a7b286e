/* trpo.c - TRPO and NPG steps driven by the learner, answered by the actors (see
 * trpo.h).
 *
 * One request = one broadcast of (vector, opcode) from the learner, then (FVP, EVAL)
 * one reduction of the actors' answers. The opcode travels as a float (small integers
 * are exact). FVP answers are float vectors summed to the learner; EVAL answers are
 * four doubles (surrogate sum, KL sum, count, unused) summed to every rank, because a
 * surrogate improvement is a small difference of two sums that float would blur.
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
#include "fvp.h"

/* residual tolerance of CG relative to ||g||: small enough that the iteration count
 * decides, as in the reference implementations */
#define TRPO_CG_RTOL 1e-10

int trpo_init(Trpo *t, const Model *m, int is_learner, int is_actor)
{
    memset(t, 0, sizeof *t);
    t->m = m;
    t->npol = (long)m->n_policy;
    t->is_actor = is_actor;
    t->req = calloc((size_t)t->npol + 2, sizeof(float));
    t->rep = calloc(m->n_params + 2, sizeof(float));
    if (!t->req || !t->rep)
        return -1;
    if (is_learner) {
        t->x = calloc((size_t)t->npol, sizeof(float));
        t->ax = calloc((size_t)t->npol, sizeof(float));
        t->theta = calloc((size_t)t->npol, sizeof(float));
        if (!t->x || !t->ax || !t->theta || cg_work_init(&t->cg, t->npol) != 0)
            return -1;
    }
    return 0;
}

void trpo_free(Trpo *t)
{
    free(t->req);
    free(t->rep);
    free(t->x);
    free(t->ax);
    free(t->theta);
    cg_work_free(&t->cg);
    t->req = t->rep = t->x = t->ax = t->theta = NULL;
}

/* actor: rep = (sum_i J_i^T M_i J_i v over the Fisher subsample, count) */
static void answer_fvp(Trpo *t)
{
    const double t0 = clock_now();
    memset(t->rep, 0, ((size_t)t->npol + 2) * sizeof(float));
    /* the forward pass at theta_old on the subsample is done once and then reused from
     * the workspace until something else runs in it */
    if (t->fvp_n > 0 && t->forward_valid)
        fvp_apply(t->rep, t->w, t->m, t->params, t->fvp_n, t->req, 0.0, 1);
    else if (t->fvp_n > 0)
        fvp_compute(t->rep, t->w, t->m, t->params, t->fvp_obs, t->fvp_n, t->req, 0.0, 1);
    t->forward_valid = t->fvp_n > 0;
    t->rep[t->npol] = (float)t->fvp_n;
    t->fvp_s += clock_now() - t0;
}

/* actor: ev += (sum r A, sum KL(old || theta), count) over the whole batch at theta =
 * t->req; a non-finite value is passed on as it is */
static void answer_eval(Trpo *t, double *ev)
{
    const double t0 = clock_now();
    Batch b = t->batch;
    b.ret = NULL;         /* no value network */
    t->forward_valid = 0; /* the workspace now holds this evaluation */
    const LossConfig lc = {.kind = LOSS_KL_PENALTY, .kl_beta = 0.0, .norm_adv = 0};
    LossStats st;
    if (b.n > 0) {
        if (loss_compute(NULL, &st, t->w, t->m, t->req, &b, &lc) != 0 && isfinite(st.pi_loss) &&
            isfinite(st.kl))
            st.pi_loss = NAN; /* not finite somewhere: make sure the sums say so */
        ev[0] += -st.pi_loss * b.n;
        ev[1] += st.kl * b.n;
        ev[2] += b.n;
    }
    t->eval_s += clock_now() - t0;
}

/* One request on every rank: t->req (set by the learner) is broadcast, actors answer.
 * ev receives the EVAL sums. Returns the opcode, or -1 on an MPI failure. */
static int exchange(Trpo *t, double *ev)
{
    if (comm_bcast_floats(t->req, t->npol + 2, 0) != 0)
        return -1;
    const int op = (int)t->req[t->npol];
    if (op == TRPO_OP_FVP) {
        if (t->is_actor)
            answer_fvp(t);
        else
            memset(t->rep, 0, ((size_t)t->npol + 2) * sizeof(float));
        if (comm_sum_floats_to_root(t->rep, t->npol + 1, 0) != 0)
            return -1;
    } else if (op == TRPO_OP_EVAL) {
        ev[0] = ev[1] = ev[2] = ev[3] = 0.0;
        if (t->is_actor)
            answer_eval(t, ev);
        if (comm_allsum_doubles(ev, 4) != 0)
            return -1;
    }
    return op;
}

int trpo_serve(Trpo *t, float *params)
{
    double ev[4];
    for (;;) {
        const int op = exchange(t, ev);
        if (op < 0)
            return -1;
        if (op == TRPO_OP_DONE) {
            memcpy(params, t->req, (size_t)t->npol * sizeof(float));
            return 0;
        }
        if (op == TRPO_OP_ABORT)
            return 1;
    }
}

/* learner: send one request; returns its result as exchange does */
static int request(Trpo *t, const float *v, int op, double *ev)
{
    const double t0 = clock_now();
    if (v)
        memcpy(t->req, v, (size_t)t->npol * sizeof(float));
    t->req[t->npol] = (float)op;
    t->req[t->npol + 1] = 0.0f;
    const int r = exchange(t, ev);
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
    const double n = t->rep[t->npol];
    const float inv = n > 0 ? (float)(1.0 / n) : 0.0f;
    for (long i = 0; i < t->npol; i++)
        out[i] = t->rep[i] * inv + (float)t->damping * v[i]; /* F v + lambda v */
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
    candidate(t->ax, t->theta, c->full, frac, t->npol);
    double surr;
    if (trpo_eval(t, t->ax, &surr, kl) != 0)
        return -1;
    *improve = surr - c->surr_old;
    return 0;
}

int trpo_step(TrpoResult *res, Trpo *t, float *params, const float *g, double surr_old,
              const TrpoConfig *cfg)
{
    const long n = t->npol;
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
    const long n = t->npol;
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
