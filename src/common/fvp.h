/* fvp.h - Fisher-vector products of a policy, J^T M J v, for TRPO and natural PG.
 *
 * F = (1/B) sum_i J_i^T M_i J_i, with J_i the Jacobian of sample i's distribution
 * parameters with respect to the policy parameters and M_i the analytic Fisher metric
 * of the distribution (dist.h). One product costs one forward-mode pass (mlp_jvp) and
 * one backward pass (mlp_backward), about two gradient evaluations; it is the Hessian
 * of the mean KL(pi_old || pi_theta) at theta = theta_old.
 */
#ifndef MPIRL_FVP_H
#define MPIRL_FVP_H

#include "model.h"

/* out = F v + damping * v over the policy prefix (m->n_policy floats) for obs
 * (batch, obs_dim). Runs a policy forward pass in w. If sum_only is non-zero, out gets
 * sum_i J_i^T M_i J_i v instead (no 1/B, no damping): the form to be summed across
 * ranks before dividing by the total batch. */
void fvp_compute(float *out, ModelWork *w, const Model *m, const float *params, const float *obs,
                 int batch, const float *v, double damping, int sum_only);

/* fvp_compute without its forward pass: the last forward run in w must be the policy's
 * at params on the same batch rows (an earlier fvp_compute or model_policy with the same
 * params and obs; the JVP and backward passes leave it intact). Saves a third of the
 * work in the iterations of conjugate gradient, where params and obs stay fixed. */
void fvp_apply(float *out, ModelWork *w, const Model *m, const float *params, int batch,
               const float *v, double damping, int sum_only);

#endif
