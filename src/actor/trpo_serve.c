/* trpo_serve.c - answering the TRPO and NPG requests (see trpo_serve.h).
 *
 * One request = one broadcast of (header, vector) from the learner, then (FVP, EVAL)
 * one reduction of the actors' answers. FVP answers are float vectors summed to the
 * learner; EVAL answers are four doubles (surrogate sum, KL sum, count, unused) summed
 * to every rank, because a surrogate improvement is a small difference of two sums that
 * float would blur.
 */
#include "trpo_serve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "comm.h"
#include "fvp.h"

int trpo_server_init(TrpoServer *s, const Model *m, int is_actor)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->npol = (long)m->n_policy;
    s->is_actor = is_actor;
    s->req = calloc(sizeof(MsgHeader) + (size_t)s->npol * sizeof(float), 1);
    s->rep = calloc(m->n_params + 2, sizeof(float));
    if (!s->req || !s->rep)
        return -1;
    s->req_vec = (float *)(s->req + sizeof(MsgHeader));
    return 0;
}

void trpo_server_free(TrpoServer *s)
{
    free(s->req);
    free(s->rep);
    s->req = NULL;
    s->req_vec = s->rep = NULL;
}

/* rep = (sum_i J_i^T M_i J_i v over the Fisher subsample, count) */
static void answer_fvp(TrpoServer *s)
{
    const double t0 = clock_now();
    memset(s->rep, 0, ((size_t)s->npol + 2) * sizeof(float));
    /* the forward pass at theta_old on the subsample is done once and then reused from
     * the workspace until something else runs in it */
    if (s->fvp_n > 0 && s->forward_valid)
        fvp_apply(s->rep, s->w, s->m, s->params, s->fvp_n, s->req_vec, 0.0, 1);
    else if (s->fvp_n > 0)
        fvp_compute(s->rep, s->w, s->m, s->params, s->fvp_obs, s->fvp_n, s->req_vec, 0.0, 1);
    s->forward_valid = s->fvp_n > 0;
    s->rep[s->npol] = (float)s->fvp_n;
    s->fvp_s += clock_now() - t0;
}

/* ev += (sum r A, sum KL(old || theta), count) over the whole batch at theta =
 * s->req_vec; a non-finite value is passed on as it is */
static void answer_eval(TrpoServer *s, double *ev)
{
    const double t0 = clock_now();
    Batch b = s->batch;
    b.ret = NULL;         /* no value network */
    s->forward_valid = 0; /* the workspace now holds this evaluation */
    const LossConfig lc = {.kind = LOSS_KL_PENALTY, .kl_beta = 0.0, .norm_adv = 0};
    LossStats st;
    if (b.n > 0) {
        if (loss_compute(NULL, &st, s->w, s->m, s->req_vec, &b, &lc) != 0 && isfinite(st.pi_loss) &&
            isfinite(st.kl))
            st.pi_loss = NAN; /* not finite somewhere: make sure the sums say so */
        ev[0] += -st.pi_loss * b.n;
        ev[1] += st.kl * b.n;
        ev[2] += b.n;
    }
    s->eval_s += clock_now() - t0;
}

int trpo_exchange(TrpoServer *s, double *ev)
{
    if (comm_bcast_bytes(s->req, (long)sizeof(MsgHeader) + s->npol * (long)sizeof(float), 0) != 0)
        return -1;
    const MsgHeader *h = (const MsgHeader *)s->req;
    const int op = h->kind == MSG_TRPO ? h->flags : -1;
    if (op == TRPO_OP_FVP) {
        if (s->is_actor)
            answer_fvp(s);
        else
            memset(s->rep, 0, ((size_t)s->npol + 2) * sizeof(float));
        if (comm_sum_floats_to_root(s->rep, s->npol + 1, 0) != 0)
            return -1;
    } else if (op == TRPO_OP_EVAL) {
        ev[0] = ev[1] = ev[2] = ev[3] = 0.0;
        if (s->is_actor)
            answer_eval(s, ev);
        if (comm_allsum_doubles(ev, 4) != 0)
            return -1;
    }
    return op;
}

int trpo_serve(TrpoServer *s, float *params)
{
    double ev[4];
    for (;;) {
        const int op = trpo_exchange(s, ev);
        if (op < 0)
            return -1;
        if (op == TRPO_OP_DONE) {
            memcpy(params, s->req_vec, (size_t)s->npol * sizeof(float));
            return 0;
        }
        if (op == TRPO_OP_ABORT)
            return 1;
    }
}
