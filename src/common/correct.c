/* correct.c - the stale-gradient corrections of correct.h. */
#include "correct.h"

#include <stdlib.h>
#include <string.h>

double correct_staleness_lr(double alpha, int64_t tau)
{
    return tau > 1 ? alpha / (double)tau : alpha;
}

void correct_delay(float *g, const float *now, const float *then, double lambda, long n)
{
    for (long i = 0; i < n; i++) {
        const double gi = g[i];
        g[i] = (float)(gi + lambda * gi * gi * ((double)now[i] - (double)then[i]));
    }
}

int history_init(ParamHistory *h, int depth, long n)
{
    memset(h, 0, sizeof *h);
    if (depth < 1 || n < 1)
        return -1;
    h->slots = malloc((size_t)depth * (size_t)n * sizeof(float));
    h->version = malloc((size_t)depth * sizeof(int64_t));
    if (!h->slots || !h->version) {
        history_free(h);
        return -1;
    }
    for (int k = 0; k < depth; k++)
        h->version[k] = -1;
    h->depth = depth;
    h->n = n;
    return 0;
}

void history_free(ParamHistory *h)
{
    free(h->slots);
    free(h->version);
    memset(h, 0, sizeof *h);
}

void history_put(ParamHistory *h, int64_t v, const float *params)
{
    const int k = (int)(v % h->depth);
    memcpy(h->slots + (size_t)k * (size_t)h->n, params, (size_t)h->n * sizeof(float));
    h->version[k] = v;
}

const float *history_get(const ParamHistory *h, int64_t v)
{
    if (v < 0)
        return NULL;
    const int k = (int)(v % h->depth);
    return h->version[k] == v ? h->slots + (size_t)k * (size_t)h->n : NULL;
}

int softsync_init(SoftSync *s, int k, long n, int n_extras)
{
    memset(s, 0, sizeof *s);
    if (k < 1 || n < 1 || n_extras < 0)
        return -1;
    s->sum = calloc((size_t)n, sizeof(float));
    s->extras = calloc(n_extras > 0 ? (size_t)n_extras : 1, sizeof(float));
    if (!s->sum || !s->extras) {
        softsync_free(s);
        return -1;
    }
    s->k = k;
    s->n = n;
    s->n_extras = n_extras;
    return 0;
}

void softsync_free(SoftSync *s)
{
    free(s->sum);
    free(s->extras);
    memset(s, 0, sizeof *s);
}

int softsync_add(SoftSync *s, const float *g, double lr, float *out, double *mean_lr)
{
    for (long i = 0; i < s->n; i++)
        s->sum[i] += g[i];
    for (int j = 0; j < s->n_extras; j++)
        s->extras[j] += g[s->n + j];
    s->lr_sum += lr;
    if (++s->count < s->k)
        return 0;
    const float inv = 1.0f / (float)s->k;
    for (long i = 0; i < s->n; i++)
        out[i] = s->sum[i] * inv;
    memcpy(out + s->n, s->extras, (size_t)s->n_extras * sizeof(float));
    *mean_lr = s->lr_sum / s->k;
    memset(s->sum, 0, (size_t)s->n * sizeof(float));
    memset(s->extras, 0, (size_t)s->n_extras * sizeof(float));
    s->lr_sum = 0;
    s->count = 0;
    return 1;
}
