/* eval.h - `mpirl eval`: run a saved policy and report its returns. */
#ifndef MPIRL_EVAL_H
#define MPIRL_EVAL_H

/* Run `mpirl eval` with argv[0] = "eval":
 *   --checkpoint FILE [--episodes N] [--deterministic] [--seed S] [--json]
 * Loads the policy, its observation normaliser and its configuration from the
 * checkpoint, runs N episodes (split across ranks under mpirun) and prints, from rank
 * 0, the mean and standard deviation of the return and the mean length; with --json a
 * single JSON object {"episodes", "return_mean", "return_std", "length_mean"}.
 * Deterministic: the mode of the distribution (argmax, mean) instead of a sample.
 * Returns the exit status: 0, 2 for bad input (one message, from rank 0), 1 otherwise. */
int eval_main(int argc, char **argv);

#endif
