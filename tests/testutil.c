/* testutil.c - see testutil.h. */
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *tu_suite(const char *name, const TuCase *cases, int n, double timeout_s)
{
    Suite *s = suite_create(name);
    for (int i = 0; i < n; i++) {
        TCase *tc = tcase_create(cases[i].name);
        if (timeout_s > 0)
            tcase_set_timeout(tc, timeout_s);
        tcase_add_test(tc, cases[i].fn);
        suite_add_tcase(s, tc);
    }
    return s;
}

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *tu_getenv(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v != NULL && v[0] != '\0', "%s is not set (run through meson test)", name);
    return v;
}

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

void tu_loss_fix_make(TuLossFix *f, const ModelConfig *mc, int batch, uint64_t seed,
                      double param_sd, double old_sd, int init_orthogonal)
{
    char err[256];
    memset(f, 0, sizeof *f);
    ck_assert_msg(model_init(&f->m, mc, err, sizeof err) == 0, "model_init: %s", err);
    f->w = model_work_create(&f->m, batch);
    ck_assert_ptr_nonnull(f->w);
    int n = f->m.dist.n, ad = dist_action_dim(&f->m.dist), od = mc->obs_dim;
    long np = (long)f->m.n_params;
    f->params = malloc(sizeof(float) * np);
    float *old = malloc(sizeof(float) * np);
    f->obs = malloc(sizeof(float) * batch * od);
    f->act = malloc(sizeof(float) * batch * ad);
    f->adv = malloc(sizeof(float) * batch);
    f->ret = malloc(sizeof(float) * batch);
    f->old_logp = malloc(sizeof(float) * batch);
    f->old_val = malloc(sizeof(float) * batch);
    f->old_p = malloc(sizeof(float) * batch * n);
    f->old_logstd = malloc(sizeof(float) * n);
    Rng r;
    rng_seed(&r, seed, 0);
    if (init_orthogonal) {
        ck_assert_int_eq(model_init_params(&f->m, f->params, &r), 0);
        /* move away from the initialisation so the policy head matters */
        for (long i = 0; i < np; i++)
            f->params[i] += (float)(param_sd * rng_normal(&r));
    } else {
        tu_fill_normal(f->params, np, param_sd, &r);
        if (mc->dist == DIST_GAUSSIAN)
            for (int j = 0; j < n; j++)
                f->params[f->m.logstd_off + j] = (float)(mc->init_logstd + 0.2 * rng_normal(&r));
    }
    for (long i = 0; i < np; i++)
        old[i] = f->params[i] + (float)(old_sd * rng_normal(&r));
    tu_fill_normal(f->obs, batch * od, 1.0, &r);
    tu_fill_normal(f->adv, batch, 1.0, &r);
    tu_fill_normal(f->ret, batch, 1.0, &r);
    memcpy(f->old_p, model_policy(f->w, &f->m, old, f->obs, batch), sizeof(float) * batch * n);
    memcpy(f->old_val, model_value(f->w, &f->m, old, f->obs, batch), sizeof(float) * batch);
    const float *ols = model_logstd(&f->m, old);
    if (ols)
        memcpy(f->old_logstd, ols, sizeof(float) * n);
    dist_sample(f->act, &f->m.dist, f->old_p, ols, batch, &r);
    dist_logp(f->old_logp, &f->m.dist, f->old_p, ols, f->act, batch);
    f->ref_logp = malloc(sizeof(float) * batch); /* drawn last: the rest is as before */
    for (int i = 0; i < batch; i++)
        f->ref_logp[i] = f->old_logp[i] + (float)(0.3 * rng_normal(&r));
    free(old);
    f->b = (Batch){.n = batch,
                   .obs = f->obs,
                   .act = f->act,
                   .adv = f->adv,
                   .ret = f->ret,
                   .old_logp = f->old_logp,
                   .old_val = f->old_val,
                   .old_p = f->old_p,
                   .old_logstd = ols ? f->old_logstd : NULL,
                   .ref_logp = f->ref_logp};
}

void tu_loss_fix_free(TuLossFix *f)
{
    model_work_destroy(&f->w);
    free(f->params);
    free(f->obs);
    free(f->act);
    free(f->adv);
    free(f->ret);
    free(f->old_logp);
    free(f->old_val);
    free(f->old_p);
    free(f->old_logstd);
    free(f->ref_logp);
}

double tu_ref_loss(void *fix)
{
    TuLossFix *f = fix;
    const Batch *b = &f->b;
    const LossConfig *c = &f->cfg;
    const Dist *d = &f->m.dist;
    int n = b->n, k = d->n, ad = dist_action_dim(d);
    ck_assert(k <= 8 && ad <= 8);
    double mean = 0.0, ss = 0.0, sd;
    for (int i = 0; i < n; i++)
        mean += b->adv[i] / (double)n;
    for (int i = 0; i < n; i++)
        ss += (b->adv[i] - mean) * (b->adv[i] - mean);
    sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;

    double s[8] = {0}, s_old[8] = {0}, pi = 0.0, vl = 0.0, ent = 0.0, kl = 0.0;
    for (int j = 0; j < k && d->kind == DIST_GAUSSIAN; j++) {
        s[j] = f->params[f->m.logstd_off + j];
        s_old[j] = b->old_logstd[j];
    }
    for (int i = 0; i < n; i++) {
        double p[8], p_old[8], act[8], v;
        double A = c->norm_adv ? (b->adv[i] - mean) / (sd + 1e-8) : b->adv[i];
        tu_ref_mlp(p, &f->m.pi, f->params, b->obs + (long)i * f->m.obs_dim);
        tu_ref_mlp(&v, &f->m.vf, f->params, b->obs + (long)i * f->m.obs_dim);
        for (int j = 0; j < k; j++)
            p_old[j] = b->old_p[i * k + j];
        for (int j = 0; j < ad; j++)
            act[j] = b->act[i * ad + j];
        double lp = tu_ref_logp(d, p, s, act), r = exp(lp - b->old_logp[i]);
        switch (c->kind) {
        case LOSS_PPO_CLIP:
        case LOSS_GRPO: {
            double hi = c->clip_high > 0 ? c->clip_high : c->clip_eps;
            double cr = fmin(fmax(r, 1 - c->clip_eps), 1 + hi);
            pi += fmax(-A * r, -A * cr);
            if (c->kind == LOSS_GRPO) { /* k3 of KL(new || ref): q - log q - 1, q = ref / new */
                double q = exp(b->ref_logp[i] - lp);
                pi += c->kl_beta * (q - log(q) - 1);
            }
            break;
        }
        case LOSS_PG:
            pi += -lp * A;
            break;
        default:
            pi += -r * A;
        }
        ent += tu_ref_entropy(d, p, s);
        kl += tu_ref_kl(d, p_old, s_old, p, s);
        double e2 = (v - b->ret[i]) * (v - b->ret[i]);
        if (c->vf_clip > 0) {
            double vc = b->old_val[i] + fmin(fmax(v - b->old_val[i], -c->vf_clip), c->vf_clip);
            e2 = fmax(e2, (vc - b->ret[i]) * (vc - b->ret[i]));
        }
        vl += 0.5 * e2;
    }
    pi /= n;
    if (c->kind == LOSS_KL_PENALTY)
        pi += c->kl_beta * kl / n;
    return pi + c->vf_coef * vl / n - c->ent_coef * ent / n;
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
