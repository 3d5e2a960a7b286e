/* humanoid.c - Humanoid-v4, Humanoid-v5, HumanoidStandup-v4 and HumanoidStandup-v5: a
 * three-dimensional biped, paid for walking forward (Humanoid) or for raising its torso
 * from lying on the ground (HumanoidStandup).
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/humanoid_v4.py, humanoid_v5.py,
 * humanoidstandup_v4.py and humanoidstandup_v5.py with their default arguments; models
 * humanoid.xml and humanoidstandup.xml, the same robot (nq = 24: the free joint's position
 * and quaternion, then 17 hinges; nv = 23; 14 bodies with the world; 17 motors with
 * ctrlrange [-0.4, 0.4]; timestep 0.003, RK4), humanoidstandup.xml lying down (qpos0 z
 * 0.105 instead of 1.4); frame_skip 5, so dt = 0.003 * 5. Time limit 1000 steps for all
 * four.
 *
 * Shared by the four: the observation qpos[2:24] (22), qvel (23), cinert (10 per body),
 * cvel (6 per body), qfrc_actuator, cfrc_ext (6 per body): v4 observes every body and
 * every dof (22 + 23 + 140 + 84 + 23 + 84 = 376), v5 drops the world's rows and the free
 * joint's 6 actuator forces (22 + 23 + 130 + 78 + 17 + 78 = 348). The values are read
 * as they are after mj_step and mj_rnePostConstraint (cinert and cvel of the last
 * evaluation inside the step, see mjenv.h). Reset for all four: qpos = qpos0 +
 * U(-0.01, 0.01) drawn for the 24 qpos (quaternion not renormalised), then qvel = 0 +
 * U(-0.01, 0.01) for the 23 qvel. The control cost is 0.1 * sum(ctrl^2) of data.ctrl
 * (float64: the float32 action converted, not clamped), not of the float32 action.
 *
 * Humanoid: x is the x of the mass centre sum_b(mass_b xipos_b) / sum_b(mass_b), before
 * and after the frames (xipos as it is, see mjenv.h); forward = 1.25 * (x_after -
 * x_before) / dt. Healthy, on the post-step state: 1.0 < qpos[2] < 2.0 strictly (so NaN is
 * unhealthy); terminated = !healthy.
 *   v4: reward = (forward + 5.0) - ctrl_cost, the 5.0 paid on every step
 *       (float(healthy or terminate_when_unhealthy) * 5.0).
 *   v5: healthy_reward = healthy * 5.0; contact_cost = clip(5e-7 * sum(cfrc_ext^2), -inf,
 *       10) over all 84 values, the world's row included; reward = (forward +
 *       healthy_reward) - (ctrl_cost + contact_cost).
 * HumanoidStandup (both versions, never terminates): uph = (qpos[2] - 0) / timestep (the
 * model's timestep, NOT dt); impact = min(0.5e-6 * sum(cfrc_ext^2), 10) over all 84;
 * reward = ((uph - ctrl_cost) - impact) + 1. v4 takes Python's min(impact, 10), v5
 * np.clip(impact, -inf, 10.0): both return impact unless 10 < impact (a NaN passes), so
 * one function does both; v5's uph_cost_weight is never used by Gymnasium.
 *
 * Floating point, as NumPy 1.24 meets Gymnasium's code: the mass centre's numerator is
 * np.einsum("b,bj->j", body_mass, xipos), which NumPy 1.24 (c_einsum, no BLAS, no FMA)
 * computes for each coordinate as a running sum from 0.0 of the rounded products in body
 * order, checked against NumPy 1.24.2 on random data; the older np.sum(mass * xipos,
 * axis=0) adds the same products in the same order, so either gives these bits. The
 * denominator body_mass.sum() is NumPy's pairwise sum (mjenv_sum), then the division; only
 * the x coordinate is formed, as its own division. dt is the float64 timestep times the
 * int frame_skip; velocities are true divisions. sum(ctrl^2) and sum(cfrc_ext^2) are
 * np.sum of float64 C-contiguous arrays, one pairwise sum in memory order (mjenv_sum_sq);
 * sums are added left to right as written. Gymnasium's norm (distance_from_origin) is info
 * only: not computed.
 *
 * Left out: the info dict, rendering, every non-default constructor argument.
 */
#include <math.h>
#include <string.h>

#include "mjenv.h"

#define HUMANOID_NQ    24
#define HUMANOID_NV    23
#define HUMANOID_NBODY 14
#define HUMANOID_NU    17

/* qpos[2:], qvel, cinert, cvel, qfrc_actuator, cfrc_ext from body b0 and dof v0 on */
#define HUMANOID_OBS_DIM(b0, v0)                                                                   \
    ((HUMANOID_NQ - 2) + HUMANOID_NV + (10 + 6 + 6) * (HUMANOID_NBODY - (b0)) +                    \
     (HUMANOID_NV - (v0)))
#define HUMANOID_V4_OBS_DIM HUMANOID_OBS_DIM(0, 0) /* 376 */
#define HUMANOID_V5_OBS_DIM HUMANOID_OBS_DIM(1, 6) /* 348 */

#define FORWARD_REWARD_WEIGHT 1.25
#define CTRL_COST_WEIGHT      0.1
#define CONTACT_COST_WEIGHT   5e-7
#define CONTACT_COST_MAX      10.0
#define HEALTHY_REWARD        5.0
#define HEALTHY_Z_MIN         1.0
#define HEALTHY_Z_MAX         2.0
#define IMPACT_COST_WEIGHT    0.5e-6
#define IMPACT_COST_MAX       10.0
#define RESET_NOISE_SCALE     1e-2

/* What the versions of the two robots do differently. */
typedef struct {
    int first_body; /* first body observed in cinert, cvel, cfrc_ext: 0 (v4), 1 (v5) */
    int first_dof;  /* first qfrc_actuator entry observed: 0 (v4), 6 (v5) */
    int healthy_reward_only_when_healthy; /* Humanoid-v5: healthy * 5.0; v4: 5.0 always */
    int contact_cost;                     /* Humanoid-v5: clipped contact cost */
} HumanoidParams;

static const HumanoidParams humanoid_v4_params = {
    .first_body = 0, .first_dof = 0, .healthy_reward_only_when_healthy = 0, .contact_cost = 0};
static const HumanoidParams humanoid_v5_params = {
    .first_body = 1, .first_dof = 6, .healthy_reward_only_when_healthy = 1, .contact_cost = 1};
/* HumanoidStandup reads only the observation's fields. */
static const HumanoidParams standup_v4_params = {.first_body = 0, .first_dof = 0};
static const HumanoidParams standup_v5_params = {.first_body = 1, .first_dof = 6};

static const float humanoid_act_low[HUMANOID_NU] = {-0.4f, -0.4f, -0.4f, -0.4f, -0.4f, -0.4f,
                                                    -0.4f, -0.4f, -0.4f, -0.4f, -0.4f, -0.4f,
                                                    -0.4f, -0.4f, -0.4f, -0.4f, -0.4f};
static const float humanoid_act_high[HUMANOID_NU] = {0.4f, 0.4f, 0.4f, 0.4f, 0.4f, 0.4f,
                                                     0.4f, 0.4f, 0.4f, 0.4f, 0.4f, 0.4f,
                                                     0.4f, 0.4f, 0.4f, 0.4f, 0.4f};

/* dst[0:n] <- src[0:n]; returns dst + n. */
static double *put(double *dst, const double *src, int n)
{
    memcpy(dst, src, sizeof(double) * (size_t)n);
    return dst + n;
}

/* obs <- qpos[2:] (22), qvel (23), cinert[b0:] (10 each), cvel[b0:] (6 each),
 * qfrc_actuator[v0:], cfrc_ext[b0:] (6 each), with b0, v0 the task's first body and dof. */
static void humanoid_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    const HumanoidParams *p = t->params;
    const int b0 = p->first_body, nb = m->nbody - p->first_body;
    obs = put(obs, d->qpos + 2, m->nq - 2);
    obs = put(obs, d->qvel, m->nv);
    obs = put(obs, d->cinert + 10 * b0, 10 * nb);
    obs = put(obs, d->cvel + 6 * b0, 6 * nb);
    obs = put(obs, d->qfrc_actuator + p->first_dof, m->nv - p->first_dof);
    put(obs, d->cfrc_ext + 6 * b0, 6 * nb);
}

/* x of Gymnasium's mass_center: einsum("b,bj->j", body_mass, xipos)[0] / body_mass.sum(),
 * the numerator a running sum from 0.0 in body order (see the file's comment). */
static double humanoid_mass_center_x(const mjModel *m, const mjData *d)
{
    double num = 0.0;
    for (int b = 0; b < m->nbody; b++)
        num = num + m->body_mass[b] * d->xipos[3 * b];
    return num / mjenv_sum(m->body_mass, m->nbody);
}

/* 0.1 * np.sum(np.square(data.ctrl)) in float64. */
static double humanoid_ctrl_cost(const mjModel *m, const mjData *d)
{
    return CTRL_COST_WEIGHT * mjenv_sum_sq(d->ctrl, m->nu);
}

static void humanoid_step(const MjTask *t, const mjModel *m, mjData *d, const float *action,
                          double *obs, double *reward, uint8_t *terminated)
{
    const HumanoidParams *p = t->params;
    const double x_before = humanoid_mass_center_x(m, d);
    mjenv_simulate(m, d, action, t->frame_skip);
    const double x_after = humanoid_mass_center_x(m, d);
    const double dt = m->opt.timestep * t->frame_skip;
    const double x_velocity = (x_after - x_before) / dt;

    humanoid_observe(t, m, d, obs);

    const double z = d->qpos[2];
    const int healthy = HEALTHY_Z_MIN < z && z < HEALTHY_Z_MAX;
    const double forward_reward = FORWARD_REWARD_WEIGHT * x_velocity;
    /* v4: float(healthy or True) * 5.0; v5: healthy * 5.0 (5.0 or 0.0 either way) */
    const double healthy_reward =
        (healthy || !p->healthy_reward_only_when_healthy) ? HEALTHY_REWARD : 0.0;
    const double rewards = forward_reward + healthy_reward;
    const double ctrl_cost = humanoid_ctrl_cost(m, d);
    if (p->contact_cost) {
        const double raw = CONTACT_COST_WEIGHT * mjenv_sum_sq(d->cfrc_ext, 6 * m->nbody);
        const double contact_cost = env_clip(raw, -INFINITY, CONTACT_COST_MAX);
        *reward = rewards - (ctrl_cost + contact_cost);
    } else {
        *reward = rewards - ctrl_cost;
    }
    *terminated = !healthy;
}

static void standup_step(const MjTask *t, const mjModel *m, mjData *d, const float *action,
                         double *obs, double *reward, uint8_t *terminated)
{
    mjenv_simulate(m, d, action, t->frame_skip);
    const double uph_cost = (d->qpos[2] - 0.0) / m->opt.timestep;
    const double quad_ctrl_cost = humanoid_ctrl_cost(m, d);
    const double raw_impact = IMPACT_COST_WEIGHT * mjenv_sum_sq(d->cfrc_ext, 6 * m->nbody);
    /* v4 min(raw, 10), v5 np.clip(raw, -inf, 10.0): the same value, NaN included */
    const double quad_impact_cost = env_clip(raw_impact, -INFINITY, IMPACT_COST_MAX);

    humanoid_observe(t, m, d, obs);
    *reward = uph_cost - quad_ctrl_cost - quad_impact_cost + 1.0;
    *terminated = 0;
}

const MjTask mjtask_humanoid_v4 = {
    MJENV_TASK("Humanoid-v4", HUMANOID_V4_OBS_DIM, HUMANOID_NU, humanoid_act_low, humanoid_act_high,
               1000, HUMANOID_NQ, HUMANOID_NV, HUMANOID_NBODY, mjenv_preset_humanoid,
               "humanoid.xml", 5),
    .params = &humanoid_v4_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = humanoid_step,
    .observe = humanoid_observe,
};

const MjTask mjtask_humanoid_v5 = {
    MJENV_TASK("Humanoid-v5", HUMANOID_V5_OBS_DIM, HUMANOID_NU, humanoid_act_low, humanoid_act_high,
               1000, HUMANOID_NQ, HUMANOID_NV, HUMANOID_NBODY, mjenv_preset_humanoid,
               "humanoid.xml", 5),
    .params = &humanoid_v5_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = humanoid_step,
    .observe = humanoid_observe,
};

const MjTask mjtask_humanoid_standup_v4 = {
    MJENV_TASK("HumanoidStandup-v4", HUMANOID_V4_OBS_DIM, HUMANOID_NU, humanoid_act_low,
               humanoid_act_high, 1000, HUMANOID_NQ, HUMANOID_NV, HUMANOID_NBODY, mjenv_preset,
               "humanoidstandup.xml", 5),
    .params = &standup_v4_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = standup_step,
    .observe = humanoid_observe,
};

const MjTask mjtask_humanoid_standup_v5 = {
    MJENV_TASK("HumanoidStandup-v5", HUMANOID_V5_OBS_DIM, HUMANOID_NU, humanoid_act_low,
               humanoid_act_high, 1000, HUMANOID_NQ, HUMANOID_NV, HUMANOID_NBODY, mjenv_preset,
               "humanoidstandup.xml", 5),
    .params = &standup_v5_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = standup_step,
    .observe = humanoid_observe,
};
