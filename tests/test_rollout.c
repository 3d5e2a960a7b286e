/* test_rollout.c - reward normalisation (rollout.h's RewardNorm) on a real vector of
 * environments: CartPole-v1 pays 1 per step, so every discounted return is known in
 * closed form, G_k = (1 - gamma^k) / (1 - gamma) after k steps of an episode.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

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

int main(void)
{
    const TuCase cases[] = {{"reward_norm", test_reward_norm}};
    return tu_run(tu_suite("rollout", cases, TU_COUNT(cases), 0));
}
