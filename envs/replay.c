/* replay.c - `mpirl replay`: one environment, one start state, a list of actions, CSV out.
 *
 * The environment starts from exactly the given internal state (Gymnasium's
 * env.unwrapped.state, in its order, through spec->set_state), the actions are applied
 * one by one, and each step is printed as a CSV row:
 *
 *   step,obs_0,...,obs_{n-1},reward,terminated,truncated[,state_0,...]
 *
 * step counts from 1 (the first action); obs are printed with %.9g and reward and state
 * with %.17g, which round-trip float32 and float64 exactly; flags are 0/1. An
 * environment with float64 observations (observe64: the MuJoCo set) prints them with
 * %.17g. For MuJoCo the state is qpos then qvel, set as Gymnasium's reset does after
 * drawing them: the data reset, qpos and qvel set, mj_forward. The time
 * limit (spec->max_steps) counts from this start: truncated = 1 on the step whose count
 * reaches it, whatever terminated says (Gymnasium's TimeLimit). The run stops after the
 * first step that terminated or was truncated; further actions are ignored (a note on
 * err says how many).
 *
 * Action format: actions are separated by ',' in --actions and by newlines in
 * --actions-file; the components of one action are separated by spaces (or tabs). A
 * discrete action is its index (0, 1, ...); a continuous action of dimension 1 is one
 * number; of dimension d > 1, d numbers: --actions "0.5 -1,1 0.25" is two 2-D actions.
 * In a file, blank lines and lines whose first non-blank character is '#' are ignored.
 *
 * Every input is checked before anything is printed: the arguments, the environment,
 * the state, every number, and every action that will be applied (by a first, silent
 * pass through the episode: step functions are deterministic, they take no random
 * generator). So on an error, out receives nothing at all.
 *
 * Left out: starting from a seeded reset instead of a state, rendering, a different
 * time limit than the environment's.
 */
#include "replay.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "opts.h"
#include "registry.h"

#define MSG_LEN 1536
#define NUM_MAX 128 /* characters of one number */

static const char usage_text[] =
    "usage: mpirl replay --env ID --state V0,V1,... (--actions A0,A1,... | --actions-file "
    "FILE) [--print-state]\n"
    "\n"
    "Start environment ID from exactly the internal state V0,V1,... (Gymnasium's\n"
    "env.unwrapped.state, same order; `mpirl envs` lists how many values each takes),\n"
    "apply the actions one by one and print one CSV row per step:\n"
    "  step,obs_0,...,obs_{n-1},reward,terminated,truncated[,state_0,...]\n"
    "step is 1 for the first action; obs are printed with %.9g (exact float32; the\n"
    "MuJoCo environments' float64 observations with %.17g), reward and state with\n"
    "%.17g (exact float64), flags as 0/1. A MuJoCo state is qpos then qvel. The time\n"
    "limit counts from this start. The run stops after the step that terminates or is\n"
    "truncated.\n"
    "\n"
    "options:\n"
    "  --env ID             a registered id (see mpirl envs), or a plugin:\n"
    "                       ./libmyenv.so or plugin:PATH[:ID]\n"
    "  --state V0,V1,...    the internal state, comma-separated\n"
    "  --actions LIST       actions separated by commas; a discrete action is its index,\n"
    "                       a continuous action its components separated by spaces:\n"
    "                       --actions 1,0,1   --actions 0.5,-2   --actions \"0.5 -1,1 0.25\"\n"
    "  --actions-file FILE  one action per line, components separated by spaces; blank\n"
    "                       lines and lines starting with # are ignored\n"
    "  --print-state        append the internal state after each step (state_i columns)\n"
    "  -h, --help           show this message\n"
    "\n"
    "Errors print one line on stderr and exit with status 2, with nothing on stdout.\n";

typedef struct {
    const char *env, *state, *actions, *actions_file;
    int print_state, help;
} Args;

/* growable array of actions, act_dim floats each */
typedef struct {
    float *a;
    size_t n, cap; /* in actions */
    int dim;
} Actions;

static int args_parse(Args *a, int argc, char **argv, char *msg)
{
    memset(a, 0, sizeof *a);
    const Opt opts[] = {
        {"env", OPT_TEXT, &a->env, 0, 0},
        {"state", OPT_TEXT, &a->state, 0, 0},
        {"actions", OPT_TEXT, &a->actions, 0, 0},
        {"actions-file", OPT_TEXT, &a->actions_file, 0, 0},
        {"print-state", OPT_FLAG, &a->print_state, 0, 0},
    };
    const int rc = opts_parse(opts, (int)(sizeof opts / sizeof opts[0]), NULL, NULL, argc - 1,
                              argv + 1, msg, MSG_LEN);
    if (rc == 1)
        a->help = 1;
    if (rc != 0)
        return rc == 1 ? 0 : -1;
    if (a->env == NULL || a->state == NULL || (a->actions == NULL) == (a->actions_file == NULL)) {
        snprintf(msg, MSG_LEN,
                 "%s (usage: mpirl replay --env ID --state V0,V1,... --actions "
                 "A0,A1,... | --actions-file FILE [--print-state]; see mpirl replay --help)",
                 a->env == NULL     ? "missing --env"
                 : a->state == NULL ? "missing --state"
                 : a->actions       ? "give --actions or --actions-file, not both"
                                    : "missing --actions or --actions-file");
        return -1;
    }
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parse the len characters at s (no surrounding blanks) as one number. Returns 0, or
 * -1 with msg naming the text and `where`. */
static int parse_number(const char *s, size_t len, double *out, const char *where, char *msg)
{
    char buf[NUM_MAX + 1];
    if (len == 0 || len > NUM_MAX) {
        snprintf(msg, MSG_LEN, "malformed number '%.*s' in %s (expected a decimal number)",
                 (int)(len > 40 ? 40 : len), s, where);
        return -1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    const double x = strtod(buf, &end);
    if (end != buf + len || (errno == ERANGE && isinf(x))) {
        snprintf(msg, MSG_LEN, "malformed number '%s' in %s (expected a decimal number%s)", buf,
                 where, errno == ERANGE ? " within double range" : "");
        return -1;
    }
    *out = x;
    return 0;
}

/* Trim blanks around [*s, *s + *len). */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_blank(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_blank((*s)[*len - 1]))
        (*len)--;
}

/* Parse --state into out (state_size doubles). */
static int parse_state(const char *text, const EnvSpec *spec, double *out, char *msg)
{
    int n = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *s = p;
        trim(&s, &len);
        if (n < spec->state_size) {
            char where[64];
            snprintf(where, sizeof where, "--state (value %d)", n + 1);
            if (parse_number(s, len, &out[n], where, msg) != 0)
                return -1;
            if (!isfinite(out[n])) {
                snprintf(msg, MSG_LEN, "--state value %d is '%.*s' (the state must be finite)",
                         n + 1, (int)len, s);
                return -1;
            }
        }
        n++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    if (n != spec->state_size) {
        snprintf(msg, MSG_LEN, "--state has %d value%s, %s needs %d (%s)", n, n == 1 ? "" : "s",
                 spec->id, spec->state_size,
                 spec->observe64 != NULL ? "qpos, then qvel"
                                         : "env.unwrapped.state, Gymnasium's order");
        return -1;
    }
    return 0;
}

/* Append one action, the blank-separated components in [s, s + len), to acts. */
static int push_action(Actions *acts, const EnvSpec *spec, const char *s, size_t len,
                       const char *where, char *msg)
{
    trim(&s, &len);
    if (len == 0) {
        snprintf(msg, MSG_LEN, "%s is empty (an action is %d number%s)", where, acts->dim,
                 acts->dim == 1 ? "" : "s separated by spaces");
        return -1;
    }
    if (acts->n == acts->cap) {
        const size_t cap = acts->cap ? 2 * acts->cap : 256;
        float *a = realloc(acts->a, cap * (size_t)acts->dim * sizeof(float));
        if (a == NULL) {
            snprintf(msg, MSG_LEN, "out of memory reading %zu actions", acts->n);
            return -1;
        }
        acts->a = a;
        acts->cap = cap;
    }
    float *dst = acts->a + acts->n * (size_t)acts->dim;
    int k = 0;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && !is_blank(s[j]))
            j++;
        double x;
        if (parse_number(s + i, j - i, &x, where, msg) != 0)
            return -1;
        if (isfinite(x) && !isfinite((float)x)) {
            snprintf(msg, MSG_LEN, "number '%.*s' in %s is out of float range", (int)(j - i), s + i,
                     where);
            return -1;
        }
        if (k < acts->dim)
            dst[k] = (float)x;
        k++;
        while (j < len && is_blank(s[j]))
            j++;
        i = j;
    }
    if (k != acts->dim) {
        if (spec->act_kind == SPACE_DISCRETE)
            snprintf(msg, MSG_LEN,
                     "%s is '%.*s': %s takes one integer in 0..%d per action (separate actions "
                     "with %s)",
                     where, (int)(len > 60 ? 60 : len), s, spec->id, spec->act_n - 1,
                     strstr(where, "line") ? "newlines" : "commas");
        else
            snprintf(msg, MSG_LEN,
                     "%s has %d component%s, %s takes %d (components separated by spaces)", where,
                     k, k == 1 ? "" : "s", spec->id, acts->dim);
        return -1;
    }
    acts->n++;
    return 0;
}

static int parse_actions_list(Actions *acts, const EnvSpec *spec, const char *text, char *msg)
{
    const char *p = text;
    for (size_t idx = 1;; idx++) {
        const char *comma = strchr(p, ',');
        const size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char where[64];
        snprintf(where, sizeof where, "--actions (action %zu)", idx);
        if (idx == 1 && comma == NULL && len == 0) {
            snprintf(msg, MSG_LEN, "--actions is empty (give at least one action)");
            return -1;
        }
        if (push_action(acts, spec, p, len, where, msg) != 0)
            return -1;
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

static int parse_actions_file(Actions *acts, const EnvSpec *spec, const char *path, char *msg)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(msg, MSG_LEN, "cannot read --actions-file '%s': %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        const char *s = line;
        size_t len = (size_t)got;
        trim(&s, &len);
        if (len == 0 || s[0] == '#')
            continue;
        if (memchr(s, '\0', len) != NULL) {
            snprintf(msg, MSG_LEN, "%s:%ld: a NUL byte (not a text file?)", path, lineno);
            rc = -1;
            break;
        }
        char where[96];
        snprintf(where, sizeof where, "%.60s line %ld", path, lineno);
        rc = push_action(acts, spec, s, len, where, msg);
    }
    if (rc == 0 && ferror(f)) {
        snprintf(msg, MSG_LEN, "cannot read --actions-file '%s': %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    if (rc == 0 && acts->n == 0) {
        snprintf(msg, MSG_LEN, "--actions-file '%s' holds no actions", path);
        rc = -1;
    }
    return rc;
}

/* Run the episode from state0 through acts. With out == NULL, only check every action
 * that will be applied; returns the number of steps taken, or -1 with msg if step k's
 * action is refused. With out, print the CSV rows. */
static long run(const EnvSpec *spec, void *st, const double *state0, const Actions *acts,
                int print_state, double *sbuf, float *obs, double *obs64, FILE *out, char *msg)
{
    if (spec->set_state(spec, st, state0, obs) != 0) {
        snprintf(msg, MSG_LEN, "%s refused the state (set_state: a value is not finite)", spec->id);
        return -1;
    }
    long k = 0;
    while ((size_t)k < acts->n) {
        const float *a = acts->a + (size_t)k * (size_t)acts->dim;
        double reward = 0.0;
        uint8_t term = 0;
        if (spec->step(spec, st, a, obs, &reward, &term) != 0) {
            if (spec->act_kind == SPACE_DISCRETE)
                snprintf(msg, MSG_LEN,
                         "invalid action %.9g at step %ld for %s (valid: an integer in 0..%d)",
                         (double)a[0], k + 1, spec->id, spec->act_n - 1);
            else
                snprintf(msg, MSG_LEN,
                         "invalid action at step %ld for %s (valid: %d numbers, not NaN)", k + 1,
                         spec->id, acts->dim);
            return -1;
        }
        k++;
        const int trunc = k >= spec->max_steps;
        if (out != NULL) {
            fprintf(out, "%ld", k);
            if (spec->observe64 != NULL) { /* float64 observations, as Gymnasium's */
                spec->observe64(spec, st, obs64);
                for (int i = 0; i < spec->obs_dim; i++)
                    fprintf(out, ",%.17g", obs64[i]);
            } else {
                for (int i = 0; i < spec->obs_dim; i++)
                    fprintf(out, ",%.9g", (double)obs[i]);
            }
            fprintf(out, ",%.17g,%d,%d", reward, term ? 1 : 0, trunc);
            if (print_state) {
                spec->get_state(spec, st, sbuf);
                for (int i = 0; i < spec->state_size; i++)
                    fprintf(out, ",%.17g", sbuf[i]);
            }
            fputc('\n', out);
        }
        if (term || trunc)
            break;
    }
    return k;
}

static void print_header(const EnvSpec *spec, int print_state, FILE *out)
{
    fprintf(out, "step");
    for (int i = 0; i < spec->obs_dim; i++)
        fprintf(out, ",obs_%d", i);
    fprintf(out, ",reward,terminated,truncated");
    if (print_state)
        for (int i = 0; i < spec->state_size; i++)
            fprintf(out, ",state_%d", i);
    fputc('\n', out);
}

int replay_main(int argc, char **argv, FILE *out, FILE *err)
{
    char msg[MSG_LEN];
    Args args;
    EnvRegistry *reg = NULL;
    Actions acts = {0};
    double *state0 = NULL, *sbuf = NULL, *obs64 = NULL;
    float *obs = NULL;
    void *st = NULL;
    const EnvSpec *opened = NULL; /* the spec whose state st is open */
    int rc = 2;

    if (args_parse(&args, argc, argv, msg) != 0)
        goto fail;
    if (args.help) {
        fputs(usage_text, out);
        return 0;
    }
    reg = registry_create();
    if (reg == NULL) {
        snprintf(msg, MSG_LEN, "out of memory");
        goto fail;
    }
    const EnvSpec *spec = registry_lookup(reg, args.env, msg, MSG_LEN);
    if (spec == NULL)
        goto fail;
    state0 = calloc((size_t)spec->state_size, sizeof *state0);
    sbuf = calloc((size_t)spec->state_size, sizeof *sbuf);
    obs = calloc((size_t)spec->obs_dim, sizeof *obs);
    obs64 = calloc((size_t)spec->obs_dim, sizeof *obs64);
    st = calloc(1, spec->state_bytes);
    if (!state0 || !sbuf || !obs || !obs64 || !st) {
        snprintf(msg, MSG_LEN, "out of memory");
        goto fail;
    }
    if (env_open(spec, st, msg, MSG_LEN) != 0)
        goto fail;
    opened = spec;
    if (parse_state(args.state, spec, state0, msg) != 0)
        goto fail;
    acts.dim = env_action_dim(spec);
    if ((args.actions ? parse_actions_list(&acts, spec, args.actions, msg)
                      : parse_actions_file(&acts, spec, args.actions_file, msg)) != 0)
        goto fail;

    /* first pass: every action that will be applied is valid */
    const long steps = run(spec, st, state0, &acts, 0, sbuf, obs, obs64, NULL, msg);
    if (steps < 0)
        goto fail;
    /* second pass: the same steps from the same state (set_state defines all of it),
     * printed */
    if (spec->open == NULL)
        memset(st, 0, spec->state_bytes);
    print_header(spec, args.print_state, out);
    if (run(spec, st, state0, &acts, args.print_state, sbuf, obs, obs64, out, msg) != steps) {
        /* only a step function that is not deterministic gets here */
        snprintf(msg, MSG_LEN, "%s is not deterministic: the second pass differs", spec->id);
        rc = 1;
        goto fail;
    }
    if ((size_t)steps < acts.n)
        fprintf(err,
                "mpirl replay: the episode ended at step %ld; ignored the %zu remaining "
                "action%s\n",
                steps, acts.n - (size_t)steps, acts.n - (size_t)steps == 1 ? "" : "s");
    rc = 0;
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(msg, MSG_LEN, "cannot write the output: %s", strerror(errno));
        rc = 1;
        goto fail;
    }
    goto done;
fail:
    fprintf(err, "mpirl replay: %s\n", msg);
done:
    free(acts.a);
    free(state0);
    free(sbuf);
    free(obs);
    free(obs64);
    if (opened != NULL)
        env_close(opened, st);
    free(st);
    registry_destroy(&reg);
    return rc;
}
