/* mjenv.h - Gymnasium's MuJoCo environments on libmujoco: the task table and the
 * helpers a task is written with.
 *
 * One MjTask per environment id (Hopper-v4, Hopper-v5, ...) says what Gymnasium 1.x's
 * environment class says with its default arguments: the model file, the frame skip,
 * how reset draws the start state, and what a step observes, rewards and terminates.
 * mjenv.c turns every task into an EnvSpec (env.h): it owns the models (one read-only
 * mjModel per model file and process, compiled from the MJCF embedded in the binary,
 * shared by all environments of that file), one mjData per environment (opened by
 * env_open, with a stack sized for these models rather than MuJoCo's default), the
 * Gymnasium-visible state qpos ⊕ qvel and the complete state for checkpoints.
 *
 * What a step of Gymnasium's MujocoEnv does, and so what task->step does:
 *   data.ctrl[:] = action (the float32 action in float64, NOT clipped: MuJoCo clamps
 *   ctrl to ctrlrange inside the physics; the costs use the raw action), mj_step
 *   frame_skip times, mj_rnePostConstraint, then the observation, reward and
 *   termination of the subclass (mjenv_simulate does the first three).
 * Note that after mj_step the kinematic quantities (xpos, xipos, cinert, cvel, ...)
 * belong to the last evaluation inside the step (mj_forward at its start for Euler, the
 * last Runge-Kutta stage for RK4), not to the new qpos: Gymnasium reads them as they
 * are, and so do the tasks. A task may read, before it simulates, only qpos, qvel,
 * xpos and xipos: those are what a checkpoint restores (mjenv.c, save/load).
 *
 * Arithmetic follows NumPy 1.x as Gymnasium's code meets it (Debian 12's NumPy 1.24):
 * np.sum is pairwise (mjenv_sum, mjenv_sum_sq_f32), the action is float32 so its
 * squares and their sum are float32 before a Python float weight makes them float64.
 */
#ifndef MPIRL_MJENV_H
#define MPIRL_MJENV_H

#include <stddef.h>
#include <stdint.h>

#include <mujoco/mujoco.h>

#include "env.h"
#include "rng.h"

typedef struct MjTask MjTask;

struct MjTask {
    EnvSpec spec;       /* first, so that the spec is the task (MJENV_SPEC fills it) */
    const char *model;  /* embedded model file, "hopper.xml" (envs/mujoco/models/) */
    int frame_skip;     /* mj_step calls per env step */
    int nq, nv, nbody;  /* the model's sizes, checked when it is loaded */
    const void *params; /* the task's own constants (version differences), or NULL */

    /* Gymnasium's reset_model of most tasks, after mj_resetData: qpos = qpos0 +
     * U(-reset_qpos, reset_qpos) drawn for every qpos, then qvel = 0 +
     * U(-reset_qvel, reset_qvel) for every qvel, or reset_qvel N(0, 1) if
     * reset_qvel_normal; used when reset is NULL. */
    double reset_qpos, reset_qvel;
    int reset_qvel_normal;

    /* Otherwise (not NULL): draw qpos and qvel around the model's initial ones
     * (init_qpos = m->qpos0, init_qvel = 0) from rng, in Gymnasium's order of draws, and
     * write them into d->qpos and d->qvel. Either way mjenv.c then runs mj_forward
     * (Gymnasium's set_state) and observe. */
    void (*reset)(const MjTask *t, const mjModel *m, mjData *d, Rng *rng);

    /* One Gymnasium step: mjenv_simulate(m, d, action, t->frame_skip) with whatever the
     * reward needs before it, then the observation (obs_dim doubles), the reward and
     * whether the episode terminated. */
    void (*step)(const MjTask *t, const mjModel *m, mjData *d, const float *action, double *obs,
                 double *reward, uint8_t *terminated);

    /* Gymnasium's _get_obs of the current data (obs_dim doubles). */
    void (*observe)(const MjTask *t, const mjModel *m, const mjData *d, double *obs);
};

/* Largest observation of the set (Humanoid-v4's 376), and its unbounded box. */
#define MJENV_OBS_MAX 400
extern const float mjenv_obs_low[MJENV_OBS_MAX], mjenv_obs_high[MJENV_OBS_MAX];

/* The state struct of every MuJoCo environment (state_bytes). */
typedef struct {
    const MjTask *task;
    const mjModel *m; /* shared, read-only */
    mjData *d;        /* this environment's */
} MjState;

/* Doubles of the complete state (see mjenv.c's save): time, qpos, qvel, qacc_warmstart,
 * xpos and xipos. */
#define MJENV_SAVE_DOUBLES(nq, nv, nbody) (1 + (nq) + 2 * (nv) + 6 * (nbody))

/* The EnvSpec of a task: id, observation size, action size, the action box (act_dim
 * floats each: the actuators' ctrlrange, as Gymnasium's Box), time limit, model sizes
 * and training preset. The functions are mjenv.c's. */
#define MJENV_SPEC(id_, obs_dim_, act_dim_, act_low_, act_high_, max_steps_, nq_, nv_, nbody_,     \
                   defaults_)                                                                      \
    {                                                                                              \
        .abi = MPIRL_ENV_ABI, .id = (id_), .obs_dim = (obs_dim_), .obs_low = mjenv_obs_low,        \
        .obs_high = mjenv_obs_high, .act_kind = SPACE_BOX, .act_n = (act_dim_),                    \
        .act_low = (act_low_), .act_high = (act_high_), .max_steps = (max_steps_),                 \
        .state_size = (nq_) + (nv_), .state_bytes = sizeof(MjState), .defaults = (defaults_),      \
        .reset = mjenv_reset, .step = mjenv_step, .get_state = mjenv_get_state,                    \
        .set_state = mjenv_set_state, .open = mjenv_open, .close = mjenv_close,                    \
        .save_bytes = sizeof(double) * MJENV_SAVE_DOUBLES(nq_, nv_, nbody_), .save = mjenv_save,   \
        .load = mjenv_load, .observe64 = mjenv_observe64,                                          \
    }

/* The first members of a task: its spec (MJENV_SPEC's arguments), the model file and
 * the frame skip, and the model's sizes once for both the spec and the check. */
#define MJENV_TASK(id_, obs_dim_, act_dim_, act_low_, act_high_, max_steps_, nq_, nv_, nbody_,     \
                   defaults_, model_, frame_skip_)                                                 \
    .spec = MJENV_SPEC(id_, obs_dim_, act_dim_, act_low_, act_high_, max_steps_, nq_, nv_, nbody_, \
                       defaults_),                                                                 \
    .model = (model_), .frame_skip = (frame_skip_), .nq = (nq_), .nv = (nv_), .nbody = (nbody_)

/* The EnvSpec functions of every task (env.h's contracts). */
void mjenv_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs);
int mjenv_step(const EnvSpec *spec, void *state, const float *action, float *obs, double *reward,
               uint8_t *terminated);
void mjenv_get_state(const EnvSpec *spec, const void *state, double *out);
int mjenv_set_state(const EnvSpec *spec, void *state, const double *in, float *obs);
int mjenv_open(const EnvSpec *spec, void *state, char *err, size_t errlen);
void mjenv_close(const EnvSpec *spec, void *state);
void mjenv_save(const EnvSpec *spec, const void *state, void *out);
int mjenv_load(const EnvSpec *spec, void *state, const void *in);
void mjenv_observe64(const EnvSpec *spec, const void *state, double *obs);

/* Gymnasium's do_simulation: ctrl = (double)action[i] for the m->nu actuators, mj_step
 * n_frames times, then mj_rnePostConstraint (cacc, cfrc_int, cfrc_ext). */
void mjenv_simulate(const mjModel *m, mjData *d, const float *action, int n_frames);

/* np.sum(x) of n float64 values: NumPy's pairwise summation (blocks of 128, eight
 * accumulators from 8 values on), bit for bit. */
double mjenv_sum(const double *x, long n);

/* np.sum(np.square(x)) of n float64 values, bit for bit (squares, then mjenv_sum). */
double mjenv_sum_sq(const double *x, long n);

/* np.sum(np.square(a)) of a float32 array of n values: float32 squares and a float32
 * pairwise sum, returned exactly as a double (what a Python float weight then meets). */
double mjenv_sum_sq_f32(const float *a, long n);

/* np.linalg.norm(v) of n >= 1 float64 values: sqrt(v.dot(v)), and Debian's NumPy 1.24
 * hands the dot product to OpenBLAS 0.3.21's ddot, whose loop for short vectors is an
 * fma chain of the squares, first to last (checked against NumPy: 40,000 random 2- and
 * 3-vectors equal; an unfused sum differs for about one in five). */
double mjenv_norm(const double *v, int n);

/* x ** 2 of an np.float64: NumPy's scalar power, libm pow(x, 2.0), which glibc rounds
 * differently from x * x for about one argument in a thousand. */
double mjenv_pow2(double x);

/* The id of the named object of type (mjOBJ_BODY, ...) in m; a missing name is a bug
 * of the task or the model, reported through MPIRL_FAIL. */
int mjenv_id(const mjModel *m, int type, const char *name);

/* dst[i] = clip(src[i], lo, hi) as np.clip of float64 (NaN passes through). */
void mjenv_clip(double *dst, const double *src, long n, double lo, double hi);

/* x[i] += U(-scale, scale), i < n, as init + np_random.uniform(low=-scale, high=scale,
 * size=n) draws them (one draw per element, in order; mpirl's generator). */
void mjenv_add_uniform(double *x, long n, double scale, Rng *rng);

/* x[i] += scale * N(0, 1), i < n, as init + scale * np_random.standard_normal(n). */
void mjenv_add_normal(double *x, long n, double scale, Rng *rng);

/* The training presets of the MuJoCo set (mjpresets.c), NULL-terminated: the general
 * one, InvertedPendulum's and HalfCheetah's. */
extern const char *const mjenv_preset[],
    *const mjenv_preset_pendulum[], *const mjenv_preset_fine[], *const mjenv_preset_humanoid[];

/* Every task, in the order `mpirl envs` lists them, NULL-terminated (mjtasks.c). */
extern const MjTask *const mj_tasks[];

/* The task behind spec, or NULL if spec is not one of mjenv.c's. */
const MjTask *mjenv_task(const EnvSpec *spec);

/* The shared model of a task (loaded on first use; NULL with a message in err if its
 * embedded file does not compile). The model stays loaded until the last state of
 * its file is closed and mjenv_model_release is called as often as mjenv_model_get. */
const mjModel *mjenv_model_get(const char *file, char *err, size_t errlen);
void mjenv_model_release(const char *file);

/* A new model compiled from the embedded file, as MuJoCo compiles it (nstack not
 * reduced), owned by the caller (mj_deleteModel); NULL with a message in err. */
mjModel *mjenv_model_compile(const char *file, char *err, size_t errlen);

/* The MJCF text of an embedded model file, and its length; NULL if there is none. */
const char *mjenv_model_text(const char *file, size_t *len);

#endif
