/* config.h - the resolved training configuration and where it comes from.
 *
 * One table describes every key: its type, valid range or choices, and a one-line
 * help. Values are set, in this order, from built-in defaults, the environment's
 * preset ("key=value" strings of its EnvSpec), a config file (INI, parsed by libinih;
 * keys at the top level or in a [train] section), and command-line flags (--key value
 * or --key=value, with '-' and '_' interchangeable). Every setter validates: an
 * unknown key, a malformed number or a value out of range is an error whose message
 * names the key, the offending value and the valid range or choices (and file and line
 * for a config file). The resolved configuration is written back in the same INI form.
 */
#ifndef MPIRL_CONFIG_H
#define MPIRL_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "opts.h"

#define CONFIG_MAX_HIDDEN 7
#define CONFIG_STR_LEN    256
#define CONFIG_ERR_LEN    1024
/* Longest string value: "key = value" must fit the 200-byte lines libinih reads. */
#define CONFIG_STR_MAX 160

typedef struct {
    /* the run */
    char env[CONFIG_STR_LEN];
    char algo[CONFIG_STR_LEN];
    char mode[CONFIG_STR_LEN];
    int64_t steps;
    int64_t seed;
    char out[CONFIG_STR_LEN];
    int quiet;
    /* rollouts */
    int num_envs; /* environments per actor */
    int rollout;  /* steps per environment per iteration */
    double gamma;
    double gae_lambda;
    int norm_obs;
    double obs_clip;
    int norm_reward;    /* scale rewards by the running std of the discounted return */
    double reward_clip; /* clip of normalised rewards */
    /* networks */
    int hidden[CONFIG_MAX_HIDDEN];
    int n_hidden;
    char activation[CONFIG_STR_LEN];
    char straggle[CONFIG_STR_LEN]; /* --straggle SPEC (straggle.h), "" for none */
    double init_logstd;
    /* optimisation */
    double lr;
    int anneal_lr;
    double adam_eps;
    double max_grad_norm;
    int epochs;
    int minibatches;
    double clip_eps;
    double clip_low, clip_high;    /* 0: clip_eps */
    int group_size;                /* grpo, rloo: episodes per group */
    int grpo_std;                  /* grpo: divide by the group's std */
    int rloo_clip;                 /* rloo: PPO's clipped surrogate and epochs */
    double kl_coef;                /* grpo: beta of the k3 KL to the reference policy */
    int ref_every;                 /* grpo: refresh the reference every N iterations (0: never) */
    char baseline[CONFIG_STR_LEN]; /* reinforce: "value" (learned) or "running" (an EMA) */
    double baseline_decay;         /* ... the running baseline's EMA factor */
    double vf_clip;
    double ent_coef;
    double vf_coef;
    int norm_adv;
    double target_kl;
    /* trpo and npg: natural-gradient step, line search, value fit */
    double max_kl;        /* KL radius delta */
    int cg_iters;         /* conjugate-gradient iterations */
    double cg_damping;    /* lambda in F + lambda I */
    int ls_steps;         /* line-search candidates (trpo) */
    double ls_shrink;     /* step factor between candidates (trpo) */
    double ls_kl_factor;  /* accepted KL, in multiples of max_kl (trpo) */
    double fvp_subsample; /* fraction of each actor's batch in Fisher-vector products */
    int vf_epochs;        /* value-function epochs per iteration */
    int vf_minibatches;   /* value-function minibatches per epoch */
    /* ppo-kl: adaptive KL penalty */
    double kl_target;    /* the KL beta adapts to */
    double kl_beta_init; /* beta of the first iteration */
    /* synchronous variants */
    int backup;         /* each step takes the first n_actors - backup gradients (backup.h) */
    double preempt;     /* once this fraction of the actors finished a rollout, cut the
                           others' (0: off; preempt.h) */
    double preempt_min; /* ... but not before this fraction of its steps */
    /* asynchronous mode */
    char ship[CONFIG_STR_LEN]; /* what actors send: "gradients" (A3C) or "experience" (IMPALA) */
    double vtrace_rho_bar;     /* --ship experience: V-trace's clipping of rho */
    double vtrace_c_bar;       /* ... and of the traces c */
    int max_staleness;
    int staleness_lr;                     /* learning rate / max(1, staleness) (correct.h) */
    double dc_lambda;                     /* delay compensation's lambda (0: off) */
    int softsync;                         /* apply the mean of every softsync gradients (1: each) */
    int record_schedule;                  /* write DIR/schedule.csv (schedule.h) */
    char replay_schedule[CONFIG_STR_LEN]; /* receive in that file's order ("": no) */
    /* checkpoints */
    int checkpoint_every; /* iterations between checkpoints (0: only at the end) */
    int keep;             /* numbered checkpoints kept besides checkpoint.bin */
    /* liveness */
    double actor_timeout; /* seconds the learner waits for an actor (0: adaptive) */
} Config;

/* The built-in defaults (PPO on CartPole-v1, synchronous). */
void config_defaults(Config *c);

/* Set one key from its text value. Returns 0, or -1 with a message in err
 * (CONFIG_ERR_LEN) naming the key and the valid range or choices; c is unchanged
 * on error. */
int config_set(Config *c, const char *key, const char *value, char *err);

/* Apply "key=value" strings (an environment preset; NULL-terminated list, may be
 * NULL); an entry "ALGO:key=value" applies only when c->algo is ALGO, so set algo
 * before. `origin` names the source in messages. Returns 0 or -1 with err. */
int config_apply_list(Config *c, const char *const *kv, const char *origin, char *err);

/* Read an INI file: top-level keys or a [train] section; another section, an unknown
 * key or a bad value is an error "FILE:LINE: ...". Returns 0 or -1 with err. On error
 * c may hold the values of the lines before the bad one. */
int config_load_file(Config *c, const char *path, char *err);

/* The same as config_load_file for text in memory (len bytes, no NUL needed); `name`
 * stands for the file in messages. */
int config_load_text(Config *c, const char *text, size_t len, const char *name, char *err);

/* Apply command-line flags argv[0..argc) by opts.h's rules: "--key value" or
 * "--key=value"; a flag of a boolean key alone means 1 ("--quiet"). `--config FILE` is
 * loaded where it stands. Returns 0 or -1 with err. */
int config_parse_args(Config *c, int argc, char **argv, char *err);

/* The configuration's options for opts_parse, for a command that adds its own: --config
 * then every key, in the table's order, into opts (max rows). Returns the count, or -1
 * if max is too small (CONFIG_N_OPTIONS is enough). */
#define CONFIG_N_OPTIONS 128
int config_options(Opt *opts, int max);

/* Apply one of config_options' options (an OptHandler's work, ctx the Config). Returns 0
 * or -1 with err. */
int config_option_apply(Config *c, const Opt *opt, const char *value, char *err, size_t len);

/* Write every key as "key = value" lines under a [train] header; the output reads
 * back with config_load_file to the same configuration. Returns 0 or -1 on a write
 * error. */
int config_write(const Config *c, FILE *f);

/* Print the keys with their types, ranges and help, one per line. */
void config_print_help(FILE *f);

#endif
