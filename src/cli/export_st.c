/* export_st.c - a saved policy as a safetensors file (see export.h).
 *
 * Format (the safetensors specification): an unsigned 64-bit little-endian N, then N
 * bytes of UTF-8 JSON, then the tensors' bytes. The JSON maps each tensor's name to
 * {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the bytes after the
 * header, which every tensor covers without holes or overlaps), and "__metadata__" to
 * an object of strings. The header is padded with spaces so that the data starts at
 * a multiple of 8; the float64 tensors come first, so every tensor is aligned to its
 * element size. Values are written little-endian whatever the host.
 *
 * Names: the policy and the value network as PyTorch's nn.Sequential numbers its
 * modules (a Linear at 0, its activation at 1, the next Linear at 2, ...): pi.0.weight
 * (out, in), pi.0.bias, pi.2.weight, ...; vf.0.weight, ...; log_std for a Gaussian;
 * obs_norm.mean, obs_norm.var (population variance, 1 before any sample) and
 * obs_norm.count, whether or not the run normalised (metadata "norm_obs" says).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

#ifndef MPIRL_VERSION
#define MPIRL_VERSION "unknown"
#endif

#define META_MAX 40

typedef struct {
    char name[32];
    const char *dtype; /* "F32" or "F64" */
    int shape[2], rank;
    const void *data; /* float or double values */
    size_t count;
} Tensor;

typedef struct {
    Tensor t[2 * MLP_MAX_LAYERS * 2 + 4];
    int n;
} Tensors;

static size_t elem_size(const Tensor *t)
{
    return t->dtype[1] == '6' ? 8 : 4;
}

/* a JSON string */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void add(Tensors *ts, const char *name, const char *dtype, int rows, int cols,
                const void *data)
{
    Tensor *t = &ts->t[ts->n++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->dtype = dtype;
    t->shape[0] = rows;
    t->shape[1] = cols;
    t->rank = cols > 0 ? 2 : 1;
    t->data = data;
    t->count = (size_t)rows * (size_t)(cols > 0 ? cols : 1);
}

/* an MLP's layers as prefix.{2l}.weight and .bias */
static void add_mlp(Tensors *ts, const char *prefix, const Mlp *m, const float *params)
{
    for (int l = 0; l < m->n_layers; l++) {
        char name[32];
        snprintf(name, sizeof name, "%s.%d.weight", prefix, 2 * l);
        add(ts, name, "F32", m->size[l + 1], m->size[l], params + m->w_off[l]);
        snprintf(name, sizeof name, "%s.%d.bias", prefix, 2 * l);
        add(ts, name, "F32", m->size[l + 1], 0, params + m->b_off[l]);
    }
}

/* "nn.Sequential(nn.Linear(4, 64), nn.Tanh(), ...)" */
static void sequential(char *out, size_t len, const Mlp *m)
{
    size_t k = (size_t)snprintf(out, len, "nn.Sequential(");
    for (int l = 0; l < m->n_layers && k < len; l++)
        k += (size_t)snprintf(
            out + k, len - k, "%snn.Linear(%d, %d)%s", l ? ", " : "", m->size[l], m->size[l + 1],
            l + 1 < m->n_layers ? (m->act == ACT_TANH ? ", nn.Tanh()" : ", nn.ReLU()") : "");
    if (k < len)
        snprintf(out + k, len - k, ")");
}

/* comma-separated floats with 9 digits */
static void float_list(char *out, size_t len, const float *v, int n)
{
    size_t k = 0;
    out[0] = 0;
    for (int j = 0; j < n && k < len; j++)
        k += (size_t)snprintf(out + k, len - k, "%s%.9g", j ? "," : "", (double)v[j]);
}

static int put_values(FILE *f, const Tensor *t)
{
    const size_t es = elem_size(t);
    for (size_t i = 0; i < t->count; i++) {
        uint64_t bits = 0;
        if (es == 8) {
            memcpy(&bits, (const double *)t->data + i, 8);
        } else {
            uint32_t b32;
            memcpy(&b32, (const float *)t->data + i, 4);
            bits = b32;
        }
        unsigned char b[8];
        for (size_t j = 0; j < es; j++)
            b[j] = (unsigned char)(bits >> (8 * j));
        if (fwrite(b, 1, es, f) != es)
            return -1;
    }
    return 0;
}

int export_safetensors(const SavedPolicy *s, FILE *f)
{
    const Model *m = &s->model;
    const EnvSpec *sp = s->spec;
    const int od = sp->obs_dim, disc = m->dist.kind == DIST_CATEGORICAL;
    /* the normaliser's statistics as obsnorm_set reads them */
    double *mean = malloc(sizeof(double) * (size_t)od), *var = malloc(sizeof(double) * (size_t)od);
    double count = rstats_count(&s->stats);
    if (!mean || !var) {
        free(mean);
        free(var);
        return -1;
    }
    rstats_var(&s->stats, var);
    for (int j = 0; j < od; j++)
        mean[j] = count > 0 ? rstats_mean(&s->stats)[j] : 0.0;

    Tensors ts = {0};
    add(&ts, "obs_norm.mean", "F64", od, 0, mean);
    add(&ts, "obs_norm.var", "F64", od, 0, var);
    add(&ts, "obs_norm.count", "F64", 1, 0, &count);
    add_mlp(&ts, "pi", &m->pi, s->params);
    if (!disc)
        add(&ts, "log_std", "F32", m->dist.n, 0, model_logstd(m, s->params));
    add_mlp(&ts, "vf", &m->vf, s->params);

    /* the metadata: every value a string */
    char pi[1024], vf[1024], hidden[256] = "", low[512] = "", high[512] = "", norm[256], num[8][40];
    sequential(pi, sizeof pi, &m->pi);
    sequential(vf, sizeof vf, &m->vf);
    for (int l = 1; l < m->pi.n_layers; l++)
        snprintf(hidden + strlen(hidden), sizeof hidden - strlen(hidden), "%s%d", l > 1 ? "," : "",
                 m->pi.size[l]);
    if (!disc) {
        float_list(low, sizeof low, sp->act_low, m->dist.n);
        float_list(high, sizeof high, sp->act_high, m->dist.n);
    }
    if (s->cfg.norm_obs)
        snprintf(norm, sizeof norm,
                 "x = clip((obs - obs_norm.mean) / sqrt(obs_norm.var + %g), -%g, %g)",
                 SAVED_NORM_EPS, s->cfg.obs_clip, s->cfg.obs_clip);
    else
        snprintf(norm, sizeof norm, "none: the networks take the observation as it is");
    snprintf(num[0], sizeof num[0], "%lld", (long long)s->iteration);
    snprintf(num[1], sizeof num[1], "%lld", (long long)s->env_steps);
    snprintf(num[2], sizeof num[2], "%d", od);
    snprintf(num[3], sizeof num[3], "%d", m->dist.n);
    snprintf(num[4], sizeof num[4], "%.17g", s->cfg.obs_clip);
    snprintf(num[5], sizeof num[5], "%g", SAVED_NORM_EPS);
    const char *meta[][2] = {
        {"format", "mpirl policy 1"},
        {"mpirl_version", MPIRL_VERSION},
        {"env", sp->id},
        {"algo", s->cfg.algo},
        {"mode", s->cfg.mode},
        {"iteration", num[0]},
        {"env_steps", num[1]},
        {"obs_dim", num[2]},
        {"obs_dtype", sp->observe64 ? "float64" : "float32"},
        {"action_space", disc ? "discrete" : "box"},
        {disc ? "n_actions" : "act_dim", num[3]},
        {"act_low", disc ? NULL : low},
        {"act_high", disc ? NULL : high},
        {"activation", m->pi.act == ACT_TANH ? "tanh" : "relu"},
        {"hidden", hidden},
        {"pi", pi},
        {"vf", vf},
        {"pi_output", disc ? "logits of a categorical distribution over the actions"
                           : "means of a diagonal Gaussian with standard deviation exp(log_std)"},
        {"deterministic_action",
         disc ? "argmax of the logits (the lowest index on ties)"
              : "the mean clipped to [act_low, act_high], as the environment clips"},
        {"norm_obs", s->cfg.norm_obs ? "true" : "false"},
        {"obs_norm", norm},
        {"obs_clip", num[4]},
        {"obs_norm_eps", num[5]},
    };

    char *head = NULL;
    size_t head_len = 0;
    FILE *h = open_memstream(&head, &head_len);
    if (!h) {
        free(mean);
        free(var);
        return -1;
    }
    fprintf(h, "{\"__metadata__\":{");
    int first = 1;
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++) {
        if (!meta[i][1])
            continue;
        fprintf(h, "%s", first ? "" : ",");
        json_str(h, meta[i][0]);
        fputc(':', h);
        json_str(h, meta[i][1]);
        first = 0;
    }
    fputc('}', h);
    size_t off = 0;
    for (int i = 0; i < ts.n; i++) {
        const Tensor *t = &ts.t[i];
        const size_t bytes = t->count * elem_size(t);
        fprintf(h, ",");
        json_str(h, t->name);
        fprintf(h, ":{\"dtype\":\"%s\",\"shape\":[%d", t->dtype, t->shape[0]);
        if (t->rank == 2)
            fprintf(h, ",%d", t->shape[1]);
        fprintf(h, "],\"data_offsets\":[%zu,%zu]}", off, off + bytes);
        off += bytes;
    }
    fputc('}', h);
    /* spaces up to a multiple of 8, counting the 8 bytes of the length */
    long pos = ftell(h);
    while (pos >= 0 && (8 + pos) % 8 != 0) {
        fputc(' ', h);
        pos++;
    }
    int rc = ferror(h) ? -1 : 0;
    if (fclose(h) != 0 || !head)
        rc = -1;
    if (rc == 0) {
        unsigned char len8[8];
        for (int j = 0; j < 8; j++)
            len8[j] = (unsigned char)((uint64_t)head_len >> (8 * j));
        if (fwrite(len8, 1, 8, f) != 8 || fwrite(head, 1, head_len, f) != head_len)
            rc = -1;
    }
    for (int i = 0; rc == 0 && i < ts.n; i++)
        rc = put_values(f, &ts.t[i]);
    free(head);
    free(mean);
    free(var);
    return rc;
}
