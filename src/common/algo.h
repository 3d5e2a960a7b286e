/* algo.h - the algorithms and aggregation modes mpirl trains with, as two tables.
 *
 * Everything that differs between algorithms and is not a function of its own lives in
 * a row of ALGOS: the modes it runs in, the loss of its minibatch loop, and the flags
 * that shape the iteration. Configuration takes its valid choices from the tables,
 * `mpirl train` its combination checks, and the trainer resolves the names once, at
 * setup; nothing compares algorithm or mode names after that.
 *
 * Adding an algorithm: a row here (and its enum value), the functions its flags ask
 * for, and preset entries "NAME:key=value" where its defaults differ (README, "Adding
 * an algorithm").
 */
#ifndef MPIRL_ALGO_H
#define MPIRL_ALGO_H

#include "loss.h"

typedef enum { MODE_SYNC = 0, MODE_ASYNC = 1, N_MODES } ModeId;

typedef struct {
    ModeId id;
    const char *name;
    const char *help;
} Mode;

typedef enum {
    ALGO_PPO = 0,
    ALGO_PPO_KL,
    ALGO_A2C,
    ALGO_A3C,
    ALGO_REINFORCE,
    ALGO_TRPO,
    ALGO_NPG,
    ALGO_GRPO,
    ALGO_RLOO,
    N_ALGOS
} AlgoId;

/* flags of an algorithm */
enum {
    ALGO_MINIBATCHED = 1 << 0, /* `epochs` passes of `minibatches` steps over a rollout;
                                  otherwise one step on the whole batch */
    ALGO_VF_CLIP = 1 << 1,     /* the value loss is clipped around the old values */
    ALGO_ADAPTIVE_KL = 1 << 2, /* beta of LOSS_KL_PENALTY adapts to kl_target */
    ALGO_NATURAL = 1 << 3,     /* the policy moves by a natural-gradient step; the
                                  minibatch loop (vf_epochs x vf_minibatches) fits the
                                  value function only */
    ALGO_LINE_SEARCH = 1 << 4, /* the natural step is line-searched (TRPO) */
    ALGO_MONTE_CARLO = 1 << 5, /* Monte-Carlo returns: GAE with lambda = 1 */
    ALGO_GROUPS = 1 << 6,      /* critic-free: groups of whole episodes from shared start
                                  states (rollout.h's rollout_collect_groups), advantages
                                  relative to the group (group.h); no value network */
};

typedef struct {
    AlgoId id;
    const char *name;
    unsigned modes;        /* bit 1 << ModeId per mode it runs in */
    const char *mode_note; /* `--algo NAME runs in --mode <mode_note>` when the mode is
                              not one of them; NULL if it runs in every mode */
    PolicyLossKind loss;   /* of the minibatch loop */
    unsigned flags;
    const char *help;
    const char *const *defaults; /* "key=value" before the environment's preset, or NULL */
} Algo;

extern const Algo ALGOS[N_ALGOS];
extern const Mode MODES[N_MODES];

/* the row of a name, or NULL */
const Algo *algo_find(const char *name);
const Mode *mode_find(const char *name);

/* "ppo,ppo-kl,...", the names in table order, comma-separated (a static string) */
const char *algo_names(void);
const char *mode_names(void);

static inline int algo_runs_in(const Algo *a, ModeId m)
{
    return (a->modes >> m) & 1u;
}

#endif
