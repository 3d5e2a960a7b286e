/* actor.c - an actor's half of an iteration (see actor.h). */
#include "actor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "comm.h"
#include "loss.h"
#include "mat.h"
#include "signals.h"

int actor_init(Actor *a, const Run *r, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    const Config *cfg = r->cfg;
    const int T = cfg->rollout, E = cfg->num_envs, n = T * E, d = r->spec->obs_dim;
    const int mb = (n + r->minibatches - 1) / r->minibatches;
    if (vecenv_init(&a->venv, r->spec, E, 0, (uint64_t)cfg->seed, (uint32_t)r->rank, err, errlen) !=
        0)
        return -1;
    /* --ship experience sends the bootstrap observations too */
    const int ship = r->mode == MODE_ASYNC && strcmp(cfg->ship, "experience") == 0;
    if (rollout_init(&a->ro, &r->m, T, E) != 0 || (ship && rollout_keep_obs(&a->ro) != 0) ||
        rstats_init(&a->raw, d) != 0 || rstats_init(&a->ret_raw, 1) != 0 ||
        obsnorm_init(&a->norm, d, cfg->obs_clip) != 0)
        goto oom;
    a->rn = (RewardNorm){.acc = calloc((size_t)E, sizeof(double)),
                         .gamma = cfg->gamma,
                         .clip = cfg->reward_clip,
                         .raw = &a->ret_raw};
    if (!a->rn.acc)
        goto oom;
    if (straggle_parse(cfg->straggle, r->rank, r->size, &a->straggle, err, errlen) != 0)
        return -1;
    rng_seed(&a->rng_straggle, (uint64_t)cfg->seed,
             rng_stream_id((uint32_t)r->rank, STREAM_STRAGGLE));
    actor_norm_refresh(a, r);
    /* trpo, npg and ppo-kl also evaluate the whole batch at once */
    const int whole = r->natural || r->adaptive_kl ? n : 0;
    const int wb = mb > E ? mb : E;
    a->w = model_work_create(&r->m, whole > wb ? whole : wb);
    const int ad = dist_action_dim(&r->m.dist), dn = r->m.dist.n;
    a->perm = malloc((size_t)n * sizeof *a->perm);
    a->mb_obs = malloc((size_t)mb * d * sizeof(float));
    a->mb_act = malloc((size_t)mb * ad * sizeof(float));
    a->mb_adv = malloc((size_t)mb * sizeof(float));
    a->mb_ret = malloc((size_t)mb * sizeof(float));
    a->mb_logp = malloc((size_t)mb * sizeof(float));
    a->mb_val = malloc((size_t)mb * sizeof(float));
    a->mb_p = malloc((size_t)mb * dn * sizeof(float));
    if (!a->w || !a->perm || !a->mb_obs || !a->mb_act || !a->mb_adv || !a->mb_ret || !a->mb_logp ||
        !a->mb_val || !a->mb_p)
        goto oom;
    if (r->reference) {
        a->ref_params = malloc((size_t)r->np * sizeof(float));
        a->ref_logp = malloc((size_t)n * sizeof(float));
        a->mb_ref = malloc((size_t)mb * sizeof(float));
        if (!a->ref_params || !a->ref_logp || !a->mb_ref)
            goto oom;
    }
    if (r->natural) {
        a->adv_n = malloc((size_t)n * sizeof(float));
        a->fvp_obs = malloc((size_t)n * d * sizeof(float));
        if (!a->adv_n || !a->fvp_obs)
            goto oom;
    }
    rng_seed(&a->rng_policy, (uint64_t)cfg->seed, rng_stream_id((uint32_t)r->rank, STREAM_POLICY));
    rng_seed(&a->rng_shuffle, (uint64_t)cfg->seed,
             rng_stream_id((uint32_t)r->rank, STREAM_SHUFFLE));
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

void actor_free(Actor *a)
{
    vecenv_free(&a->venv);
    rollout_free(&a->ro);
    rstats_free(&a->raw);
    rstats_free(&a->ret_raw);
    obsnorm_free(&a->norm);
    free(a->rn.acc);
    model_work_destroy(&a->w);
    free(a->perm);
    free(a->mb_obs);
    free(a->mb_act);
    free(a->mb_adv);
    free(a->mb_ret);
    free(a->mb_logp);
    free(a->mb_val);
    free(a->mb_p);
    free(a->ref_params);
    free(a->ref_logp);
    free(a->mb_ref);
    free(a->adv_n);
    free(a->fvp_obs);
    memset(a, 0, sizeof *a);
}

void actor_norm_refresh(Actor *a, const Run *r)
{
    if (r->cfg->norm_obs)
        obsnorm_set(&a->norm, &r->global, 1e-8);
    double var = 1.0;
    if (rstats_count(&r->ret_global) > 0)
        rstats_var(&r->ret_global, &var);
    a->rn.std = sqrt(var + 1e-8);
}

/* A phase that began at t0 is done: its compute seconds into timer k, then the
 * --straggle delay in proportion to them (rollout: a pause may follow). */
static void slowed(Actor *a, int k, double t0, int rollout)
{
    const double d = clock_now() - t0;
    a->tm[k] += d;
    if (k != T_ROLLOUT)
        a->grads += 1;
    if (!straggle_active(&a->straggle))
        return;
    const double delay = straggle_delay(&a->straggle, d, rollout, &a->rng_straggle);
    straggle_sleep(delay);
    a->delay += delay;
}

/* After each rollout step: the --straggle delay owed for it (spread over the rollout, a
 * millisecond at least at a time), then with --preempt whether the learner has said
 * stop, once the minimum is collected. */
static int after_step(void *ctx, int steps)
{
    Actor *a = ctx;
    if (a->stretch > 1.0) {
        a->owed += (clock_now() - a->step_t0) * (a->stretch - 1.0);
        if (a->owed >= 1e-3) {
            straggle_sleep(a->owed);
            a->slept += a->owed;
            a->owed = 0;
        }
        a->step_t0 = clock_now();
    }
    return a->preempt_at > 0 && steps >= a->preempt_at && comm_recv_arrived() != 0;
}

/* --preempt: tell the learner the rollout is over (with its steps), then wait for its
 * word to stop, which the others' cut rollouts got already. 0 or -1 (MPI failure). */
static int preempt_done(Actor *a)
{
    const MsgHeader done = {.kind = MSG_PREEMPT, .version = a->ro.steps};
    return comm_send(&done, (long)sizeof done, 0, TAG_PREEMPT_DONE) != 0 || comm_recv_wait() != 0
               ? -1
               : 0;
}

/* grpo with kl_coef: the reference policy's log-probs of this rollout's samples. The
 * reference is the policy of the first iteration, renewed every ref_every iterations
 * (iteration counts from 1). An async actor counts its own rollouts, and its reference
 * starts afresh with the process: after a resume it is the resumed policy (async
 * checkpoints hold the learner's state alone). */
static void reference_logp(Actor *a, const Run *r, int64_t iteration)
{
    const int every = r->cfg->ref_every;
    a->rollouts++;
    const int64_t k = iteration > 0 ? iteration : a->rollouts;
    if (!a->ref_set || (every > 0 && (k - 1) % every == 0)) {
        memcpy(a->ref_params, r->pbuf, (size_t)r->np * sizeof(float));
        a->ref_set = 1;
    }
    const Rollout *ro = &a->ro;
    const int n = rollout_samples(ro), E = ro->E;
    const float *logstd = model_logstd(&r->m, a->ref_params);
    for (int lo = 0; lo < n; lo += E) { /* in batches the workspace holds */
        const int b = n - lo < E ? n - lo : E;
        const float *p =
            model_policy(a->w, &r->m, a->ref_params, ro->obs + (size_t)lo * ro->obs_dim, b);
        dist_logp(a->ref_logp + lo, &r->m.dist, p, logstd, ro->act + (size_t)lo * ro->act_dim, b);
    }
}

int actor_rollout(Actor *a, const Run *r, int64_t iteration)
{
    const Config *c = r->cfg;
    const double t0 = clock_now();
    rstats_reset(&a->raw);
    rstats_reset(&a->ret_raw);
    double pause = 0;
    a->stretch = 1.0;
    if (straggle_active(&a->straggle))
        straggle_draw(&a->straggle, 1, &a->rng_straggle, &a->stretch, &pause);
    a->owed = a->slept = 0;
    a->step_t0 = t0;
    a->preempt_at = 0;
    if (c->preempt > 0 && r->mode == MODE_SYNC && !r->is_learner) {
        const int at = (int)ceil(c->preempt_min * c->rollout);
        a->preempt_at = at < 1 ? 1 : at;
        if (comm_post_recv(&a->preempt_msg, (long)sizeof a->preempt_msg, 0, TAG_PREEMPT_STOP) != 0)
            return 1;
    }
    a->ro.after_step = a->stretch > 1.0 || a->preempt_at > 0 ? after_step : NULL;
    a->ro.after_step_ctx = a;
    int failed =
        r->groups
            ? rollout_collect_groups(&a->ro, &a->venv, a->w, &r->m, r->pbuf,
                                     c->norm_obs ? &a->norm : NULL, c->norm_obs ? &a->raw : NULL,
                                     &a->rng_policy, r->group_size, r->group_kind,
                                     r->running ? r->baseline : NULL, c->gamma) != 0
            : rollout_collect(&a->ro, &a->venv, a->w, &r->m, r->pbuf, c->norm_obs ? &a->norm : NULL,
                              c->norm_obs ? &a->raw : NULL, c->norm_reward ? &a->rn : NULL,
                              &a->rng_policy, c->gamma, r->lambda) != 0;
    if (failed) {
        const char *why = a->venv.err[0] ? a->venv.err
                                         : "the advantages are not finite (a reward or value "
                                           "is NaN or infinite)";
        if (iteration > 0)
            fprintf(stderr, "mpirl: rank %d: iteration %lld: %s\n", r->rank, (long long)iteration,
                    why);
        else
            fprintf(stderr, "mpirl: rank %d: %s\n", r->rank, why);
    }
    const int n = rollout_samples(&a->ro);
    for (int i = 0; i < n; i++)
        a->perm[i] = i;
    if (r->reference && !failed)
        reference_logp(a, r, iteration);
    /* compute seconds without the sleeps; then the rest of the delay and the pause */
    const double now = clock_now();
    a->tm[T_ROLLOUT] += now - t0 - a->slept;
    const double rest = a->owed + (now - a->step_t0) * (a->stretch - 1.0) + pause;
    straggle_sleep(rest);
    a->delay += a->slept + (rest > 0 ? rest : 0);
    if (a->preempt_at > 0 && preempt_done(a) != 0)
        return 1;
    return failed;
}

/* Copy minibatch rows perm[lo..hi) of the rollout into the minibatch buffers (no value
 * targets for the critic-free algorithms). */
static Batch gather_minibatch(Actor *a, const Run *r, int lo, int hi)
{
    const Rollout *ro = &a->ro;
    const int d = ro->obs_dim, ad = ro->act_dim, dn = ro->dist_n;
    for (int k = lo; k < hi; k++) {
        const int i = a->perm[k], j = k - lo;
        memcpy(a->mb_obs + (size_t)j * d, ro->obs + (size_t)i * d, (size_t)d * sizeof(float));
        memcpy(a->mb_act + (size_t)j * ad, ro->act + (size_t)i * ad, (size_t)ad * sizeof(float));
        memcpy(a->mb_p + (size_t)j * dn, ro->pdist + (size_t)i * dn, (size_t)dn * sizeof(float));
        a->mb_adv[j] = ro->adv[i];
        a->mb_ret[j] = ro->ret[i];
        a->mb_logp[j] = ro->logp[i];
        a->mb_val[j] = ro->val[i];
        if (a->ref_logp)
            a->mb_ref[j] = a->ref_logp[i];
    }
    return (Batch){.n = hi - lo,
                   .obs = a->mb_obs,
                   .act = a->mb_act,
                   .adv = a->mb_adv,
                   .ret = r->groups ? NULL : a->mb_ret,
                   .old_logp = a->mb_logp,
                   .old_val = a->mb_val,
                   .old_p = a->mb_p,
                   .old_logstd = ro->logstd,
                   .ref_logp = a->ref_logp ? a->mb_ref : NULL};
}

void actor_gradient(Actor *a, const Run *r, int lo, int hi)
{
    const double t0 = clock_now();
    memset(r->msg, 0, ((size_t)r->np + N_EXTRA) * sizeof(float));
    Batch b = gather_minibatch(a, r, lo, hi);
    LossStats st;
    int bad = loss_compute(r->msg, &st, a->w, &r->m, r->pbuf, &b, &r->loss) != 0;
    const float n = (float)b.n;
    vec_scale(r->msg, n, r->np);
    float *x = r->msg + r->np;
    x[X_COUNT] = n;
    x[X_PI_LOSS] = (float)(st.pi_loss * n);
    x[X_V_LOSS] = (float)(st.v_loss * n);
    x[X_ENTROPY] = (float)(st.entropy * n);
    x[X_APPROX_KL] = (float)(st.approx_kl * n);
    x[X_CLIP_FRAC] = (float)(st.clip_frac * n);
    x[X_BAD] = bad ? 1.0f : 0.0f;
    slowed(a, T_GRADIENT, t0, 0);
}

void actor_value_gradient(Actor *a, const Run *r, int lo, int hi)
{
    const double t0 = clock_now();
    memset(r->msg, 0, ((size_t)r->np + N_EXTRA) * sizeof(float));
    const Batch b = gather_minibatch(a, r, lo, hi);
    /* the count-weighted mean gradient: d(0.5 sum e^2) / dV = e */
    const double s = loss_value_sum(r->msg, a->w, &r->m, r->pbuf, &b, 0.0, 1.0, 1.0);
    float *x = r->msg + r->np;
    x[X_COUNT] = (float)b.n;
    x[X_V_LOSS] = (float)(0.5 * s);
    x[X_BAD] = isfinite(s) ? 0.0f : 1.0f;
    slowed(a, T_VF, t0, 0);
}

void actor_summary(Actor *a, const Run *r, TrpoServer *ts)
{
    const Rollout *ro = &a->ro;
    double *s = r->summary;
    memset(s, 0, (N_SUMMARY + 2 * METRICS_WINDOW) * sizeof(double));
    s[S_SIGNAL] = signals_pending() != 0;
    const long n = rollout_samples(ro);
    s[S_STEPS] = (double)n;
    s[S_EPISODES] = ro->n_episodes;
    int first = ro->n_episodes > METRICS_WINDOW ? ro->n_episodes - METRICS_WINDOW : 0;
    s[S_SENT] = ro->n_episodes - first;
    for (int k = first; k < ro->n_episodes; k++) {
        s[N_SUMMARY + (k - first)] = ro->ep_return[k];
        s[N_SUMMARY + METRICS_WINDOW + (k - first)] = ro->ep_length[k];
    }
    for (long i = 0; i < n; i++) {
        double ret = ro->ret[i], res = (double)ro->ret[i] - ro->val[i];
        s[S_RET_SUM] += ret;
        s[S_RET_SQ] += ret * ret;
        s[S_RES_SUM] += res;
        s[S_RES_SQ] += res * res;
    }
    s[S_N] = (double)n;
    s[S_DELAY] = a->delay;
    s[S_GRADS] = a->grads;
    /* the learner's own MPI time is its metrics' comm_s */
    s[S_WAIT] = r->is_learner ? 0.0 : comm_take_seconds();
    a->delay = a->grads = 0;
    run_norm_pack(r, &a->raw, &a->ret_raw, a->ro.g_stats, s + N_SUMMARY + 2 * METRICS_WINDOW);
    if (r->adaptive_kl) { /* KL(old || new) over the whole batch at the new parameters */
        const Batch b = {.n = (int)n,
                         .obs = ro->obs,
                         .act = ro->act,
                         .adv = ro->adv,
                         .old_logp = ro->logp,
                         .old_p = ro->pdist,
                         .old_logstd = ro->logstd};
        const LossConfig lc = {.kind = LOSS_KL_PENALTY};
        LossStats st;
        loss_compute(NULL, &st, a->w, &r->m, r->pbuf, &b, &lc); /* NaN passes on */
        s[S_KL_SUM] = st.kl * (double)n;
        s[S_KL_N] = (double)n;
    }
    a->tm[T_CG] += ts->fvp_s;
    a->tm[T_LS] += ts->eval_s;
    ts->fvp_s = ts->eval_s = 0;
    for (int k = 0; k < N_TIMER; k++)
        s[S_TIME + k] = a->tm[k];
    memset(a->tm, 0, sizeof a->tm);
}

/* trpo, npg: advantages normalised over the whole batch (zero mean, Bessel std, as
 * loss.h normalises a minibatch; the surrogate, its gradient and the line search all
 * use these), and the Fisher subsample: fvp_subsample x n rows evenly spaced over the
 * batch (deterministic, so no random stream moves). */
static void natural_prepare(Actor *a, const Run *r, TrpoServer *ts)
{
    const Rollout *ro = &a->ro;
    const int n = rollout_samples(ro), d = ro->obs_dim;
    double mean, sd;
    loss_advantage_moments(ro->adv, n, &mean, &sd);
    for (int i = 0; i < n; i++)
        a->adv_n[i] =
            r->cfg->norm_adv ? (float)(((double)ro->adv[i] - mean) / (sd + 1e-8)) : ro->adv[i];
    int m = (int)ceil(r->cfg->fvp_subsample * n);
    m = m < 1 ? 1 : (m > n ? n : m);
    for (int k = 0; k < m; k++) {
        const long i = (long)k * n / m;
        memcpy(a->fvp_obs + (size_t)k * d, ro->obs + (size_t)i * d, (size_t)d * sizeof(float));
    }
    ts->w = a->w;
    ts->params = r->pbuf;
    ts->fvp_obs = a->fvp_obs;
    ts->fvp_n = m;
    ts->forward_valid = 0; /* new data, and the gradient runs in the same workspace */
    ts->batch = (Batch){.n = n,
                        .obs = ro->obs,
                        .act = ro->act,
                        .adv = a->adv_n,
                        .old_logp = ro->logp,
                        .old_p = ro->pdist,
                        .old_logstd = ro->logstd};
}

void actor_surrogate_gradient(Actor *a, const Run *r, TrpoServer *ts, int failed, float *g,
                              double d[4])
{
    const double t0 = clock_now();
    natural_prepare(a, r, ts);
    Batch b = ts->batch;
    b.ret = NULL;
    const LossConfig lc = {.kind = LOSS_KL_PENALTY, .kl_beta = 0.0, .norm_adv = 0};
    LossStats st = {0}; /* as it is when the rollout failed and nothing is computed */
    const int bad = failed || loss_compute(g, &st, a->w, &r->m, r->pbuf, &b, &lc) != 0;
    vec_scale(g, (float)b.n, r->npol);
    d[0] = -st.pi_loss * b.n;
    d[1] = st.entropy * b.n;
    d[2] = b.n;
    d[3] = bad;
    slowed(a, T_GRADIENT, t0, 0);
}

/* environments (vecenv_save), the reward normaliser's per-environment returns, then
 * the action-sampling and shuffling generators */
static size_t venv_size(const Run *r)
{
    return vecenv_save_size(r->spec, r->cfg->num_envs);
}

/* grpo's reference policy in the actor's state: the flag and the parameters */
static size_t ref_size(const Run *r)
{
    return r->reference ? sizeof(int64_t) * 2 + (size_t)r->np * sizeof(float) : 0;
}

size_t actor_state_size(const Run *r)
{
    return venv_size(r) + (size_t)r->cfg->num_envs * sizeof(double) + ref_size(r) + 2 * sizeof(Rng);
}

void actor_state_save(const Actor *a, const Run *r, unsigned char *buf)
{
    const size_t blob = actor_state_size(r);
    vecenv_save(&a->venv, buf);
    memcpy(buf + venv_size(r), a->rn.acc, (size_t)r->cfg->num_envs * sizeof(double));
    if (r->reference) {
        unsigned char *p = buf + venv_size(r) + (size_t)r->cfg->num_envs * sizeof(double);
        memcpy(p, &a->ref_set, sizeof(int64_t));
        memcpy(p + sizeof(int64_t), &a->rollouts, sizeof(int64_t));
        memcpy(p + 2 * sizeof(int64_t), a->ref_params, (size_t)r->np * sizeof(float));
    }
    memcpy(buf + blob - 2 * sizeof(Rng), &a->rng_policy, sizeof(Rng));
    memcpy(buf + blob - sizeof(Rng), &a->rng_shuffle, sizeof(Rng));
}

int actor_state_load(Actor *a, const Run *r, const unsigned char *buf)
{
    const size_t blob = actor_state_size(r);
    if (vecenv_load(&a->venv, buf, venv_size(r)) != 0)
        return -1;
    memcpy(a->rn.acc, buf + venv_size(r), (size_t)r->cfg->num_envs * sizeof(double));
    if (r->reference) {
        const unsigned char *p = buf + venv_size(r) + (size_t)r->cfg->num_envs * sizeof(double);
        memcpy(&a->ref_set, p, sizeof(int64_t));
        memcpy(&a->rollouts, p + sizeof(int64_t), sizeof(int64_t));
        if (a->ref_set != 0 && a->ref_set != 1)
            return -1;
        memcpy(a->ref_params, p + 2 * sizeof(int64_t), (size_t)r->np * sizeof(float));
    }
    memcpy(&a->rng_policy, buf + blob - 2 * sizeof(Rng), sizeof(Rng));
    memcpy(&a->rng_shuffle, buf + blob - sizeof(Rng), sizeof(Rng));
    return 0;
}
