/* async.c - the learner's loop of asynchronous mode (A3C-style; see async.h).
 *
 * No actor waits for another. Each gradient (actor_async.c) is applied on arrival, or
 * dropped when staler than --max-staleness; the learner bumps the version and answers
 * that actor alone with the newest parameters and normaliser. The first message after a
 * rollout also carries the rollout's summary. A metrics row is written each time the
 * steps of one synchronous iteration have arrived (for group rollouts, whose length
 * varies, each time n_actors rollouts have). When the step budget is reached,
 * every actor's next answer says stop; the learner returns once each actor has been
 * told, so no message is left unmatched.
 *
 * An actor that sends nothing for --actor-timeout seconds (or for learner_stop_grace
 * after a stop signal) is given up on: the run goes on without it, the loop does not
 * wait for it at the end, and train_run ends the process without MPI_Finalize (which
 * would wait for it), so that the launcher ends that rank.
 */
#include "async.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "comm.h"
#include "signals.h"

/* Give up on every actor that has sent nothing for the patience (or for the stop grace
 * after a signal): the run goes on without it. only >= 0: that rank alone (a replay
 * waits for one actor; the others' gradients wait for it). Returns 0 or -1 (MPI
 * failure). */
static int check_alive(Trainer *t, double now, double signal_at, int *active, int only)
{
    Learner *ln = &t->learner;
    const double limit = learner_patience(ln, t->run.cfg);
    for (int k = 1; k < t->run.size; k++) {
        if (ln->lost[k] || ln->last_seen[k] < 0 || (only >= 0 && k != only))
            continue; /* given up on already, or told to stop */
        const double silent = now - ln->last_seen[k];
        if (silent > limit || (signal_at > 0 && now - signal_at > learner_stop_grace(ln))) {
            fprintf(stderr,
                    "mpirl: rank %d has sent nothing for %.0f s (stopped, or slower than "
                    "--actor-timeout %.0f s); training goes on without it\n",
                    k, silent, limit);
            ln->lost[k] = 1;
            ln->n_lost++;
            (*active)--;
            if (comm_forget_send(k) != 0)
                return -1;
        }
    }
    return 0;
}

/* Replay: the rank whose gradient comes next into *want and the version it was
 * computed at into *version, reading the schedule's next entry when the last one has
 * been taken (*want < 0). Returns 0, or -1 after saying why the replay cannot go on:
 * the schedule ended or is malformed, or names a rank that is not an actor still
 * running. */
static int replay_want(Learner *ln, int size, int *want, int64_t *version)
{
    char err[512];
    if (*want < 0) {
        const int e = schedule_next(&ln->sched, want, version, err, sizeof err);
        if (e > 0)
            learner_report_stop(ln,
                                "the schedule %s ends after %ld gradients, but the replayed run "
                                "goes on: it did not follow the recording",
                                ln->sched.path, ln->sched.entry);
        else if (e < 0)
            learner_report_stop(ln, "%s", err);
        if (e != 0)
            return -1;
    }
    if (*want >= size || ln->last_seen[*want] < 0 || ln->lost[*want]) {
        learner_report_stop(ln,
                            "the schedule %s names rank %d at gradient %ld, which is not an "
                            "actor still running: the replay did not follow the recording",
                            ln->sched.path, *want, ln->sched.entry);
        return -1;
    }
    return 0;
}

/* Recording: the schedule could not be written (errno). */
static void schedule_write_failed(const Learner *ln)
{
    learner_report_stop(ln, "rank 0: cannot write %s: %s", ln->sched.path,
                        strerror(errno ? errno : EIO));
}

/* --ship experience: V-trace on the rollout in msg, then the algorithm's steps on it
 * (experience.h), the epochs stopped early by --target-kl as an actor stops its own.
 * Returns the updates applied, -1 if a target is not finite, -2 if a gradient is not. */
static int learn_rollout(Learner *ln, Run *r, const unsigned char *msg, double lr, StepStats *acc)
{
    if (experience_prepare(&ln->exp, r, msg) != 0)
        return -1;
    int updates = 0;
    for (int ep = 0; ep < r->epochs; ep++) {
        double kl = 0, kl_n = 0;
        for (int mb = 0; mb < r->minibatches; mb++) {
            if (experience_gradient(&ln->exp, r, msg, mb) != 0 ||
                learner_apply(ln, r, lr, acc) != 0)
                return -2;
            kl += r->msg[r->np + X_APPROX_KL];
            kl_n += r->msg[r->np + X_COUNT];
            updates++;
        }
        if (r->cfg->target_kl > 0 && kl / kl_n > r->cfg->target_kl)
            break;
    }
    return updates;
}

int async_learner(Trainer *t, unsigned char *in, unsigned char *out, int64_t it, int64_t env_steps,
                  int64_t version)
{
    Run *r = &t->run;
    Learner *ln = &t->learner;
    const Config *c = r->cfg;
    const MsgLayout l = msg_layout(r->np, r->summary_len, r->stats_len);
    const int64_t per_row = (int64_t)r->n_actors * c->num_envs * c->rollout;
    const double t0 = clock_now();
    const MsgHeader *hi = (const MsgHeader *)in;
    int64_t next_row = env_steps + per_row;
    int active = r->n_actors, ctrl_all = CTRL_CONTINUE, rc = 0, rollouts = 0;
    StepStats acc = {0};
    RowSums f = {0};
    double signal_at = 0.0, next_check = t0 + 1.0; /* a stop signal seen; liveness */
    for (int k = 1; k < r->size; k++)
        ln->last_seen[k] = t0;
    if (c->dc_lambda > 0)
        history_put(&ln->hist, version, r->pbuf);
    /* the order of the gradients, recorded or replayed (schedule.h) */
    char serr[512];
    if ((c->record_schedule || c->replay_schedule[0]) &&
        schedule_open(&ln->sched, c, r->size, r->dir, it > 0 ? version : -1, serr, sizeof serr) !=
            0) {
        learner_report_stop(ln, "%s", serr);
        ctrl_all = CTRL_ABORT; /* every actor is told so as its gradient arrives */
        rc = 1;
    }
    int replay = ln->sched.f != NULL && ln->sched.replay, want = -1;
    const int record = ln->sched.f != NULL && !ln->sched.replay;
    int64_t want_version = 0;
    while (active > 0) {
        if (replay && (ctrl_all == CTRL_ABORT || signal_at > 0))
            replay = 0; /* the recorded run did not stop here: answer whoever comes */
        if (replay && replay_want(ln, r->size, &want, &want_version) != 0) {
            ctrl_all = CTRL_ABORT;
            rc = 1;
            replay = 0;
        }
        int src = replay ? want : -1;
        const long in_len = ln->ship ? ln->exp.l.len : l.grad_len;
        const int got = comm_recv_any_within(in, in_len, TAG_GRAD, &src, NULL, 1.0);
        if (got < 0)
            return 1;
        const double now = clock_now();
        if (got == 1 || now >= next_check) { /* once a second: is every actor alive? */
            next_check = now + 1.0;
            if (signal_at == 0.0 && signals_pending())
                signal_at = now;
            if (check_alive(t, now, signal_at, &active, replay ? want : -1) != 0)
                return 1;
            if (signal_at > 0 && ctrl_all == CTRL_CONTINUE)
                ctrl_all = CTRL_STOP_EPOCHS;
        }
        if (got == 1)
            continue;
        if (ln->lost[src]) { /* it answered after all: it is told to stop, and not waited for */
            unsigned char *ans = out + (size_t)src * (size_t)l.params_len;
            *(MsgHeader *)ans = (MsgHeader){.kind = MSG_PARAMS, .flags = CTRL_ABORT};
            if (comm_post_send(ans, l.params_len, src, TAG_PARAMS) != 0)
                return 1;
            comm_forget_send(src);
            continue;
        }
        /* the longest gap between two messages of one actor sets the default patience
         * and the stop grace, as the longest iteration does in sync mode */
        const double seen = clock_now();
        if (ln->last_seen[src] >= 0)
            ln->longest_iteration = fmax(ln->longest_iteration, seen - ln->last_seen[src]);
        ln->last_seen[src] = seen;
        if (hi->kind != (ln->ship ? MSG_EXPERIENCE : MSG_GRAD)) { /* another build's */
            fprintf(stderr, "mpirl: rank %d sent a message of kind %d, not %s\n", src,
                    (int)hi->kind, ln->ship ? "a rollout" : "a gradient");
            return 1;
        }
        if (replay) { /* the gradient the schedule names, of the version it names */
            if (hi->version != want_version) {
                learner_report_stop(ln,
                                    "the replay left the schedule %s at gradient %ld: rank %d's "
                                    "gradient is of version %lld, the recording's of %lld",
                                    ln->sched.path, ln->sched.entry, src, (long long)hi->version,
                                    (long long)want_version);
                ctrl_all = CTRL_ABORT;
                rc = 1;
            }
            want = -1;
        } else if (record && schedule_put(&ln->sched, src, hi->version) != 0 &&
                   ctrl_all != CTRL_ABORT) {
            schedule_write_failed(ln);
            ctrl_all = CTRL_ABORT;
            rc = 1;
        }
        const float *g = (const float *)(in + l.grad);
        rollouts += (hi->flags & FLAG_SUMMARY) != 0;
        if (hi->flags & FLAG_SUMMARY)
            env_steps += (int64_t)learner_take_summary(
                ln, r, src, (const double *)(in + (ln->ship ? ln->exp.l.summary : l.summary)), &f);
        const double staleness = (double)(version - hi->version);
        f.st_sum += staleness;
        f.st_n += 1;
        if (staleness > f.st_max)
            f.st_max = staleness;
        learner_count_staleness(ln, version - hi->version);
        ln->per[src].st_sum += staleness;
        ln->per[src].st_n += 1;
        if (hi->flags & FLAG_BAD) {
            if (ctrl_all != CTRL_ABORT)
                learner_report_stop(ln, "rank %d sent a non-finite loss at version %lld", src,
                                    (long long)hi->version);
            ctrl_all = CTRL_ABORT;
            rc = 1;
        } else if (c->max_staleness > 0 && staleness > c->max_staleness) {
            f.dropped++;
            ln->per[src].dropped++;
        } else if (ctrl_all != CTRL_ABORT && ln->ship) {
            const double lr = run_lr_at(r, (double)env_steps, (double)c->steps);
            const int k = learn_rollout(ln, r, in, lr, &acc);
            if (k < 0) {
                learner_report_stop(ln, "the rollout from rank %d gives a non-finite %s", src,
                                    k == -1 ? "value target" : "gradient");
                ctrl_all = CTRL_ABORT;
                rc = 1;
            } else {
                version += k;
                f.lr_sum += lr * k;
                f.updates += k;
            }
        } else if (ctrl_all != CTRL_ABORT) {
            memcpy(r->msg, g, ((size_t)r->np + N_EXTRA) * sizeof(float));
            double lr = run_lr_at(r, (double)env_steps, (double)c->steps);
            /* the corrections of stale gradients (correct.h), each on its own flag */
            const float *then = c->dc_lambda > 0 ? history_get(&ln->hist, hi->version) : NULL;
            if (then)
                correct_delay(r->msg, r->pbuf, then, c->dc_lambda, r->np);
            if (c->staleness_lr)
                lr = correct_staleness_lr(lr, version - hi->version);
            int apply = 1;
            if (c->softsync > 1 && (apply = softsync_add(&ln->soft, r->msg, lr, ln->soft_out, &lr)))
                memcpy(r->msg, ln->soft_out, ((size_t)r->np + N_EXTRA) * sizeof(float));
            if (apply && learner_apply(ln, r, lr, &acc) != 0) {
                learner_report_stop(ln, "the gradient from rank %d is not finite", src);
                ctrl_all = CTRL_ABORT;
                rc = 1;
            } else if (apply) {
                version++;
                f.lr_sum += lr;
                f.updates += 1;
                if (c->dc_lambda > 0)
                    history_put(&ln->hist, version, r->pbuf);
            }
        }
        const int signalled = signals_pending() || (hi->flags & FLAG_SIGNAL);
        if (signalled)
            replay = 0; /* a stop the recording did not have */
        if (ctrl_all == CTRL_CONTINUE && (env_steps >= c->steps || signalled))
            ctrl_all = CTRL_STOP_EPOCHS;
        /* one answer buffer per actor: the send completes while the learner goes on, and
         * the actor has received it before it sends its next gradient */
        unsigned char *ans = out + (size_t)src * (size_t)l.params_len;
        *(MsgHeader *)ans = (MsgHeader){.kind = MSG_PARAMS, .flags = ctrl_all, .version = version};
        memcpy(ans + l.params, r->pbuf, (size_t)r->np * sizeof(float));
        run_norm_pack(r, &r->global, &r->ret_global, r->baseline, (double *)(ans + l.stats));
        if (comm_post_send(ans, l.params_len, src, TAG_PARAMS) != 0)
            return 1;
        if (ctrl_all != CTRL_CONTINUE) {
            active--;
            ln->last_seen[src] = -1.0; /* told to stop: it sends nothing more */
        }
        /* group rollouts vary in length: a row per n_actors rollouts instead */
        if ((r->groups ? rollouts >= r->n_actors : env_steps >= next_row) || active == 0) {
            next_row += per_row;
            rollouts = 0;
            const double lr = run_lr_at(r, (double)env_steps, (double)c->steps);
            if (learner_write_row(ln, r, ++it, env_steps, clock_now() - t0, lr, &acc, &f,
                                  &NO_EXTRA) != 0) {
                rc = 1; /* keep answering so that every actor stops */
                if (ctrl_all == CTRL_CONTINUE)
                    ctrl_all = CTRL_ABORT;
            }
            acc = (StepStats){0};
            f = (RowSums){0};
            if (record && schedule_flush(&ln->sched) != 0 && ctrl_all == CTRL_CONTINUE) {
                schedule_write_failed(ln);
                ctrl_all = CTRL_ABORT;
                rc = 1;
            }
            const int every = c->checkpoint_every;
            if (active > 0 && ctrl_all != CTRL_ABORT && every > 0 && it % every == 0 &&
                trainer_checkpoint(t, it, env_steps, version, CKPT_ASYNC) != 0)
                ctrl_all = CTRL_ABORT, rc = 1;
        }
    }
    if (comm_flush_sends() != 0)
        return 1;
    if (record && schedule_flush(&ln->sched) != 0 && rc == 0) {
        schedule_write_failed(ln);
        rc = 1;
    }
    schedule_close(&ln->sched);
    /* the final state; every actor has stopped */
    if (rc == 0 && trainer_checkpoint(t, it, env_steps, version, CKPT_ASYNC) != 0)
        rc = 1;
    return rc;
}
