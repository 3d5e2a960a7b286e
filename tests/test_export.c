/* test_export.c - `mpirl export` against an independent reading of its output.
 *
 * Two committed checkpoints (tests/data/export: CartPole-v1, tanh 64-64, normalised;
 * Pendulum-v1, relu 32-32, normalised) and their safetensors exports, from which
 * scripts/export_reference.py (numpy alone) rebuilt the networks and computed the
 * normalised observations, the policy's outputs, the values and the deterministic
 * actions on 64 fixed observations.
 *   - the export of the checkpoint today is the committed file, byte for byte (so the
 *     file numpy read is the one mpirl writes);
 *   - mpirl's own normaliser, networks and deterministic action on the same
 *     observations match numpy's within 1e-5 (1 + |y|): numpy works in float64 with
 *     the exact tanh, mpirl in float32 (rounding of 64-term sums, about 1e-6) with
 *     its tanh approximation (3e-7);
 *   - the C export declares what export.h promises, for each action space.
 * That the C export computes mpirl's numbers bit for bit is tests/export_test.sh's.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "export.h"
#include "saved.h"
#include "testutil.h"

#define TOL 1e-5

static void load(SavedPolicy *s, const char *name)
{
    char path[1024], err[1024] = "";
    snprintf(path, sizeof path, "%s/export/%s.ckpt", tu_getenv("MPIRL_TEST_DATA"), name);
    ck_assert_msg(saved_load(s, path, err, sizeof err) == 0, "%s", err);
}

/* the bytes of a committed file */
static unsigned char *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/export/%s", tu_getenv("MPIRL_TEST_DATA"), name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = malloc(*len ? *len : 1);
    ck_assert(b && fread(b, 1, *len, f) == *len);
    fclose(f);
    return b;
}

static void same_file(const char *name)
{
    SavedPolicy s;
    load(&s, name);
    char *text = NULL, file[64];
    size_t len = 0, want_len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert(f && export_safetensors(&s, f) == 0 && fclose(f) == 0);
    snprintf(file, sizeof file, "%s.safetensors", name);
    unsigned char *want = slurp(file, &want_len);
    ck_assert_msg(len == want_len && memcmp(text, want, len) == 0,
                  "%s: the export (%zu bytes) is not the committed file (%zu bytes); if the "
                  "format changed on purpose, rewrite it and its references as "
                  "scripts/export_reference.py says",
                  file, len, want_len);
    free(want);
    free(text);
    saved_free(&s);
}

START_TEST(cartpole_safetensors_is_committed_file)
{
    same_file("cartpole");
}
END_TEST

START_TEST(pendulum_safetensors_is_committed_file)
{
    same_file("pendulum");
}
END_TEST

/* max over i of |a_i - b_i| / (1 + |b_i|) */
static double scaled_diff(const float *a, const double *b, long n)
{
    double worst = 0;
    for (long i = 0; i < n; i++) {
        const double d = fabs((double)a[i] - b[i]) / (1 + fabs(b[i]));
        worst = d > worst || d != d ? d : worst;
    }
    return worst;
}

static void outputs_match(const char *name)
{
    SavedPolicy s;
    load(&s, name);
    char file[64];
    snprintf(file, sizeof file, "export/%s.txt", name);
    Golden *g = golden_load(file);
    const int od = s.spec->obs_dim, n = s.model.dist.n, ad = dist_action_dim(&s.model.dist);
    const long rows = golden_count(g, "obs") / od;
    ck_assert_int_eq(rows, 64);
    float *obs = malloc(sizeof(float) * (size_t)(rows * od));
    float *x = malloc(sizeof(float) * (size_t)(rows * od));
    float *act = malloc(sizeof(float) * (size_t)(rows * ad));
    ModelWork *w = model_work_create(&s.model, (int)rows);
    ck_assert(obs && x && act && w);
    golden_to_float(obs, golden_get(g, "obs", rows * od), rows * od);
    obsnorm_apply(saved_norm(&s), x, obs, (int)rows);
    double d = scaled_diff(x, golden_get(g, "x", rows * od), rows * od);
    ck_assert_msg(d <= TOL, "%s: normalised observations differ by %g", name, d);
    const float *out = model_policy(w, &s.model, s.params, x, (int)rows);
    const double *want_out = golden_get(g, "out", rows * n);
    d = scaled_diff(out, want_out, rows * n);
    ck_assert_msg(d <= TOL, "%s: policy outputs differ by %g", name, d);
    dist_mode(act, &s.model.dist, out, (int)rows);
    const double *want_act = golden_get(g, "action", rows * ad);
    for (long i = 0; i < rows; i++) {
        if (s.model.dist.kind == DIST_CATEGORICAL) {
            /* an argmax may only differ where numpy's logits nearly tie */
            const int a = (int)act[i], b = (int)want_act[i];
            ck_assert_msg(a == b || fabs(want_out[i * n + a] - want_out[i * n + b]) < 1e-4,
                          "%s: row %ld: action %d, numpy's %d", name, i, a, b);
            continue;
        }
        for (int j = 0; j < ad; j++) {
            float v = act[i * ad + j];
            v = v < s.spec->act_low[j] ? s.spec->act_low[j] : v;
            v = v > s.spec->act_high[j] ? s.spec->act_high[j] : v;
            ck_assert_msg(fabs(v - want_act[i * ad + j]) <= TOL * (1 + fabs(want_act[i * ad + j])),
                          "%s: row %ld: action %g, numpy's %g", name, i, (double)v,
                          want_act[i * ad + j]);
        }
    }
    const float *value = model_value(w, &s.model, s.params, x, (int)rows);
    d = scaled_diff(value, golden_get(g, "value", rows), rows);
    ck_assert_msg(d <= TOL, "%s: values differ by %g", name, d);
    model_work_destroy(&w);
    free(obs);
    free(x);
    free(act);
    golden_free(g);
    saved_free(&s);
}

START_TEST(cartpole_outputs_match_numpy)
{
    outputs_match("cartpole");
}
END_TEST

START_TEST(pendulum_outputs_match_numpy)
{
    outputs_match("pendulum");
}
END_TEST

/* the C export of a checkpoint as text: header and source */
static void c_text(const char *name, char **h, char **c)
{
    SavedPolicy s;
    load(&s, name);
    size_t hl = 0, cl = 0;
    FILE *hf = open_memstream(h, &hl), *cf = open_memstream(c, &cl);
    ck_assert(hf && cf);
    ck_assert_int_eq(export_c(&s, name, "policy.h", hf, cf), 0);
    ck_assert(fclose(hf) == 0 && fclose(cf) == 0);
    saved_free(&s);
}

START_TEST(c_export_declares_the_api)
{
    char *h, *c;
    c_text("cartpole", &h, &c);
    ck_assert_ptr_nonnull(strstr(h, "int cartpole_act(const float *obs, float *action);"));
    ck_assert_ptr_nonnull(strstr(h, "int cartpole_logits_or_mean(const float *obs, float *out);"));
    ck_assert_ptr_nonnull(strstr(h, "#define CARTPOLE_N_ACTIONS 2"));
    ck_assert_ptr_nonnull(strstr(h, "CartPole-v1; checkpoint of iteration"));
    ck_assert_ptr_null(strstr(h, "_f64")); /* float32 observations: no float64 forms */
    ck_assert_ptr_null(strstr(h, "log_std"));
    ck_assert_ptr_nonnull(strstr(c, "#include \"policy.h\""));
    ck_assert_ptr_nonnull(strstr(c, "static float cartpole_tanh(float x)"));
    ck_assert_ptr_null(strstr(c, "#include <std")); /* <math.h> only */
    free(h);
    free(c);
    c_text("pendulum", &h, &c);
    ck_assert_ptr_nonnull(strstr(h, "extern const float pendulum_log_std[1];"));
    ck_assert_ptr_nonnull(strstr(h, "#define PENDULUM_ACT_DIM 1"));
    ck_assert_ptr_null(strstr(h, "N_ACTIONS"));
    ck_assert_ptr_null(strstr(c, "_tanh(")); /* relu: no tanh */
    ck_assert_ptr_nonnull(strstr(c, "static const float pendulum_high[1] = {\n    2.0f\n};"));
    free(h);
    free(c);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"cartpole_safetensors_is_committed_file", cartpole_safetensors_is_committed_file},
        {"pendulum_safetensors_is_committed_file", pendulum_safetensors_is_committed_file},
        {"cartpole_outputs_match_numpy", cartpole_outputs_match_numpy},
        {"pendulum_outputs_match_numpy", pendulum_outputs_match_numpy},
        {"c_export_declares_the_api", c_export_declares_the_api},
    };
    return tu_run(tu_suite("export", cases, TU_COUNT(cases), 60));
}
