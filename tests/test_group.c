/* test_group.c - group-relative advantages and the k3 KL estimator (group.h) against
 * PyTorch (tests/data/group.txt from scripts/group_golden.py: torch.std with Bessel's
 * correction, leave-one-out means by an explicit loop, k3's derivative by autograd),
 * and their properties: each group's advantages sum to 0, GRPO's have unit std, equal
 * returns give 0, a group of one gives 0, RLOO is G / (G - 1) Dr. GRPO, and k3's
 * derivative against central differences.
 *
 * Tolerance: relative 1e-12 (double throughout; only the order of the sums differs).
 */
#include <check.h>
#include <math.h>

#include "group.h"
#include "testutil.h"

#define G      6
#define GROUPS 5
#define TOL    1e-12

static void near(const double *got, const double *want, int n, const char *what)
{
    for (int i = 0; i < n; i++)
        ck_assert_msg(fabs(got[i] - want[i]) <= TOL * fmax(1.0, fabs(want[i])),
                      "%s[%d]: %.17g, PyTorch %.17g", what, i, got[i], want[i]);
}

START_TEST(advantages_match_torch)
{
    Golden *g = golden_load("group.txt");
    const double *ret = golden_get(g, "ret", G * GROUPS);
    double adv[G * GROUPS];
    const struct {
        const char *name;
        GroupAdvKind kind;
    } kinds[] = {{"grpo", GROUP_GRPO}, {"dr_grpo", GROUP_DR_GRPO}, {"rloo", GROUP_RLOO}};
    for (int k = 0; k < 3; k++) {
        group_advantages(adv, ret, GROUPS, G, kinds[k].kind, 1e-8);
        near(adv, golden_get(g, kinds[k].name, G * GROUPS), G * GROUPS, kinds[k].name);
    }
    for (int k = 0; k < 3; k++) { /* a group of one */
        double a1 = 1.0;
        group_advantages(&a1, golden_get(g, "ret1", 1), 1, 1, kinds[k].kind, 1e-8);
        near(&a1, golden_get(g, "rloo1", 1), 1, "group of one");
    }
    golden_free(g);
}
END_TEST

START_TEST(advantage_properties)
{
    Golden *g = golden_load("group.txt");
    const double *ret = golden_get(g, "ret", G * GROUPS);
    double grpo[G * GROUPS], dr[G * GROUPS], rloo[G * GROUPS];
    group_advantages(grpo, ret, GROUPS, G, GROUP_GRPO, 1e-8);
    group_advantages(dr, ret, GROUPS, G, GROUP_DR_GRPO, 1e-8);
    group_advantages(rloo, ret, GROUPS, G, GROUP_RLOO, 1e-8);
    for (int k = 0; k < GROUPS; k++) {
        double s = 0, ss = 0, s_dr = 0;
        for (int i = 0; i < G; i++) {
            const int j = k * G + i;
            s += grpo[j];
            ss += grpo[j] * grpo[j];
            s_dr += dr[j];
            ck_assert(fabs(rloo[j] - dr[j] * G / (G - 1)) <= 1e-12 * fmax(1, fabs(rloo[j])));
        }
        ck_assert(fabs(s) < 1e-12 && fabs(s_dr) < 1e-9);
        if (k == 2) /* equal returns */
            ck_assert(ss == 0.0);
        else
            /* unit variance but for eps: 1 - 2 eps / std */
            ck_assert_msg(fabs(ss / (G - 1) - 1.0) < 1e-7, "group %d: variance %.12g", k,
                          ss / (G - 1));
    }
    golden_free(g);
}
END_TEST

START_TEST(k3_matches_torch)
{
    Golden *g = golden_load("group.txt");
    const int n = (int)golden_count(g, "logp");
    const double *lp = golden_get(g, "logp", n), *ref = golden_get(g, "ref_logp", n);
    const double *k3 = golden_get(g, "k3", n), *dk3 = golden_get(g, "dk3", n);
    for (int i = 0; i < n; i++) {
        double d, v = group_k3(lp[i], ref[i], &d);
        near(&v, &k3[i], 1, "k3");
        near(&d, &dk3[i], 1, "dk3");
        ck_assert(v >= 0.0);
        /* central differences of k3 in logp */
        const double h = 1e-6;
        const double fd =
            (group_k3(lp[i] + h, ref[i], NULL) - group_k3(lp[i] - h, ref[i], NULL)) / (2 * h);
        ck_assert_msg(fabs(fd - d) <= 1e-7 * fmax(1, fabs(d)), "dk3[%d] %g, differences %g", i, d,
                      fd);
    }
    double d;
    ck_assert(group_k3(-1.0, -1.0, &d) == 0.0 && d == 0.0); /* the same policy */
    golden_free(g);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"advantages_match_torch", advantages_match_torch},
        {"advantage_properties", advantage_properties},
        {"k3_matches_torch", k3_matches_torch},
    };
    return tu_run(tu_suite("group", cases, TU_COUNT(cases), 60));
}
