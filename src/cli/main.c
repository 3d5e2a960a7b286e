/* main.c - the `mpirl` command: picks a subcommand and hands over to the libraries.
 *
 * Subcommands: help (also -h, --help, or no arguments), version (also --version),
 * train (train_cmd.h), eval (eval.h), envs (the environment
 * registry, envs/registry.h) and replay (envs/replay.h).
 *
 * help, version, envs and replay never start MPI: they print from every process they
 * run in. Everything else initialises it through comm.h so that under mpirun only
 * rank 0 prints; errors exit with status 2 on every rank, after MPI_Finalize, never
 * through MPI_Abort.
 */
#include <stdio.h>
#include <string.h>

#include "comm.h"
#include "eval.h"
#include "registry.h"
#include "replay.h"
#include "train_cmd.h"

/* meson passes project(version); the fallback is for builds outside meson */
#ifndef MPIRL_VERSION
#define MPIRL_VERSION "unknown"
#endif

static void print_usage(void)
{
    printf("usage: mpirl <command>\n"
           "\n"
           "commands:\n"
           "  train     train a policy (mpirl train --help for every option)\n"
           "  eval      run a saved policy and report its returns (mpirl eval --help)\n"
           "  envs      list the environments: spaces, time limit, state size\n"
           "            (--env PLUGIN, repeatable, adds a plugin's environments)\n"
           "  replay    run one environment from a given state through given actions,\n"
           "            print every step as CSV (mpirl replay --help)\n"
           "  help      show this message (also -h, --help)\n"
           "  version   print the version (also --version)\n"
           "\n"
           "An environment is a registered id (mpirl envs) or a plugin: a shared library\n"
           "given as a path containing '/' or ending in .so, or plugin:PATH[:ID].\n"
           "\n"
           "examples:\n"
           "  mpirl train                  one process, learner and actor in turn\n"
           "  mpirun -np 9 mpirl train     rank 0 learns, ranks 1..8 collect samples\n"
           "  mpirl envs --env ./libmyenv.so\n"
           "  mpirl replay --env CartPole-v1 --state 0.01,0,0.02,0 --actions 1,0,1,1\n");
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

/* `mpirl envs [--env PLUGIN]...`: the registry's table, plugins included. No MPI. */
static int cmd_envs(int argc, char **argv)
{
    EnvRegistry *reg = registry_create();
    if (reg == NULL) {
        fprintf(stderr, "mpirl envs: out of memory\n");
        return 1;
    }
    char err[1536];
    for (int i = 2; i < argc; i++) {
        const char *name = NULL;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: mpirl envs [--env PLUGIN]...\n"
                   "List every environment: id, action space, time limit, state size (the\n"
                   "values mpirl replay --state takes), source, observation size and bounds.\n"
                   "--env adds a plugin's environments: ./libmyenv.so or plugin:PATH[:ID].\n");
            registry_destroy(&reg);
            return 0;
        }
        if (!strcmp(argv[i], "--env") && i + 1 < argc)
            name = argv[++i];
        else if (!strncmp(argv[i], "--env=", 6))
            name = argv[i] + 6;
        if (name == NULL) {
            fprintf(stderr, "mpirl envs: %s '%s' (valid: --env PLUGIN, repeatable)\n",
                    !strcmp(argv[i], "--env") ? "no value for option" : "unknown option", argv[i]);
            registry_destroy(&reg);
            return 2;
        }
        if (registry_load(reg, name, err, sizeof err) != 0) {
            fprintf(stderr, "mpirl envs: %s\n", err);
            registry_destroy(&reg);
            return 2;
        }
    }
    registry_print(reg, stdout);
    registry_destroy(&reg);
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
        return train_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval"))
        return eval_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "envs"))
        return cmd_envs(argc, argv);
    if (!strcmp(cmd, "replay"))
        return replay_main(argc - 1, argv + 1, stdout, stderr);
    return usage_error(&argc, &argv, "unknown command", cmd,
                       "(valid: train, eval, envs, replay, help, version)");
}
