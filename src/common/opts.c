/* opts.c - the command-line parser of every command (see opts.h). */
#include "opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int opts_name_is(const char *name, const char *opt)
{
    const char *a = opt, *b = name;
    while (*a && (*a == *b || ((*a == '_' || *a == '-') && (*b == '_' || *b == '-'))))
        a++, b++;
    return !*a && (!*b || *b == '=');
}

int opts_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
    return 0;
}

/* "--a, --b, ..." into buf */
static void valid_list(const Opt *opts, int n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s--%s", i ? ", " : "", opts[i].name);
}

static int int_value(const Opt *o, const char *v, char *err, size_t len)
{
    char *end;
    errno = 0;
    const long long x = strtoll(v, &end, 10);
    if (end == v || *end || errno || x < o->min || x > o->max) {
        snprintf(err, len, "--%s: '%.100s' is not valid (expected an integer in [%lld, %lld])",
                 o->name, v, o->min, o->max);
        return -1;
    }
    *(long long *)o->out = x;
    return 0;
}

int opts_parse(const Opt *opts, int n, OptHandler handler, void *ctx, int argc, char **argv,
               char *err, size_t len)
{
    char *seen = calloc((size_t)n + 1, 1);
    if (!seen) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            rc = 1;
            break;
        }
        if (strncmp(a, "--", 2) != 0 || !a[2]) {
            snprintf(err, len, "unexpected argument '%.200s' (options are --name value)", a);
            rc = -1;
            break;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        int k = 0;
        while (k < n && !opts_name_is(name, opts[k].name))
            k++;
        if (k == n) {
            char valid[800];
            valid_list(opts, n, valid, sizeof valid);
            int nl = eq ? (int)(eq - name) : (int)strlen(name);
            snprintf(err, len, "unknown option '--%.*s' (valid: %s)", nl > 100 ? 100 : nl, name,
                     valid);
            rc = -1;
            break;
        }
        const Opt *o = &opts[k];
        const char *v = eq ? eq + 1 : NULL;
        if (o->kind == OPT_FLAG) {
            if (v) {
                snprintf(err, len, "option '--%s' takes no value", o->name);
                rc = -1;
                break;
            }
            *(int *)o->out = 1;
            continue;
        }
        if (!v && o->kind == OPT_SWITCH && (i + 1 >= argc || !strncmp(argv[i + 1], "--", 2)))
            v = "1";
        if (!v) {
            if (i + 1 >= argc) {
                snprintf(err, len, "option '--%s' needs a value", o->name);
                rc = -1;
                break;
            }
            v = argv[++i];
        }
        if ((o->kind == OPT_TEXT || o->kind == OPT_INT) && seen[k]) {
            snprintf(err, len, "option '--%s' given twice", o->name);
            rc = -1;
            break;
        }
        seen[k] = 1;
        if (o->kind == OPT_TEXT)
            *(const char **)o->out = v;
        else if (o->kind == OPT_INT)
            rc = int_value(o, v, err, len);
        else
            rc = handler(ctx, o, v, err, len) != 0 ? -1 : 0;
    }
    free(seen);
    return rc;
}
