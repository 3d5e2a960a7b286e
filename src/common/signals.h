/* signals.h - SIGINT and SIGTERM as requests to stop cleanly.
 *
 * A cluster's scheduler ends a job with SIGTERM (Slurm at the time limit) and a user
 * with Ctrl-C (SIGINT). The handlers only record the signal; the training loop polls
 * it at safe points, finishes the current update, writes a checkpoint and stops every
 * rank, which then exits 0.
 */
#ifndef MPIRL_SIGNALS_H
#define MPIRL_SIGNALS_H

/* Install the recording handlers for SIGINT and SIGTERM. Returns 0 or -1. */
int signals_install(void);

/* The last signal recorded since signals_install (SIGINT or SIGTERM), 0 if none. */
int signals_pending(void);

#endif
