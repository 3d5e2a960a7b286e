/* reacher.c - Reacher-v4 and Reacher-v5: a two-link planar arm that must bring its
 * fingertip to a target drawn at random in the plane.
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/reacher_v4.py and reacher_v5.py with
 * their default arguments; model reacher.xml (nq = nv = 4: joint0, joint1 of the arm,
 * target_x, target_y of the target, whose qpos0 is (0, 0, 0.1, -0.1); 5 bodies with the
 * world, among them "fingertip" and "target"; two motors with ctrlrange [-1, 1]; RK4 with
 * timestep 0.01); frame_skip 2. Time limit 50 steps. Never terminates.
 *
 * Reward: vec = xpos[fingertip] - xpos[target] (get_body_com is data.xpos),
 *   reward_dist = -|vec| (np.linalg.norm),  reward_ctrl = -sum(action^2),
 *   reward = reward_dist + reward_ctrl.
 * v4 computes it BEFORE simulating, from the kinematics the previous step (or the
 * reset's mj_forward) left in xpos; v5 computes it after simulating, from the new xpos,
 * with weights reward_dist_weight = reward_control_weight = 1 (ints, exact products).
 * Observation: cos(qpos[0:2]) (2), sin(qpos[0:2]) (2), qpos[2:4] (the target, 2),
 * qvel[0:2] (2), then vec after the step: all 3 entries in v4 (11 in all), x and y only
 * in v5 (10 in all).
 * Reset: qpos = U(-0.1, 0.1) + qpos0 for the 4 qpos; then the goal: two draws
 * U(-0.2, 0.2), repeated as a pair until |goal| < 0.2 (the rejection loop), written
 * into qpos[2:4]; then qvel = 0 + U(-0.005, 0.005) for the 4 qvel, and qvel[2:4] = 0
 * (those 2 draws are made and thrown away). Draws in that order.
 *
 * Floating point, as NumPy 1.24 meets Gymnasium's code:
 * - np.square(action).sum() of the float32 action is a float32 sum (mjenv_sum_sq_f32);
 *   its negation is an np.float32, which meets the np.float64 reward_dist (v4) or the
 *   int weight 1 (v5, NumPy 1.x scalar promotion to float64): either way the exact double
 *   of the float32 sum is added to reward_dist.
 * - np.linalg.norm of a 1-D float64 vector is sqrt(x.dot(x)) (numpy/linalg/linalg.py,
 *   the default-ord fast path), and x.dot(x) goes to BLAS ddot: Debian's NumPy links
 *   libblas.so.3, which Debian's alternatives point to OpenBLAS 0.3.21; for fewer than
 *   16 entries its ddot kernel runs a plain loop that GCC compiled into fused
 *   multiply-adds, so |v|^2 = fma(v[n-1], v[n-1], ... fma(v[1], v[1], v[0] * v[0])).
 *   Checked against NumPy on this machine (40,000 random 2- and 3-vectors, all equal; a
 *   loop without fma differs for one vector in five). With reference BLAS, or an
 *   OpenBLAS kernel built without FMA (older CPUs), NumPy's value would be the unfused
 *   sum instead. mjenv_norm; the square root is IEEE's.
 * - np.sin and np.cos are glibc's sin and cos, as NumPy computes them on CPUs without
 *   AVX-512 (with AVX512_SKX NumPy 1.24 dispatches them to SVML, which differs from
 *   glibc by 1 to 3 ulp in most arguments: the same choice as for the classic-control
 *   set, see README).
 * - The goal test |goal| < 0.2 uses the same norm. The observation differences are
 *   plain float64 subtractions.
 * The code relies on a*b + c not being fused except where fma() is written (GCC's
 * default in ISO C mode) and on fma() being correctly rounded (glibc's is).
 *
 * Left out: the info dict, rendering, every non-default constructor argument (xml_file,
 * frame_skip, reward weights).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "mjenv.h"

#define REACHER_NQ    4
#define REACHER_NV    4
#define REACHER_NBODY 5
#define REACHER_NU    2

#define REACHER_OBS_DIM_V4 11
#define REACHER_OBS_DIM_V5 10

#define REACHER_FRAME_SKIP 2
#define REACHER_MAX_STEPS  50
#define RESET_QPOS_SCALE   0.1   /* arm and target qpos: U(-0.1, 0.1) before the goal */
#define GOAL_SCALE         0.2   /* goal: U(-0.2, 0.2)^2 ... */
#define GOAL_RADIUS        0.2   /* ... until its norm is < 0.2 */
#define RESET_QVEL_SCALE   0.005 /* qvel: U(-0.005, 0.005) */
#define REWARD_DIST_WEIGHT 1.0   /* v5's int 1: exact */
#define REWARD_CTRL_WEIGHT 1.0   /* v5's int 1: exact */

/* What Reacher-v4 and -v5 do differently. */
typedef struct {
    int reward_after_step; /* v5: from the post-step state; v4: from the pre-step one */
    int n_vec_obs;         /* entries of fingertip - target observed: v4 3, v5 2 */
} ReacherParams;

static const ReacherParams reacher_v4_params = {.reward_after_step = 0, .n_vec_obs = 3};
static const ReacherParams reacher_v5_params = {.reward_after_step = 1, .n_vec_obs = 2};

static const float reacher_act_low[REACHER_NU] = {-1.0f, -1.0f};
static const float reacher_act_high[REACHER_NU] = {1.0f, 1.0f};

/* ---- the task ---- */

/* vec (3) <- xpos[fingertip] - xpos[target] */
static void reacher_vec(const mjModel *m, const mjData *d, double *vec)
{
    const int tip = mjenv_id(m, mjOBJ_BODY, "fingertip");
    const int target = mjenv_id(m, mjOBJ_BODY, "target");
    for (int k = 0; k < 3; k++)
        vec[k] = d->xpos[3 * tip + k] - d->xpos[3 * target + k];
}

/* reward_dist + reward_ctrl of the current xpos and the float32 action */
static double reacher_reward(const mjModel *m, const mjData *d, const float *action)
{
    double vec[3];
    reacher_vec(m, d, vec);
    const double reward_dist = -mjenv_norm(vec, 3) * REWARD_DIST_WEIGHT;
    const double reward_ctrl = -mjenv_sum_sq_f32(action, m->nu) * REWARD_CTRL_WEIGHT;
    return reward_dist + reward_ctrl;
}

/* obs <- cos(qpos[0:2]) (2), sin(qpos[0:2]) (2), qpos[2:4] (2), qvel[0:2] (2),
 * (xpos[fingertip] - xpos[target])[:k] (k = 3 in v4, 2 in v5). */
static void reacher_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    const ReacherParams *p = t->params;
    double vec[3];
    for (int i = 0; i < 2; i++)
        *obs++ = cos(d->qpos[i]);
    for (int i = 0; i < 2; i++)
        *obs++ = sin(d->qpos[i]);
    for (int i = 2; i < m->nq; i++)
        *obs++ = d->qpos[i];
    for (int i = 0; i < 2; i++)
        *obs++ = d->qvel[i];
    reacher_vec(m, d, vec);
    for (int k = 0; k < p->n_vec_obs; k++)
        *obs++ = vec[k];
}

/* qpos = qpos0 + U(-0.1, 0.1) (nq draws); goal = U(-0.2, 0.2)^2 redrawn until
 * |goal| < 0.2, into qpos[nq-2:]; qvel = 0 + U(-0.005, 0.005) (nv draws), qvel[nv-2:] = 0. */
static void reacher_reset(const MjTask *t, const mjModel *m, mjData *d, Rng *rng)
{
    (void)t;
    double goal[2];
    mju_copy(d->qpos, m->qpos0, m->nq);
    mju_zero(d->qvel, m->nv);
    mjenv_add_uniform(d->qpos, m->nq, RESET_QPOS_SCALE, rng);
    do {
        goal[0] = rng_uniform_range(rng, -GOAL_SCALE, GOAL_SCALE);
        goal[1] = rng_uniform_range(rng, -GOAL_SCALE, GOAL_SCALE);
    } while (!(mjenv_norm(goal, 2) < GOAL_RADIUS));
    d->qpos[m->nq - 2] = goal[0];
    d->qpos[m->nq - 1] = goal[1];
    mjenv_add_uniform(d->qvel, m->nv, RESET_QVEL_SCALE, rng);
    d->qvel[m->nv - 2] = 0.0;
    d->qvel[m->nv - 1] = 0.0;
}

static void reacher_step(const MjTask *t, const mjModel *m, mjData *d, const float *action,
                         double *obs, double *reward, uint8_t *terminated)
{
    const ReacherParams *p = t->params;
    if (!p->reward_after_step)
        *reward = reacher_reward(m, d, action); /* v4: xpos as the last step left it */
    mjenv_simulate(m, d, action, t->frame_skip);
    reacher_observe(t, m, d, obs);
    if (p->reward_after_step)
        *reward = reacher_reward(m, d, action);
    *terminated = 0;
}

const MjTask mjtask_reacher_v4 = {
    MJENV_TASK("Reacher-v4", REACHER_OBS_DIM_V4, REACHER_NU, reacher_act_low, reacher_act_high,
               REACHER_MAX_STEPS, REACHER_NQ, REACHER_NV, REACHER_NBODY, mjenv_preset,
               "reacher.xml", REACHER_FRAME_SKIP),
    .params = &reacher_v4_params,
    .reset = reacher_reset,
    .step = reacher_step,
    .observe = reacher_observe,
};

const MjTask mjtask_reacher_v5 = {
    MJENV_TASK("Reacher-v5", REACHER_OBS_DIM_V5, REACHER_NU, reacher_act_low, reacher_act_high,
               REACHER_MAX_STEPS, REACHER_NQ, REACHER_NV, REACHER_NBODY, mjenv_preset,
               "reacher.xml", REACHER_FRAME_SKIP),
    .params = &reacher_v5_params,
    .reset = reacher_reset,
    .step = reacher_step,
    .observe = reacher_observe,
};
