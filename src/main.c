/* main.c - the `mpirl` command: picks a subcommand and hands over to the libraries.
 *
 * Subcommands in this build: help (also -h, --help, or no arguments), version (also
 * --version) and train, which so far only describes the job it will run (DESIGN.md).
 * eval, envs and replay come with their modules.
 *
 * help and version never start MPI. Everything else initialises it through comm.h so
 * that under mpirun only rank 0 prints; errors exit with status 2 on every rank, after
 * MPI_Finalize, never through MPI_Abort.
 */
#include <stdio.h>
#include <string.h>

#include "comm.h"

/* meson passes project(version); the fallback is for builds outside meson */
#ifndef MPIRL_VERSION
#define MPIRL_VERSION "unknown"
#endif

static void print_usage(void)
{
    printf("usage: mpirl <command>\n"
           "\n"
           "commands:\n"
           "  train     train a policy; not in this build yet, describes the default job\n"
           "  help      show this message (also -h, --help)\n"
           "  version   print the version (also --version)\n"
           "\n"
           "examples:\n"
           "  mpirl train                  one process, learner and actor in turn\n"
           "  mpirun -np 9 mpirl train     rank 0 learns, ranks 1..8 collect samples\n");
}

/* Print "mpirl: <what> '<arg>' <hint>" from rank 0 only (MPI is started for this, so
 * that the rank is known) and return the exit status 2 for every rank. */
static int usage_error(int *argc, char ***argv, const char *what, const char *arg, const char *hint)
{
    comm_init(argc, argv); /* on failure every process prints: better than nothing */
    if (comm_rank() == 0)
        fprintf(stderr, "mpirl: %s '%s' %s\n", what, arg, hint);
    comm_finalize();
    return 2;
}

/* `mpirl train`: no options and no training loop yet; says what the default job will
 * be. */
static int cmd_train(int *argc, char ***argv)
{
    if (*argc > 2)
        return usage_error(argc, argv, "unknown option", (*argv)[2],
                           "for train (it takes none yet)");
    if (comm_init(argc, argv))
        return 1;
    int n = comm_size();
    comm_printf_once("mpirl train: training is not implemented in this build yet.\n"
                     "Once the training loop exists, the default job will be PPO on "
                     "CartPole-v1:\n"
                     "  under mpirun with N ranks: one learner (rank 0) and N-1 actors "
                     "(this run: N = %d)\n"
                     "  without mpirun: a single process that is learner and actor in "
                     "turn.\n",
                     n);
    comm_finalize();
    return 0;
}

int main(int argc, char **argv)
{
    /* help and version ignore further arguments (`mpirl help train` shows the usage) */
    const char *cmd = argc > 1 ? argv[1] : "help";
    if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        print_usage();
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("mpirl %s\n", MPIRL_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "train"))
        return cmd_train(&argc, &argv);
    return usage_error(&argc, &argv, "unknown command", cmd, "(valid: train, help, version)");
}
