/* hopper.c - Hopper-v4 and Hopper-v5: a one-legged planar robot paid for hopping
 * forward (+x) and for staying upright.
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/hopper_v4.py and hopper_v5.py with
 * their default arguments; model hopper.xml (nq = nv = 6: rootx, rootz, rooty, thigh,
 * leg, foot; 5 bodies with the world; 3 motors with ctrlrange [-1, 1]); frame_skip 4, so
 * dt = 0.002 * 4. Time limit 1000 steps (the registration's).
 *
 * Step: x = qpos[0] is read before and after the frames; forward = 1.0 * x_velocity with
 * x_velocity = (x_after - x_before) / dt; ctrl_cost = 1e-3 * sum(action^2) (the raw
 * action, not the ctrl that MuJoCo clamps); reward = (forward + healthy_reward) - ctrl_cost.
 * Healthy, judged on the post-step state: every entry of (qpos, qvel)[2:] strictly inside
 * (-100, 100), 0.7 < qpos[1] < inf (height) and -0.2 < qpos[2] < 0.2 (pitch), all strict,
 * so a NaN is unhealthy. terminated = !healthy (terminate_when_unhealthy defaults to True).
 * The versions differ in one thing: v4 pays healthy_reward = 1.0 on every step
 * (float(healthy or terminate_when_unhealthy) * 1.0), v5 only while healthy
 * (healthy * 1.0, so 0.0 on the terminal step of a fall). Same model, same sizes.
 * Observation (11): qpos[1:6], then qvel clipped to [-10, 10].
 * Reset: qpos = qpos0 + U(-5e-3, 5e-3) drawn for the 6 qpos, then qvel = 0 + U(-5e-3, 5e-3)
 * for the 6 qvel, in that order.
 *
 * Floating point, as NumPy 1.24 meets Gymnasium's code: dt is the model's float64
 * timestep times the int frame_skip (exact conversion); x_velocity is a true division by
 * dt, not a product with 1/dt; the action is float32, so np.square and np.sum stay in
 * float32 (pairwise, mjenv_sum_sq_f32) and only the Python-float weight turns the np.float32
 * sum into float64 (NumPy 1.x scalar promotion; NumPy 2 would keep float32); the sums are
 * added in Gymnasium's order, left to right as written. The weight 1.0 products are exact
 * and kept only to mirror the source.
 *
 * Left out: the info dict, rendering, every non-default constructor argument (custom
 * xml_file, frame_skip, weights, ranges, exclude_current_positions_from_observation).
 */
#include <math.h>

#include "mjenv.h"

#define HOPPER_OBS_DIM 11
#define HOPPER_NQ      6
#define HOPPER_NV      6
#define HOPPER_NBODY   5
#define HOPPER_NU      3

#define FORWARD_REWARD_WEIGHT 1.0
#define CTRL_COST_WEIGHT      1e-3
#define HEALTHY_REWARD        1.0
#define HEALTHY_STATE_MIN     (-100.0)
#define HEALTHY_STATE_MAX     100.0
#define HEALTHY_Z_MIN         0.7
#define HEALTHY_Z_MAX         INFINITY
#define HEALTHY_ANGLE_MIN     (-0.2)
#define HEALTHY_ANGLE_MAX     0.2
#define RESET_NOISE_SCALE     5e-3
#define QVEL_OBS_BOUND        10.0

/* What Hopper-v4 and -v5 do differently. */
typedef struct {
    int healthy_reward_only_when_healthy; /* v5: healthy * 1.0; v4: 1.0 on every step */
} HopperParams;

static const HopperParams hopper_v4_params = {.healthy_reward_only_when_healthy = 0};
static const HopperParams hopper_v5_params = {.healthy_reward_only_when_healthy = 1};

static const float hopper_act_low[HOPPER_NU] = {-1.0f, -1.0f, -1.0f};
static const float hopper_act_high[HOPPER_NU] = {1.0f, 1.0f, 1.0f};

/* Gymnasium's is_healthy on d's qpos and qvel: state = (qpos, qvel)[2:] all in
 * (-100, 100), height qpos[1] in (0.7, inf), pitch qpos[2] in (-0.2, 0.2), strictly. */
static int hopper_is_healthy(const mjModel *m, const mjData *d)
{
    int healthy_state = 1;
    for (int i = 2; i < m->nq; i++)
        healthy_state &= HEALTHY_STATE_MIN < d->qpos[i] && d->qpos[i] < HEALTHY_STATE_MAX;
    for (int i = 0; i < m->nv; i++)
        healthy_state &= HEALTHY_STATE_MIN < d->qvel[i] && d->qvel[i] < HEALTHY_STATE_MAX;
    const double z = d->qpos[1], angle = d->qpos[2];
    const int healthy_z = HEALTHY_Z_MIN < z && z < HEALTHY_Z_MAX;
    const int healthy_angle = HEALTHY_ANGLE_MIN < angle && angle < HEALTHY_ANGLE_MAX;
    return healthy_state && healthy_z && healthy_angle;
}

/* obs (11) <- qpos[1:6] (5), clip(qvel, -10, 10) (6). */
static void hopper_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    (void)t;
    for (int i = 1; i < m->nq; i++)
        *obs++ = d->qpos[i];
    mjenv_clip(obs, d->qvel, m->nv, -QVEL_OBS_BOUND, QVEL_OBS_BOUND);
}

static void hopper_step(const MjTask *t, const mjModel *m, mjData *d, const float *action,
                        double *obs, double *reward, uint8_t *terminated)
{
    const HopperParams *p = t->params;
    const double x_before = d->qpos[0];
    mjenv_simulate(m, d, action, t->frame_skip);
    const double dt = m->opt.timestep * t->frame_skip;
    const double x_velocity = (d->qpos[0] - x_before) / dt;

    const int healthy = hopper_is_healthy(m, d);
    const double ctrl_cost = CTRL_COST_WEIGHT * mjenv_sum_sq_f32(action, m->nu);
    const double forward_reward = FORWARD_REWARD_WEIGHT * x_velocity;
    /* v4: float(healthy or True) * 1.0; v5: healthy * 1.0 (1.0 or 0.0 either way) */
    const double healthy_reward =
        (healthy || !p->healthy_reward_only_when_healthy) ? HEALTHY_REWARD : 0.0;

    hopper_observe(t, m, d, obs);
    *reward = (forward_reward + healthy_reward) - ctrl_cost;
    *terminated = !healthy;
}

const MjTask mjtask_hopper_v4 = {
    MJENV_TASK("Hopper-v4", HOPPER_OBS_DIM, HOPPER_NU, hopper_act_low, hopper_act_high, 1000,
               HOPPER_NQ, HOPPER_NV, HOPPER_NBODY, mjenv_preset, "hopper.xml", 4),
    .params = &hopper_v4_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = hopper_step,
    .observe = hopper_observe,
};

const MjTask mjtask_hopper_v5 = {
    MJENV_TASK("Hopper-v5", HOPPER_OBS_DIM, HOPPER_NU, hopper_act_low, hopper_act_high, 1000,
               HOPPER_NQ, HOPPER_NV, HOPPER_NBODY, mjenv_preset, "hopper.xml", 4),
    .params = &hopper_v5_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = hopper_step,
    .observe = hopper_observe,
};
