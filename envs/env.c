/* env.c - helpers of the environment API (env.h). */
#include "env.h"

#include <math.h>
#include <string.h>

int env_action_dim(const EnvSpec *spec)
{
    return spec->act_kind == SPACE_DISCRETE ? 1 : spec->act_n;
}

void env_batch_put(const EnvSpec *spec, void *batch, int n, int i, const void *state)
{
    unsigned char *b = batch;
    const unsigned char *s = state;
    const size_t words = spec->state_bytes / 8;
    for (size_t w = 0; w < words; w++) /* word w of environment i */
        memcpy(b + 8 * (w * (size_t)n + (size_t)i), s + 8 * w, 8);
}

void env_batch_get(const EnvSpec *spec, const void *batch, int n, int i, void *state)
{
    const unsigned char *b = batch;
    unsigned char *s = state;
    const size_t words = spec->state_bytes / 8;
    for (size_t w = 0; w < words; w++)
        memcpy(s + 8 * w, b + 8 * (w * (size_t)n + (size_t)i), 8);
}

int env_states_finite(const double *in, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(in[i]))
            return 0;
    return 1;
}

int env_open(const EnvSpec *spec, void *state, char *err, size_t errlen)
{
    return spec->open != NULL ? spec->open(spec, state, err, errlen) : 0;
}

void env_close(const EnvSpec *spec, void *state)
{
    if (spec->close != NULL)
        spec->close(spec, state);
}

size_t env_save_bytes(const EnvSpec *spec)
{
    return spec->save != NULL ? spec->save_bytes : spec->state_bytes;
}

void env_save(const EnvSpec *spec, const void *state, void *out)
{
    if (spec->save != NULL)
        spec->save(spec, state, out);
    else
        memcpy(out, state, spec->state_bytes);
}

int env_load(const EnvSpec *spec, void *state, const void *in)
{
    if (spec->load != NULL)
        return spec->load(spec, state, in);
    memcpy(state, in, spec->state_bytes);
    return 0;
}
