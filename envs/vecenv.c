/* vecenv.c - the vector of environments of vecenv.h: one allocation carved into
 * contiguous arrays, Gymnasium's TimeLimit truncation and same-step auto-reset.
 *
 * Reference: Gymnasium 1.x, gymnasium/wrappers/common.py (TimeLimit: elapsed_steps += 1;
 * truncated = elapsed_steps >= max_episode_steps) and gymnasium/vector (autoreset mode
 * SAME_STEP: the finished episode's last observation is kept apart, the returned one is
 * the reset's).
 *
 * The states are an array of state structs (one per 64-byte-aligned slot), stepped one
 * call of spec->step per environment; or, when the environment has step_batch and the
 * vector at least VEC_BATCH_MIN environments, one structure of arrays (env.h) stepped by
 * one call. The bookkeeping after the step is one pass over the rows that GCC
 * vectorizes, then the few finished rows are reset.
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
/* Fewer environments step faster one step call each: for a single CartPole, step_batch's
 * two loops cost ~40 ns against ~32 for step; from 4 on they win (~25 against ~30). */
#define VEC_BATCH_MIN 4

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
    const int batched = spec->step_batch != NULL && spec->open == NULL && spec->observe64 == NULL &&
                        n >= VEC_BATCH_MIN;
    /* a slot per struct, or the structure of arrays of step_batch (n * state_bytes) */
    const size_t stride = batched ? spec->state_bytes : round_up(spec->state_bytes);
    size_t off = 0;
    int overflow = 0;
    const size_t o_obs = reserve(&off, e * od, sizeof(float), &overflow);
    const size_t o_final = reserve(&off, e * od, sizeof(float), &overflow);
    const size_t od64 = spec->observe64 != NULL ? e * od : 0;
    const size_t o_obs64 = reserve(&off, od64, sizeof(double), &overflow);
    const size_t o_final64 = reserve(&off, od64, sizeof(double), &overflow);
    const size_t o_rew = reserve(&off, e, sizeof(float), &overflow);
    const size_t o_term = reserve(&off, e, 1, &overflow);
    const size_t o_trunc = reserve(&off, e, 1, &overflow);
    const size_t o_ret = reserve(&off, e, sizeof(double), &overflow);
    const size_t o_len = reserve(&off, e, sizeof(int), &overflow);
    const size_t o_dret = reserve(&off, e, sizeof(double), &overflow);
    const size_t o_dlen = reserve(&off, e, sizeof(int), &overflow);
    const size_t o_rng = reserve(&off, e, sizeof(Rng), &overflow);
    const size_t o_sr = reserve(&off, e, sizeof(double), &overflow);
    const size_t o_state = reserve(&off, e, stride, &overflow);
    const size_t o_scratch = reserve(&off, batched ? 1 : 0, spec->state_bytes, &overflow);
    const size_t o_copy = reserve(&off, batched ? 0 : 1, env_save_bytes(spec), &overflow);
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
    v->obs64 = od64 ? (double *)(block + o_obs64) : NULL;
    v->final_obs64 = od64 ? (double *)(block + o_final64) : NULL;
    v->terminated = block + o_term;
    v->truncated = block + o_trunc;
    v->ep_return = (double *)(block + o_ret);
    v->ep_len = (int *)(block + o_len);
    v->done_return = (double *)(block + o_dret);
    v->done_len = (int *)(block + o_dlen);
    v->rng = (Rng *)(block + o_rng);
    v->reward64 = (double *)(block + o_sr);
    v->states = block + o_state;
    v->state_stride = stride;
    v->batched = batched;
    v->scratch = batched ? block + o_scratch : NULL;
    v->copy_buf = batched ? NULL : block + o_copy;
    v->block = block;
    v->bad_env = -1;
    for (int i = 0; i < n; i++)
        rng_seed(&v->rng[i], seed, rng_stream_id(rank, (uint32_t)i));
    for (int i = 0; i < n; i++) { /* resources of the states (MuJoCo's mjData) */
        if (env_open(spec, v->states + (size_t)i * stride, err, errlen) != 0) {
            v->n_open = i;
            vecenv_free(v);
            return -1;
        }
    }
    v->n_open = n;
    vecenv_reset(v);
    return 0;
}

void vecenv_free(VecEnv *v)
{
    for (int i = 0; i < v->n_open; i++)
        env_close(v->spec, v->states + (size_t)i * v->state_stride);
    free(v->block);
    memset(v, 0, sizeof *v);
}

/* Row i of obs64 (if any) <- environment i's float64 observation of its state now. */
static void observe_row(VecEnv *v, double *obs64, int i)
{
    if (obs64 != NULL)
        v->spec->observe64(v->spec, v->states + (size_t)i * v->state_stride,
                           obs64 + (size_t)i * (size_t)v->obs_dim);
}

/* Reset environment i: a new start state from its generator, whose observation goes to
 * obs row i (and obs64's). */
static void reset_row(VecEnv *v, int i)
{
    const EnvSpec *spec = v->spec;
    float *o = v->obs + (size_t)i * (size_t)v->obs_dim;
    if (v->batched) { /* reset a struct, then store it in the arrays */
        spec->reset(spec, v->scratch, &v->rng[i], o);
        env_batch_put(spec, v->states, v->n, i, v->scratch);
    } else {
        spec->reset(spec, v->states + (size_t)i * v->state_stride, &v->rng[i], o);
        observe_row(v, v->obs64, i);
    }
}

/* obs64 <- final_obs64, if the environment has them */
static void copy_obs64(VecEnv *v, double *to, const double *from)
{
    if (to != NULL)
        memcpy(to, from, (size_t)v->n * (size_t)v->obs_dim * sizeof(double));
}

void vecenv_reset_env(VecEnv *v, int i)
{
    const size_t od = (size_t)v->obs_dim;
    reset_row(v, i);
    memcpy(v->final_obs + (size_t)i * od, v->obs + (size_t)i * od, od * sizeof(float));
    if (v->obs64 != NULL)
        memcpy(v->final_obs64 + (size_t)i * od, v->obs64 + (size_t)i * od, od * sizeof(double));
    v->reward[i] = 0.0f;
    v->reward64[i] = 0.0;
    v->terminated[i] = 0;
    v->truncated[i] = 0;
    v->ep_return[i] = 0.0;
    v->ep_len[i] = 0;
}

void vecenv_reset(VecEnv *v)
{
    for (int i = 0; i < v->n; i++)
        vecenv_reset_env(v, i);
    v->n_done = 0;
    v->bad_env = -1;
    v->err[0] = '\0';
}

/* Describe environment i's refused action in v->err (error path only). */
static void describe_bad_action(VecEnv *v, int i, const float *a)
{
    const EnvSpec *spec = v->spec;
    /* a non-finite observation makes the policy's action NaN: name the cause */
    const float *o = v->obs + (size_t)i * (size_t)v->obs_dim;
    for (int k = 0; k < v->obs_dim; k++)
        if (!isfinite(o[k])) {
            snprintf(v->err, sizeof v->err,
                     "environment %d of %s: its observation is not finite (component %d is "
                     "%g), so the policy's action is not a number",
                     i, spec->id, k, (double)o[k]);
            return;
        }
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

/* The bookkeeping of n rows after a step: the step's float64 rewards r (n) into the
 * float32 rewards and the running returns, lengths + 1, terminated normalized to 0/1,
 * truncated = (length >= max_steps). Returns the number of rows that finished. One pass
 * without branches, with restrict arrays, so that GCC vectorizes it. */
static int book_rows(const double *restrict r, float *restrict reward, double *restrict ep_return,
                     int *restrict ep_len, uint8_t *restrict terminated,
                     uint8_t *restrict truncated, int n, int max_steps)
{
    int n_done = 0;
    for (int i = 0; i < n; i++) {
        reward[i] = (float)r[i];
        ep_return[i] += r[i];
        const int len = ++ep_len[i];
        const uint8_t term = terminated[i] != 0;
        const uint8_t trunc = len >= max_steps; /* TimeLimit, whatever term says */
        terminated[i] = term;
        truncated[i] = trunc;
        n_done += term | trunc;
    }
    return n_done;
}

int vecenv_step(VecEnv *v, const float *action)
{
    const EnvSpec *spec = v->spec;
    const int n = v->n;
    const size_t od = (size_t)v->obs_dim, ad = (size_t)v->act_dim;
    double *r = v->reward64;
    if (v->batched) {
        int bad = -1;
        if (spec->step_batch(spec, v->states, n, action, v->final_obs, r, v->terminated, &bad) !=
            0) {
            if (bad < 0 || bad >= n)
                MPIRL_FAIL("%s: step_batch refused an action without naming a row in [0, %d)",
                           spec->id, n);
            v->bad_env = bad;
            describe_bad_action(v, bad, action + (size_t)bad * ad);
            return -1;
        }
    } else {
        /* every action first, so that a refused one changes nothing */
        for (int i = 0; i < n; i++) {
            if (!env_action_valid(spec, action + (size_t)i * ad)) {
                v->bad_env = i;
                describe_bad_action(v, i, action + (size_t)i * ad);
                return -1;
            }
        }
        for (int i = 0; i < n; i++) {
            if (spec->step(spec, v->states + (size_t)i * v->state_stride, action + (size_t)i * ad,
                           v->final_obs + (size_t)i * od, &r[i], &v->terminated[i]) != 0)
                MPIRL_FAIL("%s: step refused the action of environment %d, which env.h "
                           "defines as valid",
                           spec->id, i);
            observe_row(v, v->final_obs64, i);
        }
    }
    const int n_done = book_rows(r, v->reward, v->ep_return, v->ep_len, v->terminated, v->truncated,
                                 n, v->max_steps);
    memcpy(v->obs, v->final_obs, (size_t)n * od * sizeof(float));
    copy_obs64(v, v->obs64, v->final_obs64);
    const uint8_t *term = v->terminated, *trunc = v->truncated;
    for (int i = 0, left = n_done; left > 0; i++) { /* the finished rows */
        if (term[i] | trunc[i]) {
            v->done_return[i] = v->ep_return[i];
            v->done_len[i] = v->ep_len[i];
            v->ep_return[i] = 0.0;
            v->ep_len[i] = 0;
            reset_row(v, i); /* obs: the new episode's first */
            left--;
        }
    }
    v->n_done = n_done;
    return 0;
}

/* Bytes of one saved observation: the float64 one where there is one (the float32 obs
 * is its cast), else the float32 one. */
static size_t obs_bytes(const EnvSpec *spec)
{
    return (size_t)spec->obs_dim * (spec->observe64 != NULL ? sizeof(double) : sizeof(float));
}

size_t vecenv_save_size(const EnvSpec *spec, int n)
{
    /* per environment: state, Rng, return (double), length (int64), observation */
    return (size_t)n * (env_save_bytes(spec) + sizeof(Rng) + sizeof(double) + sizeof(int64_t) +
                        obs_bytes(spec));
}

void vecenv_save(const VecEnv *v, void *out)
{
    const EnvSpec *spec = v->spec;
    unsigned char *p = out;
    for (int i = 0; i < v->n; i++) {
        if (v->batched)
            env_batch_get(spec, v->states, v->n, i, p);
        else
            env_save(spec, v->states + (size_t)i * v->state_stride, p);
        p += env_save_bytes(spec);
        memcpy(p, &v->rng[i], sizeof(Rng));
        p += sizeof(Rng);
        memcpy(p, &v->ep_return[i], sizeof(double));
        p += sizeof(double);
        const int64_t len = v->ep_len[i];
        memcpy(p, &len, sizeof len);
        p += sizeof len;
        if (v->obs64 != NULL)
            memcpy(p, v->obs64 + (size_t)i * v->obs_dim, obs_bytes(spec));
        else
            memcpy(p, v->obs + (size_t)i * v->obs_dim, obs_bytes(spec));
        p += obs_bytes(spec);
    }
}

int vecenv_load(VecEnv *v, const void *in, size_t len)
{
    if (len != vecenv_save_size(v->spec, v->n))
        return -1;
    const EnvSpec *spec = v->spec;
    const size_t sb = env_save_bytes(spec);
    const unsigned char *p = in;
    for (int i = 0; i < v->n; i++) {
        if (v->batched)
            env_batch_put(spec, v->states, v->n, i, p);
        else if (env_load(spec, v->states + (size_t)i * v->state_stride, p) != 0)
            return -1;
        p += sb;
        memcpy(&v->rng[i], p, sizeof(Rng));
        p += sizeof(Rng);
        memcpy(&v->ep_return[i], p, sizeof(double));
        p += sizeof(double);
        int64_t l;
        memcpy(&l, p, sizeof l);
        v->ep_len[i] = (int)l;
        p += sizeof l;
        float *o = v->obs + (size_t)i * v->obs_dim;
        if (v->obs64 != NULL) {
            double *o64 = v->obs64 + (size_t)i * v->obs_dim;
            memcpy(o64, p, obs_bytes(spec));
            for (int k = 0; k < v->obs_dim; k++)
                o[k] = (float)o64[k];
        } else {
            memcpy(o, p, obs_bytes(spec));
        }
        p += obs_bytes(spec);
    }
    return 0;
}

int vecenv_copy_env(VecEnv *v, int dst, int src)
{
    const EnvSpec *spec = v->spec;
    const size_t od = (size_t)v->obs_dim;
    if (dst == src)
        return 0;
    if (v->batched) {
        env_batch_get(spec, v->states, v->n, src, v->scratch);
        env_batch_put(spec, v->states, v->n, dst, v->scratch);
    } else {
        env_save(spec, v->states + (size_t)src * v->state_stride, v->copy_buf);
        if (env_load(spec, v->states + (size_t)dst * v->state_stride, v->copy_buf) != 0)
            return -1;
    }
    memcpy(v->obs + (size_t)dst * od, v->obs + (size_t)src * od, od * sizeof(float));
    memcpy(v->final_obs + (size_t)dst * od, v->obs + (size_t)src * od, od * sizeof(float));
    if (v->obs64 != NULL) {
        memcpy(v->obs64 + (size_t)dst * od, v->obs64 + (size_t)src * od, od * sizeof(double));
        memcpy(v->final_obs64 + (size_t)dst * od, v->obs64 + (size_t)src * od, od * sizeof(double));
    }
    v->ep_return[dst] = v->ep_return[src];
    v->ep_len[dst] = v->ep_len[src];
    v->reward[dst] = 0.0f;
    v->reward64[dst] = 0.0;
    v->terminated[dst] = 0;
    v->truncated[dst] = 0;
    return 0;
}
