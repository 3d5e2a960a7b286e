/* main.c - the `mpirl` command: picks a subcommand and hands over to the libraries.
 *
 * Subcommands: help (also -h, --help, or no arguments), version (also --version),
 * train (train_cmd.h), eval (eval.h), export (export.h), envs (the environment
 * registry, envs/registry.h) and replay (envs/replay.h).
 *
 * help, version, export, envs and replay never start MPI: they print from every process they
 * run in. Everything else initialises it through comm.h so that under mpirun only
 * rank 0 prints; errors exit with status 2 on every rank, after MPI_Finalize, never
 * through MPI_Abort.
 */
#include <stdio.h>
#include <string.h>

#include "comm.h"
#include "eval.h"
#include "export.h"
#include "opts.h"
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
           "  export    write a saved policy as standalone C or as safetensors\n"
           "            (mpirl export --help)\n"
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

/* --env PLUGIN, once for every plugin: load it into the registry (ctx) */
static int load_plugin(void *ctx, const Opt *opt, const char *value, char *err, size_t len)
{
    (void)opt;
    return registry_load(ctx, value, err, len);
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
    const Opt opts[] = {{"env", OPT_HANDLER, NULL, 0, 0}};
    const int rc = opts_parse(opts, 1, load_plugin, reg, argc - 1, argv + 1, err, sizeof err);
    if (rc == 1)
        printf("usage: mpirl envs [--env PLUGIN]...\n"
               "List every environment: id, action space, time limit, state size (the\n"
               "values mpirl replay --state takes), source, observation size and bounds.\n"
               "--env adds a plugin's environments: ./libmyenv.so or plugin:PATH[:ID].\n");
    else if (rc != 0)
        fprintf(stderr, "mpirl envs: %s\n", err);
    else
        registry_print(reg, stdout);
    registry_destroy(&reg);
    return rc < 0 ? 2 : 0;
}

/* the subcommands that take arguments; argv[0] is the command's name */
static int cmd_train(int argc, char **argv)
{
    return train_main(argc, argv);
}

static int cmd_eval(int argc, char **argv)
{
    return eval_main(argc, argv);
}

static int cmd_export(int argc, char **argv)
{
    return export_main(argc, argv);
}

static int cmd_replay(int argc, char **argv)
{
    return replay_main(argc, argv, stdout, stderr);
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} COMMANDS[] = {{"train", cmd_train},
                {"eval", cmd_eval},
                {"export", cmd_export},
                {"envs", cmd_envs},
                {"replay", cmd_replay}};

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
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (!strcmp(cmd, COMMANDS[i].name))
            return COMMANDS[i].run(argc - 1, argv + 1);
    return usage_error(&argc, &argv, "unknown command", cmd,
                       "(valid: train, eval, export, envs, replay, help, version)");
}
