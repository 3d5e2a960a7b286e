/* mlp.c - multilayer perceptron forward, backward, JVP and orthogonal init (see mlp.h).
 *
 * Shapes in comments: B rows (samples), layer l maps size[l] -> size[l+1].
 * Forward:   z_l = h_l W_l^T + b_l,  h_{l+1} = act(z_l) (no act on the last layer)
 * Backward:  dW_l += dz_l^T h_l, db_l += sum_rows dz_l, dh_l = dz_l W_l,
 *            dz_{l-1} = dh_l * act'(h_l)
 * JVP:       dz_l = h_l dW_l^T + db_l + dh_l W_l^T,  dh_{l+1} = act'(h_{l+1}) * dz_l
 * Orthogonal init as in Saxe et al. (2014) and PyTorch's nn.init.orthogonal_: QR of a
 * Gaussian matrix, columns signed by diag(R).
 */
#include "mlp.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mat.h"

/* LAPACK (in libopenblas) */
extern void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau,
                    double *work, const int *lwork, int *info);
extern void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda,
                    const double *tau, double *work, const int *lwork, int *info);

int mlp_init(Mlp *m, ParamTable *t, const char *prefix, int in, const int *hidden, int n_hidden,
             int out, Activation act)
{
    if (n_hidden < 0 || n_hidden + 1 > MLP_MAX_LAYERS || in <= 0 || out <= 0)
        return -1;
    memset(m, 0, sizeof *m);
    m->n_layers = n_hidden + 1;
    m->act = act;
    m->size[0] = in;
    for (int l = 0; l < n_hidden; l++) {
        if (hidden[l] <= 0)
            return -1;
        m->size[l + 1] = hidden[l];
    }
    m->size[m->n_layers] = out;
    for (int l = 0; l < m->n_layers; l++) {
        char name[PARAMS_NAME_LEN];
        if (snprintf(name, sizeof name, "%s.%d.weight", prefix, l) >= (int)sizeof name)
            return -1;
        m->w_off[l] = params_add(t, name, m->size[l + 1], m->size[l]);
        snprintf(name, sizeof name, "%s.%d.bias", prefix, l);
        m->b_off[l] = params_add(t, name, m->size[l + 1], 1);
        if (m->w_off[l] == (size_t)-1 || m->b_off[l] == (size_t)-1)
            return -1;
    }
    return 0;
}

int mlp_max_width(const Mlp *m)
{
    int w = 0;
    for (int l = 0; l <= m->n_layers; l++)
        if (m->size[l] > w)
            w = m->size[l];
    return w;
}

MlpCache *mlp_cache_create(const Mlp *m, int max_batch)
{
    if (max_batch <= 0)
        return NULL;
    size_t total = 0;
    for (int l = 1; l <= m->n_layers; l++)
        total += (size_t)max_batch * (size_t)m->size[l];
    size_t wide = (size_t)max_batch * (size_t)mlp_max_width(m);
    total += 2 * wide;
    MlpCache *c = calloc(1, sizeof *c);
    float *buf = calloc(total, sizeof *buf);
    if (!c || !buf) {
        free(c);
        free(buf);
        return NULL;
    }
    c->max_batch = max_batch;
    float *p = buf;
    for (int l = 1; l <= m->n_layers; l++) {
        c->h[l] = p;
        p += (size_t)max_batch * (size_t)m->size[l];
    }
    c->scratch[0] = p;
    c->scratch[1] = p + wide;
    c->h[0] = buf; /* start of the allocation; the input pointer is c->in */
    return c;
}

void mlp_cache_destroy(MlpCache **c)
{
    if (!c || !*c)
        return;
    free((*c)->h[0]);
    free(*c);
    *c = NULL;
}

/* Coefficients from scripts/fit_tanh.py (near-minimax fits). */
/* 2^f on [-0.5, 0.5], max relative error 1.9e-09 */
const float mlp_exp2_coef[MLP_EXP2_TERMS] = {1.000000001e+00f, 6.931472058e-01f, 2.402264703e-01f,
                                             5.550328667e-02f, 9.618473666e-03f, 1.339996665e-03f,
                                             1.534993023e-04f};
/* (tanh(x) - x) / x^3 on [0, 0.55] in x^2, max abs error 3.9e-10 */
const float mlp_tanh_coef[MLP_TANH_TERMS] = {-3.333333331e-01f, 1.333332592e-01f,
                                             -5.396508495e-02f, 2.182169357e-02f,
                                             -8.537874413e-03f, 2.541013938e-03f};

/* tanh(x) in float without a libm call, so that loops over it vectorize: glibc's
 * tanhf costs ~12 ns an element and was three quarters of a forward pass.
 *   |x| <  0.55: x + x^3 P(x^2)
 *   |x| >= 0.55: 1 - 2 / (e^{2|x|} + 1), e^{2|x|} = 2^k E(f) with z = 2|x| log2(e)
 *                split into an integer k and f in [-0.5, 0.5]; |x| is capped at 10,
 *                where tanh is 1 in float
 * Error: below 3e-7 absolute over the real line (tests/test_mlp.c sweeps it); NaN
 * propagates, +-inf gives +-1. The backward pass uses 1 - y^2 of this y: the exact
 * derivative of tanh at the point, which differs from the derivative of the
 * approximation by about the size of the approximation error. */
static inline float tanh_approx(float x)
{
    float a = fabsf(x);
    float z = (a < 10.0f ? a : 10.0f) * 2.88539008f; /* 2 log2(e) |x|, NaN -> 10 */
    float k = (z + 12582912.0f) - 12582912.0f;       /* round to nearest: 1.5 * 2^23 trick */
    float f = z - k;
    float e = mlp_exp2_coef[6];
    for (int i = 5; i >= 0; i--)
        e = e * f + mlp_exp2_coef[i];
    int32_t bits = ((int32_t)k + 127) << 23; /* 2^k, k in [0, 29] */
    float pow2k;
    memcpy(&pow2k, &bits, sizeof pow2k);
    float big = 1.0f - 2.0f / (e * pow2k + 1.0f);
    float x2 = a * a, p = mlp_tanh_coef[5];
    for (int i = 4; i >= 0; i--)
        p = p * x2 + mlp_tanh_coef[i];
    float small = a + a * x2 * p;
    float y = copysignf(a < 0.55f ? small : big, x);
    return a == a ? y : x;
}

float mlp_tanh(float x)
{
    return tanh_approx(x);
}

/* h = act(h) in place, (n) elements. */
static void activate(float *h, long n, Activation act)
{
    if (act == ACT_TANH) {
        for (long i = 0; i < n; i++)
            h[i] = tanh_approx(h[i]);
    } else {
        for (long i = 0; i < n; i++)
            h[i] = h[i] > 0.0f ? h[i] : 0.0f;
    }
}

/* g *= act'(.) expressed through the activation's output y, (n) elements. */
static void activate_grad(float *g, const float *y, long n, Activation act)
{
    if (act == ACT_TANH) {
        for (long i = 0; i < n; i++)
            g[i] *= 1.0f - y[i] * y[i];
    } else {
        for (long i = 0; i < n; i++)
            g[i] = y[i] > 0.0f ? g[i] : 0.0f;
    }
}

const float *mlp_forward(MlpCache *c, const Mlp *m, const float *params, const float *x, int batch)
{
    c->in = x;
    c->batch = batch;
    const float *in = x;
    for (int l = 0; l < m->n_layers; l++) {
        int n_in = m->size[l], n_out = m->size[l + 1];
        float *out = c->h[l + 1];
        /* (B, out) = (B, in) (out, in)^T */
        mat_mul_abt(out, in, params + m->w_off[l], batch, n_out, n_in, 0.0f);
        mat_add_row(out, params + m->b_off[l], batch, n_out);
        if (l + 1 < m->n_layers)
            activate(out, (long)batch * n_out, m->act);
        in = out;
    }
    return c->h[m->n_layers];
}

void mlp_backward(float *grad_params, float *grad_x, const Mlp *m, const float *params, MlpCache *c,
                  const float *grad_out)
{
    int B = c->batch;
    const float *dz = grad_out; /* (B, size[l+1]) */
    for (int l = m->n_layers - 1; l >= 0; l--) {
        int n_in = m->size[l], n_out = m->size[l + 1];
        const float *x = l == 0 ? c->in : c->h[l];
        /* dW (out, in) += dz^T (out, B) x (B, in) */
        mat_mul_atb(grad_params + m->w_off[l], dz, x, n_out, n_in, B, 1.0f);
        mat_sum_rows(grad_params + m->b_off[l], dz, B, n_out);
        if (l > 0) {
            float *dh = c->scratch[l % 2];
            /* dh (B, in) = dz (B, out) W (out, in) */
            mat_mul_ab(dh, dz, params + m->w_off[l], B, n_in, n_out, 0.0f);
            activate_grad(dh, c->h[l], (long)B * n_in, m->act);
            dz = dh;
        } else if (grad_x) {
            mat_mul_ab(grad_x, dz, params + m->w_off[0], B, n_in, n_out, 1.0f);
        }
    }
}

void mlp_jvp(float *out, const Mlp *m, const float *params, const float *tangent, MlpCache *c)
{
    int B = c->batch;
    const float *dh = NULL; /* tangent of the layer input; zero for the data */
    for (int l = 0; l < m->n_layers; l++) {
        int n_in = m->size[l], n_out = m->size[l + 1];
        const float *x = l == 0 ? c->in : c->h[l];
        float *dz = l + 1 == m->n_layers ? out : c->scratch[l % 2];
        /* dz (B, out) = x dW^T + db + dh W^T */
        mat_mul_abt(dz, x, tangent + m->w_off[l], B, n_out, n_in, 0.0f);
        mat_add_row(dz, tangent + m->b_off[l], B, n_out);
        if (dh)
            mat_mul_abt(dz, dh, params + m->w_off[l], B, n_out, n_in, 1.0f);
        if (l + 1 < m->n_layers)
            activate_grad(dz, c->h[l + 1], (long)B * n_out, m->act);
        dh = dz;
    }
}

/* W (rows, cols) <- gain * a (semi-)orthogonal matrix. Returns 0 or -1. */
static int orthogonal(float *w, int rows, int cols, double gain, Rng *rng)
{
    int a = rows > cols ? rows : cols; /* Q is (a, b) with orthonormal columns */
    int b = rows > cols ? cols : rows;
    int info = 0, lwork = -1, rc = -1;
    double wq = 0.0;
    double *q = malloc((size_t)a * (size_t)b * sizeof *q); /* column-major (a, b) */
    double *tau = malloc((size_t)b * sizeof *tau);
    double *sign = malloc((size_t)b * sizeof *sign);
    double *work = NULL;
    if (!q || !tau || !sign)
        goto out;
    for (long i = 0; i < (long)a * b; i++)
        q[i] = rng_normal(rng);
    dgeqrf_(&a, &b, q, &a, tau, &wq, &lwork, &info); /* workspace query */
    lwork = (int)wq + b;
    work = malloc((size_t)lwork * sizeof *work);
    if (info != 0 || !work)
        goto out;
    dgeqrf_(&a, &b, q, &a, tau, work, &lwork, &info);
    if (info != 0)
        goto out;
    for (int j = 0; j < b; j++) /* sign of diag(R), before dorgqr overwrites R */
        sign[j] = q[(long)j * a + j] < 0.0 ? -1.0 : 1.0;
    dorgqr_(&a, &b, &b, q, &a, tau, work, &lwork, &info);
    if (info != 0)
        goto out;
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
            /* rows >= cols: W = Q diag(sign); else W = (Q diag(sign))^T */
            double v = rows >= cols ? q[(long)j * a + i] * sign[j] : q[(long)i * a + j] * sign[i];
            w[(long)i * cols + j] = (float)(gain * v);
        }
    }
    rc = 0;
out:
    free(work);
    free(sign);
    free(tau);
    free(q);
    return rc;
}

int mlp_init_orthogonal(const Mlp *m, float *params, double hidden_gain, double out_gain, Rng *rng)
{
    for (int l = 0; l < m->n_layers; l++) {
        double gain = l + 1 == m->n_layers ? out_gain : hidden_gain;
        if (orthogonal(params + m->w_off[l], m->size[l + 1], m->size[l], gain, rng) != 0)
            return -1;
        memset(params + m->b_off[l], 0, (size_t)m->size[l + 1] * sizeof(float));
    }
    return 0;
}
