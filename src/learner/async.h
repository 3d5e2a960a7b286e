/* async.h - the learner's loop of asynchronous mode (the actors' is actor_async). */
#ifndef MPIRL_ASYNC_H
#define MPIRL_ASYNC_H

#include <stdint.h>

#include "trainer.h"

/* Apply gradients as they arrive and answer each sender, until the step budget or a
 * stop; counters start at the given values (0, or a checkpoint's). in is a buffer of
 * async_message_len bytes, out holds size answer buffers of params_len bytes, one
 * per rank. Writes the final checkpoint. Returns 0, or 1 on an error (reported). */
int async_learner(Trainer *t, unsigned char *in, unsigned char *out, int64_t it, int64_t env_steps,
                  int64_t version);

#endif
