/* export_c.c - a saved policy as a standalone C99 header and source (see export.h).
 *
 * The generated code repeats, operation for operation, what mpirl computes for a batch
 * of one observation:
 *   normaliser  obsnorm_apply (float32 observations: (x - mean) * scale in float) or
 *               obsnorm_apply64 (float64 observations: (x - mean) / std in double),
 *               clipped by comparisons so that NaN stays visible;
 *   layers      mat_mul_abt's one-row path: a dot product with 8 partial sums in a
 *               fixed order, + 0 (beta), + bias, then mlp_tanh or relu;
 *   action      dist_mode (argmax, lowest index on ties; the mean), then the clip to
 *               the action bounds that the environments apply.
 * Every float is written with 9 significant digits and every double with 17, which
 * read back to the same value, and mlp_tanh's coefficients come from mlp.h. So the
 * exported policy gives mpirl's outputs bit for bit, wherever float arithmetic is
 * IEEE single precision without contraction into fused multiply-adds (the default of
 * C99 mode; GNU modes on FMA hardware need -ffp-contract=off) and without
 * -ffast-math. tests/export_test.sh checks it against mpirl eval --trace.
 *
 * Left out: sampling (the log-std is exported for it), the value network (in the
 * safetensors export), batches (a caller loops; mpirl's batched path uses OpenBLAS,
 * whose summation order differs in the last bits).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "mlp.h"

#ifndef MPIRL_VERSION
#define MPIRL_VERSION "unknown"
#endif

/* v as a C float literal that reads back to v */
static void float_lit(char *buf, size_t len, float v)
{
    if (isnan(v)) {
        snprintf(buf, len, "NAN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, len, v < 0 ? "-INFINITY" : "INFINITY");
        return;
    }
    snprintf(buf, len, "%.9g", (double)v);
    if (!strpbrk(buf, ".e"))
        strncat(buf, ".0", len - strlen(buf) - 1);
    strncat(buf, "f", len - strlen(buf) - 1);
}

/* v as a C double literal that reads back to v */
static void double_lit(char *buf, size_t len, double v)
{
    if (isnan(v)) {
        snprintf(buf, len, "(double)NAN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, len, v < 0 ? "(double)-INFINITY" : "(double)INFINITY");
        return;
    }
    snprintf(buf, len, "%.17g", v);
    if (!strpbrk(buf, ".e"))
        strncat(buf, ".0", len - strlen(buf) - 1);
}

/* "static const float NAME_SUFFIX[n] = {...};" (qualifier "" for an external array) */
static void float_array(FILE *c, const char *qual, const char *name, const char *suffix,
                        const float *v, size_t n)
{
    fprintf(c, "%sconst float %s_%s[%zu] = {", qual, name, suffix, n);
    for (size_t i = 0; i < n; i++) {
        char lit[48];
        float_lit(lit, sizeof lit, v[i]);
        fprintf(c, "%s%s%s", i % 6 == 0 ? "\n    " : " ", lit, i + 1 < n ? "," : "");
    }
    fprintf(c, "\n};\n");
}

static void double_array(FILE *c, const char *name, const char *suffix, const double *v, size_t n)
{
    fprintf(c, "static const double %s_%s[%zu] = {", name, suffix, n);
    for (size_t i = 0; i < n; i++) {
        char lit[48];
        double_lit(lit, sizeof lit, v[i]);
        fprintf(c, "%s%s%s", i % 4 == 0 ? "\n    " : " ", lit, i + 1 < n ? "," : "");
    }
    fprintf(c, "\n};\n");
}

/* "4 -> 64 tanh -> 64 tanh -> 2" */
static void describe_net(FILE *f, const Mlp *m)
{
    fprintf(f, "%d", m->size[0]);
    for (int l = 1; l <= m->n_layers; l++)
        fprintf(f, " -> %d%s", m->size[l],
                l < m->n_layers ? (m->act == ACT_TANH ? " tanh" : " relu") : "");
}

/* lo..hi of each component, or one range when all are the same */
static void describe_bounds(FILE *f, const char *indent, const float *lo, const float *hi, int n)
{
    int same = 1;
    for (int j = 1; j < n; j++)
        same &= lo[j] == lo[0] && hi[j] == hi[0];
    if (same) {
        fprintf(f, "%sbounds [%g, %g] for every component\n", indent, (double)lo[0], (double)hi[0]);
        return;
    }
    for (int j = 0; j < n; j++)
        fprintf(f, "%s[%d] in [%g, %g]\n", indent, j, (double)lo[j], (double)hi[j]);
}

/* a string inside a comment: no "*\/" and no control characters */
static void comment_text(char *out, size_t len, const char *in)
{
    size_t k = 0;
    for (const char *p = in; *p && k + 2 < len; p++) {
        out[k++] = (unsigned char)*p < 0x20 ? '?' : *p;
        if (p[0] == '*' && p[1] == '/')
            out[k++] = ' ';
    }
    out[k] = 0;
}

static void upper(char *out, const char *in, size_t len)
{
    size_t i = 0;
    for (; in[i] && i + 1 < len; i++)
        out[i] = (char)toupper((unsigned char)in[i]);
    out[i] = 0;
}

static void write_header(const SavedPolicy *s, const char *name, const char *header_name, FILE *h)
{
    const EnvSpec *sp = s->spec;
    const Model *m = &s->model;
    const int od = sp->obs_dim, disc = m->dist.kind == DIST_CATEGORICAL;
    const int f64 = sp->observe64 != NULL, norm = s->cfg.norm_obs;
    char up[EXPORT_NAME_MAX + 1], id[512];
    upper(up, name, sizeof up);
    comment_text(id, sizeof id, sp->id);
    fprintf(h,
            "/* %s - the %s policy of an mpirl run, exported by mpirl %s.\n"
            " *\n"
            " * Environment: %s; checkpoint of iteration %lld (%lld environment steps), %s %s.\n"
            " * Network: ",
            header_name, id, MPIRL_VERSION, id, (long long)s->iteration, (long long)s->env_steps,
            s->cfg.algo, s->cfg.mode);
    describe_net(h, &m->pi);
    fprintf(h, " (%s).\n", disc ? "logits" : "Gaussian means");
    fprintf(h, " *\n * Observation: %d %s, in the environment's order;\n", od,
            f64 ? "doubles (float64, as the environment returns them)" : "floats");
    describe_bounds(h, " *   ", sp->obs_low, sp->obs_high, od);
    if (norm)
        fprintf(h,
                " * normalised with the statistics frozen at the checkpoint:\n"
                " *   x = clip((obs - mean) / sqrt(var + %g), -%g, %g)%s.\n",
                SAVED_NORM_EPS, s->cfg.obs_clip, s->cfg.obs_clip,
                f64 ? " in double, then rounded to float" : ", in float as (obs - mean) * scale");
    else
        fprintf(h, " * not normalised (the run trained on the raw observation).\n");
    if (disc)
        fprintf(h,
                " * Action: one of %d discrete actions. %s_act returns the index of the\n"
                " * largest logit (the lowest index on ties) and stores it in action[0] as a\n"
                " * float.\n",
                m->dist.n, name);
    else {
        fprintf(h,
                " * Action: %d float%s. %s_act writes the Gaussian's mean clipped to the\n"
                " * action bounds, as the environment clips it:\n",
                m->dist.n, m->dist.n == 1 ? "" : "s", name);
        describe_bounds(h, " *   ", sp->act_low, sp->act_high, m->dist.n);
        fprintf(h,
                " * %s_log_std is the state-independent log standard deviation, for\n"
                " * sampling.\n",
                name);
    }
    fprintf(h,
            " * %s_logits_or_mean returns 0 and %s_act %s; both return -1 when an\n"
            " * output is NaN (a NaN observation), and the action is then the one mpirl\n"
            " * would take (%s).\n"
            " *\n"
            " * Arithmetic: the same operations in the same order as mpirl on one observation,\n"
            " * so the outputs equal mpirl eval's bit for bit where float arithmetic is IEEE\n"
            " * single precision, not contracted into fused multiply-adds (C99 mode does not;\n"
            " * otherwise -ffp-contract=off) and without -ffast-math.%s\n"
            " * C99, <math.h> only, no allocation, no state: safe to call from any number of\n"
            " * threads at once. A call uses two arrays of the widest layer on the stack.\n"
            " */\n"
            "#ifndef MPIRL_EXPORT_%s_H\n"
            "#define MPIRL_EXPORT_%s_H\n\n"
            "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
            name, name, disc ? "the action's index" : "0", disc ? "index 0" : "a NaN mean",
            m->pi.act == ACT_TANH && m->pi.n_layers > 1
                ? " tanh is mpirl's own\n * approximation, within 3e-7 of tanh."
                : "",
            up, up);
    fprintf(h, "#define %s_OBS_DIM %d /* observation values */\n", up, od);
    fprintf(h, "#define %s_OUT_DIM %d /* floats %s_logits_or_mean writes */\n", up, m->dist.n,
            name);
    fprintf(h, "#define %s_ACT_DIM %d /* floats %s_act writes */\n", up, dist_action_dim(&m->dist),
            name);
    if (disc)
        fprintf(h, "#define %s_N_ACTIONS %d\n", up, m->dist.n);
    fprintf(h, "\n/* the network's output for one observation: %s */\n",
            disc ? "logits" : "Gaussian means");
    fprintf(h, "int %s_logits_or_mean(const float *obs, float *out);\n", name);
    fprintf(h, "/* the deterministic action for one observation */\n");
    fprintf(h, "int %s_act(const float *obs, float *action);\n", name);
    if (f64) {
        fprintf(h, "/* the same for the float64 observation the environment returns: the float\n"
                   " * forms above widen their input to double, these take it as it is, as mpirl\n"
                   " * does */\n");
        fprintf(h, "int %s_logits_or_mean_f64(const double *obs, float *out);\n", name);
        fprintf(h, "int %s_act_f64(const double *obs, float *action);\n", name);
    }
    if (!disc)
        fprintf(h, "\nextern const float %s_log_std[%d];\n", name, m->dist.n);
    fprintf(h, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

/* the dot product, the activation and the layer */
static void write_kernels(FILE *c, const char *name, int tanh_used)
{
    fprintf(c,
            "/* a . b with 8 partial sums combined in a fixed order */\n"
            "static float %s_dot(const float *a, const float *b, int k)\n"
            "{\n"
            "    float acc[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};\n"
            "    float s;\n"
            "    int p = 0, l;\n"
            "    for (; p + 8 <= k; p += 8)\n"
            "        for (l = 0; l < 8; l++)\n"
            "            acc[l] += a[p + l] * b[p + l];\n"
            "    s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + "
            "acc[7]));\n"
            "    for (; p < k; p++)\n"
            "        s += a[p] * b[p];\n"
            "    return s;\n"
            "}\n\n",
            name);
    if (tanh_used) {
        char e[MLP_EXP2_TERMS][48], t[MLP_TANH_TERMS][48];
        for (int i = 0; i < MLP_EXP2_TERMS; i++)
            float_lit(e[i], sizeof e[i], mlp_exp2_coef[i]);
        for (int i = 0; i < MLP_TANH_TERMS; i++)
            float_lit(t[i], sizeof t[i], mlp_tanh_coef[i]);
        fprintf(c,
                "/* tanh within 3e-7: x + x^3 P(x^2) below 0.55, else 1 - 2 / (e^{2|x|} + 1)\n"
                " * with e^{2|x|} = 2^k E(f), |x| capped at 10 */\n"
                "static float %s_tanh(float x)\n"
                "{\n"
                "    static const float e2[7] = {%s, %s, %s, %s,\n"
                "                                %s, %s, %s};\n"
                "    static const float tc[6] = {%s, %s, %s,\n"
                "                                %s, %s, %s};\n"
                "    float a = fabsf(x);\n"
                "    float z = (a < 10.0f ? a : 10.0f) * 2.88539008f;\n"
                "    float k = (z + 12582912.0f) - 12582912.0f;\n"
                "    float f = z - k, e = e2[6], x2, p, y;\n"
                "    int i;\n"
                "    for (i = 5; i >= 0; i--)\n"
                "        e = e * f + e2[i];\n"
                "    x2 = a * a;\n"
                "    p = tc[5];\n"
                "    for (i = 4; i >= 0; i--)\n"
                "        p = p * x2 + tc[i];\n"
                "    y = a < 0.55f ? a + a * x2 * p : 1.0f - 2.0f / (e * ldexpf(1.0f, (int)k) + "
                "1.0f);\n"
                "    y = copysignf(y, x);\n"
                "    return a == a ? y : x;\n"
                "}\n\n",
                name, e[0], e[1], e[2], e[3], e[4], e[5], e[6], t[0], t[1], t[2], t[3], t[4], t[5]);
    }
    fprintf(c,
            "/* y = act(x W^T + b) for one row; act only when hidden is set */\n"
            "static void %s_layer(float *y, const float *x, const float *w, const float *b,\n"
            "        int n_out, int n_in, int hidden)\n"
            "{\n"
            "    int j;\n"
            "    for (j = 0; j < n_out; j++) {\n"
            "        float v = %s_dot(x, w + (long)j * n_in, n_in) + 0.0f;\n"
            "        v += b[j];\n",
            name, name);
    if (tanh_used)
        fprintf(c, "        if (hidden)\n            v = %s_tanh(v);\n", name);
    else
        fprintf(c, "        if (hidden)\n            v = v > 0.0f ? v : 0.0f;\n");
    fprintf(c, "        y[j] = v;\n    }\n}\n\n");
}

/* NAME_logits_or_mean<suffix> and NAME_act<suffix> over observations of `type`; body:
 * the lines that set x[j] from obs[j] */
static void write_entry(FILE *c, const char *name, const char *suffix, const char *type, int od,
                        int n, const char *body)
{
    fprintf(c, "int %s_logits_or_mean%s(const %s *obs, float *out)\n{\n", name, suffix, type);
    fprintf(c, "    float x[%d];\n    int j;\n    for (j = 0; j < %d; j++) {\n%s    }\n", od, od,
            body);
    fprintf(c, "    return %s_net(x, out);\n}\n\n", name);
    fprintf(c, "int %s_act%s(const %s *obs, float *action)\n{\n", name, suffix, type);
    fprintf(c, "    float out[%d];\n", n);
    fprintf(c, "    int rc = %s_logits_or_mean%s(obs, out);\n", name, suffix);
    fprintf(c, "    return %s_decide(out, action, rc);\n}\n", name);
}

/* the public functions */
static void write_api(const SavedPolicy *s, const char *name, FILE *c)
{
    const Model *m = &s->model;
    const Mlp *pi = &m->pi;
    const int od = s->spec->obs_dim, n = m->dist.n, disc = m->dist.kind == DIST_CATEGORICAL;
    const int f64 = s->spec->observe64 != NULL, norm = s->cfg.norm_obs;
    char clip[48], nclip[48];
    int widest = 1;
    for (int l = 1; l < pi->n_layers; l++)
        widest = pi->size[l] > widest ? pi->size[l] : widest;

    /* the network on a normalised input */
    fprintf(c, "/* the network on the normalised input x; -1 if an output is NaN */\n");
    fprintf(c, "static int %s_net(const float *x, float *out)\n{\n", name);
    if (pi->n_layers > 1)
        fprintf(c, "    float h[2][%d];\n", widest);
    fprintf(c, "    int j, bad = 0;\n");
    for (int l = 0; l < pi->n_layers; l++) {
        const char *in = l == 0 ? "x" : (l % 2 ? "h[0]" : "h[1]");
        const char *o = l + 1 == pi->n_layers ? "out" : (l % 2 ? "h[1]" : "h[0]");
        fprintf(c, "    %s_layer(%s, %s, %s_w%d, %s_b%d, %d, %d, %d);\n", name, o, in, name, l,
                name, l, pi->size[l + 1], pi->size[l], l + 1 < pi->n_layers);
    }
    fprintf(c, "    for (j = 0; j < %d; j++)\n        bad |= out[j] != out[j];\n", n);
    fprintf(c, "    return bad ? -1 : 0;\n}\n\n");

    /* the deterministic action from the output */
    fprintf(c, "/* the action from the network's output */\n");
    fprintf(c, "static int %s_decide(const float *out, float *action, int rc)\n{\n", name);
    if (disc) {
        fprintf(c, "    int j, best = 0;\n");
        fprintf(c,
                "    for (j = 1; j < %d; j++)\n        if (out[j] > out[best])\n"
                "            best = j;\n",
                n);
        fprintf(c, "    action[0] = (float)best;\n    return rc < 0 ? rc : best;\n}\n\n");
    } else {
        fprintf(c, "    int j;\n    for (j = 0; j < %d; j++) {\n", n);
        fprintf(c, "        float a = out[j];\n");
        fprintf(c, "        a = a < %s_low[j] ? %s_low[j] : a;\n", name, name);
        fprintf(c, "        a = a > %s_high[j] ? %s_high[j] : a;\n", name, name);
        fprintf(c, "        action[j] = a;\n    }\n    return rc;\n}\n\n");
    }

    /* the normaliser's lines in the loop over j, for float and for double input */
    char in32[512] = "", in64[512] = "";
    if (norm && !f64) {
        float_lit(clip, sizeof clip, (float)s->cfg.obs_clip);
        float_lit(nclip, sizeof nclip, -(float)s->cfg.obs_clip);
        snprintf(in32, sizeof in32,
                 "        float y = (obs[j] - %s_mean[j]) * %s_scale[j];\n"
                 "        y = y < %s ? %s : y;\n        y = y > %s ? %s : y;\n"
                 "        x[j] = y;\n",
                 name, name, nclip, nclip, clip, clip);
    } else if (norm) {
        double_lit(clip, sizeof clip, s->cfg.obs_clip);
        double_lit(nclip, sizeof nclip, -s->cfg.obs_clip);
        for (int wide = 0; wide < 2; wide++)
            snprintf(wide ? in64 : in32, sizeof in32,
                     "        double y = (%sobs[j] - %s_mean[j]) / %s_std[j];\n"
                     "        y = y < %s ? %s : y;\n        y = y > %s ? %s : y;\n"
                     "        x[j] = (float)y;\n",
                     wide ? "" : "(double)", name, name, nclip, nclip, clip, clip);
    } else {
        snprintf(in32, sizeof in32, "        x[j] = obs[j];\n");
        snprintf(in64, sizeof in64, "        x[j] = (float)obs[j];\n");
    }
    write_entry(c, name, "", "float", od, n, in32);
    if (f64) {
        fprintf(c, "\n");
        write_entry(c, name, "_f64", "double", od, n, in64);
    }
}

static void write_source(const SavedPolicy *s, const char *name, const char *header_name, FILE *c)
{
    const Model *m = &s->model;
    const Mlp *pi = &m->pi;
    const int od = s->spec->obs_dim, n = m->dist.n;
    fprintf(c,
            "/* %.*s.c - the policy declared in %s, exported by mpirl %s: weights,\n"
            " * normaliser and forward pass. C99, <math.h> only. */\n"
            "#include \"%s\"\n\n#include <math.h>\n\n",
            (int)strlen(header_name) - 2, header_name, header_name, MPIRL_VERSION, header_name);
    for (int l = 0; l < pi->n_layers; l++) {
        char suffix[16];
        fprintf(c, "/* pi.%d: nn.Linear(%d, %d), the weight row-major (out, in) */\n", 2 * l,
                pi->size[l], pi->size[l + 1]);
        snprintf(suffix, sizeof suffix, "w%d", l);
        float_array(c, "static ", name, suffix, s->params + pi->w_off[l],
                    (size_t)pi->size[l] * (size_t)pi->size[l + 1]);
        snprintf(suffix, sizeof suffix, "b%d", l);
        float_array(c, "static ", name, suffix, s->params + pi->b_off[l], (size_t)pi->size[l + 1]);
    }
    if (m->dist.kind == DIST_GAUSSIAN) {
        fprintf(c, "\n/* the Gaussian's log standard deviation and the action bounds */\n");
        float_array(c, "", name, "log_std", model_logstd(m, s->params), (size_t)n);
        float_array(c, "static ", name, "low", s->spec->act_low, (size_t)n);
        float_array(c, "static ", name, "high", s->spec->act_high, (size_t)n);
    }
    if (s->cfg.norm_obs && s->spec->observe64 == NULL) {
        fprintf(c, "\n/* the normaliser: mean and 1 / sqrt(var + eps) */\n");
        float_array(c, "static ", name, "mean", s->norm.shift, (size_t)od);
        float_array(c, "static ", name, "scale", s->norm.scale, (size_t)od);
    } else if (s->cfg.norm_obs) {
        fprintf(c, "\n/* the normaliser: mean and sqrt(var + eps) */\n");
        double_array(c, name, "mean", s->norm.mean64, (size_t)od);
        double_array(c, name, "std", s->norm.std64, (size_t)od);
    }
    fprintf(c, "\n");
    write_kernels(c, name, pi->n_layers > 1 && pi->act == ACT_TANH);
    write_api(s, name, c);
}

int export_c(const SavedPolicy *s, const char *name, const char *header_name, FILE *h, FILE *c)
{
    write_header(s, name, header_name, h);
    write_source(s, name, header_name, c);
    return ferror(h) || ferror(c) ? -1 : 0;
}
