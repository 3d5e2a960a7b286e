/* rollout.h - an actor's rollout: T steps of its E environments under the current
 * policy, with everything the losses need, and GAE advantages.
 *
 * Buffers are (T, E) row-major (sample index t * E + e), observations (T, E, obs_dim)
 * as the networks saw them (normalised when normalisation is on). Value bootstraps
 * follow gae.h: V(final observation) on truncation, 0 on termination, V(next
 * observation) otherwise, V(observation after the last step) at the end. Actions are
 * stored unclipped (log-probabilities are of the sampled action; the environment
 * clips).
 *
 * Reward normalisation (RewardNorm, as VecNormalize and Gymnasium's NormalizeReward
 * do it): each environment keeps its discounted return G <- gamma G + r, set to 0 when
 * an episode ends (terminated or truncated); the variance of G over the run is the
 * learner's (merged across actors like the observation statistics), and the rollout
 * stores clip(r / sqrt(Var[G] + 1e-8), -clip, clip) with the scale frozen for the
 * rollout (the raw rewards still make the episode returns reported). G, its statistics
 * and the division are float64 on the environment's float64 reward; the result is cast
 * to float32.
 *
 * Observations: float32 rows go through ObsNorm's float path; environments with float64
 * observations (the MuJoCo set, VecEnv's obs64) are counted and normalised in float64,
 * and only the result is cast to float32 for the networks (obs_view).
 *
 * Leaves out: recurrent policies, frame stacking.
 */
#ifndef MPIRL_ROLLOUT_H
#define MPIRL_ROLLOUT_H

#include <stdint.h>

#include "model.h"
#include "rstats.h"
#include "vecenv.h"

typedef struct {
    int T, E, obs_dim, act_dim, dist_n;
    int steps; /* of the last rollout_collect: T, or fewer if `after_step` cut it */
    /* if not NULL: called after each step with the steps so far; non-zero ends the
     * rollout there (GAE then bootstraps from the observation after that step, as at
     * the end of a full rollout) */
    int (*after_step)(void *ctx, int steps);
    void *after_step_ctx;
    float *obs;       /* (T, E, obs_dim) */
    float *act;       /* (T, E, act_dim) */
    float *logp;      /* (T, E) */
    float *val;       /* (T, E) V(obs) */
    float *pdist;     /* (T, E, dist_n) policy outputs (logits or means) */
    float *rew;       /* (T, E) */
    uint8_t *term;    /* (T, E) */
    uint8_t *trunc;   /* (T, E) */
    float *final_val; /* (T, E) V(final observation) where truncated, else 0 */
    float *last_val;  /* (E) V(observation after the last step) */
    float *final_obs; /* if kept (rollout_keep_obs): (T, E, obs_dim) the final observation
                         where truncated, as the networks see it (other rows unchanged) */
    float *last_obs;  /* ... (E, obs_dim) the observation after the last step, likewise */
    float *adv;       /* (T, E) */
    float *ret;       /* (T, E) adv + val */
    float *logstd;    /* (dist_n) Gaussian log-std of the rollout's policy */
    /* finished episodes, in the order they ended */
    double *ep_return;
    int *ep_length;
    int n_episodes;
    int cap_episodes;
    /* scratch */
    float *scratch_obs;    /* (E, obs_dim) */
    double *scratch_obs64; /* (E, obs_dim) */
    double *scratch_g;     /* (E) discounted returns of one step, for RewardNorm's statistics */
    /* group rollouts (rollout_collect_groups): the samples are compacted to the first
     * n_kept rows, in step-major order */
    int grouped;
    int n_kept;
    double *member_ret; /* (E) each member's episode return */
    double *member_adv; /* (E) its group-relative advantage */
    int *member_len;    /* (E) its episode's length */
    double *g_stats;    /* (2 T) with a running baseline: the sum of the returns-to-go G_t
                           of the rollout's episodes at each step t, then their count */
} Rollout;

typedef struct {
    double *acc;       /* (E) each environment's discounted return of its episode so far */
    double gamma;      /* the discount of G */
    double std, clip;  /* r / std, clipped to [-clip, clip] */
    RunningStats *raw; /* if not NULL: the G after every step are added to it (dim 1) */
} RewardNorm;

/* rew (E) = the last step's rewards of v normalised by rn: each environment's
 * G <- gamma G + r first, then clip(r / std, -clip, clip), then G = 0 where the
 * episode ended; the new G go into rn->raw if it is set (g: E doubles of scratch). */
void reward_norm_apply(RewardNorm *rn, float *restrict rew, double *restrict g, const VecEnv *v);

/* out (n, obs_dim) = the networks' view of n observation rows: x (float32) or, if x64
 * is not NULL, x64 (float64, of which x is the cast), normalised by norm (NULL: none)
 * and cast to float32. Returns out, or x itself when there is nothing to do. */
const float *obs_view(float *out, const float *x, const double *x64, int n, const ObsNorm *norm);

/* Samples of the last rollout: steps x E, the first rows of the (T, E) buffers; after
 * group rollouts the n_kept compacted rows. */
static inline int rollout_samples(const Rollout *r)
{
    return r->grouped ? r->n_kept : r->steps * r->E;
}

/* Buffers for T steps of E environments of the model's sizes; 0 or -1 (no memory). */
int rollout_init(Rollout *r, const Model *m, int T, int E);

/* Keep the bootstrap observations too (final_obs, last_obs), for a learner that
 * computes the values itself (--ship experience). 0 or -1 (no memory). */
int rollout_keep_obs(Rollout *r);

/* Free; accepts a zeroed struct. */
void rollout_free(Rollout *r);

/* Run T steps of v (which keeps its state between calls), or fewer if r->after_step
 * says stop, with the policy `params`:
 * normalise observations with `norm` (NULL: none) and, if `raw_stats` is not NULL, add
 * the raw observations the policy acted on to it; normalise rewards with `rn` (NULL:
 * none); sample actions from `rng`; then compute GAE(gamma, lambda). w must hold batches of E.
 * Returns 0, or -1 if the environment refused an action (message in v->err) or a value is not
 * finite. */
int rollout_collect(Rollout *r, VecEnv *v, ModelWork *w, const Model *m, const float *params,
                    const ObsNorm *norm, RunningStats *raw_stats, RewardNorm *rn, Rng *rng,
                    double gamma, double lambda);

/* Group rollouts, for the critic-free methods (GRPO, RLOO; group.h): the E
 * environments are E / group_size groups. Each group's first environment is reset (a
 * new start from its own generator) and copied to the other members (vecenv_copy_env),
 * then all run under the policy until every member's episode has ended (terminated,
 * or truncated by the time limit, T = the vector's time limit). A member's samples are
 * the steps of that first episode; a member that has finished keeps stepping (its
 * environment auto-resets), but those steps are not samples and do not count. Member
 * i's return R_i is its episode's undiscounted sum of rewards; every one of its steps
 * gets the group-relative advantage of `kind`, and ret (no critic: there is no value
 * target) holds the same number, val 0. Observation statistics take the samples only.
 * The samples are compacted to the first n_kept rows of the buffers (step-major), the
 * finished episodes listed.
 * With a running baseline (REINFORCE; baseline not NULL: 2 T doubles, b_t then 1 where
 * b_t is set), groups are of one and the advantage of step t of an episode is
 * G_t - b_t, with G_t = sum_k gamma^k r_{t+k} the discounted return to the episode's
 * end (in double; ret holds G_t, and b_t counts as 0 where it is not set), and g_stats
 * gets the sums and counts of G_t per t for the learner's average.
 * Returns 0, or -1 if the environment refused an action or state (message in v->err) or
 * an advantage is not finite. */
int rollout_collect_groups(Rollout *r, VecEnv *v, ModelWork *w, const Model *m, const float *params,
                           const ObsNorm *norm, RunningStats *raw_stats, Rng *rng, int group_size,
                           int kind, const double *baseline, double gamma);

#endif
