/* mjenv.c - the engine under Gymnasium's MuJoCo environments (see mjenv.h): models
 * compiled from the embedded MJCF, one mjData per environment, the EnvSpec functions,
 * checkpoints of the physics, and NumPy's summation.
 *
 * Reference: Gymnasium 1.x, gymnasium/envs/mujoco/mujoco_env.py (MujocoEnv: reset =
 * mj_resetData then reset_model; set_state = qpos, qvel, then mj_forward;
 * do_simulation = ctrl, mj_step frame_skip times, mj_rnePostConstraint), on MuJoCo
 * 2.2.2 (Debian's libmujoco). NumPy 1.24's pairwise summation
 * (numpy/core/src/umath/loops_utils.h.src) for np.sum.
 *
 * Models. Each model file is compiled once per process, on the first env_open of an
 * environment that uses it, from the MJCF text embedded in the binary (mj_models.c,
 * generated from envs/mujoco/models/ at build time) through MuJoCo's virtual file
 * system, so that ranks on other nodes need no data files. The compiled model is shared
 * read-only by every environment of the file and freed with the last one; this table
 * of loaded models is the one piece of mutable process state of the environments
 * (environments are opened and closed by one thread).
 *
 * Memory. MuJoCo 2.2.2 sizes mjData's stack from the model (nstack: 1.3M doubles, 10 MB,
 * for most of these models), while these tasks use at most a few thousand (Humanoid
 * under random actions: ~2,600). The model's nstack is lowered to MJENV_NSTACK before
 * any mjData is made (the pendulums ask for 3,000 and keep it), which leaves 3.2-3.5 MB per
 * environment (mostly the njmax = 500 constraint arrays, kept as the model has them so that no
 * constraint can be dropped). A larger stack changes no result (tests/test_mujoco.c compares
 * trajectories with both sizes); a too small one would stop the simulation with MuJoCo's error,
 * which is reported with the environment's id instead.
 *
 * Checkpoints. save writes time, qpos, qvel, qacc_warmstart (the solver's warm start)
 * and the kinematics a step may read before it simulates (xpos, xipos: after mj_step
 * they are those of the last evaluation inside the step, not of the new qpos, so they
 * cannot be recomputed from qpos); load resets the data, restores them and runs
 * mj_forward for everything else, then puts xpos and xipos back. The tasks' models have
 * no activations (na = 0), mocap bodies or plugins (checked when a model is loaded).
 *
 * Left out: rendering, user XML files (the --xml-file argument of Gymnasium's
 * constructors), other constructor arguments than the defaults.
 */
#include "mjenv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "mj_models.h"

#define MJENV_NSTACK 30000 /* mjtNums of stack per mjData (240 KB) */

/* MJENV_OBS_MAX (400) copies of v */
#define X10(v)  v, v, v, v, v, v, v, v, v, v
#define X100(v) X10(v), X10(v), X10(v), X10(v), X10(v), X10(v), X10(v), X10(v), X10(v), X10(v)
#define X400(v) X100(v), X100(v), X100(v), X100(v)
const float mjenv_obs_low[MJENV_OBS_MAX] = {X400(-INFINITY)};
const float mjenv_obs_high[MJENV_OBS_MAX] = {X400(INFINITY)};

/* ---- models ---- */

typedef struct {
    const char *file; /* NULL: free slot */
    mjModel *m;
    int refs;
} Loaded;

#define MJENV_MODELS_MAX 32
static Loaded loaded[MJENV_MODELS_MAX];

const char *mjenv_model_text(const char *file, size_t *len)
{
    for (int i = 0; i < mj_model_count; i++) {
        if (strcmp(mj_model_files[i].name, file) == 0) {
            if (len != NULL)
                *len = mj_model_files[i].len;
            return (const char *)mj_model_files[i].text;
        }
    }
    return NULL;
}

/* MuJoCo's fatal errors (mju_error: an exhausted stack, an allocation that failed)
 * end the process; say so in mpirl's words. Its warnings are counted in mjData and
 * otherwise silent: the tasks see their effect as Gymnasium does. */
static void mj_error_handler(const char *msg)
{
    MPIRL_FAIL("MuJoCo: %s", msg);
}

static void mj_warning_handler(const char *msg)
{
    (void)msg;
}

mjModel *mjenv_model_compile(const char *file, char *err, size_t errlen)
{
    size_t len = 0;
    const char *text = mjenv_model_text(file, &len);
    if (text == NULL) {
        snprintf(err, errlen, "no embedded MuJoCo model '%s'", file);
        return NULL;
    }
    mjVFS *vfs = malloc(sizeof *vfs); /* ~2 MB of file table: not on the stack */
    if (vfs == NULL) {
        snprintf(err, errlen, "out of memory loading the MuJoCo model %s", file);
        return NULL;
    }
    mj_defaultVFS(vfs);
    mjModel *m = NULL;
    char merr[512] = "";
    if (mj_makeEmptyFileVFS(vfs, file, (int)len) != 0) {
        snprintf(err, errlen, "MuJoCo's virtual file system refused %s", file);
    } else {
        const int k = mj_findFileVFS(vfs, file);
        memcpy(vfs->filedata[k], text, len);
        m = mj_loadXML(file, vfs, merr, sizeof merr);
        if (m == NULL)
            snprintf(err, errlen, "MuJoCo model %s does not compile: %s", file, merr);
    }
    mj_deleteVFS(vfs);
    free(vfs);
    return m;
}

const mjModel *mjenv_model_get(const char *file, char *err, size_t errlen)
{
    mju_user_error = mj_error_handler;
    mju_user_warning = mj_warning_handler;
    int slot = -1;
    for (int i = 0; i < MJENV_MODELS_MAX; i++) {
        if (loaded[i].file != NULL && strcmp(loaded[i].file, file) == 0) {
            loaded[i].refs++;
            return loaded[i].m;
        }
        if (loaded[i].file == NULL && slot < 0)
            slot = i;
    }
    if (slot < 0) {
        snprintf(err, errlen, "no embedded MuJoCo model '%s'", file);
        return NULL;
    }
    mjModel *m = mjenv_model_compile(file, err, errlen);
    if (m == NULL)
        return NULL;
    if (m->nstack > MJENV_NSTACK) /* never more than the model asks for */
        m->nstack = MJENV_NSTACK;
    loaded[slot] = (Loaded){file, m, 1};
    return m;
}

void mjenv_model_release(const char *file)
{
    for (int i = 0; i < MJENV_MODELS_MAX; i++) {
        if (loaded[i].file != NULL && strcmp(loaded[i].file, file) == 0) {
            if (--loaded[i].refs == 0) {
                mj_deleteModel(loaded[i].m);
                loaded[i] = (Loaded){NULL, NULL, 0};
            }
            return;
        }
    }
}

/* ---- the EnvSpec functions ---- */

const MjTask *mjenv_task(const EnvSpec *spec)
{
    return spec != NULL && spec->open == mjenv_open ? (const MjTask *)spec : NULL;
}

int mjenv_open(const EnvSpec *spec, void *state, char *err, size_t errlen)
{
    const MjTask *t = (const MjTask *)spec;
    MjState *s = state;
    memset(s, 0, sizeof *s);
    const mjModel *m = mjenv_model_get(t->model, err, errlen);
    if (m == NULL)
        return -1;
    if (m->nq != t->nq || m->nv != t->nv || m->nbody != t->nbody || m->nu != spec->act_n ||
        m->na != 0 || m->nmocap != 0 || spec->obs_dim > MJENV_OBS_MAX)
        MPIRL_FAIL("%s: model %s has nq %d nv %d nbody %d nu %d na %d nmocap %d, the task "
                   "expects nq %d nv %d nbody %d nu %d and no activations or mocap bodies",
                   spec->id, t->model, m->nq, m->nv, m->nbody, m->nu, m->na, m->nmocap, t->nq,
                   t->nv, t->nbody, spec->act_n);
    mjData *d = mj_makeData(m);
    if (d == NULL) {
        mjenv_model_release(t->model);
        snprintf(err, errlen, "out of memory for the MuJoCo data of %s", spec->id);
        return -1;
    }
    *s = (MjState){t, m, d};
    return 0;
}

void mjenv_close(const EnvSpec *spec, void *state)
{
    MjState *s = state;
    (void)spec;
    if (s->d == NULL)
        return;
    mj_deleteData(s->d);
    mjenv_model_release(s->task->model);
    memset(s, 0, sizeof *s);
}

/* obs (obs_dim floats) = the task's float64 observation of the current data */
static void observe_float(const MjState *s, float *obs)
{
    double o[MJENV_OBS_MAX];
    const int n = s->task->spec.obs_dim;
    s->task->observe(s->task, s->m, s->d, o);
    for (int i = 0; i < n; i++)
        obs[i] = (float)o[i];
}

void mjenv_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    MjState *s = state;
    (void)spec;
    const MjTask *t = s->task;
    mj_resetData(s->m, s->d); /* qpos = qpos0, qvel = 0 */
    if (t->reset != NULL) {
        t->reset(t, s->m, s->d, rng);
    } else {
        mjenv_add_uniform(s->d->qpos, s->m->nq, t->reset_qpos, rng);
        if (t->reset_qvel_normal)
            mjenv_add_normal(s->d->qvel, s->m->nv, t->reset_qvel, rng);
        else
            mjenv_add_uniform(s->d->qvel, s->m->nv, t->reset_qvel, rng);
    }
    mj_forward(s->m, s->d);
    observe_float(s, obs);
}

int mjenv_step(const EnvSpec *spec, void *state, const float *action, float *obs, double *reward,
               uint8_t *terminated)
{
    MjState *s = state;
    if (!env_action_valid(spec, action))
        return -1;
    double o[MJENV_OBS_MAX];
    s->task->step(s->task, s->m, s->d, action, o, reward, terminated);
    for (int i = 0; i < spec->obs_dim; i++)
        obs[i] = (float)o[i];
    return 0;
}

void mjenv_observe64(const EnvSpec *spec, const void *state, double *obs)
{
    const MjState *s = state;
    (void)spec;
    s->task->observe(s->task, s->m, s->d, obs);
}

void mjenv_get_state(const EnvSpec *spec, const void *state, double *out)
{
    const MjState *s = state;
    (void)spec;
    memcpy(out, s->d->qpos, sizeof(double) * (size_t)s->m->nq);
    memcpy(out + s->m->nq, s->d->qvel, sizeof(double) * (size_t)s->m->nv);
}

int mjenv_set_state(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    MjState *s = state;
    if (!env_states_finite(in, spec->state_size))
        return -1;
    mj_resetData(s->m, s->d);
    memcpy(s->d->qpos, in, sizeof(double) * (size_t)s->m->nq);
    memcpy(s->d->qvel, in + s->m->nq, sizeof(double) * (size_t)s->m->nv);
    mj_forward(s->m, s->d);
    observe_float(s, obs);
    return 0;
}

/* The arrays of the complete state, in save order: (pointer, count). */
static int state_arrays(const mjModel *m, mjData *d, double **p, size_t *n)
{
    const size_t nb3 = 3 * (size_t)m->nbody;
    double *const ptr[] = {&d->time, d->qpos, d->qvel, d->qacc_warmstart, d->xpos, d->xipos};
    const size_t cnt[] = {1, (size_t)m->nq, (size_t)m->nv, (size_t)m->nv, nb3, nb3};
    for (int i = 0; i < 6; i++) {
        p[i] = ptr[i];
        n[i] = cnt[i];
    }
    return 6;
}

void mjenv_save(const EnvSpec *spec, const void *state, void *out)
{
    const MjState *s = state;
    double *p[6];
    size_t n[6];
    unsigned char *o = out;
    (void)spec;
    const int k = state_arrays(s->m, s->d, p, n);
    for (int i = 0; i < k; i++) {
        memcpy(o, p[i], n[i] * sizeof(double));
        o += n[i] * sizeof(double);
    }
}

int mjenv_load(const EnvSpec *spec, void *state, const void *in)
{
    MjState *s = state;
    double *p[6];
    size_t n[6];
    const size_t total = spec->save_bytes / sizeof(double);
    double v[MJENV_SAVE_DOUBLES(MJENV_OBS_MAX, MJENV_OBS_MAX, MJENV_OBS_MAX)];
    if (total > sizeof v / sizeof v[0])
        return -1;
    memcpy(v, in, total * sizeof(double));
    if (!env_states_finite(v, (int)total))
        return -1;
    mj_resetData(s->m, s->d);
    const int k = state_arrays(s->m, s->d, p, n);
    const double *src[6];
    for (int i = 0, off = 0; i < k; off += (int)n[i], i++) {
        src[i] = v + off;
        memcpy(p[i], src[i], n[i] * sizeof(double));
    }
    mj_forward(s->m, s->d);
    /* mj_forward recomputed xpos and xipos from qpos: put the saved ones back (and
     * the rest, which it only reads) */
    for (int i = 0; i < k; i++)
        memcpy(p[i], src[i], n[i] * sizeof(double));
    return 0;
}

/* ---- helpers of the tasks ---- */

void mjenv_simulate(const mjModel *m, mjData *d, const float *action, int n_frames)
{
    for (int i = 0; i < m->nu; i++)
        d->ctrl[i] = (double)action[i];
    for (int k = 0; k < n_frames; k++)
        mj_step(m, d);
    mj_rnePostConstraint(m, d);
}

/* NumPy's pairwise_sum for one type: below 8 values a plain loop, up to 128 eight
 * accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) and then the rest,
 * above that the two halves (the first a multiple of 8). np.sum adds the result to the
 * identity 0. */
#define PAIRWISE(name, T, LOAD)                                                                    \
    static T name(const void *a, long n)                                                           \
    {                                                                                              \
        if (n < 8) {                                                                               \
            T res = 0;                                                                             \
            for (long i = 0; i < n; i++)                                                           \
                res += LOAD(a, i);                                                                 \
            return res;                                                                            \
        }                                                                                          \
        if (n <= 128) {                                                                            \
            T r[8];                                                                                \
            for (int j = 0; j < 8; j++)                                                            \
                r[j] = LOAD(a, j);                                                                 \
            long i;                                                                                \
            for (i = 8; i < n - (n % 8); i += 8)                                                   \
                for (int j = 0; j < 8; j++)                                                        \
                    r[j] += LOAD(a, i + j);                                                        \
            T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));             \
            for (; i < n; i++)                                                                     \
                res += LOAD(a, i);                                                                 \
            return res;                                                                            \
        }                                                                                          \
        long n2 = n / 2;                                                                           \
        n2 -= n2 % 8;                                                                              \
        return name(a, n2) + name(SHIFT_##T(a, n2), n - n2);                                       \
    }

#define LOAD_D(a, i)       (((const double *)(a))[i])
#define SHIFT_double(a, k) ((const void *)((const double *)(a) + (k)))
#define LOAD_F(a, i)       (((const float *)(a))[i])
#define SHIFT_float(a, k)  ((const void *)((const float *)(a) + (k)))

PAIRWISE(pairwise_d, double, LOAD_D)
PAIRWISE(pairwise_f, float, LOAD_F)

double mjenv_sum(const double *x, long n)
{
    return 0.0 + pairwise_d(x, n);
}

double mjenv_sum_sq(const double *x, long n)
{
    double sq[MJENV_OBS_MAX];
    if (n > MJENV_OBS_MAX)
        MPIRL_FAIL("mjenv_sum_sq: %ld values, at most %d", n, MJENV_OBS_MAX);
    for (long i = 0; i < n; i++)
        sq[i] = x[i] * x[i];
    return mjenv_sum(sq, n);
}

double mjenv_sum_sq_f32(const float *a, long n)
{
    float sq[MJENV_OBS_MAX];
    if (n > MJENV_OBS_MAX)
        MPIRL_FAIL("mjenv_sum_sq_f32: %ld values, at most %d", n, MJENV_OBS_MAX);
    for (long i = 0; i < n; i++)
        sq[i] = a[i] * a[i];
    return (double)(0.0f + pairwise_f(sq, n));
}

double mjenv_norm(const double *v, int n)
{
    double dot = v[0] * v[0];
    for (int i = 1; i < n; i++)
        dot = fma(v[i], v[i], dot);
    return sqrt(dot);
}

double mjenv_pow2(double x)
{
    volatile double two = 2.0; /* read at run time: the compiler keeps the call */
    return pow(x, two);
}

int mjenv_id(const mjModel *m, int type, const char *name)
{
    const int id = mj_name2id(m, type, name);
    if (id < 0)
        MPIRL_FAIL("MuJoCo model has no object '%s' of type %d", name, type);
    return id;
}

void mjenv_clip(double *dst, const double *src, long n, double lo, double hi)
{
    for (long i = 0; i < n; i++)
        dst[i] = env_clip(src[i], lo, hi);
}

void mjenv_add_uniform(double *x, long n, double scale, Rng *rng)
{
    for (long i = 0; i < n; i++)
        x[i] += rng_uniform_range(rng, -scale, scale);
}

void mjenv_add_normal(double *x, long n, double scale, Rng *rng)
{
    for (long i = 0; i < n; i++)
        x[i] += scale * rng_normal(rng);
}
