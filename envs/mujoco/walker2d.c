/* walker2d.c - Walker2d-v4 and Walker2d-v5: a planar two-legged walker paid for walking
 * forward (+x) and for staying upright.
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/walker2d_v4.py (model walker2d.xml)
 * and walker2d_v5.py (model walker2d_v5.xml, where both feet have friction 1.9; in
 * walker2d.xml the right foot has 0.9), with their default arguments. Both models: nq =
 * nv = 9 (rootx, rootz, rooty, then thigh, leg, foot of each side), 8 bodies with the
 * world, 6 motors with ctrlrange [-1, 1], timestep 0.002; frame_skip 4, so dt = 0.002 * 4.
 * Time limit 1000 steps.
 *
 * Step: x = qpos[0] is read before and after the frames; forward = 1.0 * x_velocity with
 * x_velocity = (x_after - x_before) / dt; ctrl_cost = 1e-3 * sum(action^2) (the raw
 * action); reward = (forward + healthy_reward) - ctrl_cost.
 * Healthy, on the post-step state: 0.8 < qpos[1] < 2.0 (height) and -1 < qpos[2] < 1
 * (pitch), both strict, so a NaN is unhealthy; unlike Hopper no bound on the other
 * entries. terminated = !healthy (terminate_when_unhealthy defaults to True).
 * Besides the model, the versions differ in one thing: v4 pays healthy_reward = 1.0 on
 * every step (float(healthy or terminate_when_unhealthy) * 1.0), v5 only while healthy
 * (healthy * 1.0).
 * Observation (17): qpos[1:9], then qvel clipped to [-10, 10].
 * Reset: qpos = qpos0 + U(-5e-3, 5e-3) drawn for the 9 qpos, then qvel = 0 + U(-5e-3, 5e-3)
 * for the 9 qvel, in that order.
 *
 * Floating point, as NumPy 1.24 meets Gymnasium's code: dt is the model's float64
 * timestep times the int frame_skip; x_velocity is a true division by dt; the float32
 * action is squared and summed in float32 (pairwise, mjenv_sum_sq_f32) and the np.float32
 * sum becomes float64 only when the Python-float weight multiplies it (NumPy 1.x scalar
 * promotion); sums are added left to right as written. The weight 1.0 products are
 * exact and kept only to mirror the source.
 *
 * Left out: the info dict, rendering, every non-default constructor argument.
 */
#include "mjenv.h"

#define WALKER_OBS_DIM 17
#define WALKER_NQ      9
#define WALKER_NV      9
#define WALKER_NBODY   8
#define WALKER_NU      6

#define FORWARD_REWARD_WEIGHT 1.0
#define CTRL_COST_WEIGHT      1e-3
#define HEALTHY_REWARD        1.0
#define HEALTHY_Z_MIN         0.8
#define HEALTHY_Z_MAX         2.0
#define HEALTHY_ANGLE_MIN     (-1.0)
#define HEALTHY_ANGLE_MAX     1.0
#define RESET_NOISE_SCALE     5e-3
#define QVEL_OBS_BOUND        10.0

/* What Walker2d-v4 and -v5 do differently, besides the model file. */
typedef struct {
    int healthy_reward_only_when_healthy; /* v5: healthy * 1.0; v4: 1.0 on every step */
} WalkerParams;

static const WalkerParams walker_v4_params = {.healthy_reward_only_when_healthy = 0};
static const WalkerParams walker_v5_params = {.healthy_reward_only_when_healthy = 1};

static const float walker_act_low[WALKER_NU] = {-1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f};
static const float walker_act_high[WALKER_NU] = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};

/* Gymnasium's is_healthy: height qpos[1] in (0.8, 2.0) and pitch qpos[2] in (-1, 1). */
static int walker_is_healthy(const mjData *d)
{
    const double z = d->qpos[1], angle = d->qpos[2];
    const int healthy_z = HEALTHY_Z_MIN < z && z < HEALTHY_Z_MAX;
    const int healthy_angle = HEALTHY_ANGLE_MIN < angle && angle < HEALTHY_ANGLE_MAX;
    return healthy_z && healthy_angle;
}

/* obs (17) <- qpos[1:9] (8), clip(qvel, -10, 10) (9). */
static void walker_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    (void)t;
    for (int i = 1; i < m->nq; i++)
        *obs++ = d->qpos[i];
    mjenv_clip(obs, d->qvel, m->nv, -QVEL_OBS_BOUND, QVEL_OBS_BOUND);
}

static void walker_step(const MjTask *t, const mjModel *m, mjData *d, const float *action,
                        double *obs, double *reward, uint8_t *terminated)
{
    const WalkerParams *p = t->params;
    const double x_before = d->qpos[0];
    mjenv_simulate(m, d, action, t->frame_skip);
    const double dt = m->opt.timestep * t->frame_skip;
    const double x_velocity = (d->qpos[0] - x_before) / dt;

    const int healthy = walker_is_healthy(d);
    const double ctrl_cost = CTRL_COST_WEIGHT * mjenv_sum_sq_f32(action, m->nu);
    const double forward_reward = FORWARD_REWARD_WEIGHT * x_velocity;
    /* v4: float(healthy or True) * 1.0; v5: healthy * 1.0 (1.0 or 0.0 either way) */
    const double healthy_reward =
        (healthy || !p->healthy_reward_only_when_healthy) ? HEALTHY_REWARD : 0.0;

    walker_observe(t, m, d, obs);
    *reward = (forward_reward + healthy_reward) - ctrl_cost;
    *terminated = !healthy;
}

const MjTask mjtask_walker2d_v4 = {
    MJENV_TASK("Walker2d-v4", WALKER_OBS_DIM, WALKER_NU, walker_act_low, walker_act_high, 1000,
               WALKER_NQ, WALKER_NV, WALKER_NBODY, mjenv_preset_fine, "walker2d.xml", 4),
    .params = &walker_v4_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = walker_step,
    .observe = walker_observe,
};

const MjTask mjtask_walker2d_v5 = {
    MJENV_TASK("Walker2d-v5", WALKER_OBS_DIM, WALKER_NU, walker_act_low, walker_act_high, 1000,
               WALKER_NQ, WALKER_NV, WALKER_NBODY, mjenv_preset_fine, "walker2d_v5.xml", 4),
    .params = &walker_v5_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = walker_step,
    .observe = walker_observe,
};
