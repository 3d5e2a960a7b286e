/* test_opts.c - the command-line parser every command shares (opts.h): each rule, and
 * each refusal with its message. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "testutil.h"

typedef struct {
    const char *text;
    long long n;
    int flag;
    char seen[256]; /* handler calls, "name=value;" each */
} Out;

static int record(void *ctx, const Opt *opt, const char *value, char *err, size_t len)
{
    Out *o = ctx;
    if (!strcmp(value, "refuse")) {
        snprintf(err, len, "--%s: refused", opt->name);
        return -1;
    }
    const size_t used = strlen(o->seen);
    snprintf(o->seen + used, sizeof o->seen - used, "%s=%s;", opt->name, value);
    return 0;
}

/* parse the NULL-terminated args against the test table */
static int parse(Out *o, char *err, const char **args)
{
    memset(o, 0, sizeof *o);
    const Opt opts[] = {
        {"text", OPT_TEXT, &o->text, 0, 0}, {"count", OPT_INT, &o->n, -3, 40},
        {"flag", OPT_FLAG, &o->flag, 0, 0}, {"each-one", OPT_HANDLER, NULL, 0, 0},
        {"switch", OPT_SWITCH, NULL, 0, 0},
    };
    int argc = 0;
    while (args[argc])
        argc++;
    err[0] = '\0';
    return opts_parse(opts, 5, record, o, argc, (char **)args, err, 512);
}

START_TEST(test_accepts)
{
    Out o;
    char err[512];
    const char *a1[] = {"--text",       "a b",      "--count=-3", "--flag", "--each_one", "x",
                        "--each-one=y", "--switch", "--switch",   "no",     NULL};
    ck_assert_int_eq(parse(&o, err, a1), 0);
    ck_assert_str_eq(o.text, "a b");
    ck_assert_int_eq(o.n, -3);
    ck_assert_int_eq(o.flag, 1);
    /* handlers in order, a switch alone means 1, '-' and '_' alike */
    ck_assert_str_eq(o.seen, "each-one=x;each-one=y;switch=1;switch=no;");
    const char *a2[] = {"--count", "40", "--text=", NULL};
    ck_assert_int_eq(parse(&o, err, a2), 0);
    ck_assert_int_eq(o.n, 40);
    ck_assert_str_eq(o.text, "");
    const char *a3[] = {NULL};
    ck_assert_int_eq(parse(&o, err, a3), 0);
    ck_assert_ptr_null(o.text);
    const char *a4[] = {"--count", "3", "-h", "--bogus", NULL};
    ck_assert_int_eq(parse(&o, err, a4), 1); /* help stops the parse */
    const char *a5[] = {"--help", NULL};
    ck_assert_int_eq(parse(&o, err, a5), 1);
    ck_assert_int_eq(opts_wants_help(4, (char **)a4), 1);
    ck_assert_int_eq(opts_wants_help(2, (char **)a2), 0);
}
END_TEST

START_TEST(test_refuses)
{
    static const struct {
        const char *args[4];
        const char *msg;
    } cases[] = {
        {{"--bogus", "1"},
         "unknown option '--bogus' (valid: --text, --count, --flag, "
         "--each-one, --switch)"},
        {{"--bogus=1"}, "unknown option '--bogus' (valid: --text,"},
        {{"--tex"}, "unknown option '--tex'"},
        {{"stray"}, "unexpected argument 'stray' (options are --name value)"},
        {{"--"}, "unexpected argument '--'"},
        {{"-x"}, "unexpected argument '-x'"},
        {{"--text"}, "option '--text' needs a value"},
        {{"--each-one"}, "option '--each-one' needs a value"},
        {{"--text", "a", "--text=b"}, "option '--text' given twice"},
        {{"--count", "41"}, "--count: '41' is not valid (expected an integer in [-3, 40])"},
        {{"--count", "-4"}, "--count: '-4' is not valid"},
        {{"--count", "1x"}, "--count: '1x' is not valid"},
        {{"--count", ""}, "--count: '' is not valid"},
        {{"--count", "99999999999999999999"}, "--count: '99999999999999999999' is not valid"},
        {{"--flag=1"}, "option '--flag' takes no value"},
        {{"--each-one", "refuse"}, "--each-one: refused"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Out o;
        char err[512];
        const char *args[5] = {cases[i].args[0], cases[i].args[1], cases[i].args[2],
                               cases[i].args[3], NULL};
        ck_assert_int_eq(parse(&o, err, args), -1);
        ck_assert_msg(strstr(err, cases[i].msg) != NULL, "case %zu: got \"%s\", want \"%s\"", i,
                      err, cases[i].msg);
    }
}
END_TEST

START_TEST(test_names)
{
    ck_assert(opts_name_is("num-envs", "num_envs"));
    ck_assert(opts_name_is("num_envs=3", "num_envs"));
    ck_assert(opts_name_is("actions_file", "actions-file"));
    ck_assert(!opts_name_is("num", "num_envs"));
    ck_assert(!opts_name_is("num_envs2", "num_envs"));
    ck_assert(!opts_name_is("", "x"));
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"opts_accepts", test_accepts},
        {"opts_refuses", test_refuses},
        {"opts_names", test_names},
    };
    return tu_run(tu_suite("opts", cases, TU_COUNT(cases), 0));
}
