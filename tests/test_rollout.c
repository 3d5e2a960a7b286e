/* test_rollout.c - reward normalisation (rollout.h's RewardNorm) on a real vector of
 * environments: CartPole-v1 pays 1 per step, so every discounted return is known in
 * closed form, G_k = (1 - gamma^k) / (1 - gamma) after k steps of an episode. And a
 * rollout cut by its after_step hook (--preempt) is exactly a shorter rollout. And group
 * rollouts (GRPO, RLOO): members start alike, groups apart, every member's episode is
 * whole, the samples are exactly the members' steps, and the advantages are those of
 * the group's returns.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <string.h>

#include "builtin.h"
#include "group.h"
#include "rollout.h"
#include "rstats.h"
#include "testutil.h"
#include "vecenv.h"

START_TEST(test_reward_norm)
{
    enum { E = 3, STEPS = 400 };
    VecEnv v;
    char err[256];
    ck_assert(vecenv_init(&v, &env_cartpole_v1, E, 0, 9, 0, err, sizeof err) == 0);
    RunningStats raw;
    ck_assert(rstats_init(&raw, 1) == 0);
    double acc[E] = {0}, gamma = 0.9;
    RewardNorm rn = {.acc = acc, .gamma = gamma, .std = 4.0, .clip = 10.0, .raw = &raw};
    float rew[E], act[E];
    double g[E];
    int len[E] = {0};
    double sum = 0, sq = 0;
    long n = 0, ends = 0;
    for (int t = 0; t < STEPS; t++) {
        for (int e = 0; e < E; e++)
            act[e] = (float)((t + e) % 2);
        ck_assert_int_eq(vecenv_step(&v, act), 0);
        reward_norm_apply(&rn, rew, g, &v);
        for (int e = 0; e < E; e++) {
            len[e]++;
            const double want = (1 - pow(gamma, len[e])) / (1 - gamma); /* G after len steps */
            ck_assert_msg(fabs(g[e] - want) < 1e-12, "G %.17g, want %.17g", g[e], want);
            ck_assert(rew[e] == 0.25f); /* 1 / std */
            sum += want, sq += want * want, n++;
            if (v.terminated[e] || v.truncated[e]) { /* G restarts with the next episode */
                ck_assert(acc[e] == 0.0);
                len[e] = 0;
                ends++;
            } else {
                ck_assert(fabs(acc[e] - want) < 1e-12);
            }
        }
    }
    ck_assert(ends > 10);
    /* the statistics of G are those of every G produced */
    ck_assert(rstats_count(&raw) == (double)n);
    double var;
    rstats_var(&raw, &var);
    ck_assert(fabs(rstats_mean(&raw)[0] - sum / n) < 1e-9);
    ck_assert(fabs(var - (sq / n - (sum / n) * (sum / n))) < 1e-9);
    /* clipping */
    rn.std = 0.01;
    rn.clip = 3.0;
    ck_assert_int_eq(vecenv_step(&v, act), 0);
    reward_norm_apply(&rn, rew, g, &v);
    for (int e = 0; e < E; e++)
        ck_assert(rew[e] == 3.0f);
    rstats_free(&raw);
    vecenv_free(&v);
}
END_TEST

static int stop_at_5(void *ctx, int steps)
{
    int *calls = ctx;
    ck_assert_int_eq(steps, ++*calls); /* after every step but the last, in order */
    return steps == 5;
}

/* A rollout of T = 16 cut after 5 steps equals a rollout of T = 5 from the same state:
 * the same samples, GAE bootstrapped from the observation after step 5 (as at a
 * rollout's end), the same environment state and generator afterwards. */
/* a CartPole policy of one hidden layer of 8, orthogonally initialised (seed 3); the
 * parameters are the caller's to free */
static float *small_policy(Model *m)
{
    const ModelConfig mc = {.obs_dim = 4,
                            .dist = DIST_CATEGORICAL,
                            .act_n = 2,
                            .pi_hidden = {8},
                            .pi_n_hidden = 1,
                            .vf_hidden = {8},
                            .vf_n_hidden = 1,
                            .act = ACT_TANH};
    char err[256];
    ck_assert_int_eq(model_init(m, &mc, err, sizeof err), 0);
    float *params = malloc((size_t)m->n_params * sizeof(float));
    Rng init;
    rng_seed(&init, 3, 0);
    ck_assert_int_eq(model_init_params(m, params, &init), 0);
    return params;
}

START_TEST(test_cut_rollout)
{
    enum { E = 3, T = 16, CUT = 5 };
    char err[256];
    Model m;
    float *params = small_policy(&m);
    ModelWork *w = model_work_create(&m, E);
    Rollout full, cut;
    ck_assert_int_eq(rollout_init(&cut, &m, T, E), 0);
    ck_assert_int_eq(rollout_init(&full, &m, CUT, E), 0);
    VecEnv va, vb;
    ck_assert(vecenv_init(&va, &env_cartpole_v1, E, 0, 4, 0, err, sizeof err) == 0);
    ck_assert(vecenv_init(&vb, &env_cartpole_v1, E, 0, 4, 0, err, sizeof err) == 0);
    Rng ra, rb;
    rng_seed(&ra, 5, 1);
    rng_seed(&rb, 5, 1);
    int calls = 0;
    cut.after_step = stop_at_5;
    cut.after_step_ctx = &calls;
    ck_assert_int_eq(rollout_collect(&cut, &va, w, &m, params, NULL, NULL, NULL, &ra, 0.99, 0.95),
                     0);
    ck_assert_int_eq(rollout_collect(&full, &vb, w, &m, params, NULL, NULL, NULL, &rb, 0.99, 0.95),
                     0);
    ck_assert_int_eq(calls, CUT);
    ck_assert_int_eq(cut.steps, CUT);
    ck_assert_int_eq(rollout_samples(&cut), CUT * E);
    const size_t n = (size_t)CUT * E;
    ck_assert(memcmp(cut.obs, full.obs, n * 4 * sizeof(float)) == 0);
    ck_assert(memcmp(cut.act, full.act, n * sizeof(float)) == 0);
    ck_assert(memcmp(cut.logp, full.logp, n * sizeof(float)) == 0);
    ck_assert(memcmp(cut.adv, full.adv, n * sizeof(float)) == 0);
    ck_assert(memcmp(cut.ret, full.ret, n * sizeof(float)) == 0);
    ck_assert(memcmp(cut.last_val, full.last_val, E * sizeof(float)) == 0);
    ck_assert(memcmp(&ra, &rb, sizeof ra) == 0);
    ck_assert(memcmp(va.obs, vb.obs, (size_t)E * 4 * sizeof(float)) == 0);
    /* the last step's advantage bootstraps from V(next observation), not from 0 */
    int nonzero = 0;
    for (int e = 0; e < E; e++)
        nonzero |= cut.last_val[e] != 0.0f;
    ck_assert(nonzero);
    vecenv_free(&va);
    vecenv_free(&vb);
    rollout_free(&cut);
    rollout_free(&full);
    model_work_destroy(&w);
    free(params);
}
END_TEST

/* the first observation of every member, as CartPole returns it (obs in [-0.05, 0.05]) */
static void first_obs(float *out, const Rollout *r)
{
    memcpy(out, r->obs, (size_t)r->E * 4 * sizeof(float)); /* rows 0..E-1: step 0 of each */
}

START_TEST(test_group_rollout)
{
    enum { G = 4, GROUPS = 3, E = G * GROUPS };
    char err[256];
    Model m;
    float *params = small_policy(&m);
    ModelWork *w = model_work_create(&m, E);
    VecEnv v;
    ck_assert(vecenv_init(&v, &env_cartpole_v1, E, 0, 4, 0, err, sizeof err) == 0);
    Rollout r;
    ck_assert_int_eq(rollout_init(&r, &m, v.max_steps, E), 0);
    RunningStats raw;
    ck_assert(rstats_init(&raw, 4) == 0);
    Rng rng;
    rng_seed(&rng, 5, 1);
    float before[E * 4], now[E * 4];
    for (int call = 0; call < 3; call++) {
        const int kind = call == 2 ? GROUP_RLOO : GROUP_GRPO;
        rstats_reset(&raw);
        ck_assert_int_eq(
            rollout_collect_groups(&r, &v, w, &m, params, NULL, &raw, &rng, G, kind, NULL, 0.99),
            0);
        first_obs(now, &r);
        for (int g = 0; g < GROUPS; g++) {
            for (int i = 1; i < G; i++) /* one start per group */
                ck_assert(memcmp(now + (g * G + i) * 4, now + g * G * 4, 4 * sizeof(float)) == 0);
            if (g > 0) /* and the groups apart */
                ck_assert(memcmp(now + g * G * 4, now, 4 * sizeof(float)) != 0);
        }
        if (call > 0) /* a new start every iteration */
            ck_assert(memcmp(now, before, sizeof now) != 0);
        memcpy(before, now, sizeof now);
        /* every member's one whole episode, its steps the samples */
        ck_assert_int_eq(r.n_episodes, E);
        long steps = 0;
        int longest = 0;
        for (int e = 0; e < E; e++) {
            steps += r.member_len[e];
            longest = r.member_len[e] > longest ? r.member_len[e] : longest;
            ck_assert(r.member_ret[e] == (double)r.member_len[e]); /* 1 per step */
        }
        ck_assert_int_eq(rollout_samples(&r), (int)steps);
        ck_assert_int_eq(r.steps, longest);
        ck_assert(rstats_count(&raw) == (double)steps); /* the samples' observations only */
        /* the members' streams differ: some group's members part ways */
        int apart = 0;
        for (int g = 0; g < GROUPS; g++)
            for (int i = 1; i < G; i++)
                apart |= r.member_len[g * G + i] != r.member_len[g * G];
        ck_assert(apart);
        /* the advantages, recomputed from the lengths; each sample carries its member's:
         * the compacted rows are step-major, member order within a step */
        double adv[E];
        for (int g = 0; g < GROUPS; g++) {
            double mean = 0, ss = 0;
            for (int i = 0; i < G; i++)
                mean += r.member_len[g * G + i] / (double)G;
            for (int i = 0; i < G; i++)
                ss += (r.member_len[g * G + i] - mean) * (r.member_len[g * G + i] - mean);
            for (int i = 0; i < G; i++) {
                const double d = r.member_len[g * G + i] - mean;
                adv[g * G + i] =
                    kind == GROUP_RLOO ? d * G / (G - 1) : d / (sqrt(ss / (G - 1)) + 1e-8);
            }
        }
        int k = 0;
        for (int t = 0; t < r.steps; t++)
            for (int e = 0; e < E; e++) {
                if (t >= r.member_len[e])
                    continue;
                ck_assert_msg(fabs(r.adv[k] - adv[e]) <= 1e-6 * (1 + fabs(adv[e])),
                              "sample %d (step %d of member %d): advantage %g, want %g", k, t, e,
                              (double)r.adv[k], adv[e]);
                ck_assert(r.val[k] == 0.0f);
                /* the last sample of a member ends its episode, the others do not */
                ck_assert_int_eq(r.term[k] || r.trunc[k], t + 1 == r.member_len[e]);
                k++;
            }
        ck_assert_int_eq(k, rollout_samples(&r));
    }
    rstats_free(&raw);
    vecenv_free(&v);
    rollout_free(&r);
    model_work_destroy(&w);
    free(params);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {{"reward_norm", test_reward_norm},
                            {"cut_rollout", test_cut_rollout},
                            {"group_rollout", test_group_rollout}};
    return tu_run(tu_suite("rollout", cases, TU_COUNT(cases), 0));
}
