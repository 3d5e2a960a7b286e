/* test_config.c - configuration keys, validation messages, INI files and flags. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "algo.h"
#include "config.h"
#include "testutil.h"

/* the whole configuration as its written INI text */
static char *config_text(const Config *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(config_write(c, f), 0);
    fclose(f);
    return buf;
}

/* write `text` to a temporary file; returns its path (static buffer) */
static const char *temp_file(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/mpirl-config-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(test_set_valid)
{
    Config c;
    char err[CONFIG_ERR_LEN];
    config_defaults(&c);
    ck_assert_int_eq(config_set(&c, "lr", "3e-4", err), 0);
    ck_assert_double_eq(c.lr, 3e-4);
    ck_assert_int_eq(config_set(&c, "steps", "1e6", err), 0);
    ck_assert_int_eq(c.steps, 1000000);
    ck_assert_int_eq(config_set(&c, "num-envs", "16", err), 0); /* '-' for '_' */
    ck_assert_int_eq(c.num_envs, 16);
    ck_assert_int_eq(config_set(&c, "norm_obs", "yes", err), 0);
    ck_assert_int_eq(c.norm_obs, 1);
    ck_assert_int_eq(config_set(&c, "hidden", "256,128,32", err), 0);
    ck_assert_int_eq(c.n_hidden, 3);
    ck_assert_int_eq(c.hidden[2], 32);
    ck_assert_int_eq(config_set(&c, "algo", "trpo", err), 0);
    ck_assert_str_eq(c.algo, "trpo");
    ck_assert_int_eq(config_set(&c, "gamma", "1", err), 0); /* closed bound */
    ck_assert_int_eq(config_set(&c, "vf_clip", "0", err), 0);
}
END_TEST

/* a rejected value leaves the configuration unchanged and names key and range */
static void expect_bad(const char *key, const char *value, const char *needle)
{
    Config c, before;
    char err[CONFIG_ERR_LEN] = "";
    config_defaults(&c);
    before = c;
    ck_assert_msg(config_set(&c, key, value, err) == -1, "%s=%s accepted", key, value);
    ck_assert_msg(strstr(err, needle) != NULL, "message '%s' lacks '%s'", err, needle);
    ck_assert(memcmp(&c, &before, sizeof c) == 0);
}

START_TEST(test_set_invalid)
{
    expect_bad("lr", "0", "lr: '0' is not valid (expected (0, 1])");
    expect_bad("lr", "abc", "expected (0, 1]");
    expect_bad("lr", "1e-3x", "lr");
    expect_bad("lr", "nan", "lr");
    expect_bad("gamma", "1.5", "[0, 1]");
    expect_bad("epochs", "2.5", "an integer in [1, 1000]");
    expect_bad("epochs", "0", "an integer");
    expect_bad("steps", "-5", "steps");
    expect_bad("algo", "dqn", "one of ppo,ppo-kl,a2c,a3c,reinforce,trpo,npg");
    expect_bad("mode", "", "one of sync,async");
    expect_bad("norm_obs", "maybe", "true or false");
    expect_bad("hidden", "64,,64", "comma-separated");
    expect_bad("hidden", "64,", "comma-separated");
    expect_bad("hidden", "0", "comma-separated");
    expect_bad("hidden", "", "comma-separated");
    expect_bad("hidden", "1,2,3,4,5,6,7,8", "1 to 7");
    expect_bad("learning_rate", "1", "unknown key 'learning_rate' (valid: env, algo,");
    /* strings that would not survive a written configuration */
    expect_bad("out", " runs/x", "no space at the ends");
    expect_bad("out", "runs/x\t", "no space at the ends");
    expect_bad("out", "runs;x", "no ';'");
    expect_bad("env", "Cart\nPole", "no control characters");
    char long_out[CONFIG_STR_MAX + 2];
    memset(long_out, 'a', sizeof long_out - 1);
    long_out[sizeof long_out - 1] = '\0';
    expect_bad("out", long_out, "at most 160 characters");
}
END_TEST

START_TEST(test_apply_list)
{
    Config c;
    char err[CONFIG_ERR_LEN];
    config_defaults(&c);
    const char *const preset[] = {"num_envs=4", "lr=1e-3", NULL};
    ck_assert_int_eq(config_apply_list(&c, preset, "preset of X", err), 0);
    ck_assert_int_eq(c.num_envs, 4);
    ck_assert_double_eq(c.lr, 1e-3);
    const char *const bad[] = {"gamma=2", NULL};
    ck_assert_int_eq(config_apply_list(&c, bad, "preset of X", err), -1);
    ck_assert_str_eq(err, "preset of X: gamma: '2' is not valid (expected [0, 1])");
    const char *const noeq[] = {"gamma", NULL};
    ck_assert_int_eq(config_apply_list(&c, noeq, "preset of X", err), -1);
    ck_assert(strstr(err, "not key=value") != NULL);
    ck_assert_int_eq(config_apply_list(&c, NULL, "none", err), 0);
    /* algorithm-qualified entries apply to their algorithm only */
    const char *const qualified[] = {"a2c:lr=0.007", "ppo:epochs=9", "ppo-kl:epochs=3", NULL};
    ck_assert_int_eq(config_apply_list(&c, qualified, "preset of X", err), 0);
    ck_assert_double_eq(c.lr, 1e-3);
    ck_assert_int_eq(c.epochs, 9);
    config_set(&c, "algo", "a2c", err);
    ck_assert_int_eq(config_apply_list(&c, qualified, "preset of X", err), 0);
    ck_assert_double_eq(c.lr, 0.007);
    ck_assert_int_eq(c.epochs, 9);
}
END_TEST

START_TEST(test_load_file)
{
    Config c;
    char err[CONFIG_ERR_LEN], want[CONFIG_ERR_LEN];
    config_defaults(&c);
    const char *p = temp_file("; a comment\nseed = 7\n[train]\nenv = Pendulum-v1\n"
                              "hidden = 32,32\nquiet = true\n");
    ck_assert_int_eq(config_load_file(&c, p, err), 0);
    ck_assert_int_eq(c.seed, 7);
    ck_assert_str_eq(c.env, "Pendulum-v1");
    ck_assert_int_eq(c.hidden[1], 32);
    ck_assert_int_eq(c.quiet, 1);
    unlink(p);

    p = temp_file("seed = 7\n\nlr = -1\nepochs = 3\n");
    ck_assert_int_eq(config_load_file(&c, p, err), -1);
    snprintf(want, sizeof want, "%s:3: lr: '-1' is not valid", p);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s'", err);
    unlink(p);

    p = temp_file("seed = 7\nbogus = 1\n");
    ck_assert_int_eq(config_load_file(&c, p, err), -1);
    snprintf(want, sizeof want, "%s:2: unknown key 'bogus'", p);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s'", err);
    unlink(p);

    p = temp_file("[model]\nhidden = 8\n");
    ck_assert_int_eq(config_load_file(&c, p, err), -1);
    ck_assert_msg(strstr(err, ":2: section [model] is not known (valid: [train])"), "%s", err);
    unlink(p);

    /* a line longer than libinih reads at once still counts as one line */
    char longline[400];
    memset(longline, ' ', sizeof longline);
    memcpy(longline, "; ", 2);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = '\0';
    char text[600];
    snprintf(text, sizeof text, "%sgamma = 3\n", longline);
    p = temp_file(text);
    ck_assert_int_eq(config_load_file(&c, p, err), -1);
    ck_assert_msg(strstr(err, ":2: gamma"), "%s", err);
    unlink(p);

    p = temp_file("seed = 1\nthis line has no equals sign\n");
    ck_assert_int_eq(config_load_file(&c, p, err), -1);
    ck_assert_msg(strstr(err, ":2: not 'key = value'"), "%s", err);
    unlink(p);

    /* a key given twice, in or out of [train], is refused with both lines */
    p = temp_file("lr = 0.001\ngamma = 0.9\n[train]\nlr = 0.002\n");
    ck_assert_int_eq(config_load_file(&c, p, err), -1);
    ck_assert_msg(strstr(err, ":4: key 'lr' given twice (first on line 1)"), "%s", err);
    unlink(p);

    /* text after a NUL byte would be dropped silently: the line is refused */
    {
        char path[64] = "/tmp/mpirl-config-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        static const char nul[] = "seed = 3\nlr = 0.001\0gamma = 2\n";
        ck_assert_int_eq(write(fd, nul, sizeof nul - 1), (int)(sizeof nul - 1));
        close(fd);
        ck_assert_int_eq(config_load_file(&c, path, err), -1);
        ck_assert_msg(strstr(err, ":2: a NUL byte in the line"), "%s", err);
        unlink(path);
    }

    /* a directory opens for reading, but is no configuration */
    ck_assert_int_eq(config_load_file(&c, "/tmp", err), -1);
    ck_assert_str_eq(err, "config file /tmp: not a regular file (a directory)");

    ck_assert_int_eq(config_load_file(&c, "/nonexistent/mpirl.ini", err), -1);
    ck_assert_str_eq(err, "config file /nonexistent/mpirl.ini: No such file or directory");
}
END_TEST

START_TEST(test_parse_args)
{
    Config c;
    char err[CONFIG_ERR_LEN];
    config_defaults(&c);
    const char *p = temp_file("lr = 0.01\nseed = 3\n");
    char cfgarg[80];
    snprintf(cfgarg, sizeof cfgarg, "--config=%s", p);
    /* later flags override the file, earlier ones are overridden by it */
    char *argv[] = {"--seed", "9", cfgarg, "--lr=0.02", "--quiet", "--num-envs", "3"};
    ck_assert_int_eq(config_parse_args(&c, 7, argv, err), 0);
    ck_assert_int_eq(c.seed, 3);
    ck_assert_double_eq(c.lr, 0.02);
    ck_assert_int_eq(c.quiet, 1);
    ck_assert_int_eq(c.num_envs, 3);
    unlink(p);

    char *unknown[] = {"--learning-rate", "1"};
    ck_assert_int_eq(config_parse_args(&c, 2, unknown, err), -1);
    ck_assert_msg(strstr(err, "unknown option '--learning-rate' (valid: --config, --env,"), "%s",
                  err);
    char *missing[] = {"--lr"};
    ck_assert_int_eq(config_parse_args(&c, 1, missing, err), -1);
    ck_assert_str_eq(err, "option '--lr' needs a value");
    char *bare[] = {"ppo"};
    ck_assert_int_eq(config_parse_args(&c, 1, bare, err), -1);
    ck_assert(strstr(err, "unexpected argument 'ppo'") != NULL);
    char *range[] = {"--clip-eps", "2"};
    ck_assert_int_eq(config_parse_args(&c, 2, range, err), -1);
    ck_assert_str_eq(err, "--clip_eps: '2' is not valid (expected (0, 1])");
}
END_TEST

START_TEST(test_write_roundtrip)
{
    Config a, b;
    char err[CONFIG_ERR_LEN];
    config_defaults(&a);
    config_set(&a, "lr", "0.000123456789012345", err);
    config_set(&a, "hidden", "7,9", err);
    config_set(&a, "out", "runs/x y", err);
    config_set(&a, "steps", "123456789012", err);
    char *text = config_text(&a);
    const char *p = temp_file(text);
    config_defaults(&b);
    ck_assert_int_eq(config_load_file(&b, p, err), 0);
    char *text2 = config_text(&b);
    ck_assert_str_eq(text, text2);
    ck_assert_double_eq(b.lr, a.lr);
    ck_assert_int_eq(b.steps, a.steps);
    ck_assert_str_eq(b.out, "runs/x y");
    unlink(p);
    free(text);
    free(text2);
    /* help names every key with its default */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    config_print_help(f);
    fclose(f);
    ck_assert(strstr(buf, "--num_envs") && strstr(buf, "(default 8)"));
    free(buf);
}
END_TEST

/* the algorithm and mode tables: config's choices are theirs, every row is consistent */
START_TEST(test_algo_table)
{
    ck_assert_str_eq(algo_names(), "ppo,ppo-kl,a2c,a3c,reinforce,trpo,npg,grpo,rloo");
    ck_assert_str_eq(mode_names(), "sync,async");
    Config c;
    config_defaults(&c);
    char err[CONFIG_ERR_LEN];
    for (int i = 0; i < N_ALGOS; i++) {
        const Algo *a = &ALGOS[i];
        ck_assert_int_eq(a->id, i);
        ck_assert_ptr_eq(algo_find(a->name), a);
        ck_assert_int_eq(config_set(&c, "algo", a->name, err), 0);
        ck_assert_uint_ne(a->modes, 0);
        const int every = a->modes == (1u << N_MODES) - 1;
        ck_assert_int_eq(a->mode_note == NULL, every);
        if (a->flags & ALGO_LINE_SEARCH)
            ck_assert(a->flags & ALGO_NATURAL);
        ck_assert(a->help && a->help[0]);
        /* an algorithm's defaults are settings of its own configuration */
        for (int k = 0; a->defaults && a->defaults[k]; k++) {
            Config d;
            config_defaults(&d);
            ck_assert_int_eq(config_apply_list(&d, a->defaults, "test", err), 0);
        }
        if (a->flags & ALGO_GROUPS) /* critic-free: neither a value loss nor its clip */
            ck_assert(!(a->flags & (ALGO_VF_CLIP | ALGO_NATURAL | ALGO_MONTE_CARLO)));
    }
    for (int i = 0; i < N_MODES; i++) {
        ck_assert_int_eq(MODES[i].id, i);
        ck_assert_ptr_eq(mode_find(MODES[i].name), &MODES[i]);
        ck_assert_int_eq(config_set(&c, "mode", MODES[i].name, err), 0);
    }
    ck_assert_ptr_null(algo_find("PPO"));
    ck_assert_ptr_null(mode_find(""));
    ck_assert_int_ne(config_set(&c, "algo", "dqn", err), 0);
    ck_assert_ptr_nonnull(strstr(err, "one of ppo,ppo-kl,a2c,a3c,reinforce,trpo,npg"));
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"config_set_valid", test_set_valid},   {"config_set_invalid", test_set_invalid},
        {"config_apply_list", test_apply_list}, {"config_load_file", test_load_file},
        {"config_parse_args", test_parse_args}, {"config_write", test_write_roundtrip},
        {"algo_table", test_algo_table},
    };
    return tu_run(tu_suite("config", cases, TU_COUNT(cases), 0));
}
