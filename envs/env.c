/* env.c - helpers of the environment API (env.h). */
#include "env.h"

int env_action_dim(const EnvSpec *spec)
{
    return spec->act_kind == SPACE_DISCRETE ? 1 : spec->act_n;
}
