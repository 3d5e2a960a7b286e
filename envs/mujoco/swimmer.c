/* swimmer.c - Swimmer-v4 and Swimmer-v5: a three-link swimmer in a viscous fluid, paid for
 * moving along +x and charged (lightly) for its torques; it never terminates.
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/swimmer_v4.py and swimmer_v5.py with
 * their default arguments; model swimmer.xml (nq = nv = 5: slider x, slider y, rotation
 * of the torso, two joint hinges; 4 bodies with the world; 2 motors with ctrlrange
 * [-1, 1]; timestep 0.01); frame_skip 4, so dt = 0.01 * 4. Time limit 1000 steps.
 *
 * Step: (x, y) = qpos[0:2] is read before and after the frames; forward = 1.0 * x_velocity
 * with x_velocity = (x_after - x_before) / dt (the x entry of Gymnasium's elementwise
 * (xy_after - xy_before) / dt); ctrl_cost = 1e-4 * sum(action^2) (the raw action);
 * reward = forward - ctrl_cost; terminated is always 0.
 * Observation (8): qpos[2:5], then qvel (5).
 * Reset: qpos = qpos0 + U(-0.1, 0.1) drawn for the 5 qpos, then qvel = 0 + U(-0.1, 0.1) for
 * the 5 qvel, in that order.
 * With their defaults the two versions are the same environment: v5 only adds
 * constructor arguments and info entries.
 *
 * Floating point, as NumPy 1.24 meets Gymnasium's code: dt is the model's float64
 * timestep times the int frame_skip; x_velocity is a true division by dt; the float32
 * action is squared and summed in float32 (pairwise, mjenv_sum_sq_f32) and the np.float32
 * sum becomes float64 only when the Python-float weight multiplies it (NumPy 1.x scalar
 * promotion). The weight 1.0 product is exact and kept only to mirror the source. The
 * norm in Gymnasium's info is not computed.
 *
 * Left out: the info dict, rendering, every non-default constructor argument.
 */
#include "mjenv.h"

#define SWIMMER_OBS_DIM 8
#define SWIMMER_NQ      5
#define SWIMMER_NV      5
#define SWIMMER_NBODY   4
#define SWIMMER_NU      2

#define FORWARD_REWARD_WEIGHT 1.0
#define CTRL_COST_WEIGHT      1e-4
#define RESET_NOISE_SCALE     0.1

static const float swimmer_act_low[SWIMMER_NU] = {-1.0f, -1.0f};
static const float swimmer_act_high[SWIMMER_NU] = {1.0f, 1.0f};

/* obs (8) <- qpos[2:5] (3), qvel (5). */
static void swimmer_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    (void)t;
    for (int i = 2; i < m->nq; i++)
        *obs++ = d->qpos[i];
    for (int i = 0; i < m->nv; i++)
        *obs++ = d->qvel[i];
}

static void swimmer_step(const MjTask *t, const mjModel *m, mjData *d, const float *action,
                         double *obs, double *reward, uint8_t *terminated)
{
    const double x_before = d->qpos[0];
    mjenv_simulate(m, d, action, t->frame_skip);
    const double dt = m->opt.timestep * t->frame_skip;
    const double x_velocity = (d->qpos[0] - x_before) / dt;

    const double forward_reward = FORWARD_REWARD_WEIGHT * x_velocity;
    const double ctrl_cost = CTRL_COST_WEIGHT * mjenv_sum_sq_f32(action, m->nu);

    swimmer_observe(t, m, d, obs);
    *reward = forward_reward - ctrl_cost;
    *terminated = 0;
}

const MjTask mjtask_swimmer_v4 = {
    MJENV_TASK("Swimmer-v4", SWIMMER_OBS_DIM, SWIMMER_NU, swimmer_act_low, swimmer_act_high, 1000,
               SWIMMER_NQ, SWIMMER_NV, SWIMMER_NBODY, mjenv_preset, "swimmer.xml", 4),
    .params = NULL,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = swimmer_step,
    .observe = swimmer_observe,
};

const MjTask mjtask_swimmer_v5 = {
    MJENV_TASK("Swimmer-v5", SWIMMER_OBS_DIM, SWIMMER_NU, swimmer_act_low, swimmer_act_high, 1000,
               SWIMMER_NQ, SWIMMER_NV, SWIMMER_NBODY, mjenv_preset, "swimmer.xml", 4),
    .params = NULL,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = swimmer_step,
    .observe = swimmer_observe,
};
