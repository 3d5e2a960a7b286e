/* vecenv.c - the vector of environments of vecenv.h: one allocation carved into
 * contiguous arrays, Gymnasium's TimeLimit truncation and same-step auto-reset.
 *
 * Reference: Gymnasium 1.x, gymnasium/wrappers/common.py (TimeLimit: elapsed_steps += 1;
 * truncated = elapsed_steps >= max_episode_steps) and gymnasium/vector (autoreset mode
 * SAME_STEP: the finished episode's last observation is kept apart, the returned one is
 * the reset's).
 *
 * Left out: per-environment seeds at reset (the streams are seeded once, in
 * vecenv_init), the NEXT_STEP auto-reset mode, action clipping (the environments clip
 * where Gymnasium does), threads.
 */
#include "vecenv.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

#define VEC_ALIGN 64 /* every array starts on its own cache line */
#define VEC_MAX_N (1 << 24)

/* x rounded up to a multiple of VEC_ALIGN */
static size_t round_up(size_t x)
{
    return (x + VEC_ALIGN - 1) / VEC_ALIGN * VEC_ALIGN;
}

/* Reserve n * size bytes at *off (aligned) and return the offset; sets *overflow if the
 * layout no longer fits a size_t. */
static size_t reserve(size_t *off, size_t n, size_t size, int *overflow)
{
    const size_t start = *off;
    if (size != 0 && n > (SIZE_MAX / 4) / size) {
        *overflow = 1;
        return 0;
    }
    const size_t bytes = round_up(n * size);
    if (bytes > SIZE_MAX / 4 - start) {
        *overflow = 1;
        return 0;
    }
    *off = start + bytes;
    return start;
}

int vecenv_init(VecEnv *v, const EnvSpec *spec, int n, int max_steps, uint64_t seed, uint32_t rank,
                char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (spec == NULL || spec->obs_dim < 1 || spec->state_bytes < 1 || spec->reset == NULL ||
        spec->step == NULL)
        MPIRL_FAIL("vecenv_init: spec is NULL or incomplete (validate it with the registry)");
    if (n < 1 || n > VEC_MAX_N) {
        snprintf(err, errlen, "vector of %d environments: the number must be in [1, %d]", n,
                 VEC_MAX_N);
        return -1;
    }
    if (max_steps < 0) {
        snprintf(err, errlen,
                 "time limit %d for %s: must be positive, or 0 for the environment's default "
                 "(%d)",
                 max_steps, spec->id, spec->max_steps);
        return -1;
    }
    const size_t e = (size_t)n, od = (size_t)spec->obs_dim;
    const size_t stride = round_up(spec->state_bytes);
    size_t off = 0;
    int overflow = 0;
    const size_t o_obs = reserve(&off, e * od, sizeof(float), &overflow);
    const size_t o_final = reserve(&off, e * od, sizeof(float), &overflow);
    const size_t o_rew = reserve(&off, e, sizeof(float), &overflow);
    const size_t o_term = reserve(&off, e, 1, &overflow);
    const size_t o_trunc = reserve(&off, e, 1, &overflow);
    const size_t o_ret = reserve(&off, e, sizeof(double), &overflow);
    const size_t o_len = reserve(&off, e, sizeof(int), &overflow);
    const size_t o_dret = reserve(&off, e, sizeof(double), &overflow);
    const size_t o_dlen = reserve(&off, e, sizeof(int), &overflow);
    const size_t o_rng = reserve(&off, e, sizeof(Rng), &overflow);
    const size_t o_state = reserve(&off, e, stride, &overflow);
    unsigned char *block = overflow ? NULL : aligned_alloc(VEC_ALIGN, off);
    if (block == NULL) {
        snprintf(err, errlen, "out of memory for a vector of %d %s environments", n, spec->id);
        return -1;
    }
    memset(block, 0, off);

    v->spec = spec;
    v->n = n;
    v->obs_dim = spec->obs_dim;
    v->act_dim = env_action_dim(spec);
    v->max_steps = max_steps > 0 ? max_steps : spec->max_steps;
    v->obs = (float *)(block + o_obs);
    v->final_obs = (float *)(block + o_final);
    v->reward = (float *)(block + o_rew);
    v->terminated = block + o_term;
    v->truncated = block + o_trunc;
    v->ep_return = (double *)(block + o_ret);
    v->ep_len = (int *)(block + o_len);
    v->done_return = (double *)(block + o_dret);
    v->done_len = (int *)(block + o_dlen);
    v->rng = (Rng *)(block + o_rng);
    v->states = block + o_state;
    v->state_stride = stride;
    v->block = block;
    v->bad_env = -1;
    for (int i = 0; i < n; i++)
        rng_seed(&v->rng[i], seed, rng_stream_id(rank, (uint32_t)i));
    vecenv_reset(v);
    return 0;
}

void vecenv_free(VecEnv *v)
{
    free(v->block);
    memset(v, 0, sizeof *v);
}

void vecenv_reset(VecEnv *v)
{
    const EnvSpec *spec = v->spec;
    const size_t od = (size_t)v->obs_dim;
    for (int i = 0; i < v->n; i++) {
        float *o = v->obs + (size_t)i * od;
        spec->reset(spec, v->states + (size_t)i * v->state_stride, &v->rng[i], o);
        memcpy(v->final_obs + (size_t)i * od, o, od * sizeof(float));
        v->reward[i] = 0.0f;
        v->terminated[i] = 0;
        v->truncated[i] = 0;
        v->ep_return[i] = 0.0;
        v->ep_len[i] = 0;
    }
    v->n_done = 0;
    v->bad_env = -1;
    v->err[0] = '\0';
}

/* Describe environment i's refused action in v->err (error path only). */
static void describe_bad_action(VecEnv *v, int i, const float *a)
{
    const EnvSpec *spec = v->spec;
    if (spec->act_kind == SPACE_DISCRETE) {
        snprintf(v->err, sizeof v->err,
                 "environment %d of %s: invalid action %.9g (valid: an integer in [0, %d])", i,
                 spec->id, (double)a[0], spec->act_n - 1);
        return;
    }
    int len =
        snprintf(v->err, sizeof v->err, "environment %d of %s: invalid action (", i, spec->id);
    for (int k = 0; k < v->act_dim && len > 0 && (size_t)len < sizeof v->err; k++)
        len += snprintf(v->err + len, sizeof v->err - (size_t)len, "%s%.9g", k ? ", " : "",
                        (double)a[k]);
    if (len > 0 && (size_t)len < sizeof v->err)
        snprintf(v->err + len, sizeof v->err - (size_t)len,
                 ") (valid: %d numbers, not NaN; outside the bounds they are clipped)", v->act_dim);
}

int vecenv_step(VecEnv *v, const float *action)
{
    const EnvSpec *spec = v->spec;
    const size_t od = (size_t)v->obs_dim, ad = (size_t)v->act_dim;
    int n_done = 0;
    for (int i = 0; i < v->n; i++) {
        void *s = v->states + (size_t)i * v->state_stride;
        float *o = v->obs + (size_t)i * od;
        float *fo = v->final_obs + (size_t)i * od;
        double r = 0.0;
        uint8_t term = 0;
        if (spec->step(spec, s, action + (size_t)i * ad, fo, &r, &term) != 0) {
            v->n_done = n_done;
            v->bad_env = i;
            describe_bad_action(v, i, action + (size_t)i * ad);
            return -1;
        }
        v->reward[i] = (float)r;
        v->ep_return[i] += r;
        const int len = ++v->ep_len[i];
        const uint8_t trunc = len >= v->max_steps; /* TimeLimit, whatever term says */
        v->terminated[i] = term != 0;
        v->truncated[i] = trunc;
        if (term || trunc) {
            v->done_return[i] = v->ep_return[i];
            v->done_len[i] = len;
            v->ep_return[i] = 0.0;
            v->ep_len[i] = 0;
            n_done++;
            spec->reset(spec, s, &v->rng[i], o); /* obs: the new episode's first */
        } else {
            for (size_t k = 0; k < od; k++) /* rows are short: a loop beats a memcpy call */
                o[k] = fo[k];
        }
    }
    v->n_done = n_done;
    return 0;
}
