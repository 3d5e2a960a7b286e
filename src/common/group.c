/* group.c - group-relative advantages and the k3 KL estimator (see group.h). */
#include "group.h"

#include <math.h>

void group_advantages(double *adv, const double *ret, int n_groups, int size, GroupAdvKind kind,
                      double eps)
{
    for (int g = 0; g < n_groups; g++) {
        const double *r = ret + (long)g * size;
        double *a = adv + (long)g * size;
        if (size < 2) {
            for (int i = 0; i < size; i++)
                a[i] = 0.0;
            continue;
        }
        double mean = 0.0;
        for (int i = 0; i < size; i++)
            mean += r[i];
        mean /= size;
        double scale = 1.0;
        if (kind == GROUP_GRPO) {
            double ss = 0.0;
            for (int i = 0; i < size; i++)
                ss += (r[i] - mean) * (r[i] - mean);
            scale = 1.0 / (sqrt(ss / (size - 1)) + eps);
        } else if (kind == GROUP_RLOO) {
            scale = (double)size / (size - 1);
        }
        for (int i = 0; i < size; i++)
            a[i] = (r[i] - mean) * scale;
    }
}

double group_k3(double logp, double ref_logp, double *dlogp)
{
    const double lr = ref_logp - logp, r = exp(lr);
    if (dlogp)
        *dlogp = 1.0 - r;
    return (r - 1.0) - lr;
}
