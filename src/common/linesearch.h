/* linesearch.h - backtracking line search for trust-region policy steps.
 *
 * Tries step fractions 1, shrink, shrink^2, ... (at most max_steps candidates) along a
 * full step, asking a callback for the surrogate improvement and the KL of each
 * candidate, and accepts the first one that
 *   - has finite improvement and KL,
 *   - keeps KL <= max_kl,
 *   - improves the surrogate: improvement > 0 and, if expected_improve > 0,
 *     improvement >= accept_ratio * fraction * expected_improve.
 * If no candidate passes, nothing is accepted and the caller keeps the old
 * parameters; that is a normal outcome, reported, not an error.
 */
#ifndef MPIRL_LINESEARCH_H
#define MPIRL_LINESEARCH_H

/* Evaluate the candidate at step fraction `frac`: write the surrogate improvement
 * (new minus old objective, larger is better) and the mean KL(old || new). Returns 0,
 * non-zero to abort the search. */
typedef int (*LsEval)(void *ctx, double frac, double *improve, double *kl);

typedef enum {
    LS_ACCEPTED = 0,
    LS_NO_STEP = 1,    /* every candidate failed a test */
    LS_EVAL_FAILED = 2 /* the callback returned non-zero */
} LsStatus;

typedef struct {
    int max_steps;           /* candidates to try, >= 1 */
    double shrink;           /* in (0, 1), 0.5 halves */
    double max_kl;           /* KL bound, e.g. 1.5 * delta */
    double accept_ratio;     /* fraction of the expected improvement required, >= 0 */
    double expected_improve; /* linear prediction g^T step for frac = 1; <= 0: unused */
} LsConfig;

typedef struct {
    LsStatus status;
    int steps;             /* candidates evaluated */
    double frac;           /* accepted fraction (0 if none) */
    double improve;        /* of the accepted candidate, or of the last one tried */
    double kl;             /* likewise */
    int n_kl_rejects;      /* candidates refused for KL (or non-finite) */
    int n_improve_rejects; /* candidates refused for too little improvement */
} LsResult;

/* Run the search; returns res->status. */
LsStatus linesearch_backtrack(LsResult *res, const LsConfig *cfg, LsEval eval, void *ctx);

#endif
