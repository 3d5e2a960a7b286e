/* inverted_pendulum.c - InvertedPendulum-v4 and InvertedPendulum-v5: a cart on a rail,
 * pushed left or right, that must keep a hinged pole upright.
 *
 * Reference: Gymnasium 1.4.0, gymnasium/envs/mujoco/inverted_pendulum_v4.py and
 * inverted_pendulum_v5.py with their default arguments; model inverted_pendulum.xml
 * (nq = nv = 2: slider, hinge; 3 bodies with the world; one motor with ctrlrange [-3, 3],
 * RK4 with timestep 0.02); frame_skip 2. Time limit 1000 steps (the registration's).
 *
 * Step: simulate, then observe; terminated = some observation entry is not finite, or
 * |qpos[1]| > 0.2 (the pole's angle, strict). The versions differ only in the reward:
 * v4 pays 1.0 on every step, the terminal one included; v5 pays int(not terminated), so
 * 1 while upright and 0 on the step that ends the episode.
 * Observation (4): qpos (2), qvel (2).
 * Reset: qpos = qpos0 + U(-0.01, 0.01) for the 2 qpos, then qvel = 0 + U(-0.01, 0.01) for
 * the 2 qvel, in that order (v5's reset_noise_scale 0.01 is v4's constant).
 *
 * Floating point: nothing is computed outside MuJoCo; the observation is qpos and qvel
 * as they are, the test is |x| > 0.2 on a float64 (np.abs, then the comparison), and the
 * rewards 1.0, 1 and 0 are exact.
 *
 * Left out: the info dict, rendering, every non-default constructor argument (xml_file,
 * frame_skip, reset_noise_scale).
 */
#include <math.h>

#include "mjenv.h"

#define IP_OBS_DIM 4
#define IP_NQ      2
#define IP_NV      2
#define IP_NBODY   3
#define IP_NU      1

#define IP_FRAME_SKIP     2
#define IP_MAX_STEPS      1000
#define IP_MAX_ANGLE      0.2  /* |qpos[1]| above this ends the episode */
#define RESET_NOISE_SCALE 0.01 /* qpos and qvel: U(-0.01, 0.01) */

/* What InvertedPendulum-v4 and -v5 do differently. */
typedef struct {
    int reward_only_when_upright; /* v5: int(not terminated); v4: 1.0 on every step */
} InvertedPendulumParams;

static const InvertedPendulumParams ip_v4_params = {.reward_only_when_upright = 0};
static const InvertedPendulumParams ip_v5_params = {.reward_only_when_upright = 1};

static const float ip_act_low[IP_NU] = {-3.0f};
static const float ip_act_high[IP_NU] = {3.0f};

/* obs (4) <- qpos (2), qvel (2). */
static void ip_observe(const MjTask *t, const mjModel *m, const mjData *d, double *obs)
{
    (void)t;
    for (int i = 0; i < m->nq; i++)
        *obs++ = d->qpos[i];
    for (int i = 0; i < m->nv; i++)
        *obs++ = d->qvel[i];
}

static void ip_step(const MjTask *t, const mjModel *m, mjData *d, const float *action, double *obs,
                    double *reward, uint8_t *terminated)
{
    const InvertedPendulumParams *p = t->params;
    mjenv_simulate(m, d, action, t->frame_skip);
    ip_observe(t, m, d, obs);

    /* not np.isfinite(obs).all() or np.abs(obs[1]) > 0.2 */
    int finite = 1;
    for (int i = 0; i < IP_OBS_DIM; i++)
        finite &= isfinite(obs[i]) != 0;
    const int done = !finite || fabs(obs[1]) > IP_MAX_ANGLE;

    *terminated = (uint8_t)done;
    *reward = (p->reward_only_when_upright && done) ? 0.0 : 1.0;
}

const MjTask mjtask_inverted_pendulum_v4 = {
    MJENV_TASK("InvertedPendulum-v4", IP_OBS_DIM, IP_NU, ip_act_low, ip_act_high, IP_MAX_STEPS,
               IP_NQ, IP_NV, IP_NBODY, mjenv_preset_pendulum, "inverted_pendulum.xml",
               IP_FRAME_SKIP),
    .params = &ip_v4_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = ip_step,
    .observe = ip_observe,
};

const MjTask mjtask_inverted_pendulum_v5 = {
    MJENV_TASK("InvertedPendulum-v5", IP_OBS_DIM, IP_NU, ip_act_low, ip_act_high, IP_MAX_STEPS,
               IP_NQ, IP_NV, IP_NBODY, mjenv_preset_pendulum, "inverted_pendulum.xml",
               IP_FRAME_SKIP),
    .params = &ip_v5_params,
    .reset_qpos = RESET_NOISE_SCALE,
    .reset_qvel = RESET_NOISE_SCALE,
    .reset_qvel_normal = 0,
    .step = ip_step,
    .observe = ip_observe,
};
