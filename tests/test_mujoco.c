/* test_mujoco.c - Gymnasium's MuJoCo environments (envs/mujoco/) against independent
 * reference data, and the engine's promises.
 *
 * Reference trajectories: tests/data/mj_<id>.txt, written by scripts/mujoco_golden.py,
 * a NumPy restatement of Gymnasium 1.4.0's environment classes over the same libmujoco
 * through ctypes (Gymnasium's own assets, not the project's models). Each trajectory
 * starts as `mpirl replay` does (data reset, qpos and qvel set, mj_forward) and replays
 * its float32 actions, inside and beyond the action box; per step the C environment
 * must give the same float64 observation, reward, terminated flag and qpos ⊕ qvel, bit
 * for bit: the physics is the same library, and the tasks reproduce NumPy's order of
 * operations (pairwise sums, float32 control costs). Since the reference compiles
 * Gymnasium's asset files and the C side the project's own MJCF, equal trajectories
 * also show that the models behave the same; test_mjcf compares them field by field.
 *
 * The engine's promises:
 *   - a checkpoint (save, then load into another environment) continues bit for bit;
 *   - the reduced mjData stack changes nothing: the same trajectory with an mjData made
 *     from an unmodified model (MuJoCo's default nstack) is bitwise identical, and the
 *     stack in use stays far below the reduced size;
 *   - reset draws the documented noise (moments of many seeded resets: Gymnasium's
 *     reset_noise_scale, uniform or normal per id, as its sources give them);
 *   - terminated follows the documented healthy rule, recomputed here from the state
 *     after every step of long random runs that cross the boundaries many times;
 *   - the time limit truncates (vecenv) at Gymnasium's max_episode_steps.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "env.h"
#include "mjenv.h"
#include "registry.h"
#include "rng.h"
#include "testutil.h"
#include "vecenv.h"

#define MAX_STATE 128

static const EnvSpec *spec_of(const char *id)
{
    EnvRegistry *r = registry_create();
    ck_assert(r != NULL);
    const EnvSpec *s = registry_find(r, id);
    ck_assert_msg(s != NULL, "%s is not registered", id);
    registry_destroy(&r); /* built-in specs outlive the registry */
    return s;
}

static void *open_state(const EnvSpec *spec)
{
    void *st = calloc(1, spec->state_bytes);
    char err[256];
    ck_assert(st != NULL);
    ck_assert_msg(env_open(spec, st, err, sizeof err) == 0, "%s", err);
    return st;
}

static void close_state(const EnvSpec *spec, void *st)
{
    env_close(spec, st);
    free(st);
}

/* Position of a double on the ordered integer line: the difference of two is in ulps. */
static int64_t double_order(double x)
{
    int64_t i;
    memcpy(&i, &x, sizeof i);
    return i < 0 ? -(i & INT64_MAX) : i;
}

static int64_t ulps(double a, double b)
{
    if (a == b || (isnan(a) && isnan(b)))
        return 0;
    const int64_t d = double_order(a) - double_order(b);
    return d < 0 ? -d : d;
}

/* Replay every trajectory of mj_<id>.txt; exact equality is required. */
static void replay_reference(const char *id)
{
    char file[96];
    snprintf(file, sizeof file, "mj_%s.txt", id);
    Golden *g = golden_load(file);
    const EnvSpec *spec = spec_of(id);
    const MjTask *task = mjenv_task(spec);
    ck_assert(task != NULL);
    const double *sp = golden_get(g, "spec", 6);
    const int od = spec->obs_dim, ad = spec->act_n, nq = task->nq, nv = task->nv;
    ck_assert_int_eq(od, (int)sp[0]);
    ck_assert_int_eq(ad, (int)sp[1]);
    ck_assert_int_eq(spec->max_steps, (int)sp[2]);
    ck_assert_int_eq(nq, (int)sp[3]);
    ck_assert_int_eq(nv, (int)sp[4]);
    ck_assert_int_eq(task->frame_skip, (int)sp[5]);
    const double *alo = golden_get(g, "act_low", ad), *ahi = golden_get(g, "act_high", ad);
    for (int i = 0; i < ad; i++)
        ck_assert(spec->act_low[i] == (float)alo[i] && spec->act_high[i] == (float)ahi[i]);

    const int ntraj = (int)golden_get(g, "ntraj", 1)[0];
    void *st = open_state(spec);
    double obs[MJENV_OBS_MAX], state[MAX_STATE], start[MAX_STATE];
    float obs_f[MJENV_OBS_MAX], act[64];
    int64_t max_obs = 0, max_rew = 0, max_state = 0;
    long steps = 0, term_differ = 0, terminated = 0;
    for (int k = 0; k < ntraj; k++) {
        char name[64];
        snprintf(name, sizeof name, "t%d_qpos", k);
        memcpy(start, golden_get(g, name, nq), sizeof(double) * (size_t)nq);
        snprintf(name, sizeof name, "t%d_qvel", k);
        memcpy(start + nq, golden_get(g, name, nv), sizeof(double) * (size_t)nv);
        ck_assert_int_eq(spec->set_state(spec, st, start, obs_f), 0);
        spec->observe64(spec, st, obs);
        snprintf(name, sizeof name, "t%d_obs0", k);
        const double *o0 = golden_get(g, name, od);
        for (int i = 0; i < od; i++) {
            const int64_t u = ulps(obs[i], o0[i]);
            max_obs = u > max_obs ? u : max_obs;
            ck_assert(obs_f[i] == (float)obs[i]);
        }
        snprintf(name, sizeof name, "t%d_reward", k);
        const long T = golden_count(g, name);
        ck_assert(T > 0);
        const double *rew = golden_get(g, name, T);
        snprintf(name, sizeof name, "t%d_actions", k);
        const double *acts = golden_get(g, name, T * ad);
        snprintf(name, sizeof name, "t%d_obs", k);
        const double *robs = golden_get(g, name, T * od);
        snprintf(name, sizeof name, "t%d_terminated", k);
        const double *rterm = golden_get(g, name, T);
        snprintf(name, sizeof name, "t%d_state", k);
        const double *rstate = golden_get(g, name, T * (nq + nv));
        for (long t = 0; t < T; t++) {
            golden_to_float(act, acts + t * ad, ad);
            double r = 0;
            uint8_t done = 0;
            ck_assert_int_eq(spec->step(spec, st, act, obs_f, &r, &done), 0);
            spec->observe64(spec, st, obs);
            spec->get_state(spec, st, state);
            for (int i = 0; i < od; i++) {
                const int64_t u = ulps(obs[i], robs[t * od + i]);
                if (u > max_obs && u > 0)
                    printf("%s t%d step %ld obs %d: %.17g, reference %.17g\n", id, k, t + 1, i,
                           obs[i], robs[t * od + i]);
                max_obs = u > max_obs ? u : max_obs;
            }
            const int64_t ur = ulps(r, rew[t]);
            if (ur > max_rew)
                printf("%s t%d step %ld reward %.17g, reference %.17g\n", id, k, t + 1, r, rew[t]);
            max_rew = ur > max_rew ? ur : max_rew;
            for (int i = 0; i < nq + nv; i++) {
                const int64_t u = ulps(state[i], rstate[t * (nq + nv) + i]);
                max_state = u > max_state ? u : max_state;
            }
            term_differ += done != (uint8_t)rterm[t];
            terminated += rterm[t] != 0;
            steps++;
        }
    }
    printf("%s vs reference (%d trajectories, %ld steps, %ld terminated): max ulps obs %lld, "
           "reward %lld, state %lld; terminated mismatches %ld\n",
           id, ntraj, steps, terminated, (long long)max_obs, (long long)max_rew,
           (long long)max_state, term_differ);
    ck_assert_msg(max_obs == 0 && max_rew == 0 && max_state == 0, "%s differs from the reference",
                  id);
    ck_assert_int_eq(term_differ, 0);
    close_state(spec, st);
    golden_free(g);
}

/* Random actions inside and a bit beyond the box. */
static void random_action(const EnvSpec *spec, Rng *r, float *a)
{
    for (int i = 0; i < spec->act_n; i++)
        a[i] = (float)rng_uniform_range(r, 1.5 * spec->act_low[i], 1.5 * spec->act_high[i]);
}

/* Step a and b with the same actions n times; both must give identical results. */
static void step_both(const EnvSpec *spec, void *a, void *b, Rng *r, int n)
{
    float act[64], oa[MJENV_OBS_MAX], ob[MJENV_OBS_MAX];
    double sa[MAX_STATE], sb[MAX_STATE], xa[MJENV_OBS_MAX], xb[MJENV_OBS_MAX];
    for (int t = 0; t < n; t++) {
        random_action(spec, r, act);
        double ra, rb;
        uint8_t da, db;
        ck_assert_int_eq(spec->step(spec, a, act, oa, &ra, &da), 0);
        ck_assert_int_eq(spec->step(spec, b, act, ob, &rb, &db), 0);
        spec->observe64(spec, a, xa);
        spec->observe64(spec, b, xb);
        spec->get_state(spec, a, sa);
        spec->get_state(spec, b, sb);
        ck_assert_msg(memcmp(&ra, &rb, sizeof ra) == 0 && da == db,
                      "%s step %d: reward %.17g "
                      "vs %.17g",
                      spec->id, t, ra, rb);
        ck_assert_msg(memcmp(xa, xb, sizeof(double) * (size_t)spec->obs_dim) == 0,
                      "%s step %d: observations differ", spec->id, t);
        ck_assert(memcmp(sa, sb, sizeof(double) * (size_t)spec->state_size) == 0);
    }
}

/* Save after some steps, load into a fresh environment: both continue identically. */
START_TEST(test_save_load)
{
    const MjTask *task = mj_tasks[_i];
    const EnvSpec *spec = &task->spec;
    void *a = open_state(spec), *b = open_state(spec);
    Rng r, rs;
    rng_seed(&r, 7, 1);
    rng_seed(&rs, 7, 2);
    float obs[MJENV_OBS_MAX], act[64];
    spec->reset(spec, a, &rs, obs);
    for (int t = 0; t < 25; t++) {
        double rew;
        uint8_t done;
        random_action(spec, &r, act);
        ck_assert_int_eq(spec->step(spec, a, act, obs, &rew, &done), 0);
    }
    unsigned char *buf = malloc(spec->save_bytes);
    ck_assert(buf != NULL);
    env_save(spec, a, buf);
    ck_assert_int_eq(env_load(spec, b, buf), 0);
    step_both(spec, a, b, &r, 25);
    /* a saved state with a non-finite value is refused */
    double nan = NAN;
    memcpy(buf + sizeof(double), &nan, sizeof nan);
    ck_assert_int_eq(env_load(spec, b, buf), -1);
    free(buf);
    close_state(spec, a);
    close_state(spec, b);
}
END_TEST

/* The reduced stack: an mjData of the unmodified model (MuJoCo's default nstack) steps
 * exactly like the environment's own, and the stack used stays below a quarter. */
START_TEST(test_stack)
{
    const MjTask *task = mj_tasks[_i];
    const EnvSpec *spec = &task->spec;
    void *a = open_state(spec), *b = open_state(spec);
    MjState *sb = b;
    char err[512];
    mjModel *full = mjenv_model_compile(task->model, err, sizeof err);
    ck_assert_msg(full != NULL, "%s", err);
    ck_assert(full->nstack >= sb->m->nstack);
    mjData *own = sb->d, *big = mj_makeData(full);
    ck_assert(big != NULL);
    sb->d = big; /* b now steps on the default-sized data (same model otherwise) */
    Rng r, rs;
    rng_seed(&r, 11, 1);
    rng_seed(&rs, 11, 2);
    float obs[MJENV_OBS_MAX];
    double s0[MAX_STATE];
    spec->reset(spec, a, &rs, obs);
    spec->get_state(spec, a, s0);
    ck_assert_int_eq(spec->set_state(spec, a, s0, obs), 0);
    ck_assert_int_eq(spec->set_state(spec, b, s0, obs), 0);
    step_both(spec, a, b, &r, 200);
    const MjState *sa = a;
    printf("%s: stack in use %ld of %d mjtNums (MuJoCo's default: %d); mjData %.2f MB, "
           "default %.2f MB\n",
           spec->id, (long)sa->d->maxuse_stack, sa->m->nstack, full->nstack,
           (sa->d->nbuffer + 8.0 * sa->d->nstack) / 1e6, (big->nbuffer + 8.0 * big->nstack) / 1e6);
    ck_assert(sa->d->maxuse_stack < sa->m->nstack / 4);
    sb->d = own;
    mj_deleteData(big);
    mj_deleteModel(full);
    close_state(spec, a);
    close_state(spec, b);
}
END_TEST

/* The time limit: a vector of one environment truncates at max_steps (Swimmer never
 * terminates). */
START_TEST(test_truncation)
{
    const EnvSpec *spec = spec_of("Swimmer-v4");
    VecEnv v;
    char err[256];
    ck_assert_msg(vecenv_init(&v, spec, 1, 0, 3, 0, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(v.max_steps, 1000);
    float act[2] = {0.5f, -0.5f};
    for (int t = 1; t <= 1000; t++) {
        ck_assert_int_eq(vecenv_step(&v, act), 0);
        ck_assert_int_eq(v.terminated[0], 0);
        ck_assert_int_eq(v.truncated[0], t == 1000);
    }
    ck_assert_int_eq(v.done_len[0], 1000);
    vecenv_free(&v);
}
END_TEST

/* The vector's float64 observations: obs and final_obs are their casts on every step
 * (resets included), rows that did not finish have final_obs64 = obs64, and a vector
 * saved and loaded into a fresh one continues with the same float64 observations. */
static void assert_obs64(const VecEnv *v)
{
    const size_t n = (size_t)v->n * (size_t)v->obs_dim;
    for (size_t k = 0; k < n; k++) {
        ck_assert(v->obs[k] == (float)v->obs64[k]);
        ck_assert(v->final_obs[k] == (float)v->final_obs64[k]);
    }
    for (int i = 0; i < v->n; i++) {
        const size_t row = (size_t)i * (size_t)v->obs_dim;
        if (!v->terminated[i] && !v->truncated[i])
            ck_assert(memcmp(v->obs64 + row, v->final_obs64 + row,
                             (size_t)v->obs_dim * sizeof(double)) == 0);
    }
}

/* vecenv_copy_env through MuJoCo's save/load: two members copied from a third follow
 * its float64 observations bit for bit under the same actions (every id, 60 steps or
 * until the episode ends) */
START_TEST(test_copy_env)
{
    const EnvSpec *spec = &mj_tasks[_i]->spec;
    VecEnv v;
    char err[256];
    ck_assert_msg(vecenv_init(&v, spec, 3, 0, 9, 0, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(vecenv_copy_env(&v, 1, 0), 0);
    ck_assert_int_eq(vecenv_copy_env(&v, 2, 0), 0);
    const size_t od = (size_t)spec->obs_dim;
    float act[3 * 64];
    Rng r;
    rng_seed(&r, 13, 0);
    for (int t = 0; t < 60; t++) {
        random_action(spec, &r, act);
        for (int e = 1; e < 3; e++)
            memcpy(act + (size_t)e * spec->act_n, act, sizeof(float) * (size_t)spec->act_n);
        ck_assert_int_eq(vecenv_step(&v, act), 0);
        for (int e = 1; e < 3; e++) {
            ck_assert_msg(memcmp(v.final_obs64 + e * od, v.final_obs64, od * sizeof(double)) == 0,
                          "%s: member %d leaves the group at step %d", spec->id, e, t);
            ck_assert(v.reward64[e] == v.reward64[0] && v.terminated[e] == v.terminated[0]);
        }
        if (v.n_done > 0)
            break;
    }
    vecenv_free(&v);
}
END_TEST

START_TEST(test_vector_obs64)
{
    enum { E = 3, STEPS = 400 };
    const EnvSpec *spec = &mj_tasks[_i]->spec;
    VecEnv v, w;
    char err[256];
    ck_assert_msg(vecenv_init(&v, spec, E, 50, 5, 1, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(vecenv_init(&w, spec, E, 50, 6, 2, err, sizeof err) == 0, "%s", err);
    ck_assert(v.obs64 != NULL && v.final_obs64 != NULL);
    assert_obs64(&v);
    float act[E * 64];
    Rng r;
    rng_seed(&r, 11, 0);
    long ends = 0;
    const size_t bytes = vecenv_save_size(spec, E);
    unsigned char *buf = malloc(bytes);
    ck_assert(buf != NULL);
    for (int t = 0; t < STEPS; t++) {
        if (t == STEPS / 2) { /* w continues from v's state */
            vecenv_save(&v, buf);
            ck_assert_int_eq(vecenv_load(&w, buf, bytes), 0);
            ck_assert(memcmp(v.obs64, w.obs64, (size_t)E * spec->obs_dim * sizeof(double)) == 0);
        }
        for (int e = 0; e < E; e++)
            random_action(spec, &r, act + (size_t)e * spec->act_n);
        ck_assert_int_eq(vecenv_step(&v, act), 0);
        assert_obs64(&v);
        ends += v.n_done;
        if (t >= STEPS / 2) {
            ck_assert_int_eq(vecenv_step(&w, act), 0);
            ck_assert(memcmp(v.obs64, w.obs64, (size_t)E * spec->obs_dim * sizeof(double)) == 0);
            ck_assert(memcmp(v.reward64, w.reward64, E * sizeof(double)) == 0);
        }
    }
    ck_assert(ends >= E * (STEPS / 50)); /* episodes ended (at least by the time limit) */
    free(buf);
    vecenv_free(&v);
    vecenv_free(&w);
}
END_TEST

/* Reset noise per id: qpos0 + U(-s, s) or + s N(0, 1) for qpos and for qvel ('u' / 'n'),
 * and the qpos coordinates to leave out (free joints' quaternions, which mj_forward
 * normalises: [skip_lo, skip_hi)). Reacher and Pusher draw goal positions by rejection
 * and are checked apart (test_reset_goal). */
static const struct {
    const char *id;
    char qpos_kind;
    double qpos_scale;
    char qvel_kind;
    double qvel_scale;
    int skip_lo, skip_hi;
} noise[] = {
    {"Hopper-v4", 'u', 5e-3, 'u', 5e-3, 0, 0},
    {"Hopper-v5", 'u', 5e-3, 'u', 5e-3, 0, 0},
    {"HalfCheetah-v4", 'u', 0.1, 'n', 0.1, 0, 0},
    {"HalfCheetah-v5", 'u', 0.1, 'n', 0.1, 0, 0},
    {"Walker2d-v4", 'u', 5e-3, 'u', 5e-3, 0, 0},
    {"Walker2d-v5", 'u', 5e-3, 'u', 5e-3, 0, 0},
    {"Ant-v4", 'u', 0.1, 'n', 0.1, 3, 7},
    {"Ant-v5", 'u', 0.1, 'n', 0.1, 3, 7},
    {"Humanoid-v4", 'u', 1e-2, 'u', 1e-2, 3, 7},
    {"Humanoid-v5", 'u', 1e-2, 'u', 1e-2, 3, 7},
    {"HumanoidStandup-v4", 'u', 1e-2, 'u', 1e-2, 3, 7},
    {"HumanoidStandup-v5", 'u', 1e-2, 'u', 1e-2, 3, 7},
    {"Swimmer-v4", 'u', 0.1, 'u', 0.1, 0, 0},
    {"Swimmer-v5", 'u', 0.1, 'u', 0.1, 0, 0},
    {"InvertedPendulum-v4", 'u', 0.01, 'u', 0.01, 0, 0},
    {"InvertedPendulum-v5", 'u', 0.01, 'u', 0.01, 0, 0},
    {"InvertedDoublePendulum-v4", 'u', 0.1, 'n', 0.1, 0, 0},
    {"InvertedDoublePendulum-v5", 'u', 0.1, 'n', 0.1, 0, 0},
};

#define RESETS 4000

/* Mean and variance of n samples x[k * stride] against a distribution of variance
 * want_var and mean 0: |mean| within 5 standard errors, variance within 10%. */
static void check_moments(const char *id, const char *what, int i, const double *x, int n,
                          int stride, double want_var)
{
    double mean = 0, m2 = 0;
    for (int k = 0; k < n; k++)
        mean += x[(size_t)k * stride];
    mean /= n;
    for (int k = 0; k < n; k++)
        m2 += (x[(size_t)k * stride] - mean) * (x[(size_t)k * stride] - mean);
    const double var = m2 / n;
    ck_assert_msg(fabs(mean) < 5 * sqrt(want_var / n), "%s %s[%d]: mean %.3g", id, what, i, mean);
    ck_assert_msg(fabs(var / want_var - 1) < 0.1, "%s %s[%d]: variance %.4g, documented %.4g", id,
                  what, i, var, want_var);
}

START_TEST(test_reset_noise)
{
    const EnvSpec *spec = spec_of(noise[_i].id);
    const MjTask *task = mjenv_task(spec);
    void *st = open_state(spec);
    const MjState *s = st;
    const int nq = task->nq, nv = task->nv;
    double *dq = malloc(sizeof(double) * (size_t)RESETS * (size_t)(nq + nv));
    ck_assert(dq != NULL);
    Rng r;
    rng_seed(&r, 21, (uint64_t)_i);
    float obs[MJENV_OBS_MAX];
    for (int k = 0; k < RESETS; k++) {
        spec->reset(spec, st, &r, obs);
        double *row = dq + (size_t)k * (size_t)(nq + nv);
        for (int i = 0; i < nq; i++)
            row[i] = s->d->qpos[i] - s->m->qpos0[i];
        for (int i = 0; i < nv; i++)
            row[nq + i] = s->d->qvel[i];
    }
    const double sq = noise[_i].qpos_scale, sv = noise[_i].qvel_scale;
    const double vq = noise[_i].qpos_kind == 'u' ? sq * sq / 3 : sq * sq;
    const double vv = noise[_i].qvel_kind == 'u' ? sv * sv / 3 : sv * sv;
    for (int i = 0; i < nq; i++) {
        if (i >= noise[_i].skip_lo && i < noise[_i].skip_hi)
            continue;
        check_moments(spec->id, "qpos", i, dq + i, RESETS, nq + nv, vq);
        for (int k = 0; noise[_i].qpos_kind == 'u' && k < RESETS; k++)
            ck_assert(fabs(dq[(size_t)k * (nq + nv) + i]) <= sq * (1 + 1e-12));
    }
    for (int i = 0; i < nv; i++)
        check_moments(spec->id, "qvel", i, dq + nq + i, RESETS, nq + nv, vv);
    free(dq);
    close_state(spec, st);
}
END_TEST

/* Reacher's goal is uniform in the disc of radius 0.2 (pairs from U(-0.2, 0.2)^2 until
 * inside), its arm qpos U(-0.1, 0.1), the arm's qvel U(-0.005, 0.005) and the goal's 0;
 * Pusher's cylinder is uniform in [-0.3, 0] x [-0.2, 0.2] outside the disc of radius
 * 0.17 around the goal, the arm starts at qpos0, its qvel U(-0.005, 0.005), the object's
 * and goal's qvel 0. */
START_TEST(test_reset_goal)
{
    Rng r;
    rng_seed(&r, 23, 0);
    float obs[MJENV_OBS_MAX];
    const char *ids[] = {"Reacher-v4", "Pusher-v5"};
    for (int e = 0; e < 2; e++) {
        const EnvSpec *spec = spec_of(ids[e]);
        void *st = open_state(spec);
        const MjState *s = st;
        double gx = 0, gx2 = 0, gy2 = 0, v0[RESETS];
        for (int k = 0; k < RESETS; k++) {
            spec->reset(spec, st, &r, obs);
            const double *q = s->d->qpos, *v = s->d->qvel;
            if (e == 0) {
                const double x = q[2], y = q[3];
                ck_assert(sqrt(x * x + y * y) < 0.2);
                ck_assert(fabs(q[0] - s->m->qpos0[0]) <= 0.1 && fabs(q[1]) <= 0.1);
                ck_assert(v[2] == 0 && v[3] == 0 && fabs(v[0]) <= 0.005);
                gx += x, gx2 += x * x, gy2 += y * y;
            } else {
                const double x = q[7], y = q[8];
                ck_assert(x >= -0.3 && x <= 0 && fabs(y) <= 0.2 && sqrt(x * x + y * y) > 0.17);
                for (int i = 0; i < 7; i++)
                    ck_assert(q[i] == s->m->qpos0[i] && fabs(v[i]) <= 0.005);
                for (int i = 7; i < 11; i++)
                    ck_assert(v[i] == 0);
            }
            v0[k] = v[0];
        }
        check_moments(spec->id, "qvel", 0, v0, RESETS, 1, 0.005 * 0.005 / 3);
        if (e == 0) { /* uniform in the disc: E[x] = 0, E[x^2] = E[y^2] = R^2 / 4 */
            ck_assert(fabs(gx / RESETS) < 5 * 0.1 / sqrt(RESETS));
            ck_assert(fabs(gx2 / RESETS / 0.01 - 1) < 0.1 && fabs(gy2 / RESETS / 0.01 - 1) < 0.1);
        }
        close_state(spec, st);
    }
}
END_TEST

/* Healthy rules of the terminating ids, from the post-step qpos (Gymnasium's
 * is_healthy with the default ranges): 1 if healthy. */
static int healthy(const char *id, const MjState *s)
{
    const double *q = s->d->qpos;
    const int nq = s->m->nq, nv = s->m->nv;
    if (strncmp(id, "Hopper", 6) == 0) {
        for (int i = 2; i < nq + nv; i++) { /* state_vector()[2:] in (-100, 100) */
            const double x = i < nq ? q[i] : s->d->qvel[i - nq];
            if (!(x > -100 && x < 100))
                return 0;
        }
        return q[1] > 0.7 && q[2] > -0.2 && q[2] < 0.2;
    }
    if (strncmp(id, "Walker2d", 8) == 0)
        return q[1] > 0.8 && q[1] < 2.0 && q[2] > -1.0 && q[2] < 1.0;
    if (strncmp(id, "Ant", 3) == 0) {
        for (int i = 0; i < nq + nv; i++)
            if (!isfinite(i < nq ? q[i] : s->d->qvel[i - nq]))
                return 0;
        return q[2] >= 0.2 && q[2] <= 1.0;
    }
    if (strncmp(id, "Humanoid-", 9) == 0)
        return q[2] > 1.0 && q[2] < 2.0;
    if (strncmp(id, "InvertedPendulum", 16) == 0)
        return fabs(q[1]) <= 0.2;
    ck_abort_msg("no healthy rule for %s", id);
    return 0;
}

START_TEST(test_termination_rule)
{
    const char *ids[] = {
        "Hopper-v4", "Hopper-v5",   "Walker2d-v4", "Walker2d-v5",         "Ant-v4",
        "Ant-v5",    "Humanoid-v4", "Humanoid-v5", "InvertedPendulum-v4", "InvertedPendulum-v5"};
    const char *id = ids[_i];
    const EnvSpec *spec = spec_of(id);
    void *st = open_state(spec);
    Rng r, rs;
    rng_seed(&r, 31, (uint64_t)_i);
    rng_seed(&rs, 32, (uint64_t)_i);
    float obs[MJENV_OBS_MAX], act[64];
    spec->reset(spec, st, &rs, obs);
    long ends = 0;
    for (int t = 0; t < 3000; t++) {
        random_action(spec, &r, act);
        double rew;
        uint8_t done;
        ck_assert_int_eq(spec->step(spec, st, act, obs, &rew, &done), 0);
        ck_assert_msg(done == !healthy(id, st), "%s step %d: terminated %d", id, t, done);
        if (done) {
            ends++;
            spec->reset(spec, st, &rs, obs);
        }
    }
    printf("%s: terminated %ld times in 3000 random steps, always as the rule says\n", id, ends);
    ck_assert(ends >= 3);
    close_state(spec, st);
}
END_TEST

/* Every id replays its reference data. */
START_TEST(test_reference)
{
    replay_reference(mj_tasks[_i]->spec.id);
}
END_TEST

/* Invalid actions (NaN) are refused and change nothing. */
START_TEST(test_nan_action)
{
    const EnvSpec *spec = &mj_tasks[_i]->spec;
    void *a = open_state(spec);
    Rng rs;
    rng_seed(&rs, 5, 5);
    float obs[MJENV_OBS_MAX], act[64] = {0};
    spec->reset(spec, a, &rs, obs);
    double s0[MAX_STATE], s1[MAX_STATE], rew = 0;
    uint8_t done = 0;
    spec->get_state(spec, a, s0);
    act[spec->act_n - 1] = NAN;
    ck_assert_int_eq(spec->step(spec, a, act, obs, &rew, &done), -1);
    spec->get_state(spec, a, s1);
    ck_assert(memcmp(s0, s1, sizeof(double) * (size_t)spec->state_size) == 0);
    close_state(spec, a);
}
END_TEST

/* The preset is valid for every algorithm, and trains with normalised observations and
 * rewards for the budgets the benchmarks use (1M steps, InvertedPendulum 100k). */
START_TEST(test_preset)
{
    const EnvSpec *spec = &mj_tasks[_i]->spec;
    static const char *const algos[] = {"ppo", "a2c", "a3c", "reinforce", "trpo", "npg", "ppo-kl"};
    for (int a = 0; a < TU_COUNT(algos); a++) {
        Config c;
        char err[CONFIG_ERR_LEN];
        config_defaults(&c);
        ck_assert(config_set(&c, "algo", algos[a], err) == 0);
        ck_assert_msg(config_apply_list(&c, spec->defaults, spec->id, err) == 0, "%s", err);
        ck_assert(c.norm_obs && c.norm_reward);
        ck_assert(c.steps == (strncmp(spec->id, "InvertedPendulum", 16) == 0 ? 100000 : 1000000));
    }
}
END_TEST

static int n_tasks(void)
{
    int n = 0;
    while (mj_tasks[n] != NULL)
        n++;
    return n;
}

int main(void)
{
    Suite *s = suite_create("mujoco");
    const int n = n_tasks();
    const struct {
        const char *name;
        const TTest *fn;
        int loop;
    } cases[] = {{"reference", test_reference, 1},   {"save_load", test_save_load, 1},
                 {"stack", test_stack, 1},           {"nan_action", test_nan_action, 1},
                 {"truncation", test_truncation, 0}, {"reset_goal", test_reset_goal, 0},
                 {"preset", test_preset, 1},         {"vector_obs64", test_vector_obs64, 1},
                 {"copy_env", test_copy_env, 1}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        TCase *tc = tcase_create(cases[k].name);
        tcase_set_timeout(tc, 300);
        if (cases[k].loop)
            tcase_add_loop_test(tc, cases[k].fn, 0, n);
        else
            tcase_add_test(tc, cases[k].fn);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("reset_noise");
    tcase_add_loop_test(tc, test_reset_noise, 0, TU_COUNT(noise));
    suite_add_tcase(s, tc);
    tc = tcase_create("termination_rule");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_termination_rule, 0, 10);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
