/* actor_async.c - the actor's loop of asynchronous mode (A3C-style; see actor.h).
 *
 * The actor sends the mean gradient of each minibatch (PPO) or of its whole rollout
 * (A3C) with the parameter version it was computed at, and waits for the learner's
 * answer: the newest parameters and normaliser statistics, and whether to go on. The
 * first gradient after a rollout also carries the rollout's summary. It never waits
 * for another actor.
 */
#include "actor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "comm.h"
#include "dist.h"
#include "fault.h"
#include "mat.h"
#include "signals.h"

/* Fault injection: a gradient that takes 10 s more (a slow node), signals or not. */
static void slow_down(void)
{
    struct timespec left = {10, 0};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}

static int ships(const Run *r)
{
    return strcmp(r->cfg->ship, "experience") == 0;
}

static ExpLayout rollout_layout(const Run *r)
{
    const Config *c = r->cfg;
    return exp_layout((long)c->rollout * c->num_envs, c->num_envs, r->spec->obs_dim,
                      dist_action_dim(&r->m.dist), r->summary_len);
}

long async_message_len(const Run *r)
{
    const long grad = msg_layout(r->np, r->summary_len, r->stats_len).grad_len;
    return ships(r) ? rollout_layout(r).len : grad;
}

/* Adopt the learner's answer in `in`: the parameters, the normaliser, the version.
 * Returns the control flag, or -1 if it is not an answer. */
static int adopt(Run *r, const unsigned char *in, int64_t *version)
{
    const MsgLayout l = msg_layout(r->np, r->summary_len, r->stats_len);
    const MsgHeader *hi = (const MsgHeader *)in;
    if (hi->kind != MSG_PARAMS) { /* only a program of another build sends this */
        fprintf(stderr, "mpirl: rank %d: the learner sent a message of kind %d\n", r->rank,
                (int)hi->kind);
        return -1;
    }
    *version = hi->version;
    memcpy(r->pbuf, in + l.params, (size_t)r->np * sizeof(float));
    run_norm_unpack(r, (const double *)(in + l.stats));
    return hi->flags;
}

/* --ship experience: each rollout, with its summary, to the learner. */
static int actor_ship(Actor *a, Run *r, unsigned char *out, unsigned char *in, int64_t version)
{
    const ExpLayout x = rollout_layout(r);
    const MsgLayout l = msg_layout(r->np, r->summary_len, r->stats_len);
    const Rollout *ro = &a->ro;
    const size_t n = (size_t)ro->T * ro->E, d = (size_t)ro->obs_dim, f = sizeof(float);
    for (;;) {
        const int bad = actor_rollout(a, r, 0);
        a->grads += 1; /* the batches sent, in actors.csv's gradients column */
        actor_summary(a, r, &(TrpoServer){0});
        *(MsgHeader *)out = (MsgHeader){.kind = MSG_EXPERIENCE,
                                        .flags = FLAG_SUMMARY | (bad ? FLAG_BAD : 0) |
                                                 (signals_pending() ? FLAG_SIGNAL : 0),
                                        .version = version};
        memcpy(out + x.obs, ro->obs, n * d * f);
        memcpy(out + x.act, ro->act, n * (size_t)ro->act_dim * f);
        memcpy(out + x.logp, ro->logp, n * f);
        memcpy(out + x.val, ro->val, n * f);
        memcpy(out + x.rew, ro->rew, n * f);
        memcpy(out + x.final_obs, ro->final_obs, n * d * f);
        memcpy(out + x.last_obs, ro->last_obs, (size_t)ro->E * d * f);
        memcpy(out + x.term, ro->term, n);
        memcpy(out + x.trunc, ro->trunc, n);
        memcpy(out + x.summary, r->summary, (size_t)r->summary_len * sizeof(double));
        if (fault_at("gradient-delay"))
            slow_down();
        if (comm_send(out, x.len, 0, TAG_GRAD) != 0 ||
            comm_recv(in, l.params_len, 0, TAG_PARAMS, NULL) != 0)
            return 1;
        const int ctrl = adopt(r, in, &version);
        if (ctrl != CTRL_CONTINUE)
            return ctrl == CTRL_STOP_EPOCHS ? 0 : 1;
        actor_norm_refresh(a, r);
    }
}

int actor_async(Actor *a, Run *r, unsigned char *out, unsigned char *in, int64_t version)
{
    if (ships(r))
        return actor_ship(a, r, out, in, version);
    const Config *c = r->cfg;
    const MsgLayout l = msg_layout(r->np, r->summary_len, r->stats_len);
    MsgHeader *ho = (MsgHeader *)out;
    for (;;) {
        const int bad = actor_rollout(a, r, 0);
        const int n = rollout_samples(&a->ro); /* group rollouts vary in length */
        actor_summary(a, r, &(TrpoServer){0});
        int first = 1;
        for (int ep = 0; ep < r->epochs; ep++) {
            double kl = 0, kl_n = 0;
            rng_shuffle(&a->rng_shuffle, a->perm, n);
            for (int mb = 0; mb < r->minibatches; mb++) {
                const int lo = (int)((long)mb * n / r->minibatches);
                const int hi_ = (int)((long)(mb + 1) * n / r->minibatches);
                actor_gradient(a, r, lo, hi_); /* r->msg: count-weighted gradient, extras */
                const float cnt = r->msg[r->np + X_COUNT];
                vec_scale(r->msg, 1.0f / cnt, r->np); /* the mean gradient */
                kl += r->msg[r->np + X_APPROX_KL];
                kl_n += cnt;
                ho->kind = MSG_GRAD;
                ho->flags = (first ? FLAG_SUMMARY : 0) |
                            (bad || r->msg[r->np + X_BAD] > 0 ? FLAG_BAD : 0) |
                            (signals_pending() ? FLAG_SIGNAL : 0);
                ho->version = version;
                memcpy(out + l.grad, r->msg, ((size_t)r->np + N_EXTRA) * sizeof(float));
                /* the rollout's summary rides on its first gradient only */
                if (first)
                    memcpy(out + l.summary, r->summary, (size_t)(l.grad_len - l.summary));
                const long len = first ? l.grad_len : l.summary;
                first = 0;
                if (fault_at("gradient-delay"))
                    slow_down();
                if (comm_send(out, len, 0, TAG_GRAD) != 0 ||
                    comm_recv(in, l.params_len, 0, TAG_PARAMS, NULL) != 0)
                    return 1;
                const int ctrl = adopt(r, in, &version);
                if (ctrl != CTRL_CONTINUE)
                    return ctrl == CTRL_STOP_EPOCHS ? 0 : 1;
            }
            /* early stop of this actor's epochs on its own KL estimate */
            if (c->target_kl > 0 && kl / kl_n > c->target_kl)
                break;
        }
        actor_norm_refresh(a, r);
    }
}
