/* env.h - the environment API of mpirl.
 *
 * An environment is a const EnvSpec (sizes, bounds, time limit, functions) and a small
 * caller-owned state struct of spec->state_bytes bytes. The functions never allocate
 * and touch nothing but their arguments, so E states side by side form a vector of
 * environments (vecenv.h) whose observation rows are ready for the networks.
 *
 * Semantics follow Gymnasium 1.x exactly for the built-in classic-control set: the
 * same equations in the same order, float64 internal state where Gymnasium keeps
 * float64 (float32 where it keeps float32), float32 observations, float64 rewards,
 * the same termination tests. Truncation by the time limit is NOT the environment's
 * business: vecenv.h and replay count steps against spec->max_steps.
 *
 * Actions are floats: a discrete action is its index stored as a float (1 float), a
 * continuous action is act_dim floats, clipped inside step exactly where Gymnasium
 * clips (the reward may use the unclipped value, as in MountainCarContinuous).
 *
 * An environment may also offer step_batch, which steps many environments at once
 * (the classic-control step is a few dozen floating-point operations, so one call per
 * environment and per step costs as much as the physics, and the divisions only
 * vectorize across environments). Its states are stored transposed, as a structure of
 * arrays (see step_batch); vecenv.h uses it, when it is set, for vectors of several
 * environments, and step otherwise. Both paths give the same results bit for bit.
 *
 * Plugins (shared libraries) export `const EnvSpec *const *mpirl_env_plugin(int abi)`
 * returning a NULL-terminated list of specs built against MPIRL_ENV_ABI; see
 * envs/examples/ and plugin.h.
 */
#ifndef MPIRL_ENV_H
#define MPIRL_ENV_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"

/* Version of this header's structures and calling conventions. A plugin built
 * against another version is refused. 2: EnvSpec gained step_batch. 3: open/close,
 * save/load and observe64, for environments whose state holds resources (MuJoCo). */
#define MPIRL_ENV_ABI 3

typedef enum { SPACE_DISCRETE = 0, SPACE_BOX = 1 } SpaceKind;

typedef struct EnvSpec EnvSpec;

struct EnvSpec {
    int abi;              /* MPIRL_ENV_ABI */
    const char *id;       /* "CartPole-v1" */
    int obs_dim;          /* floats per observation */
    const float *obs_low; /* (obs_dim) Gymnasium's observation_space bounds */
    const float *obs_high;
    SpaceKind act_kind;
    int act_n;            /* discrete: number of actions; box: action dimension */
    const float *act_low; /* box: (act_n) bounds; NULL for discrete */
    const float *act_high;
    int max_steps;               /* default time limit (TimeLimit's max_episode_steps) */
    int state_size;              /* doubles in the Gymnasium-visible state (env.unwrapped.state) */
    size_t state_bytes;          /* size of the C state struct */
    const char *const *defaults; /* NULL-terminated "key=value" training defaults, or NULL */

    /* Draw a start state from rng (Gymnasium's reset distribution) and write the
     * first observation (obs_dim floats). */
    void (*reset)(const EnvSpec *spec, void *state, Rng *rng, float *obs);

    /* Apply one action: write the observation, the reward and whether the episode
     * terminated (a true end: failure or goal). Returns 0, or -1 if the action is
     * invalid (a discrete index out of range or not an integer, or a NaN continuous
     * action), in which case nothing is changed. */
    int (*step)(const EnvSpec *spec, void *state, const float *action, float *obs, double *reward,
                uint8_t *terminated);

    /* Export the Gymnasium-visible state (state_size doubles, Gymnasium's order). */
    void (*get_state)(const EnvSpec *spec, const void *state, double *out);

    /* Start from the given Gymnasium-visible state and write its observation. Returns 0,
     * or -1 if a value is not finite (nothing changed). */
    int (*set_state)(const EnvSpec *spec, void *state, const double *in, float *obs);

    /* Optional (NULL: none). Step n environments whose states are stored in batch as a
     * structure of arrays: the state struct seen as state_bytes / 8 words of 8 bytes
     * (state_bytes must be a multiple of 8), word w of environment i at byte
     * 8 (w n + i) of batch, so each double field of the struct is one array of n doubles
     * (env_batch_put / env_batch_get move one environment in and out). action is
     * (n, env_action_dim) and obs (n, obs_dim), reward (n), terminated (n) are written
     * as n calls of step would write them, bit for bit. Every action is checked before
     * anything changes: returns 0, or -1 with *bad = the first row whose action step
     * would refuse, and then nothing is changed. */
    int (*step_batch)(const EnvSpec *spec, void *batch, int n, const float *action, float *obs,
                      double *reward, uint8_t *terminated, int *bad);

    /* Optional (NULL: the state struct is plain data, copied with memcpy). For a state
     * that holds resources, such as MuJoCo's mjData: open prepares a zeroed state struct
     * before its first reset or set_state (0, or -1 with a one-line message in err, and
     * then nothing is held); close releases what open acquired (a zeroed state too). An
     * environment with open has no step_batch. */
    int (*open)(const EnvSpec *spec, void *state, char *err, size_t errlen);
    void (*close)(const EnvSpec *spec, void *state);

    /* Optional (NULL: the state struct's bytes). The complete state, everything a step
     * depends on, as save_bytes bytes for checkpoints: save writes it, load restores it
     * into an opened state so that the next step gives what it would have given, bit for
     * bit (load returns 0, or -1 if the bytes are not a state: nothing changed). */
    size_t save_bytes;
    void (*save)(const EnvSpec *spec, const void *state, void *out);
    int (*load)(const EnvSpec *spec, void *state, const void *in);

    /* Optional (NULL: the float observation is exact). The observation of the current
     * state in float64, as Gymnasium returns it (obs_dim doubles); step, reset and
     * set_state write it rounded to float for the networks. */
    void (*observe64)(const EnvSpec *spec, const void *state, double *obs);
};

/* Floats per action: 1 for discrete, act_n for box. */
int env_action_dim(const EnvSpec *spec);

/* open / close / save / load of any spec: spec->open etc. where set, else nothing to
 * do (env_open returns 0), the state struct's bytes (env_save_bytes = state_bytes). */
int env_open(const EnvSpec *spec, void *state, char *err, size_t errlen);
void env_close(const EnvSpec *spec, void *state);
size_t env_save_bytes(const EnvSpec *spec);
void env_save(const EnvSpec *spec, const void *state, void *out);
int env_load(const EnvSpec *spec, void *state, const void *in);

/* Helpers for writing environments (their step and set_state functions). */

/* The discrete action a as an index: k if a == k for some k in [0, n), else -1 (a
 * fraction, out of range, NaN or infinite). -0.0f is index 0. Inline: every step of a
 * discrete environment calls it, and vecenv once more per row. */
static inline int env_discrete_action(float a, int n)
{
    for (int k = 0; k < n; k++)
        if (a == (float)k)
            return k;
    return -1;
}

/* 1 if action (env_action_dim floats) is one that step accepts (see step: for a
 * discrete space an index env_discrete_action accepts, for a box no NaN), else 0. */
static inline int env_action_valid(const EnvSpec *spec, const float *action)
{
    if (spec->act_kind == SPACE_DISCRETE)
        return env_discrete_action(action[0], spec->act_n) >= 0;
    for (int k = 0; k < spec->act_n; k++)
        if (isnan(action[k]))
            return 0;
    return 1;
}

/* Copy state (a state struct, state_bytes bytes) into environment i of the n stored in
 * batch as step_batch lays them out, and back. state_bytes must be a multiple of 8. */
void env_batch_put(const EnvSpec *spec, void *batch, int n, int i, const void *state);
void env_batch_get(const EnvSpec *spec, const void *batch, int n, int i, void *state);

/* 1 if the n values in are all finite, else 0 (for set_state's check). */
int env_states_finite(const double *in, int n);

/* Python's min(max(x, lo), hi), which is also np.clip of a scalar: max with lo first,
 * then min with hi; a NaN x is returned unchanged. Inline, so that loops over many
 * environments (step_batch) vectorize with it. */
static inline double env_clip(double x, double lo, double hi)
{
    x = lo > x ? lo : x;
    return hi < x ? hi : x;
}

#endif
