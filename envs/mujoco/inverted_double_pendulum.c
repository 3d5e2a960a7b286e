/* inverted_double_pendulum.c - InvertedDoublePendulum-v4 and -v5: a cart on a rail that
 * must keep a chain of two hinged poles upright, the tip as high as it goes.
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/inverted_double_pendulum_v4.py and
 * inverted_double_pendulum_v5.py with their default arguments; model
 * inverted_double_pendulum.xml (nq = nv = 3: slider, hinge, hinge2; 4 bodies with the
 * world; one site, "tip", at the end of the second pole; one motor with ctrlrange
 * [-1, 1]; RK4 with timestep 0.01); frame_skip 5. Time limit 1000 steps.
 *
 * Step (both versions): simulate; (x, _, y) = site_xpos[0], the tip (from the last
 * evaluation inside mj_step, as Gymnasium reads it); terminated = y <= 1;
 *   dist_penalty = 0.01 x^2 + (y - 2)^2,  vel_penalty = 1e-3 qvel[1]^2 + 5e-3 qvel[2]^2,
 *   reward = (alive_bonus - dist_penalty) - vel_penalty,
 * with alive_bonus = 10 on every step in v4, and 10.0 * int(not terminated) in v5 (0 on
 * the terminal step).
 * Observation: qpos[0], sin(qpos[1:3]), cos(qpos[1:3]), clip(qvel, -10, 10) (3), then
 * clip(qfrc_constraint, -10, 10): all 3 entries in v4 (11 in all), only the first in v5
 * (9 in all).
 * Reset: qpos = qpos0 + U(-0.1, 0.1) for the 3 qpos, then qvel = 0 + 0.1 N(0, 1) for the
 * 3 qvel, in that order (v5's reset_noise_scale 0.1 is v4's constant).
 *
 * Floating point, as NumPy 1.24 meets Gymnasium's code. x, y, v1, v2 are np.float64
 * scalars, and `s ** 2` of an np.float64 is NumPy's scalar power, libm pow(s, 2.0), which
 * glibc rounds differently from s*s for about one argument in a thousand: pow is called
 * (mjenv_pow2). The sums go
 * left to right as written; the int 10 and the products 10.0 * 1 are exact.
 * np.sin and np.cos are glibc's sin and cos, as NumPy computes them on CPUs without
 * AVX-512 (with AVX512_SKX NumPy 1.24 dispatches them to SVML, which differs from glibc
 * by 1 to 3 ulp in most arguments: the same choice as for the classic-control set, see
 * README).
 * np.clip of float64 is mjenv_clip.
 *
 * Left out: the info dict, rendering, every non-default constructor argument (xml_file,
 * frame_skip, healthy_reward, reset_noise_scale).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "mjenv.h"

#define IDP_NQ    3
#define IDP_NV    3
#define IDP_NBODY 4
#define IDP_NU    1

#define IDP_OBS_DIM_V4 11
#define IDP_OBS_DIM_V5 9

#define IDP_FRAME_SKIP   5
#define IDP_MAX_STEPS    1000
#define IDP_TIP_SITE     0    /* site_xpos[0]: the model's only site, "tip" */
#define IDP_MIN_TIP_Y    1.0  /* terminated when the tip's height y <= 1 */
#define ALIVE_BONUS      10.0 /* v4: the int 10; v5: healthy_reward = 10.0 */
#define TARGET_Y         2.0
#define DIST_X_WEIGHT    0.01
#define VEL1_WEIGHT      1e-3
#define VEL2_WEIGHT      5e-3
#define OBS_BOUND        10.0 /* qvel and qfrc_constraint are clipped to [-10, 10] */
#define RESET_QPOS_SCALE 0.1  /* qpos: U(-0.1, 0.1) */
#define RESET_QVEL_SCALE 0.1  /* qvel: 0.1 N(0, 1) */

/* What InvertedDoublePendulum-v4 and -v5 do differently. */
typedef struct {
    int alive_only_when_healthy; /* v5: 10.0 * int(not terminated); v4: 10 on every step */
    int n_constraint_obs;        /* entries of clip(qfrc_constraint) observed: v4 3, v5 1 */
} IdpParams;

static const IdpParams idp_v4_params = {.alive_only_when_healthy = 0, .n_constraint_obs = 3};
static const IdpParams idp_v5_params = {.alive_only_when_healthy = 1, .n_constraint_obs = 1};

static const float idp_act_low[IDP_NU] = {-1.0f};
static const float idp_act_high[IDP_NU] = {1.0f};

/* ---- the task ---- */

/* obs <- qpos[0], sin(qpos[1:3]) (2), cos(qpos[1:3]) (2), clip(qvel, -10, 10) (3),
 * clip(qfrc_constraint, -10, 10)[:k] (k = 3 in v4, 1 in v5). */
static void idp_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    const IdpParams *p = t->params;
    *obs++ = d->qpos[0];
    for (int i = 1; i < m->nq; i++)
        *obs++ = sin(d->qpos[i]);
    for (int i = 1; i < m->nq; i++)
        *obs++ = cos(d->qpos[i]);
    mjenv_clip(obs, d->qvel, m->nv, -OBS_BOUND, OBS_BOUND);
    obs += m->nv;
    mjenv_clip(obs, d->qfrc_constraint, p->n_constraint_obs, -OBS_BOUND, OBS_BOUND);
}

static void idp_step(const MjTask *t, const mjModel *m, mjData *d, const float *action, double *obs,
                     double *reward, uint8_t *terminated)
{
    const IdpParams *p = t->params;
    mjenv_simulate(m, d, action, t->frame_skip);

    const double x = d->site_xpos[3 * IDP_TIP_SITE + 0];
    const double y = d->site_xpos[3 * IDP_TIP_SITE + 2];
    const double v1 = d->qvel[1], v2 = d->qvel[2];
    const int done = y <= IDP_MIN_TIP_Y;

    const double dist_penalty = DIST_X_WEIGHT * mjenv_pow2(x) + mjenv_pow2(y - TARGET_Y);
    const double vel_penalty = VEL1_WEIGHT * mjenv_pow2(v1) + VEL2_WEIGHT * mjenv_pow2(v2);
    const double alive_bonus = (p->alive_only_when_healthy && done) ? 0.0 : ALIVE_BONUS;

    idp_observe(t, m, d, obs);
    *reward = (alive_bonus - dist_penalty) - vel_penalty;
    *terminated = (uint8_t)done;
}

const MjTask mjtask_inverted_double_pendulum_v4 = {
    MJENV_TASK("InvertedDoublePendulum-v4", IDP_OBS_DIM_V4, IDP_NU, idp_act_low, idp_act_high,
               IDP_MAX_STEPS, IDP_NQ, IDP_NV, IDP_NBODY, mjenv_preset,
               "inverted_double_pendulum.xml", IDP_FRAME_SKIP),
    .params = &idp_v4_params,
    .reset_qpos = RESET_QPOS_SCALE,
    .reset_qvel = RESET_QVEL_SCALE,
    .reset_qvel_normal = 1,
    .step = idp_step,
    .observe = idp_observe,
};

const MjTask mjtask_inverted_double_pendulum_v5 = {
    MJENV_TASK("InvertedDoublePendulum-v5", IDP_OBS_DIM_V5, IDP_NU, idp_act_low, idp_act_high,
               IDP_MAX_STEPS, IDP_NQ, IDP_NV, IDP_NBODY, mjenv_preset,
               "inverted_double_pendulum.xml", IDP_FRAME_SKIP),
    .params = &idp_v5_params,
    .reset_qpos = RESET_QPOS_SCALE,
    .reset_qvel = RESET_QVEL_SCALE,
    .reset_qvel_normal = 1,
    .step = idp_step,
    .observe = idp_observe,
};
