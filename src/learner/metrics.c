/* metrics.c - metrics.csv rows and the progress line (see metrics.h). */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

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

/* The columns of metrics.csv: a MetricsRow field each, named like it, with the printf
 * format of its double (NULL: an int64_t). */
typedef struct {
    const char *name;
    size_t off;
    const char *fmt;
} Column;

/* one line each (clang-format would break the braces apart) */
/* clang-format off */
#define INT_COL(field)     {#field, offsetof(MetricsRow, field), NULL}
#define REAL_COL(field, f) {#field, offsetof(MetricsRow, field), f}
/* clang-format on */

static const Column COLUMNS[] = {
    INT_COL(iteration),
    INT_COL(env_steps),
    REAL_COL(wall_s, "%.6f"),
    REAL_COL(sps, "%.1f"),
    INT_COL(episodes),
    REAL_COL(return_mean, "%.6g"),
    REAL_COL(return_std, "%.6g"),
    REAL_COL(length_mean, "%.6g"),
    REAL_COL(policy_loss, "%.8g"),
    REAL_COL(value_loss, "%.8g"),
    REAL_COL(entropy, "%.8g"),
    REAL_COL(approx_kl, "%.8g"),
    REAL_COL(clip_fraction, "%.8g"),
    REAL_COL(explained_variance, "%.8g"),
    REAL_COL(lr, "%.8g"),
    REAL_COL(staleness_mean, "%.6g"),
    REAL_COL(staleness_max, "%.6g"),
    INT_COL(dropped),
    REAL_COL(comm_s, "%.6f"),
    REAL_COL(wait_s, "%.6f"),
    REAL_COL(kl, "%.8g"),
    REAL_COL(surrogate_improvement, "%.8g"),
    REAL_COL(ls_steps, "%.6g"),
    REAL_COL(cg_iterations, "%.6g"),
    REAL_COL(cg_residual, "%.8g"),
    REAL_COL(beta, "%.8g"),
    REAL_COL(rollout_s, "%.6f"),
    REAL_COL(gradient_s, "%.6f"),
    REAL_COL(cg_s, "%.6f"),
    REAL_COL(linesearch_s, "%.6f"),
    REAL_COL(vf_s, "%.6f"),
    REAL_COL(rollout_max_s, "%.6f"),
    REAL_COL(delay_s, "%.6f"),
    REAL_COL(actor_spread, "%.4f"),
};
#define N_COLUMNS (sizeof COLUMNS / sizeof COLUMNS[0])

const char *metrics_header(void)
{
    static char header[1024];
    if (header[0])
        return header;
    size_t used = 0;
    for (size_t k = 0; k < N_COLUMNS; k++)
        used += (size_t)snprintf(header + used, sizeof header - used, "%s%s", k ? "," : "",
                                 COLUMNS[k].name);
    return header;
}

int metrics_open(Metrics *mt, const char *dir, int progress, int64_t keep_iteration, int staleness,
                 char *err, size_t errlen)
{
    mt->progress = progress;
    mt->last_print = -1e9;
    mt->stale = NULL;
    mt->csv = open_rows(dir, "metrics.csv", metrics_header(), keep_iteration, err, errlen);
    if (!mt->csv)
        return -1;
    mt->actors = open_rows(dir, "actors.csv", ACTORS_HEADER, keep_iteration, err, errlen);
    if (!mt->actors) {
        fclose(mt->csv);
        mt->csv = NULL;
        return -1;
    }
    if (staleness) {
        mt->stale = open_rows(dir, "staleness.csv", STALENESS_HEADER, keep_iteration, err, errlen);
        if (!mt->stale) {
            fclose(mt->csv);
            fclose(mt->actors);
            mt->csv = mt->actors = NULL;
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
    if (mt->actors)
        fclose(mt->actors);
    mt->csv = mt->stale = mt->actors = NULL;
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

/* After a failed write: cut f back to `start` bytes, so that no torn row stays, and
 * keep errno. */
static void cut_back(FILE *f, long start)
{
    const int e = errno;
    clearerr(f);
    fflush(f);
    if (start >= 0 && ftruncate(fileno(f), start) == 0)
        fseek(f, start, SEEK_SET);
    errno = e;
}

int metrics_write(Metrics *mt, const MetricsRow *r, int64_t total_steps)
{
    int rc = 0;
    errno = 0;
    const long start = ftell(mt->csv);
    for (size_t k = 0; k < N_COLUMNS && rc >= 0; k++) {
        const Column *c = &COLUMNS[k];
        const char *field = (const char *)r + c->off;
        if (k > 0 && fputc(',', mt->csv) == EOF)
            rc = -1;
        else if (c->fmt == NULL) /* an int64_t */
            rc = fprintf(mt->csv, "%lld", (long long)*(const int64_t *)(const void *)field);
        else
            rc = fprintf(mt->csv, c->fmt, *(const double *)(const void *)field);
    }
    if (rc >= 0 && fault_at("metrics-write")) /* a row half written, then the disk fails */
        errno = EIO, rc = -1;
    if (rc >= 0 && fputc('\n', mt->csv) == EOF)
        rc = -1;
    if (rc < 0 || fflush(mt->csv) != 0) {
        cut_back(mt->csv, start);
        return -1;
    }
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
    errno = 0;
    const long start = ftell(mt->stale);
    for (int k = 0; k < n; k++)
        if (count[k] > 0 && fprintf(mt->stale, "%lld,%d,%lld\n", (long long)iteration, k,
                                    (long long)count[k]) < 0) {
            cut_back(mt->stale, start);
            return -1;
        }
    if (fflush(mt->stale) != 0) {
        cut_back(mt->stale, start);
        return -1;
    }
    return 0;
}

int metrics_actors(Metrics *mt, int64_t iteration, const ActorRow *rows, int n)
{
    if (!mt->actors)
        return 0;
    errno = 0;
    const long start = ftell(mt->actors);
    for (int k = 0; k < n; k++) {
        const ActorRow *a = &rows[k];
        if (a->summaries == 0 && a->st_n == 0 && a->dropped == 0)
            continue; /* nothing of this rank in the row */
        if (fprintf(mt->actors, "%lld,%d,%.6f,%.6f,%.6f,%.0f,%.0f,%.6g\n", (long long)iteration, k,
                    a->compute_s, a->delay_s, a->wait_s, a->grads, a->dropped,
                    a->st_n > 0 ? a->st_sum / a->st_n : 0.0) < 0) {
            cut_back(mt->actors, start);
            return -1;
        }
    }
    if (fflush(mt->actors) != 0) {
        cut_back(mt->actors, start);
        return -1;
    }
    return 0;
}
