/* rollout.c - collect a rollout and its advantages (see rollout.h). */
#include "rollout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "gae.h"
#include "group.h"

int rollout_init(Rollout *r, const Model *m, int T, int E)
{
    memset(r, 0, sizeof *r);
    if (T <= 0 || E <= 0)
        return -1;
    r->T = T;
    r->steps = T;
    r->E = E;
    r->obs_dim = m->obs_dim;
    r->act_dim = dist_action_dim(&m->dist);
    r->dist_n = m->dist.n;
    const size_t n = (size_t)T * (size_t)E;
    r->obs = malloc(n * (size_t)r->obs_dim * sizeof(float));
    r->act = malloc(n * (size_t)r->act_dim * sizeof(float));
    r->logp = malloc(n * sizeof(float));
    r->val = malloc(n * sizeof(float));
    r->pdist = malloc(n * (size_t)r->dist_n * sizeof(float));
    r->rew = malloc(n * sizeof(float));
    r->term = malloc(n);
    r->trunc = malloc(n);
    r->final_val = malloc(n * sizeof(float));
    r->last_val = malloc((size_t)E * sizeof(float));
    r->adv = malloc(n * sizeof(float));
    r->ret = malloc(n * sizeof(float));
    r->logstd = calloc((size_t)r->dist_n, sizeof(float));
    r->cap_episodes = (int)(n < 1024 ? 1024 : n); /* at most one episode per step */
    r->ep_return = malloc((size_t)r->cap_episodes * sizeof(double));
    r->ep_length = malloc((size_t)r->cap_episodes * sizeof(int));
    r->scratch_obs = malloc((size_t)E * (size_t)r->obs_dim * sizeof(float));
    r->scratch_obs64 = malloc((size_t)E * (size_t)r->obs_dim * sizeof(double));
    r->scratch_g = malloc((size_t)E * sizeof(double));
    r->member_ret = malloc((size_t)E * sizeof(double));
    r->member_adv = malloc((size_t)E * sizeof(double));
    r->member_len = malloc((size_t)E * sizeof(int));
    r->g_stats = calloc(2 * (size_t)T, sizeof(double));
    if (!r->member_ret || !r->member_adv || !r->member_len || !r->g_stats || !r->obs || !r->act ||
        !r->logp || !r->val || !r->pdist || !r->rew || !r->term || !r->trunc || !r->final_val ||
        !r->last_val || !r->adv || !r->ret || !r->logstd || !r->ep_return || !r->ep_length ||
        !r->scratch_obs || !r->scratch_obs64 || !r->scratch_g) {
        rollout_free(r);
        return -1;
    }
    return 0;
}

int rollout_keep_obs(Rollout *r)
{
    const size_t n = (size_t)r->T * (size_t)r->E;
    r->final_obs = calloc(n * (size_t)r->obs_dim, sizeof(float));
    r->last_obs = calloc((size_t)r->E * (size_t)r->obs_dim, sizeof(float));
    return r->final_obs && r->last_obs ? 0 : -1;
}

void rollout_free(Rollout *r)
{
    free(r->final_obs);
    free(r->last_obs);
    free(r->obs);
    free(r->act);
    free(r->logp);
    free(r->val);
    free(r->pdist);
    free(r->rew);
    free(r->term);
    free(r->trunc);
    free(r->final_val);
    free(r->last_val);
    free(r->adv);
    free(r->ret);
    free(r->logstd);
    free(r->ep_return);
    free(r->ep_length);
    free(r->scratch_obs);
    free(r->scratch_obs64);
    free(r->scratch_g);
    free(r->member_ret);
    free(r->member_adv);
    free(r->member_len);
    free(r->g_stats);
    memset(r, 0, sizeof *r);
}

const float *obs_view(float *out, const float *x, const double *x64, int n, const ObsNorm *norm)
{
    if (!norm)
        return x; /* x is x64's cast */
    if (x64 != NULL)
        obsnorm_apply64(norm, out, x64, n);
    else
        obsnorm_apply(norm, out, x, n);
    return out;
}

void reward_norm_apply(RewardNorm *rn, float *restrict rew, double *restrict g, const VecEnv *v)
{
    const int E = v->n;
    for (int e = 0; e < E; e++) {
        const double r = v->reward64[e];
        rn->acc[e] = rn->acc[e] * rn->gamma + r;
        g[e] = rn->acc[e];
        double x = r / rn->std;
        x = x < -rn->clip ? -rn->clip : x > rn->clip ? rn->clip : x;
        rew[e] = (float)x;
        if (v->terminated[e] || v->truncated[e])
            rn->acc[e] = 0.0;
    }
    if (rn->raw != NULL)
        rstats_update64(rn->raw, g, E);
}

int rollout_collect(Rollout *r, VecEnv *v, ModelWork *w, const Model *m, const float *params,
                    const ObsNorm *norm, RunningStats *raw_stats, RewardNorm *rn, Rng *rng,
                    double gamma, double lambda)
{
    const int E = r->E, od = r->obs_dim, ad = r->act_dim, dn = r->dist_n;
    int T = r->T;
    const float *logstd = model_logstd(m, params);
    if (logstd)
        memcpy(r->logstd, logstd, (size_t)dn * sizeof(float));
    r->n_episodes = 0;
    r->grouped = 0;
    for (int t = 0; t < T; t++) {
        const size_t row = (size_t)t * E;
        float *obs = r->obs + row * od;
        /* (E, obs_dim) the observation to act on, as the networks see it */
        if (raw_stats && v->obs64)
            rstats_update64(raw_stats, v->obs64, E);
        else if (raw_stats)
            rstats_update(raw_stats, v->obs, E);
        const float *view = obs_view(obs, v->obs, v->obs64, E, norm);
        if (view != obs)
            memcpy(obs, view, (size_t)E * od * sizeof(float));
        const float *pout = model_policy(w, m, params, obs, E);
        memcpy(r->pdist + row * dn, pout, (size_t)E * dn * sizeof(float));
        memcpy(r->val + row, model_value(w, m, params, obs, E), (size_t)E * sizeof(float));
        float *act = r->act + row * ad;
        dist_sample(act, &m->dist, r->pdist + row * dn, logstd, E, rng);
        dist_logp(r->logp + row, &m->dist, r->pdist + row * dn, logstd, act, E);
        if (vecenv_step(v, act) != 0)
            return -1;
        if (rn != NULL)
            reward_norm_apply(rn, r->rew + row, r->scratch_g, v);
        else
            memcpy(r->rew + row, v->reward, (size_t)E * sizeof(float));
        memcpy(r->term + row, v->terminated, (size_t)E);
        memcpy(r->trunc + row, v->truncated, (size_t)E);

        /* V(final observation) of the rows cut by the time limit, in one batch */
        int n_cut = 0;
        for (int e = 0; e < E; e++) {
            r->final_val[row + e] = 0.0f;
            if (!v->truncated[e] || v->terminated[e])
                continue;
            memcpy(r->scratch_obs + (size_t)n_cut * od, v->final_obs + (size_t)e * od,
                   (size_t)od * sizeof(float));
            if (v->final_obs64)
                memcpy(r->scratch_obs64 + (size_t)n_cut * od, v->final_obs64 + (size_t)e * od,
                       (size_t)od * sizeof(double));
            n_cut++;
        }
        if (n_cut > 0) {
            const float *fo = obs_view(r->scratch_obs, r->scratch_obs,
                                       v->final_obs64 ? r->scratch_obs64 : NULL, n_cut, norm);
            const float *fv = model_value(w, m, params, fo, n_cut);
            for (int e = 0, k = 0; e < E; e++) {
                if (!v->truncated[e] || v->terminated[e])
                    continue;
                if (r->final_obs)
                    memcpy(r->final_obs + (row + e) * od, fo + (size_t)k * od,
                           (size_t)od * sizeof(float));
                r->final_val[row + e] = fv[k++];
            }
        }
        for (int e = 0; e < E && v->n_done > 0; e++) {
            if ((v->terminated[e] || v->truncated[e]) && r->n_episodes < r->cap_episodes) {
                r->ep_return[r->n_episodes] = v->done_return[e];
                r->ep_length[r->n_episodes++] = v->done_len[e];
            }
        }
        if (r->after_step && t + 1 < T && r->after_step(r->after_step_ctx, t + 1))
            T = t + 1; /* the loop ends: a boundary like the rollout's end */
    }
    r->steps = T;
    const float *last = obs_view(r->scratch_obs, v->obs, v->obs64, E, norm);
    if (r->last_obs)
        memcpy(r->last_obs, last, (size_t)E * od * sizeof(float));
    memcpy(r->last_val, model_value(w, m, params, last, E), (size_t)E * sizeof(float));
    gae_compute(r->adv, r->ret, r->rew, r->val, r->last_val, r->final_val, r->term, r->trunc, T, E,
                gamma, lambda);
    for (size_t i = 0; i < (size_t)T * E; i++)
        if (!isfinite(r->adv[i]))
            return -1;
    return 0;
}

/* row i of the (T, E) buffers moved to row k (k <= i) */
static void move_row(Rollout *r, size_t k, size_t i)
{
    const size_t od = (size_t)r->obs_dim, ad = (size_t)r->act_dim, dn = (size_t)r->dist_n;
    memmove(r->obs + k * od, r->obs + i * od, od * sizeof(float));
    memmove(r->act + k * ad, r->act + i * ad, ad * sizeof(float));
    memmove(r->pdist + k * dn, r->pdist + i * dn, dn * sizeof(float));
    r->logp[k] = r->logp[i];
    r->rew[k] = r->rew[i];
    r->term[k] = r->term[i];
    r->trunc[k] = r->trunc[i];
}

int rollout_collect_groups(Rollout *r, VecEnv *v, ModelWork *w, const Model *m, const float *params,
                           const ObsNorm *norm, RunningStats *raw_stats, Rng *rng, int group_size,
                           int kind, const double *baseline, double gamma)
{
    const int E = r->E, od = r->obs_dim, ad = r->act_dim, dn = r->dist_n, T = r->T;
    const int groups = E / group_size;
    const float *logstd = model_logstd(m, params);
    if (logstd)
        memcpy(r->logstd, logstd, (size_t)dn * sizeof(float));
    r->n_episodes = 0;
    r->grouped = 1;
    for (int g = 0; g < groups; g++) {
        const int lead = g * group_size;
        vecenv_reset_env(v, lead);
        for (int i = 1; i < group_size; i++)
            if (vecenv_copy_env(v, lead + i, lead) != 0) {
                snprintf(v->err, sizeof v->err, "%s refused the state of its group's start",
                         v->spec->id);
                return -1;
            }
    }
    for (int e = 0; e < E; e++)
        r->member_len[e] = 0; /* 0: still running */
    int alive = E, t = 0;
    for (; t < T && alive > 0; t++) {
        const size_t row = (size_t)t * E;
        float *obs = r->obs + row * od;
        for (int e = 0; raw_stats && e < E; e++) {
            if (r->member_len[e] > 0)
                continue;
            if (v->obs64)
                rstats_update64(raw_stats, v->obs64 + (size_t)e * od, 1);
            else
                rstats_update(raw_stats, v->obs + (size_t)e * od, 1);
        }
        const float *view = obs_view(obs, v->obs, v->obs64, E, norm);
        if (view != obs)
            memcpy(obs, view, (size_t)E * od * sizeof(float));
        const float *pout = model_policy(w, m, params, obs, E);
        memcpy(r->pdist + row * dn, pout, (size_t)E * dn * sizeof(float));
        float *act = r->act + row * ad;
        dist_sample(act, &m->dist, r->pdist + row * dn, logstd, E, rng);
        dist_logp(r->logp + row, &m->dist, r->pdist + row * dn, logstd, act, E);
        if (vecenv_step(v, act) != 0)
            return -1;
        memcpy(r->rew + row, v->reward, (size_t)E * sizeof(float));
        memcpy(r->term + row, v->terminated, (size_t)E);
        memcpy(r->trunc + row, v->truncated, (size_t)E);
        for (int e = 0; e < E && v->n_done > 0; e++) {
            if (r->member_len[e] > 0 || !(v->terminated[e] || v->truncated[e]))
                continue;
            r->member_len[e] = t + 1;
            r->member_ret[e] = v->done_return[e];
            alive--;
            if (r->n_episodes < r->cap_episodes) {
                r->ep_return[r->n_episodes] = v->done_return[e];
                r->ep_length[r->n_episodes++] = v->done_len[e];
            }
        }
    }
    r->steps = t;
    if (baseline) { /* returns-to-go, backwards over each episode, and their sums per t */
        memset(r->g_stats, 0, 2 * (size_t)T * sizeof(double));
        for (int e = 0; e < E; e++) {
            double g = 0.0;
            for (int s = r->member_len[e] - 1; s >= 0; s--) {
                const size_t i = (size_t)s * E + (size_t)e;
                g = r->rew[i] + gamma * g;
                r->adv[i] = (float)(g - (baseline[T + s] > 0 ? baseline[s] : 0.0));
                r->ret[i] = (float)g;
                r->g_stats[s] += g;
                r->g_stats[T + s] += 1.0;
            }
        }
    } else {
        group_advantages(r->member_adv, r->member_ret, groups, group_size, (GroupAdvKind)kind,
                         1e-8);
    }
    /* compaction: the members' own steps, in step-major order (k <= i throughout) */
    size_t k = 0;
    for (int s = 0; s < t; s++)
        for (int e = 0; e < E; e++) {
            if (s >= r->member_len[e])
                continue;
            const size_t i = (size_t)s * E + (size_t)e;
            move_row(r, k, i);
            if (baseline) {
                r->adv[k] = r->adv[i];
                r->ret[k] = r->ret[i];
            } else {
                r->adv[k] = (float)r->member_adv[e];
                r->ret[k] = r->adv[k];
            }
            r->val[k] = 0.0f;
            k++;
        }
    r->n_kept = (int)k;
    for (size_t i = 0; i < k; i++)
        if (!isfinite(r->adv[i]))
            return -1;
    return 0;
}
