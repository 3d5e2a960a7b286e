/* ckpt_check.c - the learner's checks of a checkpoint before it resumes (ckpt_check.h). */
#include "ckpt_check.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "rstats.h"

/* the checkpoint fits this run; 0 or -1 with err */
static int check_fit(const CkptShape *s, const Ckpt *c, const int64_t *meta, char *err, size_t len)
{
    size_t n;
    const char *env = ckpt_get(c, "env", &n);
    if (!env || n != strlen(s->env) || memcmp(env, s->env, n) != 0) {
        snprintf(err, len, "the checkpoint is of environment '%.*s', this run trains '%s'",
                 env ? (int)(n > 64 ? 64 : n) : 7, env ? env : "unknown", s->env);
        return -1;
    }
    if (meta[M_PARAMS] != s->np || meta[M_OBS_DIM] != s->obs_dim) {
        snprintf(err, len,
                 "the checkpoint's model has %lld parameters, this configuration %ld "
                 "(hidden sizes or activation differ)",
                 (long long)meta[M_PARAMS], s->np);
        return -1;
    }
    if (meta[M_FORM] != CKPT_SYNC && meta[M_FORM] != CKPT_ASYNC && meta[M_FORM] != CKPT_LEARNER) {
        snprintf(err, len, "its form %lld is none of sync (0), async (1), learner alone (2)",
                 (long long)meta[M_FORM]);
        return -1;
    }
    if (meta[M_ACTORS] < 1 || meta[M_ACTORS] > INT_MAX || meta[M_NUM_ENVS] < 1 ||
        meta[M_NUM_ENVS] > INT_MAX) {
        snprintf(err, len,
                 "its layout of %lld actor(s) with %lld environments each is out of range (each "
                 "in [1, %d])",
                 (long long)meta[M_ACTORS], (long long)meta[M_NUM_ENVS], INT_MAX);
        return -1;
    }
    if (s->sync && ((meta[M_FORM] != CKPT_SYNC && meta[M_FORM] != CKPT_LEARNER) ||
                    meta[M_ACTORS] != s->n_actors || meta[M_NUM_ENVS] != s->num_envs)) {
        snprintf(err, len,
                 "the checkpoint was written by %lld actor(s) with %lld environments each in "
                 "%s mode; resume with mpirun -np %lld",
                 (long long)meta[M_ACTORS], (long long)meta[M_NUM_ENVS],
                 meta[M_FORM] == CKPT_ASYNC ? "async" : "sync",
                 (long long)(meta[M_ACTORS] > 1 ? meta[M_ACTORS] + 1 : meta[M_ACTORS]));
        return -1;
    }
    return 0;
}

/* Section data need not be aligned for its type: numbers are read through memcpy. */
double ckpt_double_at(const void *p, size_t i)
{
    double v;
    memcpy(&v, (const unsigned char *)p + i * sizeof v, sizeof v);
    return v;
}

float ckpt_float_at(const void *p, size_t i)
{
    float v;
    memcpy(&v, (const unsigned char *)p + i * sizeof v, sizeof v);
    return v;
}

/* normaliser statistics as stored (rstats.h: count, dim means, dim sums of squared
 * deviations): all finite, count and sums not negative */
static int stats_valid(const void *b, int dim)
{
    for (int i = 0; i < 1 + 2 * dim; i++) {
        const double x = ckpt_double_at(b, (size_t)i);
        if (!isfinite(x) || ((i == 0 || i > dim) && x < 0))
            return 0;
    }
    return 1;
}

static int floats_finite(const void *x, long n, int nonnegative)
{
    for (long i = 0; i < n; i++) {
        const float v = ckpt_float_at(x, (size_t)i);
        if (!isfinite(v) || (nonnegative && v < 0))
            return 0;
    }
    return 1;
}

/* every value in its range; 0 or -1 with err */
static int check_values(const CkptShape *s, const CkptView *cv, char *err, size_t len)
{
    const int64_t *meta = cv->meta;
    static const struct {
        int slot;
        const char *name;
    } counters[] = {{M_ITERATION, "iteration"},
                    {M_ENV_STEPS, "environment step count"},
                    {M_VERSION, "parameter version"},
                    {M_EPISODES, "episode count"},
                    {M_ADAM_T, "Adam step count"}};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if (meta[counters[i].slot] < 0) {
            snprintf(err, len, "its %s is negative (%lld)", counters[i].name,
                     (long long)meta[counters[i].slot]);
            return -1;
        }
    const double n = ckpt_double_at(cv->window, 0), head = ckpt_double_at(cv->window, 1);
    if (!(n >= 0 && n <= METRICS_WINDOW && n == floor(n)) ||
        !(head >= 0 && head < METRICS_WINDOW && head == floor(head))) {
        snprintf(err, len,
                 "its episode window is out of range (%g episodes from position %g; the "
                 "window holds %d)",
                 n, head, METRICS_WINDOW);
        return -1;
    }
    const long np = s->np;
    if (!floats_finite(cv->params, np, 0) || !floats_finite(cv->adam_m, np, 0) ||
        !floats_finite(cv->adam_v, np, 1)) {
        snprintf(err, len,
                 "its parameters or Adam moments are not finite (or a second "
                 "moment is negative)");
        return -1;
    }
    if (!stats_valid(cv->stats, s->obs_dim) || (cv->ret && !stats_valid(cv->ret, 1))) {
        snprintf(err, len, "its normaliser statistics are not finite or negative");
        return -1;
    }
    const double beta = cv->beta ? ckpt_double_at(cv->beta, 0) : 1.0;
    if (!(isfinite(beta) && beta > 0)) {
        snprintf(err, len, "its KL coefficient is not a positive number (%g)", beta);
        return -1;
    }
    return 0;
}

int ckpt_check(const Ckpt *c, const CkptShape *s, CkptView *cv, char *err, size_t len)
{
    memset(cv, 0, sizeof *cv);
    const size_t pbytes = (size_t)s->np * sizeof(float);
    cv->meta = ckpt_get_exact(c, "meta", sizeof(int64_t) * N_META, err, len);
    if (!cv->meta || check_fit(s, c, cv->meta, err, len) != 0 ||
        !(cv->params = ckpt_get_exact(c, "params", pbytes, err, len)) ||
        !(cv->adam_m = ckpt_get_exact(c, "adam.m", pbytes, err, len)) ||
        !(cv->adam_v = ckpt_get_exact(c, "adam.v", pbytes, err, len)) ||
        !(cv->stats = ckpt_get_exact(
              c, "obs.stats", (size_t)rstats_buf_len(s->obs_dim) * sizeof(double), err, len)) ||
        !(cv->window =
              ckpt_get_exact(c, "window", sizeof(double) * (2 + 2 * METRICS_WINDOW), err, len)))
        return -1;
    /* optional sections (older checkpoints), used only when their size is right */
    size_t n = 0;
    const void *p = ckpt_get(c, "ret.stats", &n);
    cv->ret = p && n == (size_t)rstats_buf_len(1) * sizeof(double) ? p : NULL;
    p = ckpt_get(c, "kl_beta", &n);
    cv->beta = p && n == sizeof(double) ? p : NULL;
    return check_values(s, cv, err, len);
}
