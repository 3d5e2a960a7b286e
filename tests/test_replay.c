/* test_replay.c - unit tests of replay.c (`mpirl replay`), run in process through
 * replay_main with its output captured: the CSV header and rows, round-trip exact
 * numbers (parsed back and compared bit for bit with a direct step of the same spec),
 * --print-state, --actions-file, the action format (components separated by spaces),
 * stopping at termination and at the time limit counted from the given state, plugins,
 * and every error: exit status 2, one line on stderr naming the problem, and nothing at
 * all on stdout.
 *
 * The deterministic cases use the fixture plugin (tests/plugin_fixture.c, path from
 * MPIRL_FIXTURE_PLUGIN): state (a, b), a step adds the action, observes (a, b), rewards
 * a + b, terminates when a >= 10, time limit 7. Float-exactness uses CartPole-v1 and
 * Pendulum-v1.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "env.h"
#include "replay.h"
#include "testutil.h"

#define MAX_ARGS 16
#define MAX_ROWS 512
#define MAX_COLS 32

typedef struct {
    int rc;
    char *out, *err;
} Result;

/* Run replay_main("replay", args...) with args NULL-terminated; output captured. */
static Result run(const char *const *args)
{
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)"replay";
    for (int i = 0; args[i] != NULL; i++) {
        ck_assert(argc <= MAX_ARGS);
        argv[argc++] = (char *)args[i];
    }
    argv[argc] = NULL;
    Result r = {0, NULL, NULL};
    size_t no = 0, ne = 0;
    FILE *out = open_memstream(&r.out, &no);
    FILE *err = open_memstream(&r.err, &ne);
    ck_assert(out != NULL && err != NULL);
    r.rc = replay_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return r;
}

static void result_free(Result *r)
{
    free(r->out);
    free(r->err);
}

static Result run_ok(const char *const *args)
{
    Result r = run(args);
    ck_assert_msg(r.rc == 0, "replay failed (%d): %s", r.rc, r.err);
    return r;
}

/* The run must fail with status 2, print nothing on stdout, and one line on stderr
 * starting with "mpirl replay: " that holds every NULL-terminated needle. */
static void fails(const char *const *args, const char *const *needles)
{
    Result r = run(args);
    ck_assert_msg(r.rc == 2, "status %d, want 2 (stderr: %s)", r.rc, r.err);
    ck_assert_msg(r.out[0] == '\0', "stdout not empty on error: %s", r.out);
    ck_assert_msg(strncmp(r.err, "mpirl replay: ", 14) == 0, "stderr: %s", r.err);
    const char *nl = strchr(r.err, '\n');
    ck_assert_msg(nl != NULL && nl[1] == '\0', "stderr is not one line: %s", r.err);
    for (int i = 0; needles[i] != NULL; i++)
        ck_assert_msg(strstr(r.err, needles[i]) != NULL, "'%s' not in: %s", needles[i], r.err);
    result_free(&r);
}

/* CSV parsed into rows of fields (pointers into a copy of the text) */
typedef struct {
    char *text;
    char *header[MAX_COLS];
    int n_cols;
    char *cell[MAX_ROWS][MAX_COLS];
    int n_rows;
} Csv;

static int split(char *line, char **fields)
{
    int n = 0;
    for (char *p = line;; p++) {
        ck_assert(n < MAX_COLS);
        fields[n++] = p;
        p = strchr(p, ',');
        if (p == NULL)
            return n;
        *p = '\0';
    }
}

static Csv *csv_parse(const char *text)
{
    Csv *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    c->text = strdup(text);
    char *save = NULL;
    char *line = strtok_r(c->text, "\n", &save);
    ck_assert_ptr_nonnull(line);
    c->n_cols = split(line, c->header);
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        ck_assert(c->n_rows < MAX_ROWS);
        const int n = split(line, c->cell[c->n_rows]);
        ck_assert_msg(n == c->n_cols, "row %d has %d fields, header %d", c->n_rows + 1, n,
                      c->n_cols);
        c->n_rows++;
    }
    ck_assert_msg(text[strlen(text) - 1] == '\n', "output does not end with a newline");
    return c;
}

static void csv_free(Csv *c)
{
    free(c->text);
    free(c);
}

/* the whole field as a float / double (and it must parse completely) */
static float field_f(const char *s)
{
    char *end;
    const float x = strtof(s, &end);
    ck_assert_msg(*end == '\0' && end != s, "not a number: '%s'", s);
    return x;
}

static double field_d(const char *s)
{
    char *end;
    const double x = strtod(s, &end);
    ck_assert_msg(*end == '\0' && end != s, "not a number: '%s'", s);
    return x;
}

static int field_i(const char *s)
{
    ck_assert_msg(!strcmp(s, "0") || !strcmp(s, "1"), "flag '%s' is not 0 or 1", s);
    return s[0] - '0';
}

static int same_bits_f(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static int same_bits_d(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Check a replay's CSV against stepping spec directly from state0 with actions
 * (n_act, act_dim): header, row count, every number bit for bit, flags with the time
 * limit counted from the start, and the state columns if print_state. */
static void check_against_direct(const char *out, const EnvSpec *spec, const double *state0,
                                 const float *actions, int n_act, int print_state)
{
    Csv *c = csv_parse(out);
    const int od = spec->obs_dim, ss = spec->state_size;
    ck_assert_int_eq(c->n_cols, 1 + od + 3 + (print_state ? ss : 0));
    ck_assert_str_eq(c->header[0], "step");
    for (int i = 0; i < od; i++) {
        char want[32];
        snprintf(want, sizeof want, "obs_%d", i);
        ck_assert_str_eq(c->header[1 + i], want);
    }
    ck_assert_str_eq(c->header[1 + od], "reward");
    ck_assert_str_eq(c->header[2 + od], "terminated");
    ck_assert_str_eq(c->header[3 + od], "truncated");
    for (int i = 0; print_state && i < ss; i++) {
        char want[32];
        snprintf(want, sizeof want, "state_%d", i);
        ck_assert_str_eq(c->header[4 + od + i], want);
    }

    void *st = calloc(1, spec->state_bytes);
    float obs[64];
    double sv[64];
    ck_assert(od <= 64 && ss <= 64);
    ck_assert_int_eq(spec->set_state(spec, st, state0, obs), 0);
    const int ad = env_action_dim(spec);
    int k = 0;
    for (; k < n_act; k++) {
        double reward;
        uint8_t term;
        ck_assert_int_eq(spec->step(spec, st, actions + k * ad, obs, &reward, &term), 0);
        const int trunc = k + 1 >= spec->max_steps;
        ck_assert_msg(k < c->n_rows, "only %d rows, want more", c->n_rows);
        char **row = c->cell[k];
        ck_assert_int_eq(atoi(row[0]), k + 1);
        for (int i = 0; i < od; i++)
            ck_assert_msg(same_bits_f(field_f(row[1 + i]), obs[i]),
                          "step %d obs_%d: printed %s, direct %.9g", k + 1, i, row[1 + i],
                          (double)obs[i]);
        ck_assert_msg(same_bits_d(field_d(row[1 + od]), reward),
                      "step %d reward: printed %s, direct %.17g", k + 1, row[1 + od], reward);
        ck_assert_int_eq(field_i(row[2 + od]), term != 0);
        ck_assert_int_eq(field_i(row[3 + od]), trunc);
        if (print_state) {
            spec->get_state(spec, st, sv);
            for (int i = 0; i < ss; i++)
                ck_assert_msg(same_bits_d(field_d(row[4 + od + i]), sv[i]),
                              "step %d state_%d: printed %s, direct %.17g", k + 1, i,
                              row[4 + od + i], sv[i]);
        }
        if (term || trunc) {
            k++;
            break;
        }
    }
    ck_assert_int_eq(c->n_rows, k); /* and nothing after the end of the episode */
    free(st);
    csv_free(c);
}

/* "plugin:<fixture>:<id>" in a static buffer */
static const char *fixture_env(const char *id)
{
    static char name[4200];
    snprintf(name, sizeof name, "plugin:%s:%s", tu_getenv("MPIRL_FIXTURE_PLUGIN"), id);
    return name;
}

/* write text to a fresh temporary file; returns its path (static buffer) */
static const char *temp_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/mpirl_test_replay_XXXXXX");
    const int fd = mkstemp(path);
    ck_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* ---- cases ---- */

START_TEST(test_cartpole_rows_exact)
{
    const char *args[] = {"--env",     "CartPole-v1", "--state", "0.01,0,0.02,0",
                          "--actions", "1,0,1,1",     NULL};
    Result r = run_ok(args);
    ck_assert_str_eq(r.err, "");
    const char *head = "step,obs_0,obs_1,obs_2,obs_3,reward,terminated,truncated\n1,";
    ck_assert_msg(strncmp(r.out, head, strlen(head)) == 0, "output:\n%s", r.out);
    const double s0[4] = {0.01, 0, 0.02, 0};
    const float a[4] = {1, 0, 1, 1};
    check_against_direct(r.out, &env_cartpole_v1, s0, a, 4, 0);
    result_free(&r);
}
END_TEST

START_TEST(test_pendulum_rows_exact)
{
    /* awkward numbers in the state and actions (clipped ones included) */
    const char *args[] = {"--env",     "Pendulum-v1",
                          "--state",   "3.0000000000000004,-0.123456789012345",
                          "--actions", "0.1,-1.7,2.5,-3e0,0.333333343,1e-7",
                          NULL};
    Result r = run_ok(args);
    const double s0[2] = {3.0000000000000004, -0.123456789012345};
    const float a[6] = {0.1f, -1.7f, 2.5f, -3.0f, 0.333333343f, 1e-7f};
    check_against_direct(r.out, &env_pendulum_v1, s0, a, 6, 0);
    result_free(&r);
}
END_TEST

START_TEST(test_print_state)
{
    const char *args[] = {"--env=CartPole-v1", "--state=0.01,-0.2,0.03,0.1", "--print-state",
                          "--actions=0,0,1,0,1,1", NULL};
    Result r = run_ok(args);
    ck_assert_msg(strstr(r.out, ",truncated,state_0,state_1,state_2,state_3\n"), "%s", r.out);
    const double s0[4] = {0.01, -0.2, 0.03, 0.1};
    const float a[6] = {0, 0, 1, 0, 1, 1};
    check_against_direct(r.out, &env_cartpole_v1, s0, a, 6, 1);
    result_free(&r);

    /* the fixture's state is its observation, exactly */
    const char *args2[] = {"--env",         fixture_env("FixtureBox-v0"),
                           "--state",       "1.5,-2",
                           "--actions",     "0.25 0.5",
                           "--print-state", NULL};
    r = run_ok(args2);
    ck_assert_str_eq(r.out, "step,obs_0,obs_1,reward,terminated,truncated,state_0,state_1\n"
                            "1,1.75,-1.5,0.25,0,0,1.75,-1.5\n");
    result_free(&r);
}
END_TEST

START_TEST(test_action_format)
{
    /* components separated by spaces (or tabs) inside one comma-separated element */
    const char *args[] = {"--env",     fixture_env("FixtureBox-v0"), "--state", "0,0",
                          "--actions", " 0.5 -1 ,1\t0.25,  -2    3", NULL};
    Result r = run_ok(args);
    ck_assert_str_eq(r.out, "step,obs_0,obs_1,reward,terminated,truncated\n"
                            "1,0.5,-1,-0.5,0,0\n"
                            "2,1.5,-0.75,0.75,0,0\n"
                            "3,-0.5,2.25,1.75,0,0\n");
    result_free(&r);

    /* a discrete action is its index */
    const char *args2[] = {
        "--env", fixture_env("FixtureDiscrete-v0"), "--state", "0,0", "--actions", "2,0,1", NULL};
    r = run_ok(args2);
    ck_assert_str_eq(r.out, "step,obs_0,obs_1,reward,terminated,truncated\n"
                            "1,2,0,2,0,0\n2,2,0,2,0,0\n3,3,0,3,0,0\n");
    result_free(&r);
}
END_TEST

START_TEST(test_actions_file)
{
    const char *file = temp_file("# two 2-D actions\n0.5 -1\n\n   \t\n1\t0.25\r\n# done\n-2 3");
    char path[64];
    snprintf(path, sizeof path, "%s", file);
    const char *args[] = {
        "--env", fixture_env("FixtureBox-v0"), "--state", "0,0", "--actions-file", path, NULL};
    Result from_file = run_ok(args);
    const char *args2[] = {"--env",     fixture_env("FixtureBox-v0"), "--state", "0,0",
                           "--actions", "0.5 -1,1 0.25,-2 3",         NULL};
    Result from_list = run_ok(args2);
    ck_assert_str_eq(from_file.out, from_list.out);
    result_free(&from_file);
    result_free(&from_list);
    unlink(path);

    /* one index per line for a discrete environment, and the same rows as the list */
    file = temp_file("1\n0\n1\n1\n");
    snprintf(path, sizeof path, "%s", file);
    const char *args3[] = {"--env",          "CartPole-v1", "--state", "0.01,0,0.02,0",
                           "--actions-file", path,          NULL};
    from_file = run_ok(args3);
    const double s0[4] = {0.01, 0, 0.02, 0};
    const float a[4] = {1, 0, 1, 1};
    check_against_direct(from_file.out, &env_cartpole_v1, s0, a, 4, 0);
    result_free(&from_file);
    unlink(path);
}
END_TEST

START_TEST(test_stop_at_termination)
{
    /* fixture: a from 8; +1, +1 reaches 10 (terminated) at step 2; two actions left */
    const char *args[] = {
        "--env", fixture_env("FixtureDiscrete-v0"), "--state", "8,0", "--actions", "1,1,1,2", NULL};
    Result r = run_ok(args);
    ck_assert_str_eq(r.out, "step,obs_0,obs_1,reward,terminated,truncated\n"
                            "1,9,0,9,0,0\n2,10,0,10,1,0\n");
    ck_assert_msg(strstr(r.err, "ended at step 2") && strstr(r.err, "2 remaining actions"), "%s",
                  r.err);
    result_free(&r);

    /* CartPole from a pole about to fall */
    const char *args2[] = {"--env",     "CartPole-v1",     "--state", "0,0,0.2,1",
                           "--actions", "1,1,1,1,1,1,1,1", NULL};
    r = run_ok(args2);
    const double s0[4] = {0, 0, 0.2, 1};
    const float a[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    check_against_direct(r.out, &env_cartpole_v1, s0, a, 8, 0);
    Csv *c = csv_parse(r.out);
    ck_assert(c->n_rows < 8);
    ck_assert_str_eq(c->cell[c->n_rows - 1][5 + 1], "1"); /* terminated */
    csv_free(c);
    result_free(&r);
}
END_TEST

START_TEST(test_time_limit)
{
    /* fixture: limit 7 counted from the given state; action 0 changes nothing */
    const char *args[] = {"--env",     fixture_env("FixtureDiscrete-v0"),
                          "--state",   "1,0",
                          "--actions", "0,0,0,0,0,0,0,0,0,0",
                          NULL};
    Result r = run_ok(args);
    Csv *c = csv_parse(r.out);
    ck_assert_int_eq(c->n_rows, 7);
    for (int k = 0; k < 7; k++) {
        ck_assert_str_eq(c->cell[k][4], "0");                /* terminated */
        ck_assert_str_eq(c->cell[k][5], k == 6 ? "1" : "0"); /* truncated */
    }
    csv_free(c);
    ck_assert_msg(strstr(r.err, "3 remaining actions"), "%s", r.err);
    result_free(&r);

    /* terminated and truncated on the same step: a reaches 11 at step 7 */
    const char *args2[] = {
        "--env", fixture_env("FixtureDiscrete-v0"), "--state", "3,0", "--actions", "1,1,1,1,1,1,2",
        NULL};
    r = run_ok(args2);
    ck_assert_msg(strstr(r.out, "\n6,9,0,9,0,0\n7,11,0,11,1,1\n"), "%s", r.out);
    ck_assert_str_eq(r.err, "");
    result_free(&r);

    /* Pendulum: 250 actions, 200 rows, the last truncated */
    char actions[1100] = "";
    for (int k = 0; k < 250; k++)
        strcat(actions, k ? ",0.5" : "0.5");
    const char *args3[] = {"--env", "Pendulum-v1", "--state", "1,0", "--actions", actions, NULL};
    r = run_ok(args3);
    double s0[2] = {1, 0};
    float a[250];
    for (int k = 0; k < 250; k++)
        a[k] = 0.5f;
    check_against_direct(r.out, &env_pendulum_v1, s0, a, 250, 0);
    c = csv_parse(r.out);
    ck_assert_int_eq(c->n_rows, 200);
    ck_assert_str_eq(c->cell[199][6], "1");
    csv_free(c);
    result_free(&r);
}
END_TEST

START_TEST(test_plugins)
{
    const char *example = tu_getenv("MPIRL_EXAMPLE_PLUGIN");
    const char *args[] = {"--env", example, "--state", "0.5,0", "--actions", "1,1,-1", NULL};
    Result r = run_ok(args);
    Csv *c = csv_parse(r.out);
    ck_assert_int_eq(c->n_rows, 3);
    ck_assert_int_eq(c->n_cols, 1 + 2 + 3);
    /* v = 0.05 after one push, x = 0.5 + 0.05 * 0.05 */
    ck_assert(same_bits_f(field_f(c->cell[0][1]), (float)(0.5 + 0.05 * 0.05)));
    ck_assert(same_bits_f(field_f(c->cell[0][2]), 0.05f));
    csv_free(c);
    result_free(&r);

    const char *args2[] = {
        "--env", tu_getenv("MPIRL_FIXTURE_PLUGIN"), "--state", "0,0", "--actions", "1", NULL};
    const char *several[] = {"defines 2 environments", "FixtureBox-v0", "plugin:", NULL};
    fails(args2, several);
}
END_TEST

START_TEST(test_help)
{
    const char *args[] = {"--help", NULL};
    Result r = run(args);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.err, "");
    ck_assert(strstr(r.out, "usage: mpirl replay --env ID --state"));
    ck_assert(strstr(r.out, "separated by spaces"));
    result_free(&r);
}
END_TEST

START_TEST(test_usage_errors)
{
    const char *a1[] = {"--state", "0,0,0,0", "--actions", "1", NULL};
    const char *n1[] = {"missing --env", "usage: mpirl replay", NULL};
    fails(a1, n1);
    const char *a2[] = {"--env", "CartPole-v1", "--actions", "1", NULL};
    const char *n2[] = {"missing --state", NULL};
    fails(a2, n2);
    const char *a3[] = {"--env", "CartPole-v1", "--state", "0,0,0,0", NULL};
    const char *n3[] = {"missing --actions or --actions-file", NULL};
    fails(a3, n3);
    const char *a4[] = {"--env", "CartPole-v1",    "--state", "0,0,0,0", "--actions",
                        "1",     "--actions-file", "x",       NULL};
    const char *n4[] = {"not both", NULL};
    fails(a4, n4);
    const char *a5[] = {"--env", "CartPole-v1", "--seed", "3", NULL};
    const char *n5[] = {"unknown option '--seed'", "valid: --env, --state", NULL};
    fails(a5, n5);
    const char *a6[] = {"--env", "CartPole-v1", "--env", "Pendulum-v1", NULL};
    const char *n6[] = {"option '--env' given twice", NULL};
    fails(a6, n6);
    const char *a7[] = {"--env", "CartPole-v1", "--state", NULL};
    const char *n7[] = {"option '--state' needs a value", NULL};
    fails(a7, n7);
    const char *a8[] = {"--env", "CartPole-v1", "stray", NULL};
    const char *n8[] = {"unexpected argument 'stray'", NULL};
    fails(a8, n8);
}
END_TEST

START_TEST(test_input_errors)
{
    const char *a1[] = {"--env", "Nope-v0", "--state", "0", "--actions", "1", NULL};
    const char *n1[] = {"unknown environment 'Nope-v0'", "CartPole-v1", "Pendulum-v1", NULL};
    fails(a1, n1);
    const char *a2[] = {"--env", "CartPole-v1", "--state", "0,0,0", "--actions", "1", NULL};
    const char *n2[] = {"--state has 3 values, CartPole-v1 needs 4", NULL};
    fails(a2, n2);
    const char *a2b[] = {"--env", "CartPole-v1", "--state", "0,0,0,0,0", "--actions", "1", NULL};
    const char *n2b[] = {"--state has 5 values", NULL};
    fails(a2b, n2b);
    const char *a3[] = {"--env", "CartPole-v1", "--state", "0.1,abc,0,0", "--actions", "1", NULL};
    const char *n3[] = {"malformed number 'abc'", "--state (value 2)", NULL};
    fails(a3, n3);
    const char *a3b[] = {"--env", "CartPole-v1", "--state", "0.1,,0,0", "--actions", "1", NULL};
    const char *n3b[] = {"malformed number ''", NULL};
    fails(a3b, n3b);
    const char *a4[] = {"--env", "CartPole-v1", "--state", "nan,0,0,0", "--actions", "1", NULL};
    const char *n4[] = {"--state value 1 is 'nan'", "finite", NULL};
    fails(a4, n4);
    const char *a5[] = {"--env", "CartPole-v1", "--state", "0,0,0,0", "--actions", "1,0x,0", NULL};
    const char *n5[] = {"malformed number '0x'", "--actions (action 2)", NULL};
    fails(a5, n5);
    const char *a6[] = {"--env", "CartPole-v1", "--state", "0,0,0,0", "--actions", "1,,0", NULL};
    const char *n6[] = {"--actions (action 2) is empty", NULL};
    fails(a6, n6);
    const char *a7[] = {"--env", "CartPole-v1", "--state", "0,0,0,0", "--actions", "", NULL};
    const char *n7[] = {"--actions is empty", NULL};
    fails(a7, n7);
    const char *a8[] = {"--env", "CartPole-v1", "--state", "0,0,0,0", "--actions", "1 0", NULL};
    const char *n8[] = {"takes one integer in 0..1", "separate actions with commas", NULL};
    fails(a8, n8);
    const char *a9[] = {"--env", "Pendulum-v1", "--state", "0,0", "--actions", "0.5,0.5 0.5", NULL};
    const char *n9[] = {"(action 2) has 2 components, Pendulum-v1 takes 1", NULL};
    fails(a9, n9);
    const char *a10[] = {
        "--env", fixture_env("FixtureBox-v0"), "--state", "0,0", "--actions", "0.5 1,0.5", NULL};
    const char *n10[] = {"(action 2) has 1 component, FixtureBox-v0 takes 2", NULL};
    fails(a10, n10);
    const char *a11[] = {"--env", "Pendulum-v1", "--state", "0,0", "--actions", "1e40", NULL};
    const char *n11[] = {"out of float range", NULL};
    fails(a11, n11);
    const char *a12[] = {"--env", "Pendulum-v1", "--state", "0,0", "--actions", "1e999", NULL};
    const char *n12[] = {"malformed number '1e999'", "double range", NULL};
    fails(a12, n12);
    const char *a13[] = {"--env", "/nonexistent/libenv.so", "--state", "0", "--actions", "1", NULL};
    const char *n13[] = {"cannot open plugin '/nonexistent/libenv.so'", NULL};
    fails(a13, n13);
}
END_TEST

START_TEST(test_invalid_action)
{
    /* steps 1 and 2 are valid, yet nothing is printed: the error comes first */
    const char *a1[] = {"--env", "CartPole-v1", "--state", "0,0,0,0", "--actions", "1,0,2,1", NULL};
    const char *n1[] = {"invalid action 2 at step 3 for CartPole-v1", "0..1", NULL};
    fails(a1, n1);
    const char *a2[] = {"--env", "CartPole-v1", "--state", "0,0,0,0", "--actions", "0.5", NULL};
    const char *n2[] = {"invalid action 0.5 at step 1", NULL};
    fails(a2, n2);
    const char *a3[] = {"--env", "Pendulum-v1", "--state", "0,0", "--actions", "0.1,nan", NULL};
    const char *n3[] = {"invalid action at step 2 for Pendulum-v1", "not NaN", NULL};
    fails(a3, n3);
    /* an invalid action after the end of the episode is never applied: no error */
    const char *a4[] = {
        "--env", fixture_env("FixtureDiscrete-v0"), "--state", "9,0", "--actions", "1,7", NULL};
    Result r = run_ok(a4);
    ck_assert_str_eq(r.out, "step,obs_0,obs_1,reward,terminated,truncated\n1,10,0,10,1,0\n");
    result_free(&r);
}
END_TEST

START_TEST(test_file_errors)
{
    const char *a1[] = {"--env",   "CartPole-v1",    "--state",
                        "0,0,0,0", "--actions-file", "/nonexistent/actions.txt",
                        NULL};
    const char *n1[] = {"cannot read --actions-file '/nonexistent/actions.txt'",
                        "No such file or directory", NULL};
    fails(a1, n1);

    char path[64];
    snprintf(path, sizeof path, "%s", temp_file("1\n0\n1 0\n"));
    const char *a2[] = {"--env", "CartPole-v1", "--state", "0,0,0,0", "--actions-file", path, NULL};
    const char *n2[] = {"line 3", "takes one integer", "separate actions with newlines", NULL};
    fails(a2, n2);
    unlink(path);

    snprintf(path, sizeof path, "%s", temp_file("0.5\n0.25,1\n"));
    const char *a3[] = {"--env", "Pendulum-v1", "--state", "0,0", "--actions-file", path, NULL};
    const char *n3[] = {"malformed number '0.25,1'", "line 2", NULL};
    fails(a3, n3);
    unlink(path);

    snprintf(path, sizeof path, "%s", temp_file("# nothing\n\n"));
    const char *a4[] = {"--env", "Pendulum-v1", "--state", "0,0", "--actions-file", path, NULL};
    const char *n4[] = {"holds no actions", NULL};
    fails(a4, n4);
    unlink(path);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"cartpole_rows_exact", test_cartpole_rows_exact},
        {"pendulum_rows_exact", test_pendulum_rows_exact},
        {"print_state", test_print_state},
        {"action_format", test_action_format},
        {"actions_file", test_actions_file},
        {"stop_at_termination", test_stop_at_termination},
        {"time_limit", test_time_limit},
        {"plugins", test_plugins},
        {"help", test_help},
        {"usage_errors", test_usage_errors},
        {"input_errors", test_input_errors},
        {"invalid_action", test_invalid_action},
        {"file_errors", test_file_errors},
    };
    return tu_run(tu_suite("replay", cases, TU_COUNT(cases), 0));
}
