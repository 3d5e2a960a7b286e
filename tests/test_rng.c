/* test_rng.c - unit tests of rng.c: the xoshiro256** reference vector, seeding and
 * streams, and the distribution of every draw (uniform, bounded integer, normal,
 * categorical, shuffle) against its exact moments or probabilities.
 *
 * The draws use fixed seeds, so the statistical bounds are deterministic; each bound
 * is several standard errors wide yet fails for the usual mistakes (modulo bias, an
 * off-by-one range, a wrong variance, picking a zero-probability index).
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rng.h"
#include "testutil.h"

#define NDRAW 100000

/* Inverse of an odd number modulo 2^64 (Newton: y <- y (2 - a y) doubles the bits). */
static uint64_t inv_odd(uint64_t a)
{
    uint64_t y = a; /* correct to 3 bits for odd a */
    for (int i = 0; i < 6; i++)
        y *= 2 - a * y;
    return y;
}

/* A state whose next rng_u64 is `out`: the xoshiro256** output is rotl(5 s1, 7) * 9,
 * so s1 = 5^-1 rotr(9^-1 out, 7); the other words only need to be non-zero. */
static void force_next_output(Rng *r, uint64_t out)
{
    uint64_t y = out * inv_odd(9);
    y = (y >> 7) | (y << 57);
    r->s[0] = 0x0123456789abcdefULL;
    r->s[1] = y * inv_odd(5);
    r->s[2] = 0xfedcba9876543210ULL;
    r->s[3] = 0x0f0f0f0f0f0f0f0fULL;
}

/* Pearson's statistic sum (obs - exp)^2 / exp. */
static double chi_square(const long *count, const double *prob, int k, long n)
{
    double chi = 0.0;
    for (int i = 0; i < k; i++) {
        if (prob[i] <= 0.0)
            continue;
        const double e = prob[i] * (double)n;
        chi += ((double)count[i] - e) * ((double)count[i] - e) / e;
    }
    return chi;
}

START_TEST(test_u64_reference)
{
    /* published outputs of the reference xoshiro256** from state {1, 2, 3, 4} */
    static const uint64_t want[10] = {11520ULL,
                                      0ULL,
                                      1509978240ULL,
                                      1215971899390074240ULL,
                                      1216172134540287360ULL,
                                      607988272756665600ULL,
                                      16172922978634559625ULL,
                                      8476171486693032832ULL,
                                      10595114339597558777ULL,
                                      2904607092377533576ULL};
    Rng r = {{1, 2, 3, 4}};
    for (int i = 0; i < 10; i++) {
        const uint64_t got = rng_u64(&r);
        ck_assert_msg(got == want[i], "output %d: got %llu, want %llu", i, (unsigned long long)got,
                      (unsigned long long)want[i]);
    }
    /* the forcing helper used below really controls the next output */
    force_next_output(&r, 0xdeadbeefcafef00dULL);
    ck_assert(rng_u64(&r) == 0xdeadbeefcafef00dULL);
}
END_TEST

START_TEST(test_stream_id)
{
    /* every (rank, index) pair on a grid gets its own id */
    uint64_t ids[64];
    int k = 0;
    const uint32_t vals[8] = {0, 1, 2, 3, 255, 65536, 0x7fffffffu, 0xffffffffu};
    for (int a = 0; a < 8; a++)
        for (int b = 0; b < 8; b++)
            ids[k++] = rng_stream_id(vals[a], vals[b]);
    for (int i = 0; i < 64; i++)
        for (int j = i + 1; j < 64; j++)
            ck_assert_msg(ids[i] != ids[j], "stream ids %d and %d collide", i, j);
}
END_TEST

START_TEST(test_seed)
{
    Rng a, b;
    /* same (seed, stream): same sequence */
    rng_seed(&a, 42, rng_stream_id(3, 5));
    rng_seed(&b, 42, rng_stream_id(3, 5));
    for (int i = 0; i < 1000; i++)
        ck_assert_msg(rng_u64(&a) == rng_u64(&b), "same seed and stream diverge at %d", i);

    rng_seed(&a, 42, rng_stream_id(3, 5));
    /* the four state words come from four SplitMix64 outputs: all different, and none
     * zero */
    for (int i = 0; i < 4; i++) {
        ck_assert(a.s[i] != 0);
        for (int j = i + 1; j < 4; j++)
            ck_assert_msg(a.s[i] != a.s[j], "state words %d and %d equal", i, j);
    }

    /* neighbouring streams and seeds: no shared outputs, and about half of the bits
     * differ between corresponding outputs (an unrelated pair: 32 on average) */
    const uint64_t seeds[3][2] = {{42, 43}, {42, 42}, {0, 0}};
    const uint64_t streams[3][2] = {{7, 7},
                                    {rng_stream_id(0, 0), rng_stream_id(0, 1)},
                                    {rng_stream_id(0, 1), rng_stream_id(1, 0)}};
    for (int c = 0; c < 3; c++) {
        rng_seed(&a, seeds[c][0], streams[c][0]);
        rng_seed(&b, seeds[c][1], streams[c][1]);
        long equal = 0, bits = 0;
        const int m = 1000;
        for (int i = 0; i < m; i++) {
            const uint64_t x = rng_u64(&a), y = rng_u64(&b);
            equal += x == y;
            bits += __builtin_popcountll(x ^ y);
        }
        const double mean_bits = (double)bits / m;
        ck_assert_msg(equal == 0, "case %d: %ld equal outputs", c, equal);
        ck_assert_msg(fabs(mean_bits - 32.0) < 1.0, "case %d: mean differing bits %.3f", c,
                      mean_bits);
    }

    /* first outputs of 256 consecutive streams: pairwise distinct and bit-balanced */
    uint64_t first[256];
    long bits = 0;
    for (int s = 0; s < 256; s++) {
        rng_seed(&a, 1, (uint64_t)s);
        first[s] = rng_u64(&a);
        if (s > 0)
            bits += __builtin_popcountll(first[s] ^ first[s - 1]);
    }
    for (int i = 0; i < 256; i++)
        for (int j = i + 1; j < 256; j++)
            ck_assert(first[i] != first[j]);
    ck_assert_msg(fabs((double)bits / 255 - 32.0) < 1.5, "neighbouring streams: %.3f bits",
                  (double)bits / 255);
}
END_TEST

START_TEST(test_uniform)
{
    Rng r;
    rng_seed(&r, 2024, 0);
    double sum = 0.0, sum2 = 0.0, lo = 1.0, hi = 0.0;
    for (int i = 0; i < NDRAW; i++) {
        const double u = rng_uniform(&r);
        ck_assert_msg(u >= 0.0 && u < 1.0, "draw %d = %.17g outside [0, 1)", i, u);
        /* 53 bits: u * 2^53 is an integer */
        ck_assert(u * 0x1.0p53 == floor(u * 0x1.0p53));
        sum += u;
        sum2 += u * u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    const double mean = sum / NDRAW, var = sum2 / NDRAW - mean * mean;
    printf("uniform: mean %.5f (0.5), var %.5f (%.5f), min %.2e, max 1-%.2e\n", mean, var, 1.0 / 12,
           lo, 1.0 - hi);
    /* standard error of the mean: 0.289 / sqrt(1e5) = 9.1e-4 */
    ck_assert_msg(fabs(mean - 0.5) < 0.004, "mean %.5f", mean);
    ck_assert_msg(fabs(var - 1.0 / 12) < 0.002, "variance %.5f", var);
    ck_assert(lo < 1e-3 && hi > 1.0 - 1e-3);

    /* extremes of the 53-bit grid */
    force_next_output(&r, 0);
    ck_assert(rng_uniform(&r) == 0.0);
    force_next_output(&r, UINT64_MAX);
    ck_assert(rng_uniform(&r) == 1.0 - 0x1.0p-53);
}
END_TEST

START_TEST(test_uniform_range)
{
    Rng r;
    rng_seed(&r, 7, 1);
    double sum = 0.0;
    for (int i = 0; i < NDRAW; i++) {
        const double x = rng_uniform_range(&r, -3.0, 5.0);
        ck_assert_msg(x >= -3.0 && x < 5.0, "draw %.17g outside [-3, 5)", x);
        sum += x;
    }
    ck_assert_msg(fabs(sum / NDRAW - 1.0) < 0.03, "mean %.5f, want 1", sum / NDRAW);
    /* the largest uniform must still land below hi */
    force_next_output(&r, UINT64_MAX);
    const double x = rng_uniform_range(&r, 1.0, 1.0 + 0x1.0p-40);
    ck_assert_msg(x >= 1.0 && x < 1.0 + 0x1.0p-40, "top draw %.17g not below hi", x);
}
END_TEST

START_TEST(test_below)
{
    Rng r;
    rng_seed(&r, 99, 0);
    /* never >= n, including the edges of the 32-bit range */
    const uint32_t ns[6] = {1, 2, 3, 1000, 0x80000001u, 0xffffffffu};
    for (int k = 0; k < 6; k++)
        for (int i = 0; i < 20000; i++) {
            const uint32_t x = rng_below(&r, ns[k]);
            ck_assert_msg(x < ns[k], "rng_below(%u) = %u", ns[k], x);
        }
    ck_assert(rng_below(&r, 1) == 0);

    /* small n: frequencies */
    long count[7] = {0};
    double prob[7];
    for (int i = 0; i < NDRAW; i++)
        count[rng_below(&r, 7)]++;
    for (int i = 0; i < 7; i++)
        prob[i] = 1.0 / 7;
    const double chi = chi_square(count, prob, 7, NDRAW);
    printf("rng_below(7): chi-square %.2f (6 dof)\n", chi);
    ck_assert_msg(chi < 30.0, "chi-square %.2f for 6 dof", chi);

    /* modulo bias: with n = 3 * 2^30, x mod n on 32 random bits gives values below 2^30
     * with probability 1/2; unbiased it is 1/3 */
    const uint32_t n = 3u << 30;
    long low = 0;
    for (int i = 0; i < NDRAW; i++)
        low += rng_below(&r, n) < (1u << 30);
    const double f = (double)low / NDRAW;
    printf("rng_below(3*2^30): P(x < 2^30) = %.4f (1/3)\n", f);
    ck_assert_msg(fabs(f - 1.0 / 3) < 0.008, "P(x < 2^30) = %.4f, want 1/3", f);
}
END_TEST

START_TEST(test_normal)
{
    Rng r;
    rng_seed(&r, 5, 11);
    double s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0;
    long within1 = 0;
    for (int i = 0; i < NDRAW; i++) {
        const double z = rng_normal(&r);
        ck_assert(isfinite(z));
        s1 += z;
        s2 += z * z;
        s3 += z * z * z;
        s4 += z * z * z * z;
        within1 += fabs(z) < 1.0;
    }
    const double mean = s1 / NDRAW, var = s2 / NDRAW - mean * mean;
    const double skew = s3 / NDRAW, kurt = s4 / NDRAW, p1 = (double)within1 / NDRAW;
    printf("normal: mean %.4f var %.4f E[z^3] %.4f E[z^4] %.4f P(|z|<1) %.4f\n", mean, var, skew,
           kurt, p1);
    /* standard errors: mean 3.2e-3, variance 4.5e-3, E z^3 7.7e-3, E z^4 3.1e-2,
     * P(|z| < 1) 1.5e-3 */
    ck_assert_msg(fabs(mean) < 0.015, "mean %.4f", mean);
    ck_assert_msg(fabs(var - 1.0) < 0.02, "variance %.4f", var);
    ck_assert_msg(fabs(skew) < 0.04, "E[z^3] %.4f", skew);
    ck_assert_msg(fabs(kurt - 3.0) < 0.15, "E[z^4] %.4f", kurt);
    ck_assert_msg(fabs(p1 - 0.682689492) < 0.007, "P(|z|<1) %.4f", p1);

    /* a zero uniform in either position must not reach log(0): state {1, 0, 3, 4}
     * outputs 0 first, state {1, 2, 3, 4} outputs 0 second */
    Rng z1 = {{1, 0, 3, 4}}, z2 = {{1, 2, 3, 4}};
    const double a = rng_normal(&z1), b = rng_normal(&z2);
    ck_assert_msg(isfinite(a) && isfinite(b), "normal from zero uniforms: %g %g", a, b);
}
END_TEST

START_TEST(test_categorical)
{
    Rng r;
    rng_seed(&r, 123, 4);
    /* unnormalised weights with zeros at the start, middle and end */
    const double w[6] = {0.0, 1.0, 0.0, 3.0, 6.0, 0.0};
    double prob[6];
    for (int i = 0; i < 6; i++)
        prob[i] = w[i] / 10.0;
    long count[6] = {0};
    for (int i = 0; i < NDRAW; i++) {
        const int k = rng_categorical(&r, w, 6);
        ck_assert_msg(k >= 0 && k < 6, "index %d", k);
        count[k]++;
    }
    ck_assert_msg(count[0] == 0 && count[2] == 0 && count[5] == 0,
                  "zero-probability indices drawn: %ld %ld %ld", count[0], count[2], count[5]);
    const double chi = chi_square(count, prob, 6, NDRAW);
    printf("categorical: counts %ld %ld %ld (1e4 3e4 6e4), chi-square %.2f (2 dof)\n", count[1],
           count[3], count[4], chi);
    ck_assert_msg(chi < 20.0, "chi-square %.2f for 2 dof", chi);

    /* the extremes of u: u = 0 must skip a leading zero, u = 1 - 2^-53 must not fall
     * through to a trailing zero */
    force_next_output(&r, 0);
    ck_assert_int_eq(rng_categorical(&r, w, 6), 1);
    const double thirds[5] = {0.1, 0.2, 0.7, 0.0, 0.0};
    force_next_output(&r, UINT64_MAX);
    ck_assert_int_eq(rng_categorical(&r, thirds, 5), 2);
    force_next_output(&r, UINT64_MAX);
    ck_assert_int_eq(rng_categorical(&r, w, 6), 4);

    /* a single positive weight is always chosen */
    const double one[4] = {0.0, 0.0, 2.5, 0.0};
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(rng_categorical(&r, one, 4), 2);
}
END_TEST

START_TEST(test_shuffle)
{
    Rng r;
    rng_seed(&r, 8, 8);
    enum { N = 50 };
    int32_t idx[N];
    for (int i = 0; i < N; i++)
        idx[i] = i;
    rng_shuffle(&r, idx, N);
    int seen[N] = {0}, fixed = 0;
    for (int i = 0; i < N; i++) {
        ck_assert(idx[i] >= 0 && idx[i] < N);
        seen[idx[i]]++;
        fixed += idx[i] == i;
    }
    for (int i = 0; i < N; i++)
        ck_assert_msg(seen[i] == 1, "value %d appears %d times", i, seen[i]);
    ck_assert_msg(fixed < 10, "%d fixed points out of 50", fixed);

    /* n = 0 and 1 leave the array alone */
    int32_t one = 17;
    rng_shuffle(&r, &one, 1);
    rng_shuffle(&r, &one, 0);
    ck_assert_int_eq(one, 17);

    /* n = 3: the 6 permutations are equally likely */
    long count[6] = {0};
    double prob[6];
    const int m = 60000;
    for (int t = 0; t < m; t++) {
        int32_t a[3] = {0, 1, 2};
        rng_shuffle(&r, a, 3);
        /* rank of the permutation: first element * 2 + whether the rest is ascending */
        const int rank = a[0] * 2 + (a[1] > a[2]);
        count[rank]++;
    }
    for (int i = 0; i < 6; i++)
        prob[i] = 1.0 / 6;
    const double chi = chi_square(count, prob, 6, m);
    printf("shuffle(3): chi-square %.2f (5 dof)\n", chi);
    ck_assert_msg(chi < 25.0, "chi-square %.2f for 5 dof", chi);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"rng_u64", test_u64_reference},
        {"rng_stream_id", test_stream_id},
        {"rng_seed", test_seed},
        {"rng_uniform", test_uniform},
        {"rng_uniform_range", test_uniform_range},
        {"rng_below", test_below},
        {"rng_normal", test_normal},
        {"rng_categorical", test_categorical},
        {"rng_shuffle", test_shuffle},
    };
    return tu_run(tu_suite("rng", cases, TU_COUNT(cases), 0));
}
