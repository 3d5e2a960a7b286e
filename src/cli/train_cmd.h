/* train_cmd.h - the `mpirl train` command: configuration, run directory, training. */
#ifndef MPIRL_TRAIN_CMD_H
#define MPIRL_TRAIN_CMD_H

/* Run `mpirl train` with argv[0] = "train". Initialises and finalises MPI. Returns the
 * exit status: 0 done, 1 runtime failure, 2 bad input (one message, from rank 0). */
int train_main(int argc, char **argv);

#endif
