/* optim.c - Adam over a flat float buffer, global-norm gradient clipping and linear
 * learning-rate annealing.
 *
 * Reference: D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization",
 * ICLR 2015, algorithm 1, evaluated in the order of PyTorch's torch.optim.Adam
 * (single-tensor path, PyTorch 2.x):
 *   m <- m + (1 - beta1) (g - m)                 (lerp, same as beta1 m + (1 - beta1) g)
 *   v <- beta2 v + (1 - beta2) g^2
 *   p <- p - [lr / (1 - beta1^t)] m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * with the bias corrections in double and the per-element arithmetic in float, as
 * torch does for float32 tensors. Clipping follows torch.nn.utils.clip_grad_norm_
 * (coefficient max_norm / (norm + 1e-6), applied when below 1).
 *
 * Left out: weight decay, AMSGrad, maximize, other optimizers and schedules.
 */
#include "optim.h"

#include <math.h>
#include <stdlib.h>

int adam_init(Adam *a, long n, const AdamConfig *cfg)
{
    a->n = 0;
    a->t = 0;
    a->cfg = *cfg;
    a->m = calloc(n > 0 ? (size_t)n : 1, sizeof *a->m);
    a->v = calloc(n > 0 ? (size_t)n : 1, sizeof *a->v);
    if (!a->m || !a->v) {
        adam_free(a);
        return -1;
    }
    a->n = n;
    return 0;
}

void adam_free(Adam *a)
{
    free(a->m);
    free(a->v);
    a->m = NULL;
    a->v = NULL;
    a->n = 0;
    a->t = 0;
}

void adam_step(Adam *a, float *params, const float *grad, double lr)
{
    a->t += 1;
    const double beta1 = a->cfg.beta1, beta2 = a->cfg.beta2;
    const double bc1 = 1.0 - pow(beta1, (double)a->t); /* 1 - beta1^t */
    const double bc2 = 1.0 - pow(beta2, (double)a->t); /* 1 - beta2^t */

    /* scalars rounded to float once, as torch passes them to its float kernels */
    const float w1 = (float)(1.0 - beta1);
    const float b2 = (float)beta2;
    const float w2 = (float)(1.0 - beta2);
    const float neg_step = (float)(-(lr / bc1));
    const float bc2_sqrt = (float)sqrt(bc2);
    const float eps = (float)a->cfg.eps;

    float *m = a->m, *v = a->v;
    for (long i = 0; i < a->n; i++) {
        const float g = grad[i];
        m[i] = m[i] + w1 * (g - m[i]);
        v[i] = v[i] * b2 + w2 * g * g;
        const float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        params[i] = params[i] + neg_step * m[i] / denom;
    }
}

double grad_global_norm(const float *g, long n)
{
    double ss = 0.0;
    for (long i = 0; i < n; i++)
        ss += (double)g[i] * (double)g[i];
    return sqrt(ss);
}

double grad_clip_global_norm(float *g, long n, double max_norm)
{
    const double norm = grad_global_norm(g, n);
    const double coef = max_norm / (norm + 1e-6);
    if (coef < 1.0) {
        const float c = (float)coef;
        for (long i = 0; i < n; i++)
            g[i] *= c;
    }
    return norm;
}

double lr_linear(double lr0, double done, double total)
{
    if (total <= 0.0)
        return lr0;
    double f = 1.0 - done / total;
    if (f < 0.0)
        f = 0.0;
    if (f > 1.0)
        f = 1.0;
    return lr0 * f;
}
