/* env.c - helpers of the environment API (env.h). */
#include "env.h"

#include <math.h>

int env_action_dim(const EnvSpec *spec)
{
    return spec->act_kind == SPACE_DISCRETE ? 1 : spec->act_n;
}

int env_discrete_action(float a, int n)
{
    for (int k = 0; k < n; k++)
        if (a == (float)k)
            return k;
    return -1;
}

int env_states_finite(const double *in, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(in[i]))
            return 0;
    return 1;
}

double env_clip(double x, double lo, double hi)
{
    x = lo > x ? lo : x;
    return hi < x ? hi : x;
}
