/* rng.c - xoshiro256** generator with SplitMix64 seeding, and the draws mpirl needs
 * (uniform, bounded integer, normal, categorical, shuffle).
 *
 * Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 47(4), 2021 (xoshiro256**: scrambler rotl(5 s1, 7) * 9, shift
 * 17, rotation 45); SplitMix64 from G. Steele, D. Lea and C. Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014 (with Stafford's "Mix13" finaliser).
 * Bounded integers by rejection of the 2^32 mod n lowest 32-bit values; normals by
 * Box & Muller (1958).
 *
 * Left out: jump / long-jump functions (streams come from seeding, not from jumping),
 * float-only or vectorised variants, and caching the second Box-Muller value.
 */
#include "rng.h"

#include <math.h>

#include "fail.h"

#define SPLITMIX_GAMMA 0x9e3779b97f4a7c15ULL /* 2^64 / golden ratio, odd */
#define STREAM_SALT    0x632be59bd9b4e019ULL /* keeps stream 0 away from key = seed */
#define TWO_PI         6.283185307179586476925286766559

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* SplitMix64 output function: a bijection of 64-bit words with full avalanche. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t rng_stream_id(uint32_t rank, uint32_t index)
{
    return ((uint64_t)rank << 32) | (uint64_t)index;
}

void rng_seed(Rng *r, uint64_t seed, uint64_t stream)
{
    /* key = mix(seed ^ mix(stream ^ salt)): for a fixed seed, distinct streams give
     * distinct keys (mix is a bijection), and likewise for a fixed stream; neighbouring
     * streams or seeds give keys that differ in about half their bits. */
    uint64_t x = mix64(seed ^ mix64(stream ^ STREAM_SALT));
    for (int i = 0; i < 4; i++) {
        x += SPLITMIX_GAMMA; /* SplitMix64 state walk */
        r->s[i] = mix64(x);
    }
    /* The all-zero state is the one fixed point of xoshiro; SplitMix64 practically never
     * yields it, but never is cheap to guarantee. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = SPLITMIX_GAMMA;
}

uint64_t rng_u64(Rng *r)
{
    uint64_t *s = r->s;
    const uint64_t out = rotl64(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return out;
}

double rng_uniform(Rng *r)
{
    /* top 53 bits / 2^53: every double k 2^-53, k in [0, 2^53) */
    return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

double rng_uniform_range(Rng *r, double lo, double hi)
{
    double x = lo + (hi - lo) * rng_uniform(r);
    /* lo + (hi - lo) u can round up to hi; keep the interval half-open */
    if (x >= hi && hi > lo)
        x = nextafter(hi, lo);
    return x;
}

uint32_t rng_below(Rng *r, uint32_t n)
{
    if (n == 0)
        MPIRL_FAIL("rng_below: n must be positive");
    /* 2^32 mod n values at the bottom of the 32-bit range would make the low residues
     * more likely; rejecting them leaves a multiple of n equally likely values. */
    const uint32_t reject_below = (uint32_t)(0u - n) % n;
    for (;;) {
        const uint32_t x = (uint32_t)(rng_u64(r) >> 32);
        if (x >= reject_below)
            return x % n;
    }
}

double rng_normal(Rng *r)
{
    /* 1 - u lies in (0, 1], so the logarithm is finite */
    const double u1 = 1.0 - rng_uniform(r);
    const double u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

int rng_categorical(Rng *r, const double *p, int n)
{
    double total = 0.0;
    int last = -1; /* last index with p > 0 */
    for (int i = 0; i < n; i++) {
        if (!(p[i] >= 0.0) || isinf(p[i]))
            MPIRL_FAIL("rng_categorical: probabilities must be finite and >= 0");
        if (p[i] > 0.0) {
            total += p[i];
            last = i;
        }
    }
    if (last < 0 || !isfinite(total))
        MPIRL_FAIL("rng_categorical: probabilities must have a positive finite sum");

    /* inverse CDF: first i with u * total < p[0] + ... + p[i]; entries with p = 0 are
     * skipped so that they can never be returned, and if rounding leaves u * total at
     * or above the last partial sum, the last positive entry takes it */
    const double u = rng_uniform(r) * total;
    double cum = 0.0;
    for (int i = 0; i < last; i++) {
        if (p[i] > 0.0) {
            cum += p[i];
            if (u < cum)
                return i;
        }
    }
    return last;
}

void rng_shuffle(Rng *r, int32_t *idx, int n)
{
    /* Fisher-Yates (Durstenfeld): idx[i] swaps with a uniform idx[j], j in [0, i] */
    for (int i = n - 1; i > 0; i--) {
        const int j = (int)rng_below(r, (uint32_t)i + 1u);
        const int32_t tmp = idx[i];
        idx[i] = idx[j];
        idx[j] = tmp;
    }
}
