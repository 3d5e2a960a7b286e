/* config.c - configuration keys, validation, INI files and flags (see config.h).
 *
 * INI parsing is libinih's (ini_parse_stream); the line numbers of errors come from
 * counting the lines its reader callback hands over.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "algo.h"

typedef enum { K_INT, K_INT64, K_DOUBLE, K_BOOL, K_CHOICE, K_STRING, K_INTLIST } KeyType;

typedef struct {
    const char *name;
    KeyType type;
    size_t off;
    double lo, hi;       /* inclusive numeric range */
    int lo_open;         /* lo itself is excluded */
    const char *choices; /* K_CHOICE: comma-separated */
    const char *help;
} Key;

#define F(field) offsetof(Config, field)

static const Key KEYS[] = {
    {"env", K_STRING, F(env), 0, 0, 0, NULL, "environment id, or a plugin path"},
    {"algo", K_CHOICE, F(algo), 0, 0, 0, NULL, "algorithm"},
    {"mode", K_CHOICE, F(mode), 0, 0, 0, NULL, "gradient aggregation"},
    {"steps", K_INT64, F(steps), 1, 1e15, 0, NULL, "total environment steps"},
    {"seed", K_INT64, F(seed), 0, 9007199254740991.0, 0, NULL, "base seed"},
    {"out", K_STRING, F(out), 0, 0, 0, NULL,
     "run directory (empty: runs/<env>-<algo>-<mode>-<time>)"},
    {"quiet", K_BOOL, F(quiet), 0, 1, 0, NULL, "no progress line"},
    {"num_envs", K_INT, F(num_envs), 1, 1 << 20, 0, NULL, "environments per actor"},
    {"rollout", K_INT, F(rollout), 1, 1 << 20, 0, NULL, "steps per environment per iteration"},
    {"gamma", K_DOUBLE, F(gamma), 0, 1, 0, NULL, "discount"},
    {"gae_lambda", K_DOUBLE, F(gae_lambda), 0, 1, 0, NULL, "GAE lambda"},
    {"norm_obs", K_BOOL, F(norm_obs), 0, 1, 0, NULL, "normalise observations"},
    {"obs_clip", K_DOUBLE, F(obs_clip), 0, 1e30, 1, NULL, "clip of normalised observations"},
    {"norm_reward", K_BOOL, F(norm_reward), 0, 1, 0, NULL,
     "scale rewards by the running std of the discounted return"},
    {"reward_clip", K_DOUBLE, F(reward_clip), 0, 1e30, 1, NULL, "clip of normalised rewards"},
    {"hidden", K_INTLIST, F(hidden), 1, 65536, 0, NULL, "hidden layer widths, e.g. 64,64"},
    {"activation", K_CHOICE, F(activation), 0, 0, 0, "tanh,relu", "hidden activation"},
    {"init_logstd", K_DOUBLE, F(init_logstd), -20, 5, 0, NULL, "initial Gaussian log-std"},
    {"lr", K_DOUBLE, F(lr), 0, 1, 1, NULL, "learning rate"},
    {"anneal_lr", K_BOOL, F(anneal_lr), 0, 1, 0, NULL, "anneal the learning rate linearly to 0"},
    {"adam_eps", K_DOUBLE, F(adam_eps), 0, 1, 1, NULL, "Adam epsilon"},
    {"max_grad_norm", K_DOUBLE, F(max_grad_norm), 0, 1e30, 1, NULL, "global gradient-norm clip"},
    {"epochs", K_INT, F(epochs), 1, 1000, 0, NULL, "passes over each rollout (PPO)"},
    {"minibatches", K_INT, F(minibatches), 1, 1 << 20, 0, NULL, "minibatches per epoch (PPO)"},
    {"clip_eps", K_DOUBLE, F(clip_eps), 0, 1, 1, NULL, "PPO ratio clip"},
    {"clip_low", K_DOUBLE, F(clip_low), 0, 1, 0, NULL,
     "PPO: the ratio's lower clip, 1 - clip_low (0: clip_eps)"},
    {"group_size", K_INT, F(group_size), 1, 4096, 0, NULL,
     "grpo/rloo: episodes per group, from one start state (num_envs is a multiple)"},
    {"grpo_std", K_BOOL, F(grpo_std), 0, 1, 0, NULL,
     "grpo: divide the group-relative advantage by the group's std (false: Dr. GRPO)"},
    {"kl_coef", K_DOUBLE, F(kl_coef), 0, 100, 0, NULL,
     "grpo: beta of the KL to the reference policy (k3 estimator; 0: no reference)"},
    {"ref_every", K_INT, F(ref_every), 0, 1000000000, 0, NULL,
     "grpo: the reference becomes the current policy every N iterations (0: the initial "
     "policy)"},
    {"baseline", K_CHOICE, F(baseline), 0, 0, 0, "value,running",
     "reinforce: a learned value baseline, or a running average of returns per step (whole "
     "episodes, no critic)"},
    {"baseline_decay", K_DOUBLE, F(baseline_decay), 0, 1, 0, NULL,
     "reinforce --baseline running: b_t <- decay b_t + (1 - decay) mean G_t, per rollout"},
    {"rloo_clip", K_BOOL, F(rloo_clip), 0, 1, 0, NULL,
     "rloo: PPO's clipped surrogate with epochs of minibatches (false: one gradient step)"},
    {"clip_high", K_DOUBLE, F(clip_high), 0, 10, 0, NULL,
     "PPO: the ratio's upper clip, 1 + clip_high (0: clip_eps; above clip_low: DAPO's "
     "clip-higher)"},
    {"vf_clip", K_DOUBLE, F(vf_clip), 0, 1e30, 0, NULL, "value clip around old values (0: off)"},
    {"ent_coef", K_DOUBLE, F(ent_coef), 0, 1e3, 0, NULL, "entropy bonus coefficient"},
    {"vf_coef", K_DOUBLE, F(vf_coef), 0, 1e3, 0, NULL, "value loss coefficient"},
    {"norm_adv", K_BOOL, F(norm_adv), 0, 1, 0, NULL, "normalise advantages per minibatch"},
    {"target_kl", K_DOUBLE, F(target_kl), 0, 1e3, 0, NULL, "stop epochs above this KL (0: off)"},
    {"max_kl", K_DOUBLE, F(max_kl), 0, 10, 1, NULL,
     "trpo/npg: KL radius delta of a natural-gradient step"},
    {"cg_iters", K_INT, F(cg_iters), 1, 1000, 0, NULL,
     "trpo/npg: conjugate-gradient iterations (Fisher-vector products) per step"},
    {"cg_damping", K_DOUBLE, F(cg_damping), 0, 1e3, 0, NULL,
     "trpo/npg: damping lambda added to the Fisher matrix (F + lambda I)"},
    {"ls_steps", K_INT, F(ls_steps), 1, 100, 0, NULL,
     "trpo: line-search candidates (the step shrinks by ls_shrink each time)"},
    {"ls_shrink", K_DOUBLE, F(ls_shrink), 0, 1, 1, NULL,
     "trpo: factor by which each line-search candidate shortens the step"},
    {"ls_kl_factor", K_DOUBLE, F(ls_kl_factor), 0, 100, 1, NULL,
     "trpo: the line search accepts a KL of up to this multiple of max_kl"},
    {"fvp_subsample", K_DOUBLE, F(fvp_subsample), 0, 1, 1, NULL,
     "trpo/npg: fraction of each actor's batch used in Fisher-vector products"},
    {"vf_epochs", K_INT, F(vf_epochs), 1, 1000, 0, NULL,
     "trpo/npg: value-function epochs (Adam, lr) per iteration"},
    {"vf_minibatches", K_INT, F(vf_minibatches), 1, 1 << 20, 0, NULL,
     "trpo/npg: value-function minibatches per epoch"},
    {"kl_target", K_DOUBLE, F(kl_target), 0, 10, 1, NULL,
     "ppo-kl: the KL that beta adapts to (halved below target/1.5, doubled above 1.5 target)"},
    {"kl_beta_init", K_DOUBLE, F(kl_beta_init), 0, 1e6, 1, NULL,
     "ppo-kl: initial KL-penalty coefficient beta"},
    {"backup", K_INT, F(backup), 0, 1 << 20, 0, NULL,
     "sync: each minibatch step takes the first actors' gradients and drops the last B (0: "
     "wait for all)"},
    {"preempt", K_DOUBLE, F(preempt), 0, 1, 0, NULL,
     "sync: once this fraction of the actors have finished their rollout, the others stop "
     "theirs early (0: off)"},
    {"preempt_min", K_DOUBLE, F(preempt_min), 0, 1, 0, NULL,
     "sync with --preempt: the fraction of its rollout an actor collects before it may be "
     "cut"},
    {"ship", K_CHOICE, F(ship), 0, 0, 0, "gradients,experience",
     "async: what the actors send the learner: their gradients (A3C), or their rollouts, "
     "from which the learner computes with V-trace (IMPALA; a3c and ppo)"},
    {"vtrace_rho_bar", K_DOUBLE, F(vtrace_rho_bar), 0, 1e6, 1, NULL,
     "--ship experience: V-trace's clipping of the importance weights in the targets "
     "(rho bar)"},
    {"vtrace_c_bar", K_DOUBLE, F(vtrace_c_bar), 0, 1e6, 1, NULL,
     "--ship experience: V-trace's clipping of the trace coefficients (c bar)"},
    {"max_staleness", K_INT, F(max_staleness), 0, 1 << 30, 0, NULL,
     "drop older async gradients (0: keep all)"},
    {"staleness_lr", K_BOOL, F(staleness_lr), 0, 1, 0, NULL,
     "async: apply a gradient of staleness t at the learning rate / max(1, t)"},
    {"dc_lambda", K_DOUBLE, F(dc_lambda), 0, 100, 0, NULL,
     "async: delay compensation g + lambda g*g*(theta_now - theta_then) (0: off; needs "
     "max_staleness)"},
    {"softsync", K_INT, F(softsync), 1, 4096, 0, NULL,
     "async: apply the mean of every K gradients that arrive (1: each on its own)"},
    {"record_schedule", K_BOOL, F(record_schedule), 0, 1, 0, NULL,
     "async: write the order of the gradients received to DIR/schedule.csv"},
    {"replay_schedule", K_STRING, F(replay_schedule), 0, 0, 0, NULL,
     "async: receive the gradients in the order of this schedule.csv (a bit-for-bit replay)"},
    {"checkpoint_every", K_INT, F(checkpoint_every), 0, 1 << 30, 0, NULL,
     "iterations between checkpoints (0: only at the end)"},
    {"keep", K_INT, F(keep), 0, 1000, 0, NULL, "numbered checkpoints kept (checkpoint-<it>.bin)"},
    {"straggle", K_STRING, F(straggle), 0, 0, 0, NULL,
     "seeded slowdowns of the actors' compute: ranks=R[,R...]:Fx, lognormal:SIGMA, "
     "pause:P,MS, joined by '+' (empty: none)"},
    {"actor_timeout", K_DOUBLE, F(actor_timeout), 0, 1e6, 0, NULL,
     "seconds the learner waits for an actor (0: the larger of 60 and 10 x the longest "
     "iteration so far, in async mode the longest gap between an actor's gradients)"},
};
#define N_KEYS ((int)(sizeof KEYS / sizeof KEYS[0]))
_Static_assert(sizeof KEYS / sizeof KEYS[0] + 1 <= CONFIG_N_OPTIONS, "CONFIG_N_OPTIONS too small");

void config_defaults(Config *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->env, "CartPole-v1");
    strcpy(c->algo, "ppo");
    strcpy(c->mode, "sync");
    c->steps = 100000;
    c->seed = 1;
    c->num_envs = 8;
    c->rollout = 128;
    c->gamma = 0.99;
    c->gae_lambda = 0.95;
    c->norm_obs = 0;
    c->obs_clip = 10.0;
    c->norm_reward = 0;
    c->reward_clip = 10.0;
    c->hidden[0] = c->hidden[1] = 64;
    c->n_hidden = 2;
    strcpy(c->activation, "tanh");
    c->init_logstd = 0.0;
    c->lr = 2.5e-4;
    c->anneal_lr = 1;
    c->adam_eps = 1e-5;
    c->max_grad_norm = 0.5;
    c->epochs = 4;
    c->minibatches = 4;
    c->clip_eps = 0.2;
    c->group_size = 8;
    strcpy(c->baseline, "value");
    c->baseline_decay = 0.9;
    c->grpo_std = 1;
    c->vf_clip = 0.2;
    c->ent_coef = 0.0;
    c->vf_coef = 0.5;
    c->norm_adv = 1;
    c->target_kl = 0.0;
    c->max_kl = 0.01;
    c->cg_iters = 10;
    c->cg_damping = 0.1;
    c->ls_steps = 10;
    c->ls_shrink = 0.5;
    c->ls_kl_factor = 1.5;
    c->fvp_subsample = 1.0;
    c->vf_epochs = 5;
    c->vf_minibatches = 4;
    c->kl_target = 0.01;
    c->kl_beta_init = 1.0;
    c->preempt_min = 0.25;
    strcpy(c->ship, "gradients");
    c->vtrace_rho_bar = 1.0;
    c->vtrace_c_bar = 1.0;
    c->max_staleness = 0;
    c->staleness_lr = 0;
    c->dc_lambda = 0.0;
    c->softsync = 1;
    c->record_schedule = 0;
    c->replay_schedule[0] = '\0';
    c->checkpoint_every = 50;
    c->keep = 3;
    c->actor_timeout = 0.0;
}

/* "num-envs" and "num_envs" name the same key */
static const Key *find_key(const char *name)
{
    for (int i = 0; i < N_KEYS; i++) {
        const char *a = KEYS[i].name, *b = name;
        while (*a && (*a == *b || (*a == '_' && *b == '-')))
            a++, b++;
        if (!*a && !*b)
            return &KEYS[i];
    }
    return NULL;
}

/* the key names, each behind `prefix`, for "unknown key" messages */
static void key_list(char *buf, size_t len, const char *prefix)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < N_KEYS && used < len; i++)
        used +=
            (size_t)snprintf(buf + used, len - used, "%s%s%s", i ? ", " : "", prefix, KEYS[i].name);
}

/* K_CHOICE keys without a choices string take theirs from a table (algo.h) */
static const struct {
    const char *key;
    const char *(*names)(void);
} TABLE_CHOICES[] = {{"algo", algo_names}, {"mode", mode_names}};

static const char *choices(const Key *k)
{
    for (size_t i = 0; !k->choices && i < sizeof TABLE_CHOICES / sizeof TABLE_CHOICES[0]; i++)
        if (strcmp(TABLE_CHOICES[i].key, k->name) == 0)
            return TABLE_CHOICES[i].names();
    return k->choices;
}

static void range_text(const Key *k, char *buf, size_t len)
{
    if (k->type == K_BOOL)
        snprintf(buf, len, "true or false");
    else if (k->type == K_CHOICE)
        snprintf(buf, len, "one of %s", choices(k));
    else if (k->type == K_STRING)
        snprintf(buf, len,
                 "at most %d characters, no ';', no control characters, no space at the ends",
                 CONFIG_STR_MAX);
    else if (k->type == K_INTLIST)
        snprintf(buf, len, "1 to %d comma-separated widths in [%.0f, %.0f]", CONFIG_MAX_HIDDEN,
                 k->lo, k->hi);
    else if (k->type == K_DOUBLE)
        snprintf(buf, len, "%c%g, %g]", k->lo_open ? '(' : '[', k->lo, k->hi);
    else
        snprintf(buf, len, "an integer in [%.0f, %.0f]", k->lo, k->hi);
}

/* strict number parsing: the whole text, finite */
static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* A string value must survive being written as "key = value" and read back by
 * libinih: no control characters, no ';' (a comment there), no white space at either
 * end, and short enough for one line. */
static int string_ok(const char *v)
{
    size_t n = strlen(v);
    if (n > CONFIG_STR_MAX ||
        (n > 0 && (isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1]))))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (iscntrl((unsigned char)v[i]) || v[i] == ';')
            return 0;
    return 1;
}

static int parse_bool(const char *s, int *out)
{
    static const char *yes[] = {"1", "true", "yes", "on"}, *no[] = {"0", "false", "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, yes[i]) == 0)
            return *out = 1, 0;
        if (strcmp(s, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

static int in_choices(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return 1;
        p += len + (q ? 1 : 0);
    }
    return 0;
}

int config_set(Config *c, const char *key, const char *value, char *err)
{
    const Key *k = find_key(key);
    char range[256];
    if (!k) {
        char keys[CONFIG_ERR_LEN];
        key_list(keys, sizeof keys, "");
        snprintf(err, CONFIG_ERR_LEN, "unknown key '%.100s' (valid: %.800s)", key, keys);
        return -1;
    }
    range_text(k, range, sizeof range);
    char *field = (char *)c + k->off;
    double v;
    int b;
    switch (k->type) {
    case K_STRING:
        if (!string_ok(value))
            goto bad;
        strcpy(field, value);
        return 0;
    case K_CHOICE:
        if (!in_choices(choices(k), value))
            goto bad;
        strcpy(field, value);
        return 0;
    case K_BOOL:
        if (parse_bool(value, &b) != 0)
            goto bad;
        *(int *)field = b;
        return 0;
    case K_INTLIST: {
        int w[CONFIG_MAX_HIDDEN], n = 0;
        const char *p = value;
        while (*p) {
            char *end;
            errno = 0;
            long x = strtol(p, &end, 10);
            if (end == p || errno || x < k->lo || x > k->hi || n == CONFIG_MAX_HIDDEN ||
                (*end && *end != ','))
                goto bad;
            w[n++] = (int)x;
            p = *end ? end + 1 : end;
            if (*end == ',' && !*p)
                goto bad;
        }
        if (n == 0)
            goto bad;
        memcpy(c->hidden, w, sizeof w);
        c->n_hidden = n;
        return 0;
    }
    default: /* numbers */
        if (parse_double(value, &v) != 0 || v < k->lo || v > k->hi || (k->lo_open && v == k->lo) ||
            (k->type != K_DOUBLE && v != floor(v)))
            goto bad;
        if (k->type == K_DOUBLE)
            *(double *)field = v;
        else if (k->type == K_INT64)
            *(int64_t *)field = (int64_t)v;
        else
            *(int *)field = (int)v;
        return 0;
    }
bad:
    snprintf(err, CONFIG_ERR_LEN, "%s: '%s' is not valid (expected %s)", k->name, value, range);
    return -1;
}

int config_apply_list(Config *c, const char *const *kv, const char *origin, char *err)
{
    for (int i = 0; kv && kv[i]; i++) {
        char key[128], msg[CONFIG_ERR_LEN];
        const char *item = kv[i], *colon = strchr(item, ':'), *eq = strchr(item, '=');
        /* "ALGO:key=value" applies to that algorithm only */
        if (colon && eq && colon < eq) {
            size_t alen = (size_t)(colon - item);
            if (alen != strlen(c->algo) || strncmp(item, c->algo, alen) != 0)
                continue;
            item = colon + 1;
        }
        size_t n = eq ? (size_t)(eq - item) : 0;
        if (!eq || n == 0 || n >= sizeof key) {
            snprintf(err, CONFIG_ERR_LEN, "%.200s: '%.200s' is not key=value", origin, kv[i]);
            return -1;
        }
        memcpy(key, item, n);
        key[n] = '\0';
        if (config_set(c, key, eq + 1, msg) != 0) {
            snprintf(err, CONFIG_ERR_LEN, "%.200s: %.800s", origin, msg);
            return -1;
        }
    }
    return 0;
}

typedef struct {
    Config *c;
    FILE *f;
    const char *path;
    int line;     /* the line being parsed */
    int newlines; /* lines completely read */
    int failed;
    char *err;
    int first_line[CONFIG_N_OPTIONS]; /* of each key in this file (0: not yet) */
} IniCtx;

/* Hands libinih one piece of a line at a time (it reads at most CONFIG_LINE_MAX
 * bytes); x->line is the number of the line the piece belongs to. */
static char *ini_reader_counting(char *str, int num, void *stream)
{
    IniCtx *x = stream;
    x->line = x->newlines + 1;
    /* as fgets, but a NUL byte (which would hide the rest of the line) is an error */
    int n = 0, ch = 0;
    while (n < num - 1 && (ch = getc(x->f)) != EOF) {
        if (ch == '\0' && !x->failed) {
            snprintf(x->err, CONFIG_ERR_LEN, "%.300s:%d: a NUL byte in the line", x->path, x->line);
            x->failed = 1;
        }
        str[n++] = (char)(ch ? ch : ' ');
        if (ch == '\n')
            break;
    }
    if (n == 0)
        return NULL;
    str[n] = '\0';
    if (ch == '\n')
        x->newlines++;
    return str;
}

static int ini_on_value(void *user, const char *section, const char *name, const char *value)
{
    IniCtx *x = user;
    char msg[CONFIG_ERR_LEN];
    if (x->failed)
        return 0;
    if (section[0] && strcmp(section, "train") != 0) {
        snprintf(x->err, CONFIG_ERR_LEN, "%s:%d: section [%s] is not known (valid: [train])",
                 x->path, x->line, section);
        x->failed = 1;
        return 0;
    }
    const Key *k = find_key(name);
    if (k && x->first_line[k - KEYS] > 0) {
        snprintf(x->err, CONFIG_ERR_LEN, "%.300s:%d: key '%s' given twice (first on line %d)",
                 x->path, x->line, k->name, x->first_line[k - KEYS]);
        x->failed = 1;
        return 0;
    }
    if (config_set(x->c, name, value, msg) != 0) {
        snprintf(x->err, CONFIG_ERR_LEN, "%.200s:%d: %.800s", x->path, x->line, msg);
        x->failed = 1;
        return 0;
    }
    x->first_line[k - KEYS] = x->line;
    return 1;
}

/* parse an open stream; `name` for messages */
static int load_stream(Config *c, FILE *f, const char *name, char *err)
{
    IniCtx x = {c, f, name, 0, 0, 0, err, {0}};
    int rc = ini_parse_stream(ini_reader_counting, &x, ini_on_value, &x);
    if (x.failed)
        return -1;
    if (rc != 0) {
        snprintf(err, CONFIG_ERR_LEN, "%.300s:%d: not 'key = value', a [section] or a comment",
                 name, rc);
        return -1;
    }
    return 0;
}

int config_load_file(Config *c, const char *path, char *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, CONFIG_ERR_LEN, "config file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, CONFIG_ERR_LEN, "config file %s: not a regular file%s", path,
                 S_ISDIR(st.st_mode) ? " (a directory)" : "");
        fclose(f);
        return -1;
    }
    int rc = load_stream(c, f, path, err);
    fclose(f);
    return rc;
}

int config_load_text(Config *c, const char *text, size_t len, const char *name, char *err)
{
    FILE *f = len > 0 ? fmemopen((void *)text, len, "r") : NULL;
    if (!f) {
        snprintf(err, CONFIG_ERR_LEN, "%.300s: empty or unreadable configuration", name);
        return -1;
    }
    int rc = load_stream(c, f, name, err);
    fclose(f);
    return rc;
}

int config_options(Opt *opts, int max)
{
    if (max < N_KEYS + 1)
        return -1;
    opts[0] = (Opt){.name = "config", .kind = OPT_HANDLER};
    for (int i = 0; i < N_KEYS; i++)
        opts[1 + i] =
            (Opt){.name = KEYS[i].name, .kind = KEYS[i].type == K_BOOL ? OPT_SWITCH : OPT_HANDLER};
    return N_KEYS + 1;
}

int config_option_apply(Config *c, const Opt *opt, const char *value, char *err, size_t len)
{
    char msg[CONFIG_ERR_LEN];
    if (strcmp(opt->name, "config") == 0) {
        if (config_load_file(c, value, msg) != 0) {
            snprintf(err, len, "%s", msg);
            return -1;
        }
        return 0;
    }
    if (config_set(c, opt->name, value, msg) != 0) {
        snprintf(err, len, "--%.1000s", msg);
        return -1;
    }
    return 0;
}

static int apply(void *ctx, const Opt *opt, const char *value, char *err, size_t len)
{
    return config_option_apply(ctx, opt, value, err, len);
}

int config_parse_args(Config *c, int argc, char **argv, char *err)
{
    Opt opts[N_KEYS + 1];
    const int n = config_options(opts, N_KEYS + 1);
    const int rc = opts_parse(opts, n, apply, c, argc, argv, err, CONFIG_ERR_LEN);
    if (rc == 1)
        snprintf(err, CONFIG_ERR_LEN, "--help is not a configuration key");
    return rc == 0 ? 0 : -1;
}

/* the text of one key's value, as config_set reads it back */
static void value_text(const Config *c, const Key *k, char *buf, size_t len)
{
    const char *field = (const char *)c + k->off;
    switch (k->type) {
    case K_STRING:
    case K_CHOICE:
        snprintf(buf, len, "%s", field);
        break;
    case K_BOOL:
        snprintf(buf, len, "%s", *(const int *)field ? "true" : "false");
        break;
    case K_INT:
        snprintf(buf, len, "%d", *(const int *)field);
        break;
    case K_INT64:
        snprintf(buf, len, "%lld", (long long)*(const int64_t *)field);
        break;
    case K_DOUBLE:
        snprintf(buf, len, "%.17g", *(const double *)field);
        break;
    case K_INTLIST: {
        size_t used = 0;
        buf[0] = '\0';
        for (int i = 0; i < c->n_hidden && used < len; i++)
            used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "", c->hidden[i]);
        break;
    }
    }
}

int config_write(const Config *c, FILE *f)
{
    if (fprintf(f, "[train]\n") < 0)
        return -1;
    for (int i = 0; i < N_KEYS; i++) {
        char v[CONFIG_STR_LEN + 64];
        value_text(c, &KEYS[i], v, sizeof v);
        if (fprintf(f, "%s = %s\n", KEYS[i].name, v) < 0)
            return -1;
    }
    return fflush(f) == 0 ? 0 : -1;
}

void config_print_help(FILE *f)
{
    Config d;
    config_defaults(&d);
    for (int i = 0; i < N_KEYS; i++) {
        char range[256], v[CONFIG_STR_LEN + 64];
        range_text(&KEYS[i], range, sizeof range);
        value_text(&d, &KEYS[i], v, sizeof v);
        fprintf(f, "  --%-14s %s; %s (default %s)\n", KEYS[i].name, KEYS[i].help, range,
                v[0] ? v : "\"\"");
    }
}
