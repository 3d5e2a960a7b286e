/* learner.c - the learner's work both modes share (see learner.h). */
#include "learner.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "comm.h"
#include "rng.h"
#include "signals.h"

const RowExtra NO_EXTRA = {NAN, NAN, NAN, NAN, NAN, NAN};

int learner_init(Learner *l, Run *r, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    const AdamConfig ac = {0.9, 0.999, r->cfg->adam_eps};
    l->gathered = calloc((size_t)r->size * (size_t)r->summary_len, sizeof(double));
    l->per = calloc((size_t)r->size, sizeof *l->per);
    /* allocated here, not in the message loop */
    l->stale_count = r->mode == MODE_ASYNC ? calloc(STALENESS_BINS, sizeof(int64_t)) : NULL;
    if (r->mode == MODE_ASYNC) {
        l->last_seen = calloc((size_t)r->size, sizeof *l->last_seen);
        l->lost = calloc((size_t)r->size, 1);
    }
    const Config *c = r->cfg;
    if (r->mode == MODE_ASYNC && c->dc_lambda > 0 &&
        history_init(&l->hist, c->max_staleness + 1, r->np) != 0) {
        snprintf(err, errlen, "out of memory for %d parameter versions", c->max_staleness + 1);
        return -1;
    }
    if (r->mode == MODE_ASYNC && c->softsync > 1 &&
        (softsync_init(&l->soft, c->softsync, r->np, N_EXTRA) != 0 ||
         !(l->soft_out = malloc(((size_t)r->np + N_EXTRA) * sizeof(float))))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    l->ship = r->mode == MODE_ASYNC && strcmp(c->ship, "experience") == 0;
    if (l->ship && experience_init(&l->exp, r) != 0) {
        snprintf(err, errlen, "out of memory for the learner's rollout buffers");
        return -1;
    }
    if (!l->gathered || !l->per || adam_init(&l->adam, r->np, &ac) != 0 ||
        (r->mode == MODE_ASYNC && (!l->stale_count || !l->last_seen || !l->lost))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    Rng init;
    rng_seed(&init, (uint64_t)r->cfg->seed, rng_stream_id(0, STREAM_INIT));
    if (model_init_params(&r->m, r->pbuf, &init) != 0) {
        snprintf(err, errlen, "parameter initialisation failed (LAPACK)");
        return -1;
    }
    return 0;
}

void learner_free(Learner *l)
{
    adam_free(&l->adam);
    free(l->gathered);
    history_free(&l->hist);
    softsync_free(&l->soft);
    experience_free(&l->exp);
    free(l->soft_out);
    l->soft_out = NULL;
    schedule_close(&l->sched);
    free(l->per);
    l->per = NULL;
    free(l->stale_count);
    free(l->last_seen);
    free(l->lost);
    l->gathered = NULL;
    l->stale_count = NULL;
    l->last_seen = NULL;
    l->lost = NULL;
}

double learner_stop_grace(const Learner *l)
{
    return fmin(20.0, fmax(5.0, 2.0 * l->longest_iteration));
}

double learner_patience(const Learner *l, const Config *c)
{
    if (c->actor_timeout > 0)
        return c->actor_timeout;
    return fmax(60.0, 10.0 * l->longest_iteration);
}

/* how long one wait of learner_wait_any lasts before it looks at the clock and the
 * signals again */
#define WAIT_SLICE 0.25

int learner_wait_any(Learner *l, const Run *r, void *buf, long len, int tag, int *src, long *got,
                     const unsigned char *waiting)
{
    const double t0 = clock_now();
    double signal_at = 0;
    for (;;) {
        *src = -1;
        const int rc = comm_recv_any_within(buf, len, tag, src, got, WAIT_SLICE);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (*src <= 0 || *src >= r->size) {
                fprintf(stderr, "mpirl: a message from rank %d, which is not an actor\n", *src);
                return -1;
            }
            return 0;
        }
        const double now = clock_now();
        if (signal_at == 0 && signals_pending())
            signal_at = now;
        if (now - t0 > learner_patience(l, r->cfg) ||
            (signal_at > 0 && now - signal_at > learner_stop_grace(l))) {
            int who = -1;
            for (int k = 1; k < r->size && who < 0; k++)
                who = waiting[k] ? k : -1;
            comm_note_timeout(who, now - t0);
            return -1;
        }
    }
}

double learner_take_summary(Learner *l, Run *r, int rank, const double *s, RowSums *f)
{
    ActorRow *a = &l->per[rank];
    for (int k = 0; k < N_TIMER; k++)
        a->compute_s += s[S_TIME + k];
    a->delay_s += s[S_DELAY];
    a->wait_s += s[S_WAIT];
    a->grads += s[S_GRADS];
    a->summaries++;
    for (int k = 0; k < (int)s[S_SENT]; k++)
        metrics_episode(&l->mt, s[N_SUMMARY + k], s[N_SUMMARY + METRICS_WINDOW + k]);
    l->mt.episodes += (int64_t)(s[S_EPISODES] - s[S_SENT]);
    f->ret_sum += s[S_RET_SUM];
    f->ret_sq += s[S_RET_SQ];
    f->res_sum += s[S_RES_SUM];
    f->res_sq += s[S_RES_SQ];
    f->n += s[S_N];
    for (int k = 0; k < N_TIMER; k++)
        f->time[k] += s[S_TIME + k];
    f->rollout_max = fmax(f->rollout_max, s[S_TIME + T_ROLLOUT]);
    f->summaries += 1;
    f->kl_sum += s[S_KL_SUM];
    f->kl_n += s[S_KL_N];
    const double *stats = s + N_SUMMARY + 2 * METRICS_WINDOW;
    if (r->cfg->norm_obs)
        rstats_merge_buf(&r->global, stats);
    if (r->cfg->norm_reward)
        rstats_merge_buf(&r->ret_global, stats + rstats_buf_len(r->spec->obs_dim));
    if (r->running) { /* b_t <- decay b_t + (1 - decay) mean G_t, where this rollout has one */
        const double *g = stats + rstats_buf_len(r->spec->obs_dim) + rstats_buf_len(1);
        const int T = r->base_len / 2;
        const double d = r->cfg->baseline_decay;
        for (int k = 0; k < T; k++) {
            if (g[T + k] <= 0)
                continue;
            const double mean = g[k] / g[T + k];
            r->baseline[k] = r->baseline[T + k] > 0 ? d * r->baseline[k] + (1 - d) * mean : mean;
            r->baseline[T + k] = 1.0;
        }
    }
    return s[S_STEPS];
}

int learner_apply(Learner *l, Run *r, double lr, StepStats *acc)
{
    const float *x = r->msg + r->np;
    if (!isfinite(grad_clip_global_norm(r->msg, r->np, r->cfg->max_grad_norm)))
        return -1;
    adam_step(&l->adam, r->pbuf, r->msg, lr);
    acc->n += x[X_COUNT];
    acc->pi_loss += x[X_PI_LOSS];
    acc->v_loss += x[X_V_LOSS];
    acc->entropy += x[X_ENTROPY];
    acc->approx_kl += x[X_APPROX_KL];
    acc->clip_frac += x[X_CLIP_FRAC];
    return 0;
}

void learner_count_staleness(Learner *l, int64_t staleness)
{
    l->stale_count[staleness < STALENESS_BINS ? staleness : STALENESS_BINS - 1]++;
}

int learner_write_row(Learner *l, const Run *r, int64_t it, int64_t env_steps, double wall,
                      double lr, const StepStats *acc, const RowSums *f, const RowExtra *x)
{
    MetricsRow row = {0};
    row.iteration = it;
    row.env_steps = env_steps;
    row.wall_s = wall;
    row.sps = wall > 0 ? (double)(env_steps - l->steps0) / wall : 0;
    metrics_window(&l->mt, &row);
    const double an = acc->n > 0 ? acc->n : 1;
    row.policy_loss = acc->pi_loss / an;
    row.value_loss = r->groups ? NAN : acc->v_loss / an; /* critic-free: no value network */
    row.entropy = acc->entropy / an;
    row.approx_kl = acc->approx_kl / an;
    row.clip_fraction = acc->clip_frac / an;
    const double n = f->n;
    const double var_ret = f->ret_sq / n - (f->ret_sum / n) * (f->ret_sum / n);
    const double var_res = f->res_sq / n - (f->res_sum / n) * (f->res_sum / n);
    row.explained_variance = n > 0 && var_ret > 0 && !r->groups ? 1.0 - var_res / var_ret : NAN;
    /* async with --staleness-lr: the mean of the learning rates the updates had */
    row.lr = r->cfg->staleness_lr && f->updates > 0 ? f->lr_sum / f->updates : lr;
    row.staleness_mean = f->st_n > 0 ? f->st_sum / f->st_n : 0;
    row.staleness_max = f->st_max;
    row.dropped = f->dropped;
    row.comm_s = comm_take_seconds();
    row.wait_s = comm_take_idle_seconds();
    row.kl = x->kl;
    row.surrogate_improvement = x->improve;
    row.ls_steps = x->ls_steps;
    row.cg_iterations = x->cg_iterations;
    row.cg_residual = x->cg_residual;
    row.beta = x->beta;
    /* mean compute seconds per actor summary; phases an algorithm lacks are NaN */
    double *times[N_TIMER] = {&row.rollout_s, &row.gradient_s, &row.cg_s, &row.linesearch_s,
                              &row.vf_s};
    for (int k = 0; k < N_TIMER; k++)
        *times[k] = f->summaries > 0 ? f->time[k] / f->summaries : NAN;
    row.rollout_max_s = f->summaries > 0 ? f->rollout_max : NAN;
    /* the spread of the actors: the slowest one's compute and delay over the fastest's */
    double slow = 0, fast = INFINITY, delay = 0;
    int actors = 0;
    for (int k = 0; k < r->size; k++) {
        const ActorRow *a = &l->per[k];
        if (a->summaries == 0)
            continue;
        const double busy = a->compute_s + a->delay_s;
        slow = fmax(slow, busy);
        fast = fmin(fast, busy);
        delay += a->delay_s / a->summaries;
        actors++;
    }
    row.delay_s = actors > 0 ? delay / actors : NAN;
    row.actor_spread = actors > 0 && fast > 0 ? slow / fast : NAN;
    if (r->natural) {
        row.cg_s += l->cg_s;
    } else {
        row.cg_s = row.linesearch_s = row.vf_s = NAN;
    }
    l->cg_s = 0;
    if (l->metrics_failed)
        return -1; /* reported once, when it failed */
    const char *file = "metrics.csv";
    int bad = metrics_write(&l->mt, &row, r->cfg->steps) != 0;
    if (!bad && metrics_staleness(&l->mt, it, l->stale_count, STALENESS_BINS) != 0)
        bad = 1, file = "staleness.csv";
    if (!bad && metrics_actors(&l->mt, it, l->per, r->size) != 0)
        bad = 1, file = "actors.csv";
    if (bad) {
        l->metrics_failed = 1;
        learner_report_stop(l, "rank 0: cannot write row %lld of %s in %.200s: %s", (long long)it,
                            file, r->dir, errno ? strerror(errno) : "I/O error");
        return -1;
    }
    memset(l->per, 0, (size_t)r->size * sizeof *l->per);
    if (l->stale_count)
        memset(l->stale_count, 0, STALENESS_BINS * sizeof *l->stale_count);
    return 0;
}

void learner_report_stop(const Learner *l, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (l->last_checkpoint > 0)
        fprintf(stderr,
                "mpirl: %s; training stopped (the last checkpoint, of iteration %lld, is "
                "intact)\n",
                what, (long long)l->last_checkpoint);
    else
        fprintf(stderr, "mpirl: %s; training stopped (no checkpoint had been written yet)\n", what);
}
