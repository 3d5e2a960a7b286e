/* straggle.c - the --straggle slowdowns (straggle.h). */
#include "straggle.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FORMS "ranks=R[,R...]:Fx, lognormal:SIGMA or pause:P,MS, joined by '+'"

/* A number of [lo, hi] at *p, up to one of the characters of `stop` (or the end);
 * advances *p past it. 0 or -1. */
static int number(const char **p, const char *stop, double lo, double hi, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(*p, &end);
    if (end == *p || errno != 0 || !isfinite(*v) || *v < lo || *v > hi ||
        (*end != '\0' && strchr(stop, *end) == NULL))
        return -1;
    *p = end;
    return 0;
}

/* One term [t, t + n): into out for this rank. 0 or -1 with err. */
static int term(const char *t, size_t n, int rank, int size, StraggleSpec *out, char *err,
                size_t len)
{
    char buf[256];
    if (n == 0 || n >= sizeof buf) {
        snprintf(err, len, "--straggle: an empty or overlong term (valid: %s)", FORMS);
        return -1;
    }
    memcpy(buf, t, n);
    buf[n] = '\0';
    const char *p;
    double v;
    if (strncmp(buf, "ranks=", 6) == 0) {
        p = buf + 6;
        int mine = 0, count = 0;
        for (;;) {
            if (number(&p, ",:", 0, 1 << 30, &v) != 0 || v != floor(v))
                goto bad;
            const int r = (int)v;
            if ((size > 1 && (r < 1 || r >= size)) || (size == 1 && r != 0)) {
                if (size > 1)
                    snprintf(err, len,
                             "--straggle: rank %d is not an actor of this run (valid: 1 to %d)", r,
                             size - 1);
                else
                    snprintf(err, len,
                             "--straggle: rank %d is not an actor of this run (valid: 0, the "
                             "only rank)",
                             r);
                return -1;
            }
            mine |= r == rank;
            count++;
            if (*p++ == ':')
                break;
        }
        double f;
        if (count == 0 || number(&p, "x", 1.0, 1000.0, &f) != 0 || strcmp(p, "x") != 0)
            goto bad;
        if (mine)
            out->factor *= f;
        return 0;
    }
    if (strncmp(buf, "lognormal:", 10) == 0) {
        p = buf + 10;
        if (number(&p, "", 0.0, 3.0, &v) != 0)
            goto bad;
        out->sigma = v;
        return 0;
    }
    if (strncmp(buf, "pause:", 6) == 0) {
        p = buf + 6;
        double ms;
        if (number(&p, ",", 0.0, 1.0, &v) != 0 || *p++ != ',' ||
            number(&p, "", 0.0, 3.6e6, &ms) != 0)
            goto bad;
        out->pause_p = v;
        out->pause_s = ms / 1000.0;
        return 0;
    }
bad:
    snprintf(err, len,
             "--straggle: '%s' is not a term (valid: %s, with F in [1, 1000], SIGMA in [0, 3], "
             "P in [0, 1], MS in [0, 3600000])",
             buf, FORMS);
    return -1;
}

int straggle_parse(const char *spec, int rank, int size, StraggleSpec *out, char *err, size_t len)
{
    *out = (StraggleSpec){.factor = 1.0};
    if (spec == NULL || spec[0] == '\0')
        return 0;
    const char *t = spec;
    for (;;) {
        const char *plus = strchr(t, '+');
        const size_t n = plus ? (size_t)(plus - t) : strlen(t);
        if (term(t, n, rank, size, out, err, len) != 0)
            return -1;
        if (!plus)
            break;
        t = plus + 1;
    }
    if (rank == 0 && size > 1) /* the learner is never slowed */
        *out = (StraggleSpec){.factor = 1.0};
    return 0;
}

int straggle_active(const StraggleSpec *s)
{
    return s->factor != 1.0 || s->sigma > 0.0 || (s->pause_p > 0.0 && s->pause_s > 0.0);
}

void straggle_draw(const StraggleSpec *s, int rollout, Rng *rng, double *stretch, double *pause)
{
    const double x = s->sigma > 0.0 ? exp(s->sigma * rng_normal(rng)) : 1.0;
    *stretch = s->factor * fmax(x, 1.0);
    *pause = rollout && s->pause_p > 0.0 && rng_uniform(rng) < s->pause_p ? s->pause_s : 0.0;
}

double straggle_delay(const StraggleSpec *s, double d, int rollout, Rng *rng)
{
    double stretch, pause;
    straggle_draw(s, rollout, rng, &stretch, &pause);
    const double delay = d * stretch - d + pause;
    return delay > 0.0 ? delay : 0.0;
}

void straggle_sleep(double seconds)
{
    if (!(seconds > 0.0))
        return;
    struct timespec left = {(time_t)seconds, (long)((seconds - floor(seconds)) * 1e9)};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}
