/* pusher.c - Pusher-v4 and Pusher-v5: a seven-joint arm that must push a cylinder on
 * a table to a goal position.
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/pusher_v4.py and pusher_v5.py with
 * their default arguments; models pusher.xml (v4) and pusher_v5.xml (v5: a denser
 * cylinder, no sphere), both nq = nv = 11 (the arm's 7 hinges, then obj_slidey,
 * obj_slidex of the cylinder and goal_slidey, goal_slidex of the goal; qpos0 = 0), 13
 * bodies with the world (among them "tips_arm", "object", "goal"), 7 motors with
 * ctrlrange [-2, 2], Euler with timestep 0.01; frame_skip 5. Time limit 100 steps.
 * Never terminates. (Gymnasium refuses Pusher-v4 on mujoco >= 3; this is MuJoCo 2.2.2.)
 *
 * Reward: vec_1 = xpos[object] - xpos[tips_arm], vec_2 = xpos[object] - xpos[goal]
 * (get_body_com is data.xpos), reward_near = -|vec_1|, reward_dist = -|vec_2|,
 * reward_ctrl = -sum(action^2), each times its weight (near 0.5, dist 1, ctrl 0.1).
 *   v4: reward = (reward_dist + 0.1 reward_ctrl) + 0.5 reward_near, computed BEFORE
 *       simulating, from the kinematics the previous step (or the reset's mj_forward)
 *       left in xpos;
 *   v5: reward = (reward_dist + reward_ctrl) + reward_near with the weights already
 *       applied (-|vec_1| * 0.5, -|vec_2| * 1, -sum * 0.1), computed after simulating.
 * Both are the same products and sums in the same order; only the state differs.
 * Observation (23): qpos[0:7], qvel[0:7], xpos of tips_arm, object and goal (3 each).
 * Reset: qpos = qpos0 (no noise on the arm); the cylinder: c = (U(-0.3, 0), U(-0.2, 0.2))
 * drawn in that order, the pair redrawn until |c - (0, 0)| > 0.17 (the rejection loop),
 * written into qpos[7:9]; the goal qpos[9:11] = (0, 0); then qvel = 0 + U(-0.005, 0.005)
 * for the 11 qvel and qvel[7:11] = 0 (those 4 draws are made and thrown away).
 * Gymnasium's reset writes into init_qpos itself (qpos is the same array), but every
 * reset rewrites the same entries, so each reset starts from qpos0 as here.
 *
 * Floating point, as NumPy 1.24 meets Gymnasium's code:
 * - np.square(action).sum() of the float32 action is a float32 sum (mjenv_sum_sq_f32);
 *   its negation is an np.float32, and NumPy 1.x promotes np.float32 * (Python float
 *   0.1) to float64 (both operands scalars: no value-based demotion; NumPy 2 would keep
 *   float32), so the term is the exact double of the float32 sum times 0.1 in float64.
 * - np.linalg.norm of a float64 3-vector is sqrt of OpenBLAS's ddot, an fma chain of the
 *   squares (see mjenv_norm and reacher.c's comment: checked against NumPy on this
 *   machine; with a BLAS built without FMA NumPy would give the unfused sum).
 * - (c - goal_pos) with goal_pos the int array (0, 0) is c itself.
 * - Multiplication is commutative and negation exact, so -|v| * w = w * (-|v|): v4's and
 *   v5's products are the same doubles. The weight 1 is exact.
 * The code relies on a*b + c not being fused except where fma() is written (GCC's
 * default in ISO C mode) and on fma() being correctly rounded (glibc's is).
 *
 * Left out: the info dict, rendering, every non-default constructor argument (xml_file,
 * frame_skip, reward weights).
 */
#include <math.h>

#include "mjenv.h"

#define PUSHER_OBS_DIM 23
#define PUSHER_NQ      11
#define PUSHER_NV      11
#define PUSHER_NBODY   13
#define PUSHER_NU      7

#define PUSHER_FRAME_SKIP  5
#define PUSHER_MAX_STEPS   100
#define PUSHER_ARM_DOF     7      /* qpos[0:7], qvel[0:7]: the arm */
#define PUSHER_CYL_QPOS    7      /* qpos[7:9]: the cylinder (obj_slidey, obj_slidex) */
#define PUSHER_GOAL_QPOS   9      /* qpos[9:11]: the goal */
#define PUSHER_ZERO_QVEL   4      /* qvel[-4:] = 0 after the draws */
#define CYL_X_LOW          (-0.3) /* c[0] ~ U(-0.3, 0) */
#define CYL_X_HIGH         0.0
#define CYL_Y_SCALE        0.2   /* c[1] ~ U(-0.2, 0.2) */
#define CYL_MIN_DIST       0.17  /* redraw c until |c| > 0.17 */
#define RESET_QVEL_SCALE   0.005 /* qvel: U(-0.005, 0.005) */
#define REWARD_NEAR_WEIGHT 0.5
#define REWARD_DIST_WEIGHT 1.0 /* v5's int 1: exact */
#define REWARD_CTRL_WEIGHT 0.1

/* What Pusher-v4 and -v5 do differently (besides the model file). */
typedef struct {
    int reward_after_step; /* v5: from the post-step state; v4: from the pre-step one */
} PusherParams;

static const PusherParams pusher_v4_params = {.reward_after_step = 0};
static const PusherParams pusher_v5_params = {.reward_after_step = 1};

static const float pusher_act_low[PUSHER_NU] = {-2.0f, -2.0f, -2.0f, -2.0f, -2.0f, -2.0f, -2.0f};
static const float pusher_act_high[PUSHER_NU] = {2.0f, 2.0f, 2.0f, 2.0f, 2.0f, 2.0f, 2.0f};

/* (reward_dist + reward_ctrl) + reward_near of the current xpos and the float32 action */
static double pusher_reward(const mjModel *m, const mjData *d, const float *action)
{
    const double *obj = d->xpos + 3 * mjenv_id(m, mjOBJ_BODY, "object");
    const double *tips = d->xpos + 3 * mjenv_id(m, mjOBJ_BODY, "tips_arm");
    const double *goal = d->xpos + 3 * mjenv_id(m, mjOBJ_BODY, "goal");
    double vec_1[3], vec_2[3];
    for (int k = 0; k < 3; k++) {
        vec_1[k] = obj[k] - tips[k];
        vec_2[k] = obj[k] - goal[k];
    }
    const double reward_near = -mjenv_norm(vec_1, 3) * REWARD_NEAR_WEIGHT;
    const double reward_dist = -mjenv_norm(vec_2, 3) * REWARD_DIST_WEIGHT;
    const double reward_ctrl = -mjenv_sum_sq_f32(action, m->nu) * REWARD_CTRL_WEIGHT;
    return (reward_dist + reward_ctrl) + reward_near;
}

/* obs (23) <- qpos[0:7], qvel[0:7], xpos[tips_arm] (3), xpos[object] (3), xpos[goal] (3). */
static void pusher_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    (void)t;
    static const char *const bodies[3] = {"tips_arm", "object", "goal"};
    for (int i = 0; i < PUSHER_ARM_DOF; i++)
        *obs++ = d->qpos[i];
    for (int i = 0; i < PUSHER_ARM_DOF; i++)
        *obs++ = d->qvel[i];
    for (int b = 0; b < 3; b++) {
        const double *x = d->xpos + 3 * mjenv_id(m, mjOBJ_BODY, bodies[b]);
        for (int k = 0; k < 3; k++)
            *obs++ = x[k];
    }
}

/* qpos = qpos0; c = (U(-0.3, 0), U(-0.2, 0.2)) redrawn until |c| > 0.17, into qpos[7:9];
 * qpos[9:11] = 0; qvel = 0 + U(-0.005, 0.005) (nv draws), qvel[nv-4:] = 0. */
static void pusher_reset(const MjTask *t, const mjModel *m, mjData *d, Rng *rng)
{
    (void)t;
    double cyl[2];
    mju_copy(d->qpos, m->qpos0, m->nq);
    mju_zero(d->qvel, m->nv);
    do {
        cyl[0] = rng_uniform_range(rng, CYL_X_LOW, CYL_X_HIGH);
        cyl[1] = rng_uniform_range(rng, -CYL_Y_SCALE, CYL_Y_SCALE);
    } while (!(mjenv_norm(cyl, 2) > CYL_MIN_DIST));
    d->qpos[PUSHER_CYL_QPOS + 0] = cyl[0];
    d->qpos[PUSHER_CYL_QPOS + 1] = cyl[1];
    d->qpos[PUSHER_GOAL_QPOS + 0] = 0.0;
    d->qpos[PUSHER_GOAL_QPOS + 1] = 0.0;
    mjenv_add_uniform(d->qvel, m->nv, RESET_QVEL_SCALE, rng);
    for (int i = m->nv - PUSHER_ZERO_QVEL; i < m->nv; i++)
        d->qvel[i] = 0.0;
}

static void pusher_step(const MjTask *t, const mjModel *m, mjData *d, const float *action,
                        double *obs, double *reward, uint8_t *terminated)
{
    const PusherParams *p = t->params;
    if (!p->reward_after_step)
        *reward = pusher_reward(m, d, action); /* v4: xpos as the last step left it */
    mjenv_simulate(m, d, action, t->frame_skip);
    pusher_observe(t, m, d, obs);
    if (p->reward_after_step)
        *reward = pusher_reward(m, d, action);
    *terminated = 0;
}

const MjTask mjtask_pusher_v4 = {
    MJENV_TASK("Pusher-v4", PUSHER_OBS_DIM, PUSHER_NU, pusher_act_low, pusher_act_high,
               PUSHER_MAX_STEPS, PUSHER_NQ, PUSHER_NV, PUSHER_NBODY, mjenv_preset, "pusher.xml",
               PUSHER_FRAME_SKIP),
    .params = &pusher_v4_params,
    .reset = pusher_reset,
    .step = pusher_step,
    .observe = pusher_observe,
};

const MjTask mjtask_pusher_v5 = {
    MJENV_TASK("Pusher-v5", PUSHER_OBS_DIM, PUSHER_NU, pusher_act_low, pusher_act_high,
               PUSHER_MAX_STEPS, PUSHER_NQ, PUSHER_NV, PUSHER_NBODY, mjenv_preset, "pusher_v5.xml",
               PUSHER_FRAME_SKIP),
    .params = &pusher_v5_params,
    .reset = pusher_reset,
    .step = pusher_step,
    .observe = pusher_observe,
};
