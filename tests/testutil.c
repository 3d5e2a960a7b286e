/* testutil.c - see testutil.h. */
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tu_fill_uniform(float *x, long n, double lo, double hi, Rng *r)
{
    for (long i = 0; i < n; i++)
        x[i] = (float)rng_uniform_range(r, lo, hi);
}

void tu_fill_normal(float *x, long n, double sd, Rng *r)
{
    for (long i = 0; i < n; i++)
        x[i] = (float)(sd * rng_normal(r));
}

double tu_dot(const float *a, const float *b, long n)
{
    double s = 0.0;
    for (long i = 0; i < n; i++)
        s += (double)a[i] * (double)b[i];
    return s;
}

double tu_max_abs_diff(const float *a, const float *b, long n)
{
    double m = 0.0;
    for (long i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= m)) /* NaN propagates as the maximum */
            m = d;
    }
    return m;
}

double tu_max_rel_diff(const float *a, const float *b, long n, double floor)
{
    double m = 0.0;
    for (long i = 0; i < n; i++) {
        double den = fabs((double)b[i]);
        if (den < floor)
            den = floor;
        double d = fabs((double)a[i] - (double)b[i]) / den;
        if (!(d <= m))
            m = d;
    }
    return m;
}

void tu_numeric_grad(double *g, float *x, long n, double h, TuObjective f, void *ctx)
{
    for (long i = 0; i < n; i++) {
        float x0 = x[i];
        double step = h * (fabs(x0) > 1.0 ? fabs(x0) : 1.0);
        float xp = (float)(x0 + step), xm = (float)(x0 - step);
        x[i] = xp;
        double fp = f(ctx);
        x[i] = xm;
        double fm = f(ctx);
        x[i] = x0;
        g[i] = (fp - fm) / ((double)xp - (double)xm);
    }
}

double tu_grad_err(const float *a, const double *g, long n, double floor)
{
    double m = 0.0;
    for (long i = 0; i < n; i++) {
        double den = fabs(g[i]) > floor ? fabs(g[i]) : floor;
        double d = fabs((double)a[i] - g[i]) / den;
        if (!(d <= m))
            m = d;
    }
    return m;
}

#define LOG_2PI 1.8378770664093454835606594728112

void tu_ref_mlp(double *y, const Mlp *m, const float *params, const float *x)
{
    double a[1024], b[1024];
    for (int j = 0; j < m->size[0]; j++)
        a[j] = x[j];
    for (int l = 0; l < m->n_layers; l++) {
        ck_assert(m->size[l + 1] <= 1024);
        for (int o = 0; o < m->size[l + 1]; o++) {
            double s = params[m->b_off[l] + (size_t)o];
            for (int i = 0; i < m->size[l]; i++)
                s += (double)params[m->w_off[l] + (size_t)o * m->size[l] + i] * a[i];
            if (l + 1 < m->n_layers)
                s = m->act == ACT_TANH ? tanh(s) : (s > 0 ? s : 0);
            b[o] = s;
        }
        memcpy(a, b, sizeof(double) * (size_t)m->size[l + 1]);
    }
    memcpy(y, a, sizeof(double) * (size_t)m->size[m->n_layers]);
}

/* log of sum_j exp(p_j) */
static double ref_lse(const double *p, int n)
{
    double z = 0.0;
    for (int j = 0; j < n; j++)
        z += exp(p[j]);
    return log(z);
}

double tu_ref_logp(const Dist *d, const double *p, const double *s, const double *a)
{
    if (d->kind == DIST_CATEGORICAL)
        return p[(int)a[0]] - ref_lse(p, d->n);
    double r = 0.0;
    for (int j = 0; j < d->n; j++)
        r += -0.5 * pow((a[j] - p[j]) / exp(s[j]), 2) - s[j] - 0.5 * LOG_2PI;
    return r;
}

double tu_ref_entropy(const Dist *d, const double *p, const double *s)
{
    double r = 0.0;
    if (d->kind == DIST_CATEGORICAL) {
        double lz = ref_lse(p, d->n);
        for (int j = 0; j < d->n; j++)
            r -= exp(p[j] - lz) * (p[j] - lz);
        return r;
    }
    for (int j = 0; j < d->n; j++)
        r += 0.5 * (1.0 + LOG_2PI) + s[j]; /* 0.5 log(2 pi e sigma^2) */
    return r;
}

double tu_ref_kl(const Dist *d, const double *p0, const double *s0, const double *p1,
                 const double *s1)
{
    double r = 0.0;
    if (d->kind == DIST_CATEGORICAL) {
        double l0 = ref_lse(p0, d->n), l1 = ref_lse(p1, d->n);
        for (int j = 0; j < d->n; j++)
            r += exp(p0[j] - l0) * ((p0[j] - l0) - (p1[j] - l1));
        return r;
    }
    for (int j = 0; j < d->n; j++) {
        double v0 = exp(2 * s0[j]), v1 = exp(2 * s1[j]);
        r += log(exp(s1[j]) / exp(s0[j])) + (v0 + pow(p0[j] - p1[j], 2)) / (2 * v1) - 0.5;
    }
    return r;
}

Golden *golden_load(const char *file)
{
    const char *dir = getenv("MPIRL_TEST_DATA");
    ck_assert_msg(dir != NULL, "MPIRL_TEST_DATA is not set (run the tests through meson test)");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open golden data %s", path);

    Golden *g = calloc(1, sizeof *g);
    ck_assert(g != NULL);
    int cap = 0;
    char line[512];
    for (;;) {
        int c = fgetc(f);
        if (c == EOF)
            break;
        if (c == '#' || c == '\n' || c == ' ') {
            if (c == '#')
                ck_assert(fgets(line, sizeof line, f) != NULL || feof(f));
            continue;
        }
        ungetc(c, f);
        char name[256];
        long count;
        ck_assert_msg(fscanf(f, "%255s %ld", name, &count) == 2 && count >= 0,
                      "%s: malformed array header after %d arrays", path, g->n);
        if (g->n == cap) {
            cap = cap ? 2 * cap : 16;
            g->names = realloc(g->names, (size_t)cap * sizeof *g->names);
            g->counts = realloc(g->counts, (size_t)cap * sizeof *g->counts);
            g->values = realloc(g->values, (size_t)cap * sizeof *g->values);
            ck_assert(g->names && g->counts && g->values);
        }
        double *v = malloc((size_t)(count > 0 ? count : 1) * sizeof *v);
        ck_assert(v != NULL);
        for (long i = 0; i < count; i++)
            ck_assert_msg(fscanf(f, "%lf", &v[i]) == 1, "%s: array %s: value %ld unreadable", path,
                          name, i);
        g->names[g->n] = strdup(name);
        g->counts[g->n] = count;
        g->values[g->n] = v;
        g->n++;
    }
    fclose(f);
    return g;
}

void golden_free(Golden *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n; i++) {
        free(g->names[i]);
        free(g->values[i]);
    }
    free(g->names);
    free(g->counts);
    free(g->values);
    free(g);
}

long golden_count(const Golden *g, const char *name)
{
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->names[i], name) == 0)
            return g->counts[i];
    return -1;
}

const double *golden_get(const Golden *g, const char *name, long count)
{
    for (int i = 0; i < g->n; i++) {
        if (strcmp(g->names[i], name) == 0) {
            ck_assert_msg(count < 0 || g->counts[i] == count,
                          "golden array %s has %ld values, expected %ld", name, g->counts[i],
                          count);
            return g->values[i];
        }
    }
    ck_abort_msg("golden array %s is missing", name);
    return NULL;
}

void golden_to_float(float *out, const double *in, long n)
{
    for (long i = 0; i < n; i++)
        out[i] = (float)in[i];
}
