/* sync.c - one synchronous iteration on every rank (see sync.h), in five phases:
 *
 *   rollout      actors roll out T steps of E environments (rollout.h) and compute GAE;
 *   policy step  trpo, npg only: each actor sends its count-weighted gradient of the
 *                surrogate mean(r A) (advantages normalised over its whole batch), then
 *                the learner drives CG and the line search by requests the actors
 *                answer on their own data (trpo.h, trpo_serve.h);
 *   minibatches  for each epoch and minibatch: every actor's gradient of the loss on its
 *                own minibatch, times its sample count, plus loss statistics, are summed
 *                to the learner (comm_sum_floats_to_root); the learner divides by the
 *                total count, clips the global norm, takes an Adam step and publishes
 *                the new parameters with a control flag (continue / stop the epochs on
 *                KL / abort). With --backup B the steps go point to point and take
 *                the first N - B gradients (backup.h). trpo and npg fit the value network alone
 * here (its part of the parameters is reduced and published); summary      episode statistics and
 * the actors' raw observation statistics go to the learner (gather), which merges them (Chan) and
 * writes a metrics row; ppo-kl's actors report the KL over their whole batch at the final
 *                parameters, from which the learner adapts beta (loss_kl_beta_update);
 *   verdict      the learner broadcasts how to go on (a SyncVerdict: continue, stop,
 *                abort; write a checkpoint; the next beta) and the merged normaliser;
 *                every rank writes its part of the checkpoint if asked.
 * With one rank the collectives are the identity and the same code trains in process.
 */
#include "sync.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "backup.h"
#include "clock.h"
#include "comm.h"
#include "mat.h"
#include "signals.h"

/* A collective whose failure (reported by comm.c) ends the iteration. */
#define COLLECTIVE(call)                                                                           \
    do {                                                                                           \
        if ((call) != 0)                                                                           \
            return -1;                                                                             \
    } while (0)

/* What the learner has learnt of the iteration by its end. */
typedef struct {
    StepStats acc; /* loss statistics of the policy's steps */
    RowExtra extra;
    int64_t dropped; /* --backup: gradients that came too late */
} IterStats;

/* trpo, npg, learner: the natural-gradient step from the summed gradient g and the
 * sums d (surrogate, entropy, count); the actors answer its requests meanwhile. */
static int learner_natural_step(Trainer *t, int64_t it, float *g, const double *d, IterStats *s)
{
    const Run *r = &t->run;
    Trpo *tr = &t->trpo;
    /* g <- -(sum of count-weighted loss gradients) / N = grad mean(r A) */
    const double n = d[2];
    vec_scale(g, (float)(-1.0 / n), r->npol);
    const double surr_old = d[0] / n;
    s->acc.n = n;
    s->acc.pi_loss = -d[0]; /* the loss -mean(r A), as a count-weighted sum */
    s->acc.entropy = d[1];
    const Config *c = r->cfg;
    const TrpoConfig tc = {.cg_iters = c->cg_iters,
                           .damping = c->cg_damping,
                           .max_kl = c->max_kl,
                           .ls_steps = c->ls_steps,
                           .ls_shrink = c->ls_shrink,
                           .ls_kl_factor = c->ls_kl_factor,
                           .line_search = (r->algo->flags & ALGO_LINE_SEARCH) != 0};
    const double t0 = clock_now(), w0 = tr->wait_s;
    TrpoResult res;
    if (trpo_step(&res, tr, r->pbuf, g, surr_old, &tc) != 0)
        return -1;
    t->learner.cg_s += (clock_now() - t0) - (tr->wait_s - w0); /* its own arithmetic */
    RowExtra *x = &s->extra;
    x->kl = res.accepted ? res.kl : 0.0;
    x->improve = res.accepted ? res.improve : 0.0;
    x->ls_steps = tc.line_search ? res.ls_steps : NAN;
    x->cg_iterations = res.cg.iterations;
    x->cg_residual = res.cg.b_norm > 0 ? res.cg.residual / res.cg.b_norm : 0.0;
    if (!res.accepted && !c->quiet && res.ls_steps > 0)
        fprintf(stderr,
                "mpirl: iteration %lld: no line-search candidate improved the surrogate within "
                "KL %.3g (last: improvement %.3g, KL %.3g); the policy is unchanged\n",
                (long long)(it + 1), tc.ls_kl_factor * tc.max_kl, res.improve, res.kl);
    if (!res.accepted && !c->quiet && res.ls_steps == 0)
        fprintf(stderr,
                "mpirl: iteration %lld: no natural-gradient step (CG: %s); the policy is "
                "unchanged\n",
                (long long)(it + 1), cg_reason_name(res.cg.reason));
    return trpo_finish(tr, r->pbuf, 0) != 0 ? -1 : 0;
}

/* Phase "policy step" (trpo, npg) on every rank. failed: this actor's rollout failed.
 * Returns 0, 1 when training must stop (reported), -1 on an MPI failure. */
static int phase_policy_step(Trainer *t, int64_t it, int failed, IterStats *s)
{
    Run *r = &t->run;
    float *g = t->trpo.s.rep;   /* gradient sum, then on the learner the ascent direction */
    double d[4] = {0, 0, 0, 0}; /* surrogate sum, entropy sum, count, failures */
    memset(g, 0, (size_t)r->np * sizeof(float));
    if (r->is_actor)
        actor_surrogate_gradient(&t->actor, r, &t->trpo.s, failed, g, d);
    COLLECTIVE(comm_sum_floats_to_root(g, r->npol, 0));
    COLLECTIVE(comm_allsum_doubles(d, 4));
    if (d[3] > 0 || !(d[2] > 0)) { /* every rank knows: stop together */
        if (r->is_learner)
            learner_report_stop(&t->learner, "iteration %lld: the loss is not finite",
                                (long long)(it + 1));
        return 1;
    }
    if (!r->is_learner) /* answer until the learner is done (0) or aborts (1) */
        return trpo_serve(&t->trpo.s, r->pbuf);
    return learner_natural_step(t, it, g, d, s);
}

/* The learner's part of a minibatch step: average the summed gradient, then apply it.
 * Returns the control flag to publish (abort on a non-finite gradient). */
static int learner_minibatch_step(Trainer *t, double lr, StepStats *acc, double *epoch_kl,
                                  int64_t it)
{
    Run *r = &t->run;
    const float *x = r->msg + r->np;
    const double n = x[X_COUNT];
    if (x[X_BAD] > 0.0f || !(n > 0.0)) {
        learner_report_stop(&t->learner, "iteration %lld: the loss is not finite",
                            (long long)(it + 1));
        return CTRL_ABORT;
    }
    vec_scale(r->msg, (float)(1.0 / n), r->np);
    if (learner_apply(&t->learner, r, lr, acc) != 0) {
        learner_report_stop(&t->learner, "iteration %lld: the gradient is not finite",
                            (long long)(it + 1));
        return CTRL_ABORT;
    }
    epoch_kl[0] += x[X_APPROX_KL];
    epoch_kl[1] += n;
    return CTRL_CONTINUE;
}

/* Phase "minibatches" on every rank: PPO, A2C, REINFORCE, ppo-kl take their policy
 * (and value) gradient steps; trpo, npg fit the value function, which sends and updates
 * the value part of the parameters only. Returns the last control flag, or -1 on an MPI
 * failure. */
static int phase_minibatches(Trainer *t, int64_t it, double lr, int failed, IterStats *s)
{
    Run *r = &t->run;
    const Config *c = r->cfg;
    const int n = rollout_samples(&t->actor.ro); /* on the actors: --preempt may cut it */
    const long lo_p = r->natural ? r->npol : 0;
    StepStats vacc = {0}, *steps = r->natural ? &vacc : &s->acc;
    if (c->backup > 0) /* the first n_actors - backup gradients of each step */
        return backup_minibatches(t, it, lr, failed, steps, &s->dropped, learner_minibatch_step);
    int ctrl = CTRL_CONTINUE;
    for (int ep = 0; ep < r->epochs && ctrl == CTRL_CONTINUE; ep++) {
        double epoch_kl[2] = {0, 0};
        if (r->is_actor)
            rng_shuffle(&t->actor.rng_shuffle, t->actor.perm, n);
        for (int mb = 0; mb < r->minibatches && ctrl == CTRL_CONTINUE; mb++) {
            if (r->is_actor) {
                const int lo = (int)((long)mb * n / r->minibatches);
                const int hi = (int)((long)(mb + 1) * n / r->minibatches);
                if (r->natural)
                    actor_value_gradient(&t->actor, r, lo, hi);
                else
                    actor_gradient(&t->actor, r, lo, hi);
                if (failed)
                    r->msg[r->np + X_BAD] = 1.0f;
            } else {
                memset(r->msg, 0, ((size_t)r->np + N_EXTRA) * sizeof(float));
            }
            COLLECTIVE(comm_sum_floats_to_root(r->msg + lo_p, r->np - lo_p + N_EXTRA, 0));
            if (r->is_learner) {
                ctrl = learner_minibatch_step(t, lr, steps, epoch_kl, it);
                if (ctrl == CTRL_CONTINUE && mb + 1 == r->minibatches && c->target_kl > 0 &&
                    epoch_kl[0] / epoch_kl[1] > c->target_kl)
                    ctrl = CTRL_STOP_EPOCHS;
                r->pbuf[r->np] = (float)ctrl;
            }
            COLLECTIVE(comm_publish_floats(r->pbuf + lo_p, r->np - lo_p + 1, 0));
            ctrl = (int)r->pbuf[r->np];
        }
    }
    if (r->natural) /* the value loss of the fit, over as many samples as the policy's */
        s->acc.v_loss = vacc.n > 0 ? vacc.v_loss / vacc.n * s->acc.n : 0.0;
    return ctrl;
}

/* Phase "summary" on every rank: summaries to the learner, which takes them, writes
 * the metrics row and decides the verdict v. Returns 0 or -1 on an MPI failure. */
static int phase_summary(Trainer *t, int64_t it, int64_t iters, double lr, int64_t *env_steps,
                         double t_start, IterStats *s, SyncVerdict *v)
{
    Run *r = &t->run;
    Learner *l = &t->learner;
    const Config *c = r->cfg;
    const int slen = r->summary_len;
    if (r->is_actor) {
        actor_summary(&t->actor, r, &t->trpo.s);
    } else {
        memset(r->summary, 0, (N_SUMMARY + 2 * METRICS_WINDOW) * sizeof(double));
        r->summary[S_SIGNAL] = signals_pending() != 0;
    }
    COLLECTIVE(comm_gather_doubles(l->gathered, r->summary, slen, 0));
    if (!r->is_learner)
        return 0;
    RowSums f = {.dropped = s->dropped};
    double steps_done = 0;
    for (int k = 0; k < r->size; k++)
        if (r->size == 1 || k > 0) /* the learner holds no data */
            steps_done += learner_take_summary(l, r, k, l->gathered + (size_t)k * slen, &f);
    *env_steps += (int64_t)steps_done;
    if (r->adaptive_kl) {
        s->extra.kl = f.kl_n > 0 ? f.kl_sum / f.kl_n : NAN;
        s->extra.beta = r->kl_beta;
        v->kl_beta = loss_kl_beta_update(r->kl_beta, s->extra.kl, c->kl_target);
    }
    if (learner_write_row(l, r, it + 1, *env_steps, clock_now() - t_start, lr, &s->acc, &f,
                          &s->extra) != 0)
        v->ctrl = CTRL_ABORT;
    if (c->backup > 0 && t->backup.failed_late) /* reported when it arrived */
        v->ctrl = CTRL_ABORT;
    /* a stop signal at any rank: checkpoint and stop after this iteration */
    int sig = signals_pending() != 0;
    for (int k = 0; k < r->size; k++)
        sig |= l->gathered[(size_t)k * slen + S_SIGNAL] != 0;
    if (sig && v->ctrl == CTRL_CONTINUE)
        v->ctrl = CTRL_STOP_EPOCHS;
    /* --preempt: the iterations collect what they can, the step budget ends the run */
    const int last = run_by_steps(r) ? *env_steps >= c->steps : it + 1 == iters;
    if (last && run_by_steps(r) && v->ctrl == CTRL_CONTINUE)
        v->ctrl = CTRL_STOP_EPOCHS;
    const int every = c->checkpoint_every;
    v->checkpoint = v->ctrl != CTRL_ABORT && ((every > 0 && (it + 1) % every == 0) || last || sig);
    return 0;
}

/* Phase "verdict" on every rank: the learner's verdict and normaliser to everyone, then
 * the checkpoint if asked. Returns sync_iteration's result. */
static int phase_verdict(Trainer *t, int64_t it, int64_t env_steps, SyncVerdict *v)
{
    Run *r = &t->run;
    const Config *c = r->cfg;
    COLLECTIVE(comm_bcast_bytes(v, (long)sizeof *v, 0));
    r->kl_beta = v->kl_beta;
    r->loss.kl_beta = r->kl_beta;
    if (c->norm_obs || c->norm_reward || r->running) { /* with the running baseline */
        run_norm_pack(r, &r->global, &r->ret_global, r->baseline, r->nbuf);
        COLLECTIVE(comm_bcast_doubles(r->nbuf, r->stats_len, 0));
        run_norm_unpack(r, r->nbuf);
        if (r->is_actor)
            actor_norm_refresh(&t->actor, r);
    }
    if (v->ctrl == CTRL_ABORT)
        return 1;
    if (v->checkpoint && trainer_checkpoint(t, it + 1, env_steps, 0, CKPT_SYNC) != 0)
        return 1;
    return v->ctrl == CTRL_STOP_EPOCHS ? SYNC_STOPPED : 0;
}

/* Phase "preempt" on the learner (--preempt FRAC): each actor says when its rollout is
 * over; once FRAC of them have, every actor is told to stop (the ones still collecting
 * cut their rollout, after their minimum; the others are waiting for the word). Then
 * the rest of the actors' word that they are done. Returns 0, or -1 on an MPI failure
 * or an actor that did not answer in time. */
static int phase_preempt(Trainer *t)
{
    Run *r = &t->run;
    unsigned char *waiting = t->backup.waiting;
    const int need = (int)ceil(r->cfg->preempt * r->n_actors - 1e-9);
    static const MsgHeader stop = {.kind = MSG_PREEMPT};
    memset(waiting, 1, (size_t)r->size);
    waiting[0] = 0;
    for (int got = 0; got < r->n_actors; got++) {
        MsgHeader done;
        int k;
        long len = 0;
        if (learner_wait_any(&t->learner, r, &done, (long)sizeof done, TAG_PREEMPT_DONE, &k, &len,
                             waiting) != 0)
            return -1;
        if (len != (long)sizeof done || done.kind != MSG_PREEMPT || !waiting[k]) {
            fprintf(stderr, "mpirl: rank %d sent a rollout's end the learner did not expect\n", k);
            return -1;
        }
        waiting[k] = 0;
        if (got + 1 == (need > 0 ? need : 1))
            for (int j = 1; j < r->size; j++)
                if (comm_post_send(&stop, (long)sizeof stop, j, TAG_PREEMPT_STOP) != 0)
                    return -1;
    }
    return 0; /* the sends of a constant complete in the background */
}

int sync_iteration(Trainer *t, int64_t it, int64_t iters, int64_t *env_steps, double t_start)
{
    Run *r = &t->run;
    /* --preempt: iterations of varying size, so the schedule follows the steps */
    const double lr = run_by_steps(r) ? run_lr_at(r, (double)*env_steps, (double)r->cfg->steps)
                                      : run_lr_at(r, (double)it, (double)iters);
    IterStats s = {.extra = NO_EXTRA};
    const int failed = r->is_actor ? actor_rollout(&t->actor, r, it + 1) : 0;
    if (r->is_learner && r->cfg->preempt > 0)
        COLLECTIVE(phase_preempt(t));
    if (r->natural) {
        const int rc = phase_policy_step(t, it, failed, &s);
        if (rc != 0)
            return rc;
    }
    const int ctrl = phase_minibatches(t, it, lr, failed, &s);
    if (ctrl < 0)
        return -1;
    if (ctrl == CTRL_ABORT)
        return 1;
    SyncVerdict v = {
        .kind = MSG_VERDICT, .ctrl = CTRL_CONTINUE, .checkpoint = 0, .kl_beta = r->kl_beta};
    COLLECTIVE(phase_summary(t, it, iters, lr, env_steps, t_start, &s, &v));
    return phase_verdict(t, it, *env_steps, &v);
}
