/* cartpole.c - CartPole-v1: a pole balanced on a cart pushed left or right.
 *
 * Reference: A. G. Barto, R. S. Sutton and C. W. Anderson, "Neuronlike adaptive elements
 * that can solve difficult learning control problems", IEEE Trans. SMC 13(5), 1983, with
 * the equations of motion as corrected by R. V. Florian (2007) and as Gymnasium 1.x
 * writes them (gymnasium/envs/classic_control/cartpole.py): explicit Euler, tau = 0.02,
 * force +-10, terminated when |x| > 2.4 or |theta| > 12 degrees (strict: exactly on a
 * limit is still alive). Every step rewards 1, the terminating one included; a step
 * after termination rewards 0, as Gymnasium's steps_beyond_terminated does.
 *
 * Dtypes: state float64 (x, x_dot, theta, theta_dot), computed in Gymnasium's order of
 * operations with libm sin/cos (GCC merges the two calls into glibc's sincos, which
 * returns the same values); observation float32; reward float64.
 *
 * Left out: rendering, the sutton_barto_reward option (0 / -1 rewards), the
 * semi-implicit Euler option and reset bounds from options.
 */
#include <math.h>

#include "builtin.h"

#define GRAVITY   9.8
#define MASS_CART 1.0
#define MASS_POLE 0.1
#define HALF_LEN  0.5 /* half the pole's length */
#define FORCE_MAG 10.0
#define TAU       0.02
#define X_LIMIT   2.4
#define PI        3.14159265358979323846

/* Derived constants, evaluated as Gymnasium evaluates them. */
#define TOTAL_MASS  (MASS_POLE + MASS_CART)
#define POLEMASS_L  (MASS_POLE * HALF_LEN)
#define THETA_LIMIT (12 * 2 * PI / 360)

typedef struct {
    double x, x_dot, theta, theta_dot;
    int ended; /* a step has terminated: later steps reward 0 (until reset / set_state) */
} CartPoleState;

static const float obs_high[4] = {(float)(X_LIMIT * 2), INFINITY, (float)(THETA_LIMIT * 2),
                                  INFINITY};
static const float obs_low[4] = {-(float)(X_LIMIT * 2), -INFINITY, -(float)(THETA_LIMIT * 2),
                                 -INFINITY};

static void cartpole_obs(const CartPoleState *s, float *obs)
{
    obs[0] = (float)s->x;
    obs[1] = (float)s->x_dot;
    obs[2] = (float)s->theta;
    obs[3] = (float)s->theta_dot;
}

static void cartpole_reset(const EnvSpec *spec, void *state, Rng *rng, float *obs)
{
    (void)spec;
    CartPoleState *s = state;
    /* each component ~ U[-0.05, 0.05), in state order */
    s->x = rng_uniform_range(rng, -0.05, 0.05);
    s->x_dot = rng_uniform_range(rng, -0.05, 0.05);
    s->theta = rng_uniform_range(rng, -0.05, 0.05);
    s->theta_dot = rng_uniform_range(rng, -0.05, 0.05);
    s->ended = 0;
    cartpole_obs(s, obs);
}

static int cartpole_step(const EnvSpec *spec, void *state, const float *action, float *obs,
                         double *reward, uint8_t *terminated)
{
    (void)spec;
    CartPoleState *s = state;
    const int k = env_discrete_action(action[0], 2);
    if (k < 0)
        return -1;
    const double force = k == 1 ? FORCE_MAG : -FORCE_MAG; /* 0 pushes left, 1 right */

    const double costheta = cos(s->theta), sintheta = sin(s->theta);
    /* temp = (F + m_p l w^2 sin th) / M */
    const double temp =
        (force + POLEMASS_L * (s->theta_dot * s->theta_dot) * sintheta) / TOTAL_MASS;
    /* th'' = (g sin th - cos th temp) / (l (4/3 - m_p cos^2 th / M)) */
    const double thetaacc =
        (GRAVITY * sintheta - costheta * temp) /
        (HALF_LEN * (4.0 / 3.0 - MASS_POLE * (costheta * costheta) / TOTAL_MASS));
    /* x'' = temp - m_p l th'' cos th / M */
    const double xacc = temp - POLEMASS_L * thetaacc * costheta / TOTAL_MASS;

    /* explicit Euler: positions advance with the old velocities */
    s->x = s->x + TAU * s->x_dot;
    s->x_dot = s->x_dot + TAU * xacc;
    s->theta = s->theta + TAU * s->theta_dot;
    s->theta_dot = s->theta_dot + TAU * thetaacc;

    const int term =
        s->x < -X_LIMIT || s->x > X_LIMIT || s->theta < -THETA_LIMIT || s->theta > THETA_LIMIT;
    *reward = (term && s->ended) ? 0.0 : 1.0;
    s->ended |= term;
    *terminated = (uint8_t)term;
    cartpole_obs(s, obs);
    return 0;
}

static void cartpole_get_state(const EnvSpec *spec, const void *state, double *out)
{
    (void)spec;
    const CartPoleState *s = state;
    out[0] = s->x;
    out[1] = s->x_dot;
    out[2] = s->theta;
    out[3] = s->theta_dot;
}

static int cartpole_set_state(const EnvSpec *spec, void *state, const double *in, float *obs)
{
    (void)spec;
    if (!env_states_finite(in, 4))
        return -1;
    CartPoleState *s = state;
    s->x = in[0];
    s->x_dot = in[1];
    s->theta = in[2];
    s->theta_dot = in[3];
    s->ended = 0;
    cartpole_obs(s, obs);
    return 0;
}

const EnvSpec env_cartpole_v1 = {
    .abi = MPIRL_ENV_ABI,
    .id = "CartPole-v1",
    .obs_dim = 4,
    .obs_low = obs_low,
    .obs_high = obs_high,
    .act_kind = SPACE_DISCRETE,
    .act_n = 2,
    .act_low = NULL,
    .act_high = NULL,
    .max_steps = 500,
    .state_size = 4,
    .state_bytes = sizeof(CartPoleState),
    .defaults = NULL,
    .reset = cartpole_reset,
    .step = cartpole_step,
    .get_state = cartpole_get_state,
    .set_state = cartpole_set_state,
};
