/* test_gae.c - unit tests of gae_compute against the direct definition
 * A_t = sum_l (gamma lambda)^l delta_{t+l} over the rest of the episode segment,
 * summed forwards in double (not the backward recurrence the library uses), plus a
 * hand-worked rollout and the lambda = 0 / lambda = 1 special forms.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gae.h"
#include "rng.h"
#include "testutil.h"

typedef struct {
    int T, E;
    float *rew, *val, *last_val, *final_val, *adv, *ret;
    uint8_t *term, *trunc;
} Rollout;

static Rollout rollout_random(int T, int E, double p_term, double p_trunc, Rng *r)
{
    Rollout o = {T, E, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    const long n = (long)T * E;
    o.rew = malloc(n * sizeof *o.rew);
    o.val = malloc(n * sizeof *o.val);
    o.final_val = malloc(n * sizeof *o.final_val);
    o.adv = malloc(n * sizeof *o.adv);
    o.ret = malloc(n * sizeof *o.ret);
    o.last_val = malloc(E * sizeof *o.last_val);
    o.term = malloc(n);
    o.trunc = malloc(n);
    ck_assert(o.rew && o.val && o.final_val && o.adv && o.ret && o.last_val && o.term && o.trunc);
    tu_fill_normal(o.rew, n, 1.0, r);
    tu_fill_uniform(o.val, n, -5.0, 5.0, r);
    tu_fill_uniform(o.final_val, n, -5.0, 5.0, r);
    tu_fill_uniform(o.last_val, E, -5.0, 5.0, r);
    for (long i = 0; i < n; i++) {
        o.term[i] = rng_uniform(r) < p_term;
        o.trunc[i] = rng_uniform(r) < p_trunc;
    }
    return o;
}

static void rollout_free(Rollout *o)
{
    free(o->rew);
    free(o->val);
    free(o->final_val);
    free(o->adv);
    free(o->ret);
    free(o->last_val);
    free(o->term);
    free(o->trunc);
}

/* TD error of step (t, e) straight from the definition in gae.h. */
static double td_error(const Rollout *o, int t, int e, double gamma)
{
    const long i = (long)t * o->E + e;
    double next;
    if (o->term[i])
        next = 0.0;
    else if (o->trunc[i])
        next = o->final_val[i];
    else if (t == o->T - 1)
        next = o->last_val[e];
    else
        next = o->val[i + o->E];
    return (double)o->rew[i] + gamma * next - (double)o->val[i];
}

/* A_t = sum_{l >= 0} (gamma lambda)^l delta_{t+l}, up to and including the first
 * step that ends the episode or the last step of the buffer. */
static double adv_direct(const Rollout *o, int t, int e, double gamma, double lambda)
{
    double a = 0.0, w = 1.0;
    for (int k = t; k < o->T; k++) {
        const long i = (long)k * o->E + e;
        a += w * td_error(o, k, e, gamma);
        if (o->term[i] || o->trunc[i])
            break;
        w *= gamma * lambda;
    }
    return a;
}

/* Compare gae_compute with adv_direct on every (t, e); return the max relative
 * difference (floor 1) over adv and ret. */
static double check_rollout(Rollout *o, double gamma, double lambda)
{
    const int T = o->T, E = o->E;
    gae_compute(o->adv, o->ret, o->rew, o->val, o->last_val, o->final_val, o->term, o->trunc, T, E,
                gamma, lambda);
    double worst = 0.0;
    for (int t = 0; t < T; t++)
        for (int e = 0; e < E; e++) {
            const long i = (long)t * E + e;
            const double a = adv_direct(o, t, e, gamma, lambda);
            const double r = a + (double)o->val[i];
            worst = fmax(worst, fabs(o->adv[i] - a) / fmax(fabs(a), 1.0));
            worst = fmax(worst, fabs(o->ret[i] - r) / fmax(fabs(r), 1.0));
        }
    return worst;
}

START_TEST(test_gae_hand)
{
    /* T = 3, E = 1, gamma = lambda = 0.5, terminated at t = 1:
     *   delta_2 = 3 + 0.5 * 2 - 1 = 3               A_2 = 3 (bootstrap from last_val)
     *   delta_1 = 2 + 0 - 0.25 = 1.75               A_1 = 1.75 (episode ends)
     *   delta_0 = 1 + 0.5 * 0.25 - 0.5 = 0.625      A_0 = 0.625 + 0.25 * 1.75 = 1.0625 */
    const float rew[3] = {1, 2, 3}, val[3] = {0.5f, 0.25f, 1}, last = 2;
    const uint8_t term[3] = {0, 1, 0}, trunc[3] = {0, 0, 0};
    float adv[3], ret[3];
    gae_compute(adv, ret, rew, val, &last, NULL, term, trunc, 3, 1, 0.5, 0.5);
    const float want_adv[3] = {1.0625f, 1.75f, 3.0f}, want_ret[3] = {1.5625f, 2.0f, 4.0f};
    printf("gae hand: max diff adv %.2e ret %.2e\n", tu_max_abs_diff(adv, want_adv, 3),
           tu_max_abs_diff(ret, want_ret, 3));
    ck_assert(tu_max_abs_diff(adv, want_adv, 3) < 1e-7);
    ck_assert(tu_max_abs_diff(ret, want_ret, 3) < 1e-7);

    /* same rollout truncated at t = 1 with V(final obs) = 4: delta_1 = 2 + 2 - 0.25 */
    const uint8_t trunc1[3] = {0, 1, 0}, none[3] = {0, 0, 0};
    const float fin[3] = {-100, 4, -100};
    gae_compute(adv, ret, rew, val, &last, fin, none, trunc1, 3, 1, 0.5, 0.5);
    const float want_tr[3] = {0.625f + 0.25f * 3.75f, 3.75f, 3.0f};
    ck_assert_msg(tu_max_abs_diff(adv, want_tr, 3) < 1e-7, "truncated: max diff %.2e",
                  tu_max_abs_diff(adv, want_tr, 3));

    /* both flags: termination wins, final_val is ignored */
    const uint8_t both[3] = {0, 1, 0};
    gae_compute(adv, ret, rew, val, &last, fin, both, trunc1, 3, 1, 0.5, 0.5);
    ck_assert_msg(tu_max_abs_diff(adv, want_adv, 3) < 1e-7, "terminated and truncated: %.2e",
                  tu_max_abs_diff(adv, want_adv, 3));

    /* no episode end: all three bootstrap through to last_val
     *   A_2 = 3, A_1 = 2 + 0.5 - 0.25 + 0.25 * 3 = 3, A_0 = 0.625 + 0.25 * 3 = 1.375 */
    gae_compute(adv, ret, rew, val, &last, NULL, none, none, 3, 1, 0.5, 0.5);
    const float want_open[3] = {1.375f, 3.0f, 3.0f};
    ck_assert_msg(tu_max_abs_diff(adv, want_open, 3) < 1e-7, "open episode: %.2e",
                  tu_max_abs_diff(adv, want_open, 3));
}
END_TEST

START_TEST(test_gae_direct_sum)
{
    Rng r;
    rng_seed(&r, 31, 0);
    const int Ts[5] = {1, 2, 5, 17, 64}, Es[4] = {1, 2, 3, 8};
    const double lambdas[4] = {0.0, 0.5, 0.95, 1.0}, gammas[2] = {0.99, 0.9};
    /* flag mixes: only terminations, only truncations, both (sometimes on the same
     * step), and none (every episode runs past the buffer) */
    const double pt[4] = {0.15, 0.0, 0.15, 0.0}, pc[4] = {0.0, 0.15, 0.15, 0.0};
    double worst = 0.0;
    int cases = 0;
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 4; b++)
            for (int f = 0; f < 4; f++)
                for (int l = 0; l < 4; l++)
                    for (int g = 0; g < 2; g++) {
                        Rollout o = rollout_random(Ts[a], Es[b], pt[f], pc[f], &r);
                        const double d = check_rollout(&o, gammas[g], lambdas[l]);
                        ck_assert_msg(d < 1e-6,
                                      "T=%d E=%d flags %d lambda=%g gamma=%g: max rel diff %.3e",
                                      Ts[a], Es[b], f, lambdas[l], gammas[g], d);
                        worst = fmax(worst, d);
                        cases++;
                        rollout_free(&o);
                    }
    printf("gae vs direct sum: %d rollouts, max rel diff %.2e\n", cases, worst);
}
END_TEST

START_TEST(test_gae_lambda_limits)
{
    Rng r;
    rng_seed(&r, 77, 0);
    Rollout o = rollout_random(40, 3, 0.1, 0.1, &r);
    const double gamma = 0.97;
    /* lambda = 0: A_t is the one-step TD error */
    gae_compute(o.adv, o.ret, o.rew, o.val, o.last_val, o.final_val, o.term, o.trunc, o.T, o.E,
                gamma, 0.0);
    double d0 = 0.0;
    for (int t = 0; t < o.T; t++)
        for (int e = 0; e < o.E; e++) {
            const double want = td_error(&o, t, e, gamma);
            d0 = fmax(d0, fabs(o.adv[t * o.E + e] - want) / fmax(fabs(want), 1.0));
        }
    /* lambda = 1: A_t = discounted reward sum to the segment end, plus the discounted
     * bootstrap value there, minus V_t (Monte Carlo return minus baseline) */
    gae_compute(o.adv, o.ret, o.rew, o.val, o.last_val, o.final_val, o.term, o.trunc, o.T, o.E,
                gamma, 1.0);
    double d1 = 0.0, dr = 0.0;
    for (int t = 0; t < o.T; t++)
        for (int e = 0; e < o.E; e++) {
            double g = 0.0, w = 1.0, boot = 0.0;
            int k = t;
            for (;; k++) {
                const long i = (long)k * o.E + e;
                g += w * o.rew[i];
                w *= gamma;
                if (o.term[i]) {
                    boot = 0.0;
                    break;
                }
                if (o.trunc[i]) {
                    boot = o.final_val[i];
                    break;
                }
                if (k == o.T - 1) {
                    boot = o.last_val[e];
                    break;
                }
            }
            const long i = (long)t * o.E + e;
            const double ret = g + w * boot, want = ret - o.val[i];
            d1 = fmax(d1, fabs(o.adv[i] - want) / fmax(fabs(want), 1.0));
            dr = fmax(dr, fabs(o.ret[i] - ret) / fmax(fabs(ret), 1.0));
        }
    printf("gae lambda=0 vs TD error: %.2e; lambda=1 vs MC: adv %.2e ret %.2e\n", d0, d1, dr);
    ck_assert_msg(d0 < 1e-6, "lambda = 0: max rel diff %.3e", d0);
    ck_assert_msg(d1 < 1e-5 && dr < 1e-5, "lambda = 1: max rel diff adv %.3e ret %.3e", d1, dr);

    /* ret = adv + val, to float rounding */
    float sum[120];
    for (int i = 0; i < 120; i++)
        sum[i] = (float)((double)o.adv[i] + (double)o.val[i]);
    const double drs = tu_max_rel_diff(o.ret, sum, 120, 1.0);
    ck_assert_msg(drs < 1e-6, "ret vs adv + val: %.3e", drs);
    rollout_free(&o);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"gae_hand", test_gae_hand},
        {"gae_direct_sum", test_gae_direct_sum},
        {"gae_lambda_limits", test_gae_lambda_limits},
    };
    return tu_run(tu_suite("gae", cases, TU_COUNT(cases), 0));
}
