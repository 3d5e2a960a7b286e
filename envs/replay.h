/* replay.h - `mpirl replay`: run one environment from a given internal state through a
 * given list of actions and print every step as CSV, for comparison with Gymnasium.
 */
#ifndef MPIRL_REPLAY_H
#define MPIRL_REPLAY_H

#include <stdio.h>

/* Run `mpirl replay` with argv[0] = "replay" and the options after it (see the usage
 * text printed by --help, or the top of replay.c). The CSV goes to out, errors (one
 * line, naming the problem and the valid choices) and notes to err. Returns the exit
 * status: 0 on success (and for --help), 2 on any usage or input error, in which case
 * nothing at all has been written to out. Needs no MPI. */
int replay_main(int argc, char **argv, FILE *out, FILE *err);

#endif
