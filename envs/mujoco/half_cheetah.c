/* half_cheetah.c - HalfCheetah-v4 and HalfCheetah-v5: a planar two-legged "cheetah" paid
 * for running forward (+x) and charged for its torques; it never falls, so it never
 * terminates.
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/half_cheetah_v4.py and
 * half_cheetah_v5.py with their default arguments; model half_cheetah.xml (nq = nv = 9:
 * rootx, rootz, rooty and six leg hinges; 8 bodies with the world; 6 motors with
 * ctrlrange [-1, 1]); frame_skip 5, so dt = 0.01 * 5. Time limit 1000 steps.
 *
 * Step: x = qpos[0] is read before and after the frames; forward = 1.0 * x_velocity with
 * x_velocity = (x_after - x_before) / dt; ctrl_cost = 0.1 * sum(action^2) (the raw action);
 * reward = forward - ctrl_cost; terminated is always 0.
 * Observation (17): qpos[1:9], then qvel (9), not clipped.
 * Reset: qpos = qpos0 + U(-0.1, 0.1) drawn for the 9 qpos, then qvel = 0 + 0.1 * N(0, 1)
 * for the 9 qvel (standard_normal, scaled, then added), in that order.
 * With their defaults the two versions are the same environment: v5 only adds
 * constructor arguments and info entries.
 *
 * Floating point, as NumPy 1.24 meets Gymnasium's code: dt is the model's float64
 * timestep times the int frame_skip; x_velocity is a true division by dt; the float32
 * action is squared and summed in float32 (pairwise, mjenv_sum_sq_f32) and the np.float32
 * sum becomes float64 only when the Python-float weight multiplies it (NumPy 1.x scalar
 * promotion). The weight 1.0 product is exact and kept only to mirror the source.
 *
 * Left out: the info dict, rendering, every non-default constructor argument.
 */
#include "mjenv.h"

#define CHEETAH_OBS_DIM 17
#define CHEETAH_NQ      9
#define CHEETAH_NV      9
#define CHEETAH_NBODY   8
#define CHEETAH_NU      6

#define FORWARD_REWARD_WEIGHT 1.0
#define CTRL_COST_WEIGHT      0.1
#define RESET_NOISE_SCALE     0.1

static const float cheetah_act_low[CHEETAH_NU] = {-1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f};
static const float cheetah_act_high[CHEETAH_NU] = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};

/* obs (17) <- qpos[1:9] (8), qvel (9). */
static void cheetah_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    (void)t;
    for (int i = 1; i < m->nq; i++)
        *obs++ = d->qpos[i];
    for (int i = 0; i < m->nv; i++)
        *obs++ = d->qvel[i];
}

static void cheetah_step(const MjTask *t, const mjModel *m, mjData *d, const float *action,
                         double *obs, double *reward, uint8_t *terminated)
{
    const double x_before = d->qpos[0];
    mjenv_simulate(m, d, action, t->frame_skip);
    const double dt = m->opt.timestep * t->frame_skip;
    const double x_velocity = (d->qpos[0] - x_before) / dt;

    const double ctrl_cost = CTRL_COST_WEIGHT * mjenv_sum_sq_f32(action, m->nu);
    const double forward_reward = FORWARD_REWARD_WEIGHT * x_velocity;

    cheetah_observe(t, m, d, obs);
    *reward = forward_reward - ctrl_cost;
    *terminated = 0;
}

const MjTask mjtask_half_cheetah_v4 = {
    MJENV_TASK("HalfCheetah-v4", CHEETAH_OBS_DIM, CHEETAH_NU, cheetah_act_low, cheetah_act_high,
               1000, CHEETAH_NQ, CHEETAH_NV, CHEETAH_NBODY, mjenv_preset_fine, "half_cheetah.xml",
               5),
    .params = NULL,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 1,
    .step = cheetah_step,
    .observe = cheetah_observe,
};

const MjTask mjtask_half_cheetah_v5 = {
    MJENV_TASK("HalfCheetah-v5", CHEETAH_OBS_DIM, CHEETAH_NU, cheetah_act_low, cheetah_act_high,
               1000, CHEETAH_NQ, CHEETAH_NV, CHEETAH_NBODY, mjenv_preset_fine, "half_cheetah.xml",
               5),
    .params = NULL,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 1,
    .step = cheetah_step,
    .observe = cheetah_observe,
};
