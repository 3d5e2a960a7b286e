/* vecenv.h - a vector of E environments of one spec, stepped together.
 *
 * The vector owns contiguous arrays, one row per environment, so that a batch is ready
 * for the networks and for MPI with no gathering:
 *   obs        (E, obs_dim)  the observation to act on next
 *   final_obs  (E, obs_dim)  the observation the last step produced, before auto-reset
 *   reward     (E)           float32 copy of the step's float64 reward (reward64)
 *   terminated (E), truncated (E)  0/1, both written on every step
 * plus per-environment episode statistics. Environments whose observations are float64
 * (env.h's observe64: the MuJoCo set) also fill obs64 and final_obs64, the values
 * Gymnasium returns, of which obs and final_obs are the float32 casts: normalisation
 * works on them, and the cast to float32 is the network's.
 *
 * Semantics are Gymnasium 1.x's TimeLimit wrapper under a same-step auto-reset vector
 * (gymnasium.vector.AutoresetMode.SAME_STEP): truncated = (steps since the last reset
 * >= max_steps), independent of terminated, so both can be 1 on the same step. An
 * environment that terminated or was truncated is reset inside the same vecenv_step:
 * its obs row holds the new episode's first observation and its final_obs row the
 * last observation of the finished episode, from which the learner bootstraps
 * V(final observation) on truncation. final_obs is written for every row on every
 * step (equal to obs where nothing finished), so it can be fed to the value network
 * as one batch.
 *
 * Environment i draws its randomness from its own generator, seeded with
 * rng_seed(seed, rng_stream_id(rank, i)). Nothing is allocated after vecenv_init.
 */
#ifndef MPIRL_VECENV_H
#define MPIRL_VECENV_H

#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "rng.h"

typedef struct {
    const EnvSpec *spec; /* not owned */
    int n;               /* E, number of environments */
    int obs_dim;
    int act_dim;   /* floats per action (env_action_dim) */
    int max_steps; /* time limit, in steps since reset */

    float *obs;          /* (E, obs_dim) observation to act on */
    float *final_obs;    /* (E, obs_dim) observation produced by the last step, pre-reset */
    float *reward;       /* (E) reward of the last step */
    double *reward64;    /* (E) the same, float64 as the environment computed it */
    double *obs64;       /* (E, obs_dim) float64 obs if the environment has observe64, else NULL */
    double *final_obs64; /* (E, obs_dim) float64 final_obs likewise, else NULL */
    uint8_t *terminated; /* (E) the last step ended the episode (failure or goal) */
    uint8_t *truncated;  /* (E) the last step reached the time limit */

    double *ep_return;   /* (E) sum of rewards of the running episode (0 after reset) */
    int *ep_len;         /* (E) steps of the running episode (0 after reset) */
    double *done_return; /* (E) for rows that finished on the last step: that episode's
                            return; other rows keep their previous value */
    int *done_len;       /* (E) likewise, the finished episode's length */
    int n_done;          /* rows that finished on the last step */

    int bad_env;   /* after vecenv_step returned -1: the row whose action was refused */
    char err[192]; /* after vecenv_step returned -1: what was wrong, one line */

    /* private */
    Rng *rng;              /* (E) */
    unsigned char *states; /* (E, state_stride) the environments' state structs, or if
                              batched their structure of arrays (env.h) */
    size_t state_stride;
    int batched;    /* states is step_batch's structure of arrays (see vecenv.c) */
    void *scratch;  /* if batched: one state struct, for resets; else NULL */
    void *copy_buf; /* if not batched: env_save_bytes, for vecenv_copy_env; else NULL */
    void *block;    /* the one allocation every array above points into */
    int n_open;     /* states opened with env_open (closed by vecenv_free) */
} VecEnv;

/* Build a vector of n copies of spec and reset them all (vecenv_reset). max_steps > 0
 * overrides the spec's time limit; 0 keeps spec->max_steps. Environment i's generator
 * is rng_seed(seed, rng_stream_id(rank, i)). Returns 0, or -1 with a one-line message in
 * err (naming the bad argument and its valid range) if n < 1, max_steps < 0, memory
 * runs out or an environment's open fails (its message); on failure v owns nothing. spec must
 * outlive v. */
int vecenv_init(VecEnv *v, const EnvSpec *spec, int n, int max_steps, uint64_t seed, uint32_t rank,
                char *err, size_t errlen);

/* Free everything v owns; v is zeroed. Accepts a zeroed or already freed v. */
void vecenv_free(VecEnv *v);

/* Reset every environment (each continues its own random stream), write obs and
 * final_obs (equal), zero reward, flags and the running episode statistics. */
void vecenv_reset(VecEnv *v);

/* Step every environment with action (E, act_dim): row i of obs, final_obs, reward,
 * terminated and truncated is rewritten; a row that terminated or reached the time
 * limit gets its done_return / done_len and is reset in place (see the top of this
 * file). Uses the environment's step_batch if it has one, else its step once per row,
 * with the same results bit for bit. Allocates nothing. Every action is checked before
 * any environment steps: returns 0, or -1 if an action is invalid (an out-of-range or
 * non-integer discrete index, a NaN continuous action), with bad_env = the first such
 * row, err saying why, and nothing else changed (no environment has stepped). A
 * refused action is a bug of the caller (its policy), not a state to continue from. */
int vecenv_step(VecEnv *v, const float *action);

/* Reset environment i alone (a new start from its own generator), as vecenv_reset
 * resets every one. */
void vecenv_reset_env(VecEnv *v, int i);

/* Make environment dst a copy of environment src as it stands: its state, current
 * observation (obs, obs64; final_obs set to it) and running episode return and length;
 * dst's last-step outputs (reward, flags) are zeroed and each keeps its own random
 * generator. What groups of episodes from one start state are made of (GRPO, RLOO:
 * reset, then copy the first member to the others). Allocates nothing. Returns 0, or -1
 * if the environment refused the state (env.h's load; dst is then only fit for a
 * reset). */
int vecenv_copy_env(VecEnv *v, int dst, int src);

/* Bytes vecenv_save writes for n environments of spec: per environment its state
 * (env_save_bytes), generator, running episode return and length, and current observation
 * (float64 where the environment has observe64, else float32). */
size_t vecenv_save_size(const EnvSpec *spec, int n);

/* Copy the complete state of the vector (not the last step's outputs) into out
 * (vecenv_save_size bytes), independent of the internal layout, so that a vector
 * restored with vecenv_load continues exactly where this one stands. */
void vecenv_save(const VecEnv *v, void *out);

/* Restore a vector of the same spec and size from vecenv_save's bytes. Returns 0, or
 * -1 if len does not match (nothing changed) or an environment refused its saved state
 * (env.h's load: then the vector is only fit for vecenv_reset or vecenv_free). */
int vecenv_load(VecEnv *v, const void *in, size_t len);

#endif
