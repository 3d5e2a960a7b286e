/* rng.h - explicit-state pseudo-random numbers for mpirl.
 *
 * Generator: xoshiro256** (Blackman & Vigna, 2018), 256-bit state, period 2^256-1.
 * Seeding: the state is filled by SplitMix64 from a key derived from (seed, stream),
 * so every (seed, rank, env index) triple gets its own reproducible stream. The
 * whole state is a plain struct: copy it to checkpoint it.
 *
 * Nothing here touches global state; rand() is never used in mpirl.
 */
#ifndef MPIRL_RNG_H
#define MPIRL_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} Rng;

/* Stream id for the generator of environment `index` on MPI rank `rank`. */
uint64_t rng_stream_id(uint32_t rank, uint32_t index);

/* Seed `r` from (seed, stream). Different streams give statistically independent
 * sequences; the same pair always gives the same sequence. */
void rng_seed(Rng *r, uint64_t seed, uint64_t stream);

/* Next raw 64-bit output. */
uint64_t rng_u64(Rng *r);

/* Uniform double in [0, 1) with 53 random bits. */
double rng_uniform(Rng *r);

/* Uniform double in [lo, hi). */
double rng_uniform_range(Rng *r, double lo, double hi);

/* Uniform integer in [0, n) without modulo bias; n = 0 is a caller bug (fail.h). */
uint32_t rng_below(Rng *r, uint32_t n);

/* Standard normal draw (Box-Muller on two uniforms; no cached second value, so the
 * state is the only thing to save). */
double rng_normal(Rng *r);

/* Index i in [0, n) drawn with probability p[i] / sum(p); the last index with p > 0
 * absorbs rounding. p must be finite, non-negative, with a positive sum: anything else
 * is a caller bug (fail.h). */
int rng_categorical(Rng *r, const double *p, int n);

/* Fisher-Yates shuffle of idx[0..n). */
void rng_shuffle(Rng *r, int32_t *idx, int n);

#endif
