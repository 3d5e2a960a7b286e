/* test_rollout.c - reward normalisation (rollout.h's RewardNorm) on a real vector of
 * environments: CartPole-v1 pays 1 per step, so every discounted return is known in
 * closed form, G_k = (1 - gamma^k) / (1 - gamma) after k steps of an episode. And a
 * rollout cut by its after_step hook (--preempt) is exactly a shorter rollout.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <string.h>

#include "builtin.h"
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
START_TEST(test_cut_rollout)
{
    enum { E = 3, T = 16, CUT = 5 };
    const ModelConfig mc = {.obs_dim = 4,
                            .dist = DIST_CATEGORICAL,
                            .act_n = 2,
                            .pi_hidden = {8},
                            .pi_n_hidden = 1,
                            .vf_hidden = {8},
                            .vf_n_hidden = 1,
                            .act = ACT_TANH};
    char err[256];
    Model m;
    ck_assert_int_eq(model_init(&m, &mc, err, sizeof err), 0);
    float *params = malloc((size_t)m.n_params * sizeof(float));
    Rng init;
    rng_seed(&init, 3, 0);
    ck_assert_int_eq(model_init_params(&m, params, &init), 0);
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

int main(void)
{
    const TuCase cases[] = {{"reward_norm", test_reward_norm}, {"cut_rollout", test_cut_rollout}};
    return tu_run(tu_suite("rollout", cases, TU_COUNT(cases), 0));
}
