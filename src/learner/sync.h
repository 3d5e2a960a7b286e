/* sync.h - one iteration of synchronous training, on every rank. */
#ifndef MPIRL_SYNC_H
#define MPIRL_SYNC_H

#include <stdint.h>

#include "trainer.h"

/* sync_iteration's result after a stop signal: the checkpoint is written, stop */
#define SYNC_STOPPED 3

/* Iteration it (from 0) of iters; env_steps counts the steps so far, t_start is when
 * training started (the metrics' wall clock). Returns 0, SYNC_STOPPED, 1 when training
 * must stop on an error (reported), -1 on an MPI failure. */
int sync_iteration(Trainer *t, int64_t it, int64_t iters, int64_t *env_steps, double t_start);

#endif
