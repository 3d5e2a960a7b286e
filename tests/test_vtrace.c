/* test_vtrace.c - V-trace (vtrace.h) against scripts/vtrace_golden.py's explicit sums
 * (tests/data/vtrace.txt): targets and advantages for data with terminations,
 * truncations and importance ratios on both sides of every clipping threshold, four
 * configurations. Tolerance: 2e-6 relative to max(1, |reference|), the float32 rounding
 * of the results (the sums run in double on both sides). On-policy data (ratios 1):
 * vs equals gae.h's GAE(lambda) return, and for lambda = 1 the n-step return
 * bootstrapped at the rollout's end, recomputed here as a plain discounted sum.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gae.h"
#include "testutil.h"
#include "vtrace.h"

typedef struct {
    Golden *g;
    int T, E;
    float *logp, *logp_mu, *rew, *val, *final_val, *last_val;
    uint8_t *term, *trunc;
} Data;

static float *floats(const Golden *g, const char *name, long n)
{
    float *x = malloc((size_t)n * sizeof *x);
    golden_to_float(x, golden_get(g, name, n), n);
    return x;
}

static uint8_t *flags(const Golden *g, const char *name, long n)
{
    const double *v = golden_get(g, name, n);
    uint8_t *x = malloc((size_t)n);
    for (long i = 0; i < n; i++)
        x[i] = v[i] != 0.0;
    return x;
}

static void data_load(Data *d)
{
    d->g = golden_load("vtrace.txt");
    const double *shape = golden_get(d->g, "shape", 2);
    d->T = (int)shape[0];
    d->E = (int)shape[1];
    const long n = (long)d->T * d->E;
    d->logp = floats(d->g, "logp", n);
    d->logp_mu = floats(d->g, "logp_mu", n);
    d->rew = floats(d->g, "rew", n);
    d->val = floats(d->g, "val", n);
    d->final_val = floats(d->g, "final_val", n);
    d->last_val = floats(d->g, "last_val", d->E);
    d->term = flags(d->g, "term", n);
    d->trunc = flags(d->g, "trunc", n);
}

static void data_free(Data *d)
{
    free(d->logp);
    free(d->logp_mu);
    free(d->rew);
    free(d->val);
    free(d->final_val);
    free(d->last_val);
    free(d->term);
    free(d->trunc);
    golden_free(d->g);
}

static double close_to(const float *got, const double *want, long n, const char *what)
{
    double worst = 0;
    for (long i = 0; i < n; i++) {
        const double err = fabs(got[i] - want[i]) / fmax(1.0, fabs(want[i]));
        ck_assert_msg(err < 2e-6, "%s[%ld]: %.9g, reference %.9g", what, i, got[i], want[i]);
        worst = fmax(worst, err);
    }
    return worst;
}

START_TEST(test_golden)
{
    static const char *const names[] = {"impala", "lambda", "clipped", "loose"};
    Data d;
    data_load(&d);
    const long n = (long)d.T * d.E;
    float *vs = malloc((size_t)n * sizeof *vs), *adv = malloc((size_t)n * sizeof *adv);
    int clipped_somewhere = 0;
    for (int k = 0; k < 4; k++) {
        char key[64];
        snprintf(key, sizeof key, "%s_cfg", names[k]);
        const double *c = golden_get(d.g, key, 5);
        const VtraceConfig cfg = {
            .gamma = c[0], .lambda = c[1], .rho_bar = c[2], .c_bar = c[3], .pg_rho_bar = c[4]};
        vtrace_compute(vs, adv, d.logp, d.logp_mu, d.rew, d.val, d.final_val, d.last_val, d.term,
                       d.trunc, d.T, d.E, &cfg);
        snprintf(key, sizeof key, "%s_vs", names[k]);
        const double e1 = close_to(vs, golden_get(d.g, key, n), n, key);
        snprintf(key, sizeof key, "%s_adv", names[k]);
        const double e2 = close_to(adv, golden_get(d.g, key, n), n, key);
        printf("vtrace %s: max relative difference vs %.2g, adv %.2g\n", names[k], e1, e2);
        for (long i = 0; i < n; i++)
            clipped_somewhere |= exp((double)d.logp[i] - d.logp_mu[i]) > cfg.rho_bar;
    }
    ck_assert_msg(clipped_somewhere, "the data must exercise the clipping");
    free(vs);
    free(adv);
    data_free(&d);
}
END_TEST

START_TEST(test_on_policy)
{
    Data d;
    data_load(&d);
    const int T = d.T, E = d.E;
    const long n = (long)T * E;
    float *vs = malloc((size_t)n * sizeof *vs), *adv = malloc((size_t)n * sizeof *adv);
    float *gadv = malloc((size_t)n * sizeof *gadv), *gret = malloc((size_t)n * sizeof *gret);
    for (int k = 0; k < 2; k++) {
        const double lambda = k == 0 ? 1.0 : 0.9, gamma = 0.97;
        const VtraceConfig cfg = {
            .gamma = gamma, .lambda = lambda, .rho_bar = 1.0, .c_bar = 1.0, .pg_rho_bar = 1.0};
        /* behaviour = target: every ratio is 1 */
        vtrace_compute(vs, adv, d.logp_mu, d.logp_mu, d.rew, d.val, d.final_val, d.last_val, d.term,
                       d.trunc, T, E, &cfg);
        gae_compute(gadv, gret, d.rew, d.val, d.last_val, d.final_val, d.term, d.trunc, T, E, gamma,
                    lambda);
        for (long i = 0; i < n; i++)
            ck_assert_msg(fabs(vs[i] - gret[i]) <= 2e-6 * fmax(1.0, fabs(gret[i])),
                          "lambda %g: vs[%ld] %.9g, GAE return %.9g", lambda, i, vs[i], gret[i]);
        if (lambda != 1.0)
            continue;
        /* n-step returns: rewards to the episode's or the rollout's end, then its bootstrap */
        for (int e = 0; e < E; e++)
            for (int s = 0; s < T; s++) {
                double g = 0, disc = 1;
                int t = s;
                for (;; t++) {
                    const long i = (long)t * E + e;
                    g += disc * d.rew[i];
                    disc *= gamma;
                    if (d.term[i])
                        break;
                    if (d.trunc[i]) {
                        g += disc * d.final_val[i];
                        break;
                    }
                    if (t == T - 1) {
                        g += disc * d.last_val[e];
                        break;
                    }
                }
                const long i = (long)s * E + e;
                ck_assert_msg(fabs(vs[i] - g) <= 2e-6 * fmax(1.0, fabs(g)),
                              "vs[%d, %d] %.9g, n-step return %.9g", s, e, vs[i], g);
                /* and the advantage is that return minus V */
                ck_assert_msg(fabs(adv[i] - (g - d.val[i])) <= 2e-6 * fmax(1.0, fabs(g)),
                              "adv[%d, %d] %.9g, want %.9g", s, e, adv[i], g - d.val[i]);
            }
    }
    free(vs);
    free(adv);
    free(gadv);
    free(gret);
    data_free(&d);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {{"golden", test_golden}, {"on_policy", test_on_policy}};
    return tu_run(tu_suite("vtrace", cases, TU_COUNT(cases), 0));
}
