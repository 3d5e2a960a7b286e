/* metrics.c - metrics.csv rows and the progress line (see metrics.h). */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A CSV file of the run whose rows start with the iteration (metrics.csv,
 * staleness.csv) cut after the rows of iteration `keep`; 0 or -1 with err */
static int cut_rows(const char *path, int64_t keep, char *err, size_t errlen)
{
    char tmp[4200], line[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *in = fopen(path, "r"), *out = in ? fopen(tmp, "w") : NULL;
    int ok = in && out && fgets(line, sizeof line, in) && strncmp(line, "iteration,", 10) == 0 &&
             fputs(line, out) >= 0;
    while (ok && fgets(line, sizeof line, in)) {
        long long it = strtoll(line, NULL, 10);
        if (it > keep)
            break;
        ok = fputs(line, out) >= 0;
    }
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rewrite %s: %s", path,
                 errno ? strerror(errno) : "not a metrics file");
        remove(tmp);
        return -1;
    }
    return 0;
}

/* Open DIR/name as metrics_open describes; NULL with err on failure */
static FILE *open_rows(const char *dir, const char *name, const char *header, int64_t keep,
                       char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    errno = 0;
    if (keep >= 0 && cut_rows(path, keep, err, errlen) != 0)
        return NULL;
    FILE *f = fopen(path, keep >= 0 ? "a" : "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return NULL;
    }
    if (keep < 0 && (fprintf(f, "%s\n", header) < 0 || fflush(f) != 0)) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    return f;
}

int metrics_open(Metrics *mt, const char *dir, int progress, int64_t keep_iteration, int staleness,
                 char *err, size_t errlen)
{
    mt->progress = progress;
    mt->last_print = -1e9;
    mt->stale = NULL;
    mt->csv = open_rows(dir, "metrics.csv", METRICS_HEADER, keep_iteration, err, errlen);
    if (!mt->csv)
        return -1;
    if (staleness) {
        mt->stale = open_rows(dir, "staleness.csv", STALENESS_HEADER, keep_iteration, err, errlen);
        if (!mt->stale) {
            fclose(mt->csv);
            mt->csv = NULL;
            return -1;
        }
    }
    return 0;
}

void metrics_close(Metrics *mt)
{
    if (mt->progress == 2 && mt->last_print > -1e9)
        fputc('\n', stdout);
    if (mt->csv)
        fclose(mt->csv);
    if (mt->stale)
        fclose(mt->stale);
    mt->csv = mt->stale = NULL;
}

void metrics_episode(Metrics *mt, double ret, double len)
{
    mt->ret[mt->head] = ret;
    mt->len[mt->head] = len;
    mt->head = (mt->head + 1) % METRICS_WINDOW;
    if (mt->n < METRICS_WINDOW)
        mt->n++;
    mt->episodes++;
}

void metrics_window(const Metrics *mt, MetricsRow *row)
{
    row->episodes = mt->episodes;
    if (mt->n == 0) {
        row->return_mean = row->return_std = row->length_mean = NAN;
        return;
    }
    double s = 0.0, ss = 0.0, l = 0.0;
    for (int i = 0; i < mt->n; i++) {
        s += mt->ret[i];
        l += mt->len[i];
    }
    double mean = s / mt->n;
    for (int i = 0; i < mt->n; i++)
        ss += (mt->ret[i] - mean) * (mt->ret[i] - mean);
    row->return_mean = mean;
    row->return_std = sqrt(ss / mt->n);
    row->length_mean = l / mt->n;
}

static void progress_line(Metrics *mt, const MetricsRow *r, int64_t total)
{
    double pct = total > 0 ? floor(100.0 * (double)r->env_steps / (double)total) : 0.0;
    if (pct > 100.0)
        pct = 100.0;
    double eta = r->sps > 0 ? (double)(total - r->env_steps) / r->sps : 0.0;
    if (eta < 0)
        eta = 0;
    char ret[32];
    if (isnan(r->return_mean))
        snprintf(ret, sizeof ret, "-");
    else
        snprintf(ret, sizeof ret, "%.1f", r->return_mean);
    printf("%s%lld/%lld steps (%.0f%%)  %.0f steps/s  return %s  eta %.0fs%s",
           mt->progress == 2 ? "\r" : "", (long long)r->env_steps, (long long)total, pct, r->sps,
           ret, eta, mt->progress == 2 ? "\033[K" : "\n");
    fflush(stdout);
}

int metrics_write(Metrics *mt, const MetricsRow *r, int64_t total_steps)
{
    int rc = fprintf(mt->csv,
                     "%lld,%lld,%.6f,%.1f,%lld,%.6g,%.6g,%.6g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,"
                     "%.6g,%.6g,%lld,%.6f,%.6f,%.8g,%.8g,%.6g,%.6g,%.8g,%.8g,%.6f,%.6f,%.6f,%.6f,"
                     "%.6f,%.6f\n",
                     (long long)r->iteration, (long long)r->env_steps, r->wall_s, r->sps,
                     (long long)r->episodes, r->return_mean, r->return_std, r->length_mean,
                     r->policy_loss, r->value_loss, r->entropy, r->approx_kl, r->clip_fraction,
                     r->explained_variance, r->lr, r->staleness_mean, r->staleness_max,
                     (long long)r->dropped, r->comm_s, r->wait_s, r->kl, r->surrogate_improvement,
                     r->ls_steps, r->cg_iterations, r->cg_residual, r->beta, r->rollout_s,
                     r->gradient_s, r->cg_s, r->linesearch_s, r->vf_s, r->rollout_max_s);
    if (rc < 0 || fflush(mt->csv) != 0)
        return -1;
    /* plain lines at most once a second; the in-place line every row */
    int last = r->env_steps >= total_steps;
    if (mt->progress == 2 || (mt->progress == 1 && (r->wall_s - mt->last_print >= 1.0 || last))) {
        progress_line(mt, r, total_steps);
        mt->last_print = r->wall_s;
    }
    return 0;
}

int metrics_staleness(Metrics *mt, int64_t iteration, const int64_t *count, int n)
{
    if (!mt->stale)
        return 0;
    for (int k = 0; k < n; k++)
        if (count[k] > 0 &&
            fprintf(mt->stale, "%lld,%d,%lld\n", (long long)iteration, k, (long long)count[k]) < 0)
            return -1;
    return fflush(mt->stale) != 0 ? -1 : 0;
}
