/* linesearch.c - backtracking line search along a trust-region step.
 *
 * Reference: J. Schulman, S. Levine, P. Moritz, M. Jordan and P. Abbeel, "Trust region
 * policy optimization", ICML 2015, appendix C: shrink the full step exponentially
 * until the surrogate improves and the KL constraint holds. The optional test
 * improvement >= accept_ratio * fraction * expected_improve is the Armijo-style
 * condition of Schulman's modular_rl TRPO line search (accept_ratio 0.1 there).
 *
 * Left out: interpolating (quadratic / cubic) step choices, and restoring or applying
 * the parameters, which is the caller's (the callback moves them to each candidate).
 */
#include "linesearch.h"

#include <math.h>

LsStatus linesearch_backtrack(LsResult *res, const LsConfig *cfg, LsEval eval, void *ctx)
{
    res->status = LS_NO_STEP;
    res->steps = 0;
    res->frac = 0.0;
    res->improve = 0.0;
    res->kl = 0.0;
    res->n_kl_rejects = 0;
    res->n_improve_rejects = 0;

    double frac = 1.0;
    for (int k = 0; k < cfg->max_steps; k++, frac *= cfg->shrink) {
        double improve = 0.0, kl = 0.0;
        if (eval(ctx, frac, &improve, &kl) != 0) {
            res->status = LS_EVAL_FAILED;
            return res->status;
        }
        res->steps++;
        res->improve = improve;
        res->kl = kl;
        if (!isfinite(improve) || !isfinite(kl) || kl > cfg->max_kl) {
            res->n_kl_rejects++;
            continue;
        }
        const int enough =
            improve > 0.0 && (cfg->expected_improve <= 0.0 ||
                              improve >= cfg->accept_ratio * frac * cfg->expected_improve);
        if (!enough) {
            res->n_improve_rejects++;
            continue;
        }
        res->status = LS_ACCEPTED;
        res->frac = frac;
        return res->status;
    }
    return res->status;
}
