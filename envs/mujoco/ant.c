/* ant.c - Ant-v4 and Ant-v5: a four-legged robot with a free-floating torso, paid for
 * moving its torso along +x and for staying up.
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/ant_v4.py and ant_v5.py with their
 * default arguments; model ant.xml (nq = 15: the free joint's position and quaternion, then
 * 8 hinges; nv = 14; 14 bodies with the world, the torso is body 1; 8 motors with
 * ctrlrange [-1, 1]; timestep 0.01); frame_skip 5, so dt = 0.01 * 5. Time limit 1000.
 *
 * Step: x is the torso's xpos[0] (v4 get_body_com("torso"), v5 main_body = 1: the same
 * body), read before and after the frames. Like Gymnasium, this reads xpos as it is: after
 * mj_step it belongs to the last evaluation inside the step, not to the new qpos (see
 * mjenv.h). forward = x_velocity = (x_after - x_before) / dt (v4 uses it as it is, v5
 * multiplies by the int weight 1, exact either way); ctrl_cost = 0.5 * sum(action^2)
 * (the raw action).
 * Healthy, on the post-step state: every qpos and qvel entry finite and 0.2 <= qpos[2] <=
 * 1.0 (torso height; NOT strict here, as written in Gymnasium). terminated = !healthy.
 *   v4 (use_contact_forces=False): reward = (forward + 1.0) - ctrl_cost, the 1.0 paid on
 *       every step (float(healthy or terminate_when_unhealthy) * 1.0);
 *       observation (27): qpos[2:15], qvel (14).
 *   v5: c = clip(cfrc_ext, -1, 1) over all 14 bodies (84 values, after
 *       mj_rnePostConstraint); contact_cost = 5e-4 * sum(c^2) over all 84, the world's row
 *       included; healthy_reward = healthy * 1.0; reward = (forward + healthy_reward) -
 *       (ctrl_cost + contact_cost); observation (105): qpos[2:15], qvel (14), c without the
 *       world's row (13 x 6, row-major).
 * Reset: qpos = qpos0 + U(-0.1, 0.1) drawn for the 15 qpos (the quaternion is not
 * renormalised, as in Gymnasium), then qvel = 0 + 0.1 * N(0, 1) for the 14 qvel.
 *
 * Floating point, as NumPy 1.24 meets Gymnasium's code: dt is the model's float64
 * timestep times the int frame_skip; x_velocity is a true division by dt (the x entry of
 * the elementwise (xy_after - xy_before) / dt); the float32 action is squared and summed
 * in float32 (pairwise, mjenv_sum_sq_f32) and the np.float32 sum becomes float64 only when
 * the Python-float weight multiplies it (NumPy 1.x scalar promotion); the squares of the
 * clipped (14, 6) float64 array are summed as np.sum sums a C-contiguous array, as one
 * pairwise sum of its 84 values in memory order (mjenv_sum_sq); sums are added left to
 * right as written. Gymnasium's norm (distance_from_origin) is info only: not computed.
 *
 * Left out: the info dict, rendering, every non-default constructor argument (v4's
 * use_contact_forces=True in particular).
 */
#include <math.h>
#include <string.h>

#include "mjenv.h"

#define ANT_NQ    15
#define ANT_NV    14
#define ANT_NBODY 14
#define ANT_NU    8
#define ANT_CFRC  (6 * ANT_NBODY) /* cfrc_ext values, the world's row included */

#define ANT_V4_OBS_DIM ((ANT_NQ - 2) + ANT_NV)                       /* 27 */
#define ANT_V5_OBS_DIM ((ANT_NQ - 2) + ANT_NV + 6 * (ANT_NBODY - 1)) /* 105 */

#define CTRL_COST_WEIGHT    0.5
#define CONTACT_COST_WEIGHT 5e-4
#define HEALTHY_REWARD      1.0
#define HEALTHY_Z_MIN       0.2
#define HEALTHY_Z_MAX       1.0
#define CONTACT_FORCE_MIN   (-1.0)
#define CONTACT_FORCE_MAX   1.0
#define RESET_NOISE_SCALE   0.1

/* What Ant-v4 and -v5 do differently with their defaults. */
typedef struct {
    int healthy_reward_only_when_healthy; /* v5: healthy * 1.0; v4: 1.0 on every step */
    int contact_forces; /* v5: contact cost in the reward, clipped cfrc_ext[1:] observed */
} AntParams;

static const AntParams ant_v4_params = {.healthy_reward_only_when_healthy = 0, .contact_forces = 0};
static const AntParams ant_v5_params = {.healthy_reward_only_when_healthy = 1, .contact_forces = 1};

static const float ant_act_low[ANT_NU] = {-1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f, -1.0f};
static const float ant_act_high[ANT_NU] = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};

/* Gymnasium's is_healthy: (qpos, qvel) all finite and 0.2 <= qpos[2] <= 1.0. */
static int ant_is_healthy(const mjModel *m, const mjData *d)
{
    int finite = 1;
    for (int i = 0; i < m->nq; i++)
        finite &= isfinite(d->qpos[i]) != 0;
    for (int i = 0; i < m->nv; i++)
        finite &= isfinite(d->qvel[i]) != 0;
    const double z = d->qpos[2];
    return finite && HEALTHY_Z_MIN <= z && z <= HEALTHY_Z_MAX;
}

/* contact (84) <- clip(cfrc_ext, -1, 1), Gymnasium's contact_forces. */
static void ant_contact_forces(const mjData *d, double *contact)
{
    mjenv_clip(contact, d->cfrc_ext, ANT_CFRC, CONTACT_FORCE_MIN, CONTACT_FORCE_MAX);
}

/* obs <- qpos[2:15] (13), qvel (14) and, in v5, contact[6:84] (78), where contact are
 * the clipped contact forces of d (ant_contact_forces). */
static void ant_write_obs(const AntParams *p, const mjModel *m, const mjData *d,
                          const double *contact, double *obs)
{
    for (int i = 2; i < m->nq; i++)
        *obs++ = d->qpos[i];
    for (int i = 0; i < m->nv; i++)
        *obs++ = d->qvel[i];
    if (p->contact_forces)
        memcpy(obs, contact + 6, sizeof(double) * (ANT_CFRC - 6));
}

static void ant_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    const AntParams *p = t->params;
    double contact[ANT_CFRC];
    ant_contact_forces(d, contact);
    ant_write_obs(p, m, d, contact, obs);
}

static void ant_step(const MjTask *t, const mjModel *m, mjData *d, const float *action, double *obs,
                     double *reward, uint8_t *terminated)
{
    const AntParams *p = t->params;
    const int torso = mjenv_id(m, mjOBJ_BODY, "torso"); /* 1, v5's main_body */
    const double x_before = d->xpos[3 * torso];
    mjenv_simulate(m, d, action, t->frame_skip);
    const double dt = m->opt.timestep * t->frame_skip;
    const double x_velocity = (d->xpos[3 * torso] - x_before) / dt;

    double contact[ANT_CFRC]; /* (14, 6) */
    ant_contact_forces(d, contact);
    ant_write_obs(p, m, d, contact, obs);

    const int healthy = ant_is_healthy(m, d);
    const double forward_reward = x_velocity; /* v5: x_velocity * 1 (int), the same */
    /* v4: float(healthy or True) * 1.0; v5: healthy * 1.0 (1.0 or 0.0 either way) */
    const double healthy_reward =
        (healthy || !p->healthy_reward_only_when_healthy) ? HEALTHY_REWARD : 0.0;
    const double rewards = forward_reward + healthy_reward;
    const double ctrl_cost = CTRL_COST_WEIGHT * mjenv_sum_sq_f32(action, m->nu);
    double costs = ctrl_cost;
    if (p->contact_forces) {
        const double contact_cost = CONTACT_COST_WEIGHT * mjenv_sum_sq(contact, ANT_CFRC);
        costs = ctrl_cost + contact_cost;
    }
    *reward = rewards - costs;
    *terminated = !healthy;
}

const MjTask mjtask_ant_v4 = {
    MJENV_TASK("Ant-v4", ANT_V4_OBS_DIM, ANT_NU, ant_act_low, ant_act_high, 1000, ANT_NQ, ANT_NV,
               ANT_NBODY, mjenv_preset, "ant.xml", 5),
    .params = &ant_v4_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 1,
    .step = ant_step,
    .observe = ant_observe,
};

const MjTask mjtask_ant_v5 = {
    MJENV_TASK("Ant-v5", ANT_V5_OBS_DIM, ANT_NU, ant_act_low, ant_act_high, 1000, ANT_NQ, ANT_NV,
               ANT_NBODY, mjenv_preset, "ant.xml", 5),
    .params = &ant_v5_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 1,
    .step = ant_step,
    .observe = ant_observe,
};
