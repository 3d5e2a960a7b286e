/* mlp.h - multilayer perceptron over a flat parameter buffer.
 *
 * Layer l maps size[l] -> size[l+1]: z = x W^T + b with W row-major (out, in) as in
 * PyTorch's nn.Linear, followed by the activation (tanh or relu) on every layer but
 * the last. Batched forward, accumulating backward (weights, biases, inputs) and a
 * forward-mode Jacobian-vector product (directional derivative of the output along a
 * parameter tangent), all through the mat_* helpers.
 *
 * The derivative of the activation is computed from the stored layer output
 * (tanh' = 1 - y^2, relu' = [y > 0]). tanh is mlp_tanh, a vectorizable approximation
 * within 3e-7 of the true function (mlp.c says how its gradient relates to it).
 *
 * Leaves out: input tangents in the JVP (the networks' inputs are data), dropout,
 * normalisation layers.
 */
#ifndef MPIRL_MLP_H
#define MPIRL_MLP_H

#include <stddef.h>

#include "params.h"
#include "rng.h"

#define MLP_MAX_LAYERS 8

typedef enum { ACT_TANH = 0, ACT_RELU = 1 } Activation;

typedef struct {
    int n_layers;                 /* affine layers; the last has no activation */
    int size[MLP_MAX_LAYERS + 1]; /* size[0] inputs, size[n_layers] outputs */
    Activation act;
    size_t w_off[MLP_MAX_LAYERS]; /* W_l (size[l+1], size[l]) */
    size_t b_off[MLP_MAX_LAYERS]; /* b_l (size[l+1]) */
} Mlp;

/* Activations of one forward pass, kept for backward and JVP. */
typedef struct {
    int max_batch;
    int batch;                    /* rows of the last forward */
    const float *in;              /* input of the last forward, not owned */
    float *h[MLP_MAX_LAYERS + 1]; /* h[l], l = 1..n_layers: (batch, size[l]) */
    float *scratch[2];            /* (max_batch, widest layer) each */
} MlpCache;

/* Register the layers of an MLP in `t` under names "<prefix>.<l>.weight" and
 * "<prefix>.<l>.bias". hidden[0..n_hidden) are the hidden widths (n_hidden may be 0).
 * Returns 0, or -1 if a size is not positive, there are too many layers or the table
 * is full (`m` is then unspecified, `t` may hold some of the layers). */
int mlp_init(Mlp *m, ParamTable *t, const char *prefix, int in, const int *hidden, int n_hidden,
             int out, Activation act);

/* Widest layer (inputs included). */
int mlp_max_width(const Mlp *m);

/* Cache for batches of up to max_batch rows; NULL on allocation failure. */
MlpCache *mlp_cache_create(const Mlp *m, int max_batch);

/* Free a cache and set *c to NULL; accepts NULL and *c == NULL. */
void mlp_cache_destroy(MlpCache **c);

/* Forward pass of x (batch, size[0]) with batch <= max_batch. Returns the output
 * (batch, size[n_layers]), owned by the cache. x must stay valid until the next
 * forward if backward or JVP are used. */
const float *mlp_forward(MlpCache *c, const Mlp *m, const float *params, const float *x, int batch);

/* Backward pass of the last forward: given dL/dout (batch, out), ADD dL/dW and dL/db
 * into grad_params (the model's flat layout) and, if grad_x is not NULL, dL/dx
 * (batch, in) into grad_x. Uses the cache's scratch. */
void mlp_backward(float *grad_params, float *grad_x, const Mlp *m, const float *params, MlpCache *c,
                  const float *grad_out);

/* Jacobian-vector product at the last forward: out (batch, out) = d out / d theta
 * applied to the parameter tangent `tangent` (flat layout). Overwrites out. */
void mlp_jvp(float *out, const Mlp *m, const float *params, const float *tangent, MlpCache *c);

/* tanh as the networks compute it: within 3e-7 of tanh, vectorizable (see mlp.c). */
float mlp_tanh(float x);

/* Its polynomials' coefficients, lowest order first: 2^f on [-0.5, 0.5] and
 * (tanh(x) - x) / x^3 in x^2 on [0, 0.55] (mpirl export writes them out). */
#define MLP_EXP2_TERMS 7
#define MLP_TANH_TERMS 6
extern const float mlp_exp2_coef[MLP_EXP2_TERMS];
extern const float mlp_tanh_coef[MLP_TANH_TERMS];

/* Orthogonal initialisation (Saxe et al., 2014): every weight is a (semi-)orthogonal
 * matrix scaled by hidden_gain, the last layer's by out_gain; biases are zero.
 * Uses LAPACK's QR of a Gaussian matrix with the sign correction of the diagonal of R.
 * Returns 0, or -1 if LAPACK fails or memory runs out. */
int mlp_init_orthogonal(const Mlp *m, float *params, double hidden_gain, double out_gain, Rng *rng);

#endif
