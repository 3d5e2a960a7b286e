/* policy.h - the model a run configuration describes for an environment. */
#ifndef MPIRL_POLICY_H
#define MPIRL_POLICY_H

#include <stddef.h>

#include "config.h"
#include "env.h"
#include "model.h"

/* Build the actor-critic model of cfg (hidden sizes, activation, initial log-std) for
 * spec (categorical policy for a discrete action space, diagonal Gaussian for a box).
 * Returns 0, or -1 with a message in err. */
int policy_model_init(Model *m, const Config *cfg, const EnvSpec *spec, char *err, size_t errlen);

#endif
