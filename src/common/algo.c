/* algo.c - the algorithm and mode tables (see algo.h). */
#include "algo.h"

#include <string.h>

#define SYNC  (1u << MODE_SYNC)
#define ASYNC (1u << MODE_ASYNC)

/* the note of the algorithms whose steps need every actor's data at one parameter
 * version */
#define SAME_PARAMS                                                                                \
    "sync only (its steps need every actor's data at the same parameters; use --algo ppo or "      \
    "a3c for async)"

/* critic-free: the advantages are relative to the group already */
static const char *const GROUP_DEFAULTS[] = {"norm_adv=false", "vf_coef=0", NULL};

const Algo ALGOS[N_ALGOS] = {
    {ALGO_PPO, "ppo", SYNC | ASYNC, NULL, LOSS_PPO_CLIP, ALGO_MINIBATCHED | ALGO_VF_CLIP,
     "clipped surrogate, epochs of minibatches", NULL},
    {ALGO_PPO_KL, "ppo-kl", SYNC, SAME_PARAMS, LOSS_KL_PENALTY,
     ALGO_MINIBATCHED | ALGO_VF_CLIP | ALGO_ADAPTIVE_KL, "surrogate with an adaptive KL penalty",
     NULL},
    {ALGO_A2C, "a2c", SYNC, "sync (use --algo a3c for async)", LOSS_PG, 0,
     "advantage actor-critic, one step per rollout", NULL},
    {ALGO_A3C, "a3c", ASYNC, "async (use --algo a2c for sync)", LOSS_PG, 0,
     "asynchronous advantage actor-critic", NULL},
    {ALGO_REINFORCE, "reinforce", SYNC, "sync (use --algo a3c for async)", LOSS_PG,
     ALGO_MONTE_CARLO, "Monte-Carlo returns against a learned baseline", NULL},
    {ALGO_TRPO, "trpo", SYNC, SAME_PARAMS, LOSS_PG, ALGO_NATURAL | ALGO_LINE_SEARCH,
     "trust-region natural gradient with a line search", NULL},
    {ALGO_NPG, "npg", SYNC, SAME_PARAMS, LOSS_PG, ALGO_NATURAL,
     "natural gradient scaled to the KL radius", NULL},
    {ALGO_GRPO, "grpo", SYNC | ASYNC, NULL, LOSS_GRPO, ALGO_MINIBATCHED | ALGO_GROUPS,
     "group-relative PPO without a critic, over groups of episodes from one start", GROUP_DEFAULTS},
    {ALGO_RLOO, "rloo", SYNC | ASYNC, NULL, LOSS_PG, ALGO_GROUPS,
     "REINFORCE with the leave-one-out baseline of its group", GROUP_DEFAULTS},
};

const Mode MODES[N_MODES] = {
    {MODE_SYNC, "sync", "the learner waits for every actor's gradient"},
    {MODE_ASYNC, "async", "the learner applies each gradient as it arrives"},
};

const Algo *algo_find(const char *name)
{
    for (int i = 0; i < N_ALGOS; i++)
        if (strcmp(ALGOS[i].name, name) == 0)
            return &ALGOS[i];
    return NULL;
}

const Mode *mode_find(const char *name)
{
    for (int i = 0; i < N_MODES; i++)
        if (strcmp(MODES[i].name, name) == 0)
            return &MODES[i];
    return NULL;
}

/* names joined by commas into buf (built on the first call) */
static const char *join(char *buf, size_t len, const char *const *names, int n)
{
    if (buf[0])
        return buf;
    size_t used = 0;
    for (int i = 0; i < n && used + strlen(names[i]) + 2 < len; i++) {
        if (i)
            buf[used++] = ',';
        strcpy(buf + used, names[i]);
        used += strlen(names[i]);
    }
    return buf;
}

const char *algo_names(void)
{
    static char buf[128];
    const char *names[N_ALGOS];
    for (int i = 0; i < N_ALGOS; i++)
        names[i] = ALGOS[i].name;
    return join(buf, sizeof buf, names, N_ALGOS);
}

const char *mode_names(void)
{
    static char buf[32];
    const char *names[N_MODES];
    for (int i = 0; i < N_MODES; i++)
        names[i] = MODES[i].name;
    return join(buf, sizeof buf, names, N_MODES);
}
