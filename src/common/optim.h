/* optim.h - Adam, global-norm gradient clipping and learning-rate annealing over a
 * flat parameter buffer.
 *
 * Adam follows Kingma & Ba (2015) with bias correction, evaluated in the order
 * PyTorch's torch.optim.Adam uses (denominator sqrt(v)/sqrt(1 - beta2^t) + eps, step
 * lr / (1 - beta1^t)), so traces agree with it to float rounding.
 */
#ifndef MPIRL_OPTIM_H
#define MPIRL_OPTIM_H

typedef struct {
    double beta1, beta2, eps;
} AdamConfig;

typedef struct {
    long n;
    long t;   /* steps taken */
    float *m; /* first moments, the parameters' layout */
    float *v; /* second moments */
    AdamConfig cfg;
} Adam;

/* Zeroed state for n parameters; returns 0 or -1 if memory runs out. */
int adam_init(Adam *a, long n, const AdamConfig *cfg);

/* Free the moments; accepts a zeroed struct. */
void adam_free(Adam *a);

/* One step: t += 1, params -= lr * m_hat / (sqrt(v_hat) + eps). */
void adam_step(Adam *a, float *params, const float *grad, double lr);

/* Euclidean norm of g, accumulated in double. */
double grad_global_norm(const float *g, long n);

/* Scale g so that its norm is at most max_norm (coefficient max_norm / (norm + 1e-6),
 * applied only when below 1, as torch.nn.utils.clip_grad_norm_). Returns the norm
 * before clipping. */
double grad_clip_global_norm(float *g, long n, double max_norm);

/* Linearly annealed learning rate lr0 * (1 - done / total), clamped to [0, lr0];
 * total <= 0 returns lr0. */
double lr_linear(double lr0, double done, double total);

#endif
