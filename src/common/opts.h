/* opts.h - the command-line parser every mpirl command uses, over a table of options.
 *
 * The same rules for every command:
 *   --name VALUE or --name=VALUE   an option with a value
 *   --name                         a flag, or a switch followed by no value
 *   -h, --help                     help (opts_parse returns 1)
 * '-' and '_' are the same in names (--num-envs, --num_envs). Anything else is refused
 * with a message naming it and the valid options: an unknown option, a positional
 * argument, a missing value, a value given twice, an integer out of range.
 */
#ifndef MPIRL_OPTS_H
#define MPIRL_OPTS_H

#include <stddef.h>

typedef enum {
    OPT_FLAG,    /* no value: *(int *)out = 1 */
    OPT_TEXT,    /* a value, at most once: *(const char **)out = VALUE (argv's string) */
    OPT_INT,     /* an integer in [min, max], at most once: *(long long *)out */
    OPT_HANDLER, /* a value; every occurrence goes to the handler, in order */
    OPT_SWITCH,  /* a value if the next argument is not an option, else "1"; to the handler */
} OptKind;

typedef struct {
    const char *name; /* without the leading "--" */
    OptKind kind;
    void *out;          /* FLAG, TEXT, INT: where the value goes */
    long long min, max; /* INT: the valid range */
} Opt;

/* Receives a HANDLER or SWITCH option: the table's row and the value. Returns 0, or -1
 * with a message in err (len bytes), which opts_parse passes on. */
typedef int (*OptHandler)(void *ctx, const Opt *opt, const char *value, char *err, size_t len);

/* Parse argv[0..argc) (the command's arguments, without its name) against opts[0..n).
 * Returns 0, 1 if help was asked for (nothing after it is parsed), or -1 with a message
 * in err. */
int opts_parse(const Opt *opts, int n, OptHandler handler, void *ctx, int argc, char **argv,
               char *err, size_t len);

/* 1 if -h or --help is among argv[0..argc), for commands that answer it before anything
 * else (before MPI starts). */
int opts_wants_help(int argc, char **argv);

/* Does `name` (up to its end or a '=') name option `opt` ('-' and '_' alike)? */
int opts_name_is(const char *name, const char *opt);

#endif
