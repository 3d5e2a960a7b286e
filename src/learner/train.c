/* train.c - the synchronous actor-learner loop and its single-process form (see
 * train.h).
 *
 * One iteration:
 *   actors   roll out T steps of E environments (rollout.h) and compute GAE;
 *   all      for each epoch and minibatch: every actor's gradient of the loss on its
 *            own minibatch, times its sample count, plus loss statistics, are summed to
 *            the learner (comm_sum_floats_to_root); the learner divides by the total
 *            count, clips the global norm, takes an Adam step and broadcasts the new
 *            parameters with a control flag (continue / stop the epochs on KL / abort);
 *   all      episode statistics and the actors' raw observation statistics go to the
 *            learner (gather), which merges them (Chan) into the normaliser it
 *            broadcasts for the next rollout, and writes a metrics row.
 * With one rank the collectives are the identity and the same code trains in process.
 *
 * ppo-kl runs the same loop with the loss surrogate - beta KL(old || new); each actor
 * reports the KL over its whole batch at the iteration's final parameters with its
 * summary, and the learner adapts beta (loss_kl_beta_update) and broadcasts it with its
 * end-of-iteration verdict. trpo and npg replace the policy part of the loop: each
 * actor sends its count-weighted gradient of the surrogate mean(r A) (advantages
 * normalised over its whole batch), then the learner drives CG and the line search by
 * requests the actors answer on their own data (trpo.h); the minibatch loop then fits
 * the value network alone (its part of the parameters is reduced and broadcast).
 *
 * Asynchronous mode (A3C-style): no actor waits for another. An actor sends the mean
 * gradient of each minibatch (PPO) or of its whole rollout (A3C) with the parameter
 * version it was computed at; the learner applies each gradient on arrival (or drops
 * it when staler than --max-staleness), bumps the version and answers that actor alone
 * with the newest parameters and normaliser. The first message after a rollout also
 * carries the rollout's summary (steps, episodes, raw observation statistics). When
 * the step budget is reached, every actor's next answer says stop; the learner returns
 * once each actor has been told, so no message is left unmatched. With one rank the
 * asynchronous mode runs the synchronous loop (there is nobody to wait for).
 *
 * Randomness: environment i of rank r draws from stream (seed, r, i) (vecenv.h); the
 * actor's action sampling and minibatch shuffling use streams (seed, r, 2^32 - 1) and
 * (seed, r, 2^32 - 2); the initial parameters come from (seed, learner stream). A
 * synchronous run is bitwise reproducible for a given seed and rank count; an
 * asynchronous one depends on when each gradient arrives.
 */
#include "train.h"
#include "trainer.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "comm.h"
#include "fault.h"
#include "loss.h"
#include "mat.h"
#include "metrics.h"
#include "optim.h"
#include "policy.h"
#include "rollout.h"
#include "rstats.h"
#include "signals.h"

/* the algorithm's row and the mode as run, then the loss and the minibatch loop */
static void loss_from_config(Trainer *t)
{
    const Config *c = t->cfg;
    const Algo *a = algo_find(c->algo); /* config_set admits the table's names only */
    t->algo = a;
    t->mode = mode_find(c->mode)->id == MODE_ASYNC && t->size > 1 ? MODE_ASYNC : MODE_SYNC;
    const int batched = (a->flags & ALGO_MINIBATCHED) != 0;
    t->adaptive_kl = (a->flags & ALGO_ADAPTIVE_KL) != 0;
    t->natural = (a->flags & ALGO_NATURAL) != 0;
    t->kl_beta = c->kl_beta_init;
    t->loss = (LossConfig){.kind = a->loss,
                           .clip_eps = c->clip_eps,
                           .ent_coef = c->ent_coef,
                           .vf_coef = c->vf_coef,
                           .vf_clip = (a->flags & ALGO_VF_CLIP) ? c->vf_clip : 0.0,
                           .kl_beta = t->adaptive_kl ? t->kl_beta : 0.0,
                           .norm_adv = c->norm_adv};
    t->epochs = batched ? c->epochs : 1;
    t->minibatches = batched ? c->minibatches : 1;
    if (t->natural) { /* the minibatch loop fits the value function only */
        t->epochs = c->vf_epochs;
        t->minibatches = c->vf_minibatches;
    }
    /* REINFORCE: Monte-Carlo returns (lambda = 1) against the learned baseline */
    t->lambda = (a->flags & ALGO_MONTE_CARLO) ? 1.0 : c->gae_lambda;
}

/* The normaliser statistics as one flat buffer of stats_len doubles: the observations'
 * (rstats_buf_len(obs_dim)), then the discounted return's (rstats_buf_len(1)). */
void norm_pack(const Trainer *t, const RunningStats *obs, const RunningStats *ret, double *out)
{
    const int no = rstats_buf_len(t->spec->obs_dim);
    memcpy(out, obs->buf, (size_t)no * sizeof(double));
    memcpy(out + no, ret->buf, (size_t)(t->stats_len - no) * sizeof(double));
}

void norm_unpack(Trainer *t, const double *in)
{
    const int no = rstats_buf_len(t->spec->obs_dim);
    memcpy(t->global.buf, in, (size_t)no * sizeof(double));
    memcpy(t->ret_global.buf, in + no, (size_t)(t->stats_len - no) * sizeof(double));
}

/* The actor's normalisers from the learner's statistics: the observation normaliser and
 * the reward scale 1 / sqrt(Var[G] + 1e-8) (1 before any statistics). */
void norm_refresh(Trainer *t)
{
    if (t->cfg->norm_obs)
        obsnorm_set(&t->norm, &t->global, 1e-8);
    double var = 1.0;
    if (rstats_count(&t->ret_global) > 0)
        rstats_var(&t->ret_global, &var);
    t->rn.scale = (float)(1.0 / sqrt(var + 1e-8));
}

static void trainer_free(Trainer *t)
{
    free(t->pbuf);
    free(t->msg);
    free(t->summary);
    free(t->gathered);
    rstats_free(&t->global);
    rstats_free(&t->ret_global);
    free(t->nbuf);
    obsnorm_free(&t->norm);
    if (t->is_actor) {
        vecenv_free(&t->venv);
        rollout_free(&t->ro);
        rstats_free(&t->raw);
        rstats_free(&t->ret_raw);
        free(t->rn.acc);
    }
    model_work_destroy(&t->w);
    free(t->perm);
    free(t->mb_obs);
    free(t->mb_act);
    free(t->mb_adv);
    free(t->mb_ret);
    free(t->mb_logp);
    free(t->mb_val);
    free(t->mb_p);
    free(t->stale_count);
    free(t->adv_n);
    free(t->fvp_obs);
    trpo_free(&t->trpo);
    if (t->is_learner)
        adam_free(&t->adam);
}

/* Allocate everything of this rank's role. Returns 0 or -1 with err. */
static int trainer_init(Trainer *t, const Config *cfg, const EnvSpec *spec, const char *dir,
                        char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->cfg = cfg;
    t->spec = spec;
    t->dir = dir;
    t->rank = comm_rank();
    t->size = comm_size();
    t->is_learner = t->rank == 0;
    t->is_actor = t->size == 1 || t->rank > 0;
    t->n_actors = t->size == 1 ? 1 : t->size - 1;
    if (policy_model_init(&t->m, cfg, spec, err, errlen) != 0)
        return -1;
    loss_from_config(t);
    t->np = (long)t->m.n_params;
    t->npol = (long)t->m.n_policy;
    const int d = spec->obs_dim;
    t->stats_len = rstats_buf_len(d) + rstats_buf_len(1);
    const int slen = N_SUMMARY + 2 * METRICS_WINDOW;
    t->pbuf = calloc((size_t)t->np + 1, sizeof(float));
    t->msg = calloc((size_t)t->np + N_EXTRA, sizeof(float));
    t->summary = calloc((size_t)slen + (size_t)t->stats_len, sizeof(double));
    t->nbuf = calloc((size_t)t->stats_len, sizeof(double));
    if (fault_at("trainer-alloc") || !t->pbuf || !t->msg || !t->summary || !t->nbuf ||
        rstats_init(&t->global, d) != 0 || rstats_init(&t->ret_global, 1) != 0 ||
        obsnorm_init(&t->norm, d, cfg->obs_clip) != 0)
        goto oom;
    if (t->is_learner) {
        AdamConfig ac = {0.9, 0.999, cfg->adam_eps};
        t->gathered =
            calloc((size_t)t->size * ((size_t)slen + (size_t)t->stats_len), sizeof(double));
        /* allocated here, not in the message loop */
        t->stale_count = t->mode == MODE_ASYNC ? calloc(STALENESS_BINS, sizeof(int64_t)) : NULL;
        if (!t->gathered || adam_init(&t->adam, t->np, &ac) != 0 ||
            (t->mode == MODE_ASYNC && !t->stale_count))
            goto oom;
        Rng init;
        rng_seed(&init, (uint64_t)cfg->seed, rng_stream_id(0, STREAM_INIT));
        if (model_init_params(&t->m, t->pbuf, &init) != 0) {
            snprintf(err, errlen, "parameter initialisation failed (LAPACK)");
            return -1;
        }
    }
    if (t->natural && trpo_init(&t->trpo, &t->m, t->is_learner, t->is_actor) != 0)
        goto oom;
    if (t->is_actor) {
        const int T = cfg->rollout, E = cfg->num_envs, n = T * E;
        const int mb = (n + t->minibatches - 1) / t->minibatches;
        if (vecenv_init(&t->venv, spec, E, 0, (uint64_t)cfg->seed, (uint32_t)t->rank, err,
                        errlen) != 0)
            return -1;
        if (rollout_init(&t->ro, &t->m, T, E) != 0 || rstats_init(&t->raw, d) != 0 ||
            rstats_init(&t->ret_raw, 1) != 0)
            goto oom;
        t->rn = (RewardNorm){.acc = calloc((size_t)E, sizeof(double)),
                             .gamma = cfg->gamma,
                             .clip = (float)cfg->reward_clip,
                             .raw = &t->ret_raw};
        if (!t->rn.acc)
            goto oom;
        norm_refresh(t);
        /* trpo, npg and ppo-kl also evaluate the whole batch at once */
        const int whole = t->natural || t->adaptive_kl ? n : 0;
        const int wb = mb > E ? mb : E;
        t->w = model_work_create(&t->m, whole > wb ? whole : wb);
        const int ad = dist_action_dim(&t->m.dist), dn = t->m.dist.n;
        t->perm = malloc((size_t)n * sizeof *t->perm);
        t->mb_obs = malloc((size_t)mb * d * sizeof(float));
        t->mb_act = malloc((size_t)mb * ad * sizeof(float));
        t->mb_adv = malloc((size_t)mb * sizeof(float));
        t->mb_ret = malloc((size_t)mb * sizeof(float));
        t->mb_logp = malloc((size_t)mb * sizeof(float));
        t->mb_val = malloc((size_t)mb * sizeof(float));
        t->mb_p = malloc((size_t)mb * dn * sizeof(float));
        if (!t->w || !t->perm || !t->mb_obs || !t->mb_act || !t->mb_adv || !t->mb_ret ||
            !t->mb_logp || !t->mb_val || !t->mb_p)
            goto oom;
        if (t->natural) {
            t->adv_n = malloc((size_t)n * sizeof(float));
            t->fvp_obs = malloc((size_t)n * d * sizeof(float));
            if (!t->adv_n || !t->fvp_obs)
                goto oom;
        }
        rng_seed(&t->rng_policy, (uint64_t)cfg->seed,
                 rng_stream_id((uint32_t)t->rank, STREAM_POLICY));
        rng_seed(&t->rng_shuffle, (uint64_t)cfg->seed,
                 rng_stream_id((uint32_t)t->rank, STREAM_SHUFFLE));
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* A collective whose failure (reported by comm.c) ends the iteration. */
#define COLLECTIVE(call)                                                                           \
    do {                                                                                           \
        if ((call) != 0)                                                                           \
            return -1;                                                                             \
    } while (0)

/* Copy minibatch rows perm[lo..hi) of the rollout into the minibatch buffers. */
static Batch gather_minibatch(Trainer *t, int lo, int hi)
{
    const Rollout *r = &t->ro;
    const int d = r->obs_dim, ad = r->act_dim, dn = r->dist_n;
    for (int k = lo; k < hi; k++) {
        const int i = t->perm[k], j = k - lo;
        memcpy(t->mb_obs + (size_t)j * d, r->obs + (size_t)i * d, (size_t)d * sizeof(float));
        memcpy(t->mb_act + (size_t)j * ad, r->act + (size_t)i * ad, (size_t)ad * sizeof(float));
        memcpy(t->mb_p + (size_t)j * dn, r->pdist + (size_t)i * dn, (size_t)dn * sizeof(float));
        t->mb_adv[j] = r->adv[i];
        t->mb_ret[j] = r->ret[i];
        t->mb_logp[j] = r->logp[i];
        t->mb_val[j] = r->val[i];
    }
    return (Batch){.n = hi - lo,
                   .obs = t->mb_obs,
                   .act = t->mb_act,
                   .adv = t->mb_adv,
                   .ret = t->mb_ret,
                   .old_logp = t->mb_logp,
                   .old_val = t->mb_val,
                   .old_p = t->mb_p,
                   .old_logstd = r->logstd};
}

/* The actor's part of one optimizer step: its weighted gradient into t->msg. */
static void actor_gradient(Trainer *t, int lo, int hi)
{
    const double t0 = clock_now();
    memset(t->msg, 0, ((size_t)t->np + N_EXTRA) * sizeof(float));
    Batch b = gather_minibatch(t, lo, hi);
    LossStats st;
    int bad = loss_compute(t->msg, &st, t->w, &t->m, t->pbuf, &b, &t->loss) != 0;
    const float n = (float)b.n;
    vec_scale(t->msg, n, t->np);
    float *x = t->msg + t->np;
    x[X_COUNT] = n;
    x[X_PI_LOSS] = (float)(st.pi_loss * n);
    x[X_V_LOSS] = (float)(st.v_loss * n);
    x[X_ENTROPY] = (float)(st.entropy * n);
    x[X_APPROX_KL] = (float)(st.approx_kl * n);
    x[X_CLIP_FRAC] = (float)(st.clip_frac * n);
    x[X_BAD] = bad ? 1.0f : 0.0f;
    t->tm[T_GRADIENT] += clock_now() - t0;
}

/* trpo, npg: the actor's part of one value-fit step, the gradient of
 * 0.5 mean((V - R)^2) over minibatch rows perm[lo..hi) times the sample count, into the
 * value part of t->msg (the policy part stays 0). */
static void actor_value_gradient(Trainer *t, int lo, int hi)
{
    const double t0 = clock_now();
    memset(t->msg, 0, ((size_t)t->np + N_EXTRA) * sizeof(float));
    const Batch b = gather_minibatch(t, lo, hi);
    const float *v = model_value(t->w, &t->m, t->pbuf, b.obs, b.n);
    float *gv = t->w->g_value;
    double s = 0.0;
    for (int i = 0; i < b.n; i++) {
        const double e = (double)v[i] - b.ret[i];
        s += e * e;
        gv[i] = (float)e; /* d(0.5 sum e^2) / dV: the count-weighted mean gradient */
    }
    mlp_backward(t->msg, NULL, &t->m.vf, t->pbuf, t->w->vf, gv);
    float *x = t->msg + t->np;
    x[X_COUNT] = (float)b.n;
    x[X_V_LOSS] = (float)(0.5 * s);
    x[X_BAD] = isfinite(s) ? 0.0f : 1.0f;
    t->tm[T_VF] += clock_now() - t0;
}

typedef struct {
    double n, pi_loss, v_loss, entropy, approx_kl, clip_frac;
} StepStats;

/* What the learner accumulates between two metrics rows besides the loss statistics:
 * value-fit sums of the rollouts and, in async mode, staleness. */
typedef struct {
    double ret_sum, ret_sq, res_sum, res_sq, n; /* returns and residuals (ret - val) */
    double st_sum, st_max, st_n;                /* staleness of the gradients received */
    int64_t dropped;
    double time[N_TIMER], summaries; /* actors' compute seconds per phase, summaries taken */
    double rollout_max;              /* the largest rollout seconds of one summary */
    double kl_sum, kl_n;             /* ppo-kl: KL(old || new) after the update */
} RowSums;

/* What only some algorithms report (metrics.h): NaN where not applicable. */
typedef struct {
    double kl, improve, ls_steps, cg_iterations, cg_residual, beta;
} RowExtra;

static const RowExtra NO_EXTRA = {NAN, NAN, NAN, NAN, NAN, NAN};

/* Learner: take one actor's iteration summary (episodes into the window, value-fit
 * sums, raw observation statistics into the normaliser); returns its env steps. */
static double take_summary(Trainer *t, const double *s, RowSums *f)
{
    for (int k = 0; k < (int)s[S_SENT]; k++)
        metrics_episode(&t->mt, s[N_SUMMARY + k], s[N_SUMMARY + METRICS_WINDOW + k]);
    t->mt.episodes += (int64_t)(s[S_EPISODES] - s[S_SENT]);
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
    if (t->cfg->norm_obs)
        rstats_merge_buf(&t->global, stats);
    if (t->cfg->norm_reward)
        rstats_merge_buf(&t->ret_global, stats + rstats_buf_len(t->spec->obs_dim));
    return s[S_STEPS];
}

/* Learner: write the metrics row of iteration `it` from what was accumulated since
 * the last row. Returns 0 or -1 (message printed). */
static int write_row(Trainer *t, int64_t it, int64_t env_steps, double wall, double lr,
                     const StepStats *acc, const RowSums *f, const RowExtra *x)
{
    MetricsRow row = {0};
    row.iteration = it;
    row.env_steps = env_steps;
    row.wall_s = wall;
    row.sps = wall > 0 ? (double)(env_steps - t->steps0) / wall : 0;
    metrics_window(&t->mt, &row);
    const double an = acc->n > 0 ? acc->n : 1;
    row.policy_loss = acc->pi_loss / an;
    row.value_loss = acc->v_loss / an;
    row.entropy = acc->entropy / an;
    row.approx_kl = acc->approx_kl / an;
    row.clip_fraction = acc->clip_frac / an;
    const double n = f->n;
    const double var_ret = f->ret_sq / n - (f->ret_sum / n) * (f->ret_sum / n);
    const double var_res = f->res_sq / n - (f->res_sum / n) * (f->res_sum / n);
    row.explained_variance = n > 0 && var_ret > 0 ? 1.0 - var_res / var_ret : NAN;
    row.lr = lr;
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
    if (t->natural) {
        row.cg_s += t->learner_cg_s;
    } else {
        row.cg_s = row.linesearch_s = row.vf_s = NAN;
    }
    t->learner_cg_s = 0;
    if (metrics_write(&t->mt, &row, t->cfg->steps) != 0 ||
        metrics_staleness(&t->mt, it, t->stale_count, STALENESS_BINS) != 0) {
        fprintf(stderr, "mpirl: cannot write metrics.csv or staleness.csv\n");
        return -1;
    }
    if (t->stale_count)
        memset(t->stale_count, 0, STALENESS_BINS * sizeof *t->stale_count);
    return 0;
}

/* Learner, async: count a gradient of the given staleness (>= 0) in the histogram;
 * staleness beyond its last bin is counted there (metrics.h) */
static void count_staleness(Trainer *t, int64_t staleness)
{
    t->stale_count[staleness < STALENESS_BINS ? staleness : STALENESS_BINS - 1]++;
}

/* The learning rate after done of total (iterations or steps): constant, or annealed
 * linearly to 0 */
static double lr_at(const Config *c, double done, double total)
{
    return c->anneal_lr ? lr_linear(c->lr, done, total) : c->lr;
}

/* "mpirl: <what>; training stopped (the last checkpoint, of iteration K, is intact)" */
static void report_stop(const Trainer *t, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void report_stop(const Trainer *t, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    fprintf(stderr,
            "mpirl: %s; training stopped (the last checkpoint, of iteration %lld, is intact)\n",
            what, (long long)t->last_checkpoint);
}

/* The update both modes share: clip the mean gradient in t->msg to max_grad_norm, take
 * an Adam step and add the statistics that follow the gradient to acc. Returns 0, or -1
 * when the gradient is not finite (nothing is applied). */
static int apply_gradient(Trainer *t, double lr, StepStats *acc)
{
    const float *x = t->msg + t->np;
    if (!isfinite(grad_clip_global_norm(t->msg, t->np, t->cfg->max_grad_norm)))
        return -1;
    adam_step(&t->adam, t->pbuf, t->msg, lr);
    acc->n += x[X_COUNT];
    acc->pi_loss += x[X_PI_LOSS];
    acc->v_loss += x[X_V_LOSS];
    acc->entropy += x[X_ENTROPY];
    acc->approx_kl += x[X_APPROX_KL];
    acc->clip_frac += x[X_CLIP_FRAC];
    return 0;
}

/* The learner's part of a sync step: average the summed gradient, then apply it.
 * Returns the control flag for the broadcast (abort on a non-finite gradient). */
static int learner_step(Trainer *t, double lr, StepStats *acc, double *epoch_kl, int64_t it)
{
    const float *x = t->msg + t->np;
    const double n = x[X_COUNT];
    if (x[X_BAD] > 0.0f || !(n > 0.0)) {
        report_stop(t, "iteration %lld: the loss is not finite", (long long)(it + 1));
        return CTRL_ABORT;
    }
    vec_scale(t->msg, (float)(1.0 / n), t->np);
    if (apply_gradient(t, lr, acc) != 0) {
        report_stop(t, "iteration %lld: the gradient is not finite", (long long)(it + 1));
        return CTRL_ABORT;
    }
    epoch_kl[0] += x[X_APPROX_KL];
    epoch_kl[1] += n;
    return CTRL_CONTINUE;
}

/* Summary of this actor's iteration: steps, episodes, value-fit sums and up to the last
 * METRICS_WINDOW episodes; then its raw observation statistics. */
static void actor_summary(Trainer *t)
{
    const Rollout *r = &t->ro;
    double *s = t->summary;
    memset(s, 0, (N_SUMMARY + 2 * METRICS_WINDOW) * sizeof(double));
    s[S_SIGNAL] = signals_pending() != 0;
    if (t->is_actor) {
        const long n = (long)r->T * r->E;
        s[S_STEPS] = (double)n;
        s[S_EPISODES] = r->n_episodes;
        int first = r->n_episodes > METRICS_WINDOW ? r->n_episodes - METRICS_WINDOW : 0;
        s[S_SENT] = r->n_episodes - first;
        for (int k = first; k < r->n_episodes; k++) {
            s[N_SUMMARY + (k - first)] = r->ep_return[k];
            s[N_SUMMARY + METRICS_WINDOW + (k - first)] = r->ep_length[k];
        }
        for (long i = 0; i < n; i++) {
            double ret = r->ret[i], res = (double)r->ret[i] - r->val[i];
            s[S_RET_SUM] += ret;
            s[S_RET_SQ] += ret * ret;
            s[S_RES_SUM] += res;
            s[S_RES_SQ] += res * res;
        }
        s[S_N] = (double)n;
        norm_pack(t, &t->raw, &t->ret_raw, s + N_SUMMARY + 2 * METRICS_WINDOW);
        if (t->adaptive_kl) { /* KL(old || new) over the whole batch at the new parameters */
            const Batch b = {.n = (int)n,
                             .obs = r->obs,
                             .act = r->act,
                             .adv = r->adv,
                             .old_logp = r->logp,
                             .old_p = r->pdist,
                             .old_logstd = r->logstd};
            const LossConfig lc = {.kind = LOSS_KL_PENALTY};
            LossStats st;
            loss_compute(NULL, &st, t->w, &t->m, t->pbuf, &b, &lc); /* NaN passes on */
            s[S_KL_SUM] = st.kl * (double)n;
            s[S_KL_N] = (double)n;
        }
        t->tm[T_CG] += t->trpo.s.fvp_s;
        t->tm[T_LS] += t->trpo.s.eval_s;
        t->trpo.s.fvp_s = t->trpo.s.eval_s = 0;
        for (int k = 0; k < N_TIMER; k++)
            s[S_TIME + k] = t->tm[k];
        memset(t->tm, 0, sizeof t->tm);
    }
}

#define ITERATION_STOPPED 3

/* trpo, npg, actor: advantages normalised over its whole batch (zero mean, Bessel std,
 * as loss.h normalises a minibatch; the surrogate, its gradient and the line search all
 * use these), and the Fisher subsample: fvp_subsample x n rows evenly spaced over the
 * batch (deterministic, so no random stream moves). */
static void natural_prepare(Trainer *t)
{
    const Rollout *r = &t->ro;
    const int n = r->T * r->E, d = r->obs_dim;
    double mean, sd;
    loss_advantage_moments(r->adv, n, &mean, &sd);
    for (int i = 0; i < n; i++)
        t->adv_n[i] =
            t->cfg->norm_adv ? (float)(((double)r->adv[i] - mean) / (sd + 1e-8)) : r->adv[i];
    int m = (int)ceil(t->cfg->fvp_subsample * n);
    m = m < 1 ? 1 : (m > n ? n : m);
    for (int k = 0; k < m; k++) {
        const long i = (long)k * n / m;
        memcpy(t->fvp_obs + (size_t)k * d, r->obs + (size_t)i * d, (size_t)d * sizeof(float));
    }
    Trpo *tr = &t->trpo;
    tr->s.w = t->w;
    tr->s.params = t->pbuf;
    tr->s.fvp_obs = t->fvp_obs;
    tr->s.fvp_n = m;
    tr->s.forward_valid = 0; /* new data, and the gradient runs in the same workspace */
    tr->s.batch = (Batch){.n = n,
                          .obs = r->obs,
                          .act = r->act,
                          .adv = t->adv_n,
                          .old_logp = r->logp,
                          .old_p = r->pdist,
                          .old_logstd = r->logstd};
}

/* trpo, npg on every rank: the policy gradient of the surrogate mean(r A) (each actor
 * sends n times its batch mean; the learner divides by the total), then the learner's
 * natural-gradient step (trpo.h) with the actors answering its requests. status: this
 * actor's rollout failed. Fills acc (policy loss, entropy) and x on the learner. Returns
 * 0, 1 when training must stop (reported), -1 on an MPI failure. */
static int natural_policy_step(Trainer *t, int64_t it, int status, StepStats *acc, RowExtra *x)
{
    Trpo *tr = &t->trpo;
    float *g = tr->s.rep;       /* gradient sum, then on the learner the ascent direction */
    double d[4] = {0, 0, 0, 0}; /* surrogate sum, entropy sum, count, failures */
    memset(g, 0, (size_t)t->np * sizeof(float));
    if (t->is_actor) {
        const double t0 = clock_now();
        natural_prepare(t);
        Batch b = tr->s.batch;
        b.ret = NULL;
        const LossConfig lc = {.kind = LOSS_KL_PENALTY, .kl_beta = 0.0, .norm_adv = 0};
        LossStats st;
        const int bad = status || loss_compute(g, &st, t->w, &t->m, t->pbuf, &b, &lc) != 0;
        vec_scale(g, (float)b.n, t->npol);
        d[0] = -st.pi_loss * b.n;
        d[1] = st.entropy * b.n;
        d[2] = b.n;
        d[3] = bad;
        t->tm[T_GRADIENT] += clock_now() - t0;
    }
    COLLECTIVE(comm_sum_floats_to_root(g, t->npol, 0));
    COLLECTIVE(comm_allsum_doubles(d, 4));
    if (d[3] > 0 || !(d[2] > 0)) { /* every rank knows: stop together */
        if (t->is_learner)
            report_stop(t, "iteration %lld: the loss is not finite", (long long)(it + 1));
        return 1;
    }
    if (!t->is_learner) /* answer until the learner is done (0) or aborts (1) */
        return trpo_serve(&tr->s, t->pbuf);

    /* the learner: g <- -(sum of count-weighted loss gradients) / N = grad mean(r A) */
    const double n = d[2];
    vec_scale(g, (float)(-1.0 / n), t->npol);
    const double surr_old = d[0] / n;
    acc->n = n;
    acc->pi_loss = -d[0]; /* the loss -mean(r A), as a count-weighted sum */
    acc->entropy = d[1];
    const TrpoConfig tc = {.cg_iters = t->cfg->cg_iters,
                           .damping = t->cfg->cg_damping,
                           .max_kl = t->cfg->max_kl,
                           .ls_steps = t->cfg->ls_steps,
                           .ls_shrink = t->cfg->ls_shrink,
                           .ls_kl_factor = t->cfg->ls_kl_factor,
                           .line_search = (t->algo->flags & ALGO_LINE_SEARCH) != 0};
    const double t0 = clock_now(), w0 = tr->wait_s;
    TrpoResult res;
    if (trpo_step(&res, tr, t->pbuf, g, surr_old, &tc) != 0)
        return -1;
    t->learner_cg_s += (clock_now() - t0) - (tr->wait_s - w0); /* the learner's own arithmetic */
    x->kl = res.accepted ? res.kl : 0.0;
    x->improve = res.accepted ? res.improve : 0.0;
    x->ls_steps = tc.line_search ? res.ls_steps : NAN;
    x->cg_iterations = res.cg.iterations;
    x->cg_residual = res.cg.b_norm > 0 ? res.cg.residual / res.cg.b_norm : 0.0;
    if (!res.accepted && !t->cfg->quiet && res.ls_steps > 0)
        fprintf(stderr,
                "mpirl: iteration %lld: no line-search candidate improved the surrogate within "
                "KL %.3g (last: improvement %.3g, KL %.3g); the policy is unchanged\n",
                (long long)(it + 1), tc.ls_kl_factor * tc.max_kl, res.improve, res.kl);
    if (!res.accepted && !t->cfg->quiet && res.ls_steps == 0)
        fprintf(stderr,
                "mpirl: iteration %lld: no natural-gradient step (CG: %s); the policy is "
                "unchanged\n",
                (long long)(it + 1), cg_reason_name(res.cg.reason));
    return trpo_finish(tr, t->pbuf, 0) != 0 ? -1 : 0;
}

/* One iteration on every rank. Returns 0, ITERATION_STOPPED after a stop signal (the
 * checkpoint is written), 1 when training must stop on an error (reported), -1 on an
 * MPI failure. */
static int iteration(Trainer *t, int64_t it, int64_t iters, int64_t *env_steps, double t_start)
{
    const Config *c = t->cfg;
    const double lr = lr_at(c, (double)it, (double)iters);
    const int T = c->rollout, E = c->num_envs, n = T * E;
    int status = 0;
    if (t->is_actor) {
        const double t0 = clock_now();
        rstats_reset(&t->raw);
        rstats_reset(&t->ret_raw);
        if (rollout_collect(&t->ro, &t->venv, t->w, &t->m, t->pbuf, c->norm_obs ? &t->norm : NULL,
                            c->norm_obs ? &t->raw : NULL, c->norm_reward ? &t->rn : NULL,
                            &t->rng_policy, c->gamma, t->lambda) != 0) {
            fprintf(stderr, "mpirl: rank %d: iteration %lld: %s\n", t->rank, (long long)(it + 1),
                    t->venv.err[0] ? t->venv.err
                                   : "the advantages are not finite (a reward or value is NaN "
                                     "or infinite)");
            status = 1; /* reported in the first reduction as a bad gradient */
        }
        for (int i = 0; i < n; i++)
            t->perm[i] = i;
        t->tm[T_ROLLOUT] += clock_now() - t0;
    }
    StepStats acc = {0}, vacc = {0};
    RowExtra extra = NO_EXTRA;
    int ctrl = CTRL_CONTINUE;
    if (t->natural) {
        const int r = natural_policy_step(t, it, status, &acc, &extra);
        if (r != 0)
            return r;
    }
    /* PPO, A2C, REINFORCE, ppo-kl: the policy (and value) gradient steps; trpo, npg: the
     * value fit, which sends and updates the value part of the parameters only */
    const long lo_p = t->natural ? t->npol : 0;
    StepStats *steps = t->natural ? &vacc : &acc;
    for (int ep = 0; ep < t->epochs && ctrl == CTRL_CONTINUE; ep++) {
        double epoch_kl[2] = {0, 0};
        if (t->is_actor)
            rng_shuffle(&t->rng_shuffle, t->perm, n);
        for (int mb = 0; mb < t->minibatches && ctrl == CTRL_CONTINUE; mb++) {
            if (t->is_actor) {
                const int lo = (int)((long)mb * n / t->minibatches);
                const int hi = (int)((long)(mb + 1) * n / t->minibatches);
                if (t->natural)
                    actor_value_gradient(t, lo, hi);
                else
                    actor_gradient(t, lo, hi);
                if (status)
                    t->msg[t->np + X_BAD] = 1.0f;
            } else {
                memset(t->msg, 0, ((size_t)t->np + N_EXTRA) * sizeof(float));
            }
            COLLECTIVE(comm_sum_floats_to_root(t->msg + lo_p, t->np - lo_p + N_EXTRA, 0));
            if (t->is_learner) {
                ctrl = learner_step(t, lr, steps, epoch_kl, it);
                if (ctrl == CTRL_CONTINUE && mb + 1 == t->minibatches && c->target_kl > 0 &&
                    epoch_kl[0] / epoch_kl[1] > c->target_kl)
                    ctrl = CTRL_STOP_EPOCHS;
                t->pbuf[t->np] = (float)ctrl;
            }
            COLLECTIVE(comm_publish_floats(t->pbuf + lo_p, t->np - lo_p + 1, 0));
            ctrl = (int)t->pbuf[t->np];
        }
    }
    if (ctrl == CTRL_ABORT)
        return 1;
    if (t->natural) /* the value loss of the fit, over as many samples as the policy's */
        acc.v_loss = vacc.n > 0 ? vacc.v_loss / vacc.n * acc.n : 0.0;

    /* summaries and observation statistics to the learner */
    const int slen = N_SUMMARY + 2 * METRICS_WINDOW + t->stats_len;
    /* the learner's verdict: how to go on, checkpoint, ppo-kl's beta for the next one */
    double control[3] = {CTRL_CONTINUE, 0, t->kl_beta};
    actor_summary(t);
    COLLECTIVE(comm_gather_doubles(t->gathered, t->summary, slen, 0));
    if (t->is_learner) {
        RowSums f = {0};
        double steps_done = 0;
        for (int r = 0; r < t->size; r++)
            if (t->size == 1 || r > 0) /* the learner holds no data */
                steps_done += take_summary(t, t->gathered + (size_t)r * slen, &f);
        *env_steps += (int64_t)steps_done;
        if (t->adaptive_kl) {
            extra.kl = f.kl_n > 0 ? f.kl_sum / f.kl_n : NAN;
            extra.beta = t->kl_beta;
            control[2] = loss_kl_beta_update(t->kl_beta, extra.kl, c->kl_target);
        }
        if (write_row(t, it + 1, *env_steps, clock_now() - t_start, lr, &acc, &f, &extra) != 0)
            control[0] = CTRL_ABORT;
        /* a stop signal at any rank: checkpoint and stop after this iteration */
        int sig = signals_pending() != 0;
        for (int r = 0; r < t->size; r++)
            sig |= t->gathered[(size_t)r * slen + S_SIGNAL] != 0;
        if (sig && control[0] == CTRL_CONTINUE)
            control[0] = CTRL_STOP_EPOCHS;
        const int every = c->checkpoint_every;
        control[1] = control[0] != CTRL_ABORT &&
                     ((every > 0 && (it + 1) % every == 0) || it + 1 == iters || sig);
    }
    COLLECTIVE(comm_bcast_doubles(control, 3, 0));
    t->kl_beta = control[2];
    t->loss.kl_beta = t->kl_beta;
    if (c->norm_obs || c->norm_reward) {
        norm_pack(t, &t->global, &t->ret_global, t->nbuf);
        COLLECTIVE(comm_bcast_doubles(t->nbuf, t->stats_len, 0));
        norm_unpack(t, t->nbuf);
        norm_refresh(t);
    }
    if (control[0] == CTRL_ABORT)
        return 1;
    if (control[1] != 0 && trainer_checkpoint(t, it + 1, *env_steps, 0, 1) != 0)
        return 1;
    return control[0] == CTRL_STOP_EPOCHS ? ITERATION_STOPPED : 0;
}

/* ---- asynchronous mode ---- */

/* the message layout of this run (msg.h) */
static MsgLayout layout(const Trainer *t)
{
    return msg_layout(t->np, N_SUMMARY + 2 * METRICS_WINDOW + t->stats_len, t->stats_len);
}

/* Actor: roll out, send gradients one by one, adopt each answer; until told to stop.
 * Returns 0, or 1 if the learner aborted or this actor failed. */
static int actor_async(Trainer *t, unsigned char *out, unsigned char *in)
{
    const Config *c = t->cfg;
    const MsgLayout l = layout(t);
    const int n = c->rollout * c->num_envs;
    MsgHeader *ho = (MsgHeader *)out;
    const MsgHeader *hi = (const MsgHeader *)in;
    int64_t version = 0;
    for (;;) {
        rstats_reset(&t->raw);
        rstats_reset(&t->ret_raw);
        int bad =
            rollout_collect(&t->ro, &t->venv, t->w, &t->m, t->pbuf, c->norm_obs ? &t->norm : NULL,
                            c->norm_obs ? &t->raw : NULL, c->norm_reward ? &t->rn : NULL,
                            &t->rng_policy, c->gamma, t->lambda) != 0;
        if (bad)
            fprintf(stderr, "mpirl: rank %d: %s\n", t->rank,
                    t->venv.err[0] ? t->venv.err
                                   : "the advantages are not finite (a reward or value is NaN "
                                     "or infinite)");
        actor_summary(t);
        for (int i = 0; i < n; i++)
            t->perm[i] = i;
        int first = 1;
        for (int ep = 0; ep < t->epochs; ep++) {
            double kl = 0, kl_n = 0;
            rng_shuffle(&t->rng_shuffle, t->perm, n);
            for (int mb = 0; mb < t->minibatches; mb++) {
                const int lo = (int)((long)mb * n / t->minibatches);
                const int hi_ = (int)((long)(mb + 1) * n / t->minibatches);
                actor_gradient(t, lo, hi_); /* t->msg: count-weighted gradient, extras */
                const float cnt = t->msg[t->np + X_COUNT];
                vec_scale(t->msg, 1.0f / cnt, t->np); /* the mean gradient */
                kl += t->msg[t->np + X_APPROX_KL];
                kl_n += cnt;
                ho->flags = (first ? FLAG_SUMMARY : 0) |
                            (bad || t->msg[t->np + X_BAD] > 0 ? FLAG_BAD : 0) |
                            (signals_pending() ? FLAG_SIGNAL : 0);
                ho->kind = MSG_GRAD;
                ho->version = version;
                memcpy(out + l.grad, t->msg, ((size_t)t->np + N_EXTRA) * sizeof(float));
                /* the rollout's summary rides on its first gradient only */
                if (first)
                    memcpy(out + l.summary, t->summary, (size_t)(l.grad_len - l.summary));
                const long len = first ? l.grad_len : l.summary;
                first = 0;
                if (comm_send(out, len, 0, TAG_GRAD) != 0 ||
                    comm_recv(in, l.params_len, 0, TAG_PARAMS, NULL) != 0)
                    return 1;
                version = hi->version;
                memcpy(t->pbuf, in + l.params, (size_t)t->np * sizeof(float));
                norm_unpack(t, (const double *)(in + l.stats));
                if (hi->flags != CTRL_CONTINUE)
                    return hi->flags == CTRL_ABORT ? 1 : 0;
            }
            /* early stop of this actor's epochs on its own KL estimate */
            if (c->target_kl > 0 && kl / kl_n > c->target_kl)
                break;
        }
        norm_refresh(t);
    }
}

/* Learner: apply gradients as they arrive, answer each sender; counters start at the
 * given values (0, or a checkpoint's). out holds size answer buffers of
 * layout().params_len bytes, one per rank. */
static int learner_async(Trainer *t, unsigned char *in, unsigned char *out, int64_t it,
                         int64_t env_steps, int64_t version)
{
    const Config *c = t->cfg;
    const MsgLayout l = layout(t);
    const int64_t per_row = (int64_t)t->n_actors * c->num_envs * c->rollout;
    const double t0 = clock_now();
    const MsgHeader *hi = (const MsgHeader *)in;
    int64_t next_row = env_steps + per_row;
    int active = t->n_actors, ctrl_all = CTRL_CONTINUE, rc = 0;
    StepStats acc = {0};
    RowSums f = {0};
    while (active > 0) {
        int src = 0;
        if (comm_recv_any_idle(in, l.grad_len, TAG_GRAD, &src, NULL) != 0)
            return 1;
        const float *g = (const float *)(in + l.grad);
        if (hi->kind != MSG_GRAD) { /* only a program of another build could send this */
            fprintf(stderr, "mpirl: rank %d sent a message of kind %d, not a gradient\n", src,
                    (int)hi->kind);
            return 1;
        }
        if (hi->flags & FLAG_SUMMARY)
            env_steps += (int64_t)take_summary(t, (const double *)(in + l.summary), &f);
        const double staleness = (double)(version - hi->version);
        f.st_sum += staleness;
        f.st_n += 1;
        if (staleness > f.st_max)
            f.st_max = staleness;
        count_staleness(t, version - hi->version);
        if (hi->flags & FLAG_BAD) {
            if (ctrl_all != CTRL_ABORT)
                report_stop(t, "rank %d sent a non-finite loss at version %lld", src,
                            (long long)hi->version);
            ctrl_all = CTRL_ABORT;
            rc = 1;
        } else if (c->max_staleness > 0 && staleness > c->max_staleness) {
            f.dropped++;
        } else if (ctrl_all != CTRL_ABORT) {
            memcpy(t->msg, g, ((size_t)t->np + N_EXTRA) * sizeof(float));
            if (apply_gradient(t, lr_at(c, (double)env_steps, (double)c->steps), &acc) != 0) {
                report_stop(t, "the gradient from rank %d is not finite", src);
                ctrl_all = CTRL_ABORT;
                rc = 1;
            } else {
                version++;
            }
        }
        if (ctrl_all == CTRL_CONTINUE &&
            (env_steps >= c->steps || signals_pending() || (hi->flags & FLAG_SIGNAL)))
            ctrl_all = CTRL_STOP_EPOCHS;
        /* one answer buffer per actor: the send completes while the learner goes on, and
         * the actor has received it before it sends its next gradient */
        unsigned char *ans = out + (size_t)src * (size_t)l.params_len;
        MsgHeader *ho = (MsgHeader *)ans;
        ho->flags = ctrl_all;
        ho->kind = MSG_PARAMS;
        ho->version = version;
        memcpy(ans + l.params, t->pbuf, (size_t)t->np * sizeof(float));
        norm_pack(t, &t->global, &t->ret_global, (double *)(ans + l.stats));
        if (comm_post_send(ans, l.params_len, src, TAG_PARAMS) != 0)
            return 1;
        if (ctrl_all != CTRL_CONTINUE)
            active--;
        if (env_steps >= next_row || active == 0) {
            next_row += per_row;
            const double lr = lr_at(c, (double)env_steps, (double)c->steps);
            if (write_row(t, ++it, env_steps, clock_now() - t0, lr, &acc, &f, &NO_EXTRA) != 0) {
                rc = 1; /* keep answering so that every actor stops */
                if (ctrl_all == CTRL_CONTINUE)
                    ctrl_all = CTRL_ABORT;
            }
            acc = (StepStats){0};
            f = (RowSums){0};
            const int every = c->checkpoint_every;
            if (active > 0 && ctrl_all != CTRL_ABORT && every > 0 && it % every == 0 &&
                trainer_checkpoint(t, it, env_steps, version, 0) != 0)
                ctrl_all = CTRL_ABORT, rc = 1;
        }
    }
    if (comm_flush_sends() != 0)
        return 1;
    /* the final state; every actor has stopped */
    if (rc == 0 && trainer_checkpoint(t, it, env_steps, version, 0) != 0)
        rc = 1;
    return rc;
}

int train_run(const Config *cfg, const EnvSpec *spec, const char *dir, const char *resume)
{
    Trainer t;
    memset(&t, 0, sizeof t);
    char err[512];
    /* set-up can fail on any rank (memory, an environment that does not open): every
     * rank learns of it before the first collective, and all stop together */
    int set_up = 1;
    if (fault_at("signals-install") || signals_install() != 0) {
        fprintf(stderr, "mpirl: rank %d: cannot install the SIGINT/SIGTERM handlers: %s\n",
                comm_rank(), strerror(errno ? errno : EINVAL));
        set_up = 0;
    } else if (trainer_init(&t, cfg, spec, dir, err, sizeof err) != 0) {
        fprintf(stderr, "mpirl: rank %d: %s\n", comm_rank(), err);
        set_up = 0;
    }
    if (comm_agree(&set_up) != 0 || !set_up) {
        trainer_free(&t);
        return 1;
    }
    int64_t it0 = 0, env_steps = 0, version = 0;
    int rc = 0;
    if (resume) {
        int r = trainer_restore(&t, resume, &it0, &env_steps, &version);
        rc = r == 0 ? 0 : (r == 2 ? 2 : 1);
        /* an actor whose state did not load stops everyone */
        int fine = rc == 0;
        if (comm_agree(&fine) != 0 || (!fine && rc == 0))
            rc = 1;
    }
    /* the learner opens metrics.csv (on resume: keeping the rows up to the checkpoint)
     * and tells everyone whether that worked */
    double ok[1] = {1};
    if (rc == 0 && t.is_learner) {
        /* in place only on a terminal of our own: under mpirun stdout is a pty even
         * when mpirun's output goes to a file, so ranks print plain lines there */
        const int progress = cfg->quiet ? 0 : (t.size == 1 && isatty(1) ? 2 : 1);
        const int async = t.mode == MODE_ASYNC;
        if (metrics_open(&t.mt, dir, progress, resume ? it0 : -1, async, err, sizeof err) != 0) {
            fprintf(stderr, "mpirl train: %s\n", err);
            ok[0] = 0;
        }
    }
    if (rc == 0 && (comm_bcast_doubles(ok, 1, 0) != 0 || ok[0] != 1))
        rc = 1;
    if (rc == 0 && comm_bcast_floats(t.pbuf, t.np, 0) != 0)
        rc = 1;
    t.steps0 = env_steps;
    const int64_t per_iter = (int64_t)t.n_actors * cfg->num_envs * cfg->rollout;
    const int64_t iters = (cfg->steps + per_iter - 1) / per_iter;
    comm_take_seconds(); /* start the accounts with training */
    comm_take_idle_seconds();
    const double t0 = clock_now();
    if (rc == 0 && t.mode == MODE_ASYNC) {
        const MsgLayout l = layout(&t);
        /* the learner keeps an answer buffer per rank (see learner_async) */
        const size_t answers = t.is_learner ? (size_t)t.size : 1;
        unsigned char *a = malloc((size_t)l.grad_len), *b = malloc(answers * (size_t)l.params_len);
        if (!a || !b) {
            fprintf(stderr, "mpirl: rank %d: out of memory\n", t.rank);
            rc = 1;
        } else {
            rc = t.is_learner ? learner_async(&t, a, b, it0, env_steps, version)
                              : actor_async(&t, a, b);
        }
        free(a);
        free(b);
    } else {
        for (int64_t it = it0; it < iters && rc == 0; it++) {
            int r = iteration(&t, it, iters, &env_steps, t0);
            if (r == ITERATION_STOPPED)
                break;
            rc = r == 0 ? 0 : 1;
        }
    }
    if (t.is_learner)
        metrics_close(&t.mt);
    trainer_free(&t);
    return rc;
}
