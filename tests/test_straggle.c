/* test_straggle.c - the --straggle specification and its delays (straggle.h): the
 * forms and their errors, the fixed slowdown, the lognormal noise against its closed
 * form E[max(0, X - 1)] = exp(sigma^2 / 2) Phi(sigma) - 1/2 for X = exp(sigma z), the
 * pauses' frequency, and that a seed fixes the draws.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "straggle.h"
#include "testutil.h"

static StraggleSpec parse_ok(const char *spec, int rank, int size)
{
    StraggleSpec s;
    char err[512] = "";
    ck_assert_msg(straggle_parse(spec, rank, size, &s, err, sizeof err) == 0, "%s: %s",
                  spec ? spec : "(null)", err);
    return s;
}

START_TEST(test_parse)
{
    StraggleSpec s = parse_ok("", 1, 3);
    ck_assert(!straggle_active(&s) && s.factor == 1.0);
    s = parse_ok(NULL, 1, 3);
    ck_assert(!straggle_active(&s));
    s = parse_ok("ranks=1,3:2.5x", 3, 4);
    ck_assert(s.factor == 2.5 && s.sigma == 0 && straggle_active(&s));
    s = parse_ok("ranks=1,3:2.5x", 2, 4); /* not named */
    ck_assert(s.factor == 1.0 && !straggle_active(&s));
    s = parse_ok("ranks=1:2x+ranks=1:3x+lognormal:0.25+pause:0.1,40", 1, 2);
    ck_assert(s.factor == 6.0 && s.sigma == 0.25 && s.pause_p == 0.1 && s.pause_s == 0.04);
    s = parse_ok("lognormal:0.5", 0, 3); /* the learner is never slowed */
    ck_assert(!straggle_active(&s));
    s = parse_ok("ranks=0:2x", 0, 1); /* one process: it is the actor */
    ck_assert(s.factor == 2.0);

    static const struct {
        const char *spec;
        int size;
        const char *says;
    } bad[] = {
        {"ranks=3:2x", 3, "rank 3 is not an actor of this run (valid: 1 to 2)"},
        {"ranks=0:2x", 3, "rank 0 is not an actor"},
        {"ranks=1:0.5x", 3, "'ranks=1:0.5x' is not a term"},
        {"ranks=1:2", 3, "'ranks=1:2' is not a term"},
        {"ranks=:2x", 3, "is not a term"},
        {"ranks=1.5:2x", 3, "is not a term"},
        {"lognormal:abc", 3, "'lognormal:abc' is not a term (valid: ranks=R[,R...]:Fx"},
        {"lognormal:4", 3, "SIGMA in [0, 3]"},
        {"pause:2,10", 3, "P in [0, 1]"},
        {"pause:0.1", 3, "is not a term"},
        {"slow", 3, "'slow' is not a term"},
        {"lognormal:0.1+", 3, "an empty or overlong term"},
        {"lognormal:nan", 3, "is not a term"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512] = "";
        ck_assert_msg(straggle_parse(bad[i].spec, 1, bad[i].size, &s, err, sizeof err) == -1,
                      "%s accepted", bad[i].spec);
        ck_assert_msg(strstr(err, bad[i].says) != NULL && strncmp(err, "--straggle: ", 12) == 0,
                      "%s: '%s' lacks '%s'", bad[i].spec, err, bad[i].says);
    }
}
END_TEST

START_TEST(test_delays)
{
    Rng r;
    rng_seed(&r, 1, 2);
    StraggleSpec s = parse_ok("ranks=1:3x", 1, 2);
    ck_assert(fabs(straggle_delay(&s, 0.5, 1, &r) - 1.0) < 1e-15); /* (3 - 1) 0.5 */
    ck_assert(straggle_delay(&s, 0.0, 0, &r) == 0.0);

    /* the noise: mean of max(0, X - 1) over many draws against its closed form */
    const double sigma = 0.5;
    s = parse_ok("lognormal:0.5", 1, 2);
    enum { N = 400000 };
    double sum = 0, sq = 0;
    for (int i = 0; i < N; i++) {
        const double d = straggle_delay(&s, 1.0, 0, &r);
        ck_assert(d >= 0.0);
        sum += d;
        sq += d * d;
    }
    const double want = exp(0.5 * sigma * sigma) * 0.5 * erfc(-sigma / sqrt(2.0)) - 0.5;
    const double mean = sum / N, se = sqrt((sq / N - mean * mean) / N);
    printf("lognormal:%.2f: mean delay %.5f (closed form %.5f, 4 se %.5f)\n", sigma, mean, want,
           4 * se);
    ck_assert(fabs(mean - want) < 4 * se);

    /* pauses after rollouts only, with probability p */
    s = parse_ok("pause:0.2,50", 1, 2);
    int pauses = 0;
    for (int i = 0; i < 10000; i++) {
        const double d = straggle_delay(&s, 1.0, 1, &r);
        ck_assert(d == 0.0 || d == 0.05);
        pauses += d > 0;
        ck_assert(straggle_delay(&s, 1.0, 0, &r) == 0.0);
    }
    ck_assert_msg(abs(pauses - 2000) < 4 * 40, "%d pauses of 10000 at p 0.2", pauses);

    /* a seed fixes the draws */
    s = parse_ok("ranks=1:2x+lognormal:1+pause:0.5,10", 1, 2);
    Rng a, b;
    rng_seed(&a, 7, 3);
    rng_seed(&b, 7, 3);
    for (int i = 0; i < 100; i++)
        ck_assert(straggle_delay(&s, 0.01 * i, i % 2, &a) ==
                  straggle_delay(&s, 0.01 * i, i % 2, &b));
}
END_TEST

int main(void)
{
    const TuCase cases[] = {{"parse", test_parse}, {"delays", test_delays}};
    return tu_run(tu_suite("straggle", cases, TU_COUNT(cases), 0));
}
