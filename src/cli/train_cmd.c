/* train_cmd.c - `mpirl train` (see train_cmd.h).
 *
 * The configuration resolves in this order: built-in defaults, the environment's
 * preset (its entries for the chosen algorithm included), then the command line (a
 * --config FILE applies where it stands). Every rank
 * parses the same arguments and reaches the same verdict, so a bad input is reported
 * once, by rank 0, and every rank exits with status 2 without MPI_Abort. Rank 0 then
 * creates the run directory and writes the resolved configuration (temporary file and
 * rename, so a reader never sees half of it) and tells the others whether that worked.
 */
#include "train_cmd.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "algo.h"
#include "comm.h"
#include "config.h"
#include "registry.h"
#include "runlock.h"
#include "schedule.h"
#include "straggle.h"
#include "train.h"

static void usage(void)
{
    printf("usage: mpirl train [--key value | --key=value]... [--config FILE]\n"
           "       mpirl train --resume DIR [--steps N]   (continue from DIR/checkpoint.bin)\n"
           "       mpirun -np N mpirl train ...   (rank 0 learns, ranks 1..N-1 act)\n"
           "\n"
           "Trains a policy. Values come from the built-in defaults, then the\n"
           "environment's preset (mpirl envs), then these options in order.\n"
           "\n"
           "algorithms (--algo):\n");
    for (int i = 0; i < N_ALGOS; i++) {
        const Algo *a = &ALGOS[i];
        printf("  %-11s %s; --mode %s\n", a->name, a->help,
               algo_runs_in(a, MODE_SYNC) && algo_runs_in(a, MODE_ASYNC)
                   ? "sync or async"
                   : MODES[algo_runs_in(a, MODE_SYNC) ? MODE_SYNC : MODE_ASYNC].name);
        if (a->defaults) { /* applied before the environment's preset */
            printf("  %-11s defaults:", "");
            for (int k = 0; a->defaults[k]; k++)
                printf(" %s", a->defaults[k]);
            printf("\n");
        }
    }
    printf("modes (--mode):\n");
    for (int i = 0; i < N_MODES; i++)
        printf("  %-11s %s\n", MODES[i].name, MODES[i].help);
    printf("\nkeys:\n");
    config_print_help(stdout);
}

/* an actor's batch (rollout x num_envs) is indexed with int throughout */
#define TRAIN_MAX_SAMPLES (1 << 27)

/* algorithm and mode combinations this build runs (the algorithm table's modes), and
 * minibatch counts the rollout can fill; 0 or -1 with err */
static int check_combination(const Config *c, char *err, size_t len)
{
    const Algo *a = algo_find(c->algo);
    const Mode *m = mode_find(c->mode);
    const int64_t samples = (int64_t)c->rollout * c->num_envs;
    if (samples > TRAIN_MAX_SAMPLES) {
        snprintf(err, len,
                 "--rollout %d x --num-envs %d = %lld samples per actor and iteration exceeds "
                 "the largest batch, %d",
                 c->rollout, c->num_envs, (long long)samples, TRAIN_MAX_SAMPLES);
        return -1;
    }
    const char *correction = c->staleness_lr    ? "--staleness-lr"
                             : c->dc_lambda > 0 ? "--dc-lambda"
                             : c->softsync > 1  ? "--softsync"
                                                : NULL;
    if (correction && (m->id != MODE_ASYNC || comm_size() < 2)) {
        snprintf(err, len,
                 "%s corrects stale gradients: it applies to --mode async with actors (mpirun "
                 "-np 2 or more)",
                 correction);
        return -1;
    }
    const int ship = strcmp(c->ship, "experience") == 0;
    const int running = strcmp(c->baseline, "running") == 0;
    const int episodic = (a->flags & ALGO_GROUPS) || running;
    if (running && a->id != ALGO_REINFORCE) {
        snprintf(err, len,
                 "--baseline running is REINFORCE's critic-free baseline: it applies to --algo "
                 "reinforce (grpo and rloo take theirs from the group)");
        return -1;
    }
    if (ship && (m->id != MODE_ASYNC || comm_size() < 2 ||
                 (strcmp(a->name, "a3c") != 0 && strcmp(a->name, "ppo") != 0))) {
        snprintf(err, len,
                 "--ship experience (IMPALA's layout: actors send rollouts, the learner computes "
                 "with V-trace) applies to --mode async with actors (mpirun -np 2 or more) and "
                 "--algo a3c or ppo (APPO)");
        return -1;
    }
    if (!ship && (c->vtrace_rho_bar != 1.0 || c->vtrace_c_bar != 1.0)) {
        snprintf(err, len,
                 "--vtrace-rho-bar and --vtrace-c-bar clip V-trace's weights: they apply to "
                 "--ship experience");
        return -1;
    }
    if (ship && correction) {
        snprintf(err, len,
                 "%s corrects stale gradients, but with --ship experience the learner computes "
                 "every gradient at its current parameters; V-trace corrects the rollouts' "
                 "policy lag (--vtrace-rho-bar, --vtrace-c-bar)",
                 correction);
        return -1;
    }
    const char *sched = c->record_schedule      ? "--record-schedule"
                        : c->replay_schedule[0] ? "--replay-schedule"
                                                : NULL;
    if (sched && (m->id != MODE_ASYNC || comm_size() < 2)) {
        snprintf(err, len,
                 "%s is for async runs, whose order of gradients varies: --mode async with "
                 "actors (mpirun -np 2 or more); a sync run repeats bit for bit by itself",
                 sched);
        return -1;
    }
    if (c->record_schedule && c->replay_schedule[0]) {
        snprintf(err, len,
                 "--record-schedule and --replay-schedule together: a replay repeats the "
                 "recorded order (and writes no schedule of its own)");
        return -1;
    }
    if (c->backup > 0 && (m->id != MODE_SYNC || (a->flags & ALGO_NATURAL))) {
        snprintf(err, len,
                 "--backup drops the slowest actors' gradients of a synchronous minibatch step: "
                 "it applies to --mode sync with ppo, ppo-kl, a2c or reinforce (trpo and npg "
                 "sum every actor's answers; async waits for nobody)");
        return -1;
    }
    if (c->backup > 0 && c->backup >= comm_size() - 1) {
        snprintf(err, len,
                 "--backup %d needs at least %d actors to apply a step without the last %d "
                 "(mpirun -np %d or more); this run has %d",
                 c->backup, c->backup + 1, c->backup, c->backup + 2, comm_size() - 1);
        return -1;
    }
    if (c->preempt > 0 && (m->id != MODE_SYNC || comm_size() < 3)) {
        snprintf(err, len,
                 "--preempt cuts the slowest actors' rollouts when the others are done: it "
                 "applies to --mode sync with at least 2 actors (mpirun -np 3 or more)");
        return -1;
    }
    if (c->dc_lambda > 0 && c->max_staleness < 1) {
        snprintf(err, len,
                 "--dc-lambda needs --max-staleness N (at least 1): the learner keeps the last "
                 "N + 1 parameter versions to compensate with");
        return -1;
    }
    if ((a->flags & ALGO_GROUPS) && c->num_envs % c->group_size != 0) {
        const int below = c->num_envs / c->group_size * c->group_size;
        const int above = below + c->group_size;
        char valid[64];
        if (below > 0)
            snprintf(valid, sizeof valid, "%d or %d", below, above);
        else
            snprintf(valid, sizeof valid, "%d", above);
        snprintf(err, len,
                 "--num-envs %d is not a multiple of --group-size %d: each actor runs whole "
                 "groups (valid: --num-envs %s, or another group size)",
                 c->num_envs, c->group_size, valid);
        return -1;
    }
    const char *no_groups = c->norm_reward   ? "--norm-reward (the group compares its raw returns)"
                            : c->preempt > 0 ? "--preempt (it cuts episodes short)"
                            : c->backup > 0  ? "--backup"
                            : ship           ? "--ship experience (V-trace needs a critic)"
                                             : NULL;
    if ((a->flags & ALGO_GROUPS) && (a->flags & ALGO_MINIBATCHED || c->rloo_clip) &&
        c->minibatches > c->num_envs) {
        snprintf(err, len,
                 "--minibatches %d exceeds --num-envs %d: an iteration of --algo %s may have as "
                 "few samples as episodes (one step each), and every minibatch needs one",
                 c->minibatches, c->num_envs, a->name);
        return -1;
    }
    if (c->kl_coef > 0 && a->id != ALGO_GRPO) {
        snprintf(err, len,
                 "--kl-coef penalises grpo's distance to a reference policy: it applies to "
                 "--algo grpo");
        return -1;
    }
    if (c->ref_every > 0 && c->kl_coef <= 0) {
        snprintf(err, len, "--ref-every renews the reference policy of --kl-coef: give both");
        return -1;
    }
    if (episodic && no_groups) {
        snprintf(err, len, "--algo %s%s does not take %s", a->name,
                 running ? " --baseline running" : "", no_groups);
        return -1;
    }
    StraggleSpec sg;
    if (straggle_parse(c->straggle, comm_rank(), comm_size(), &sg, err, len) != 0)
        return -1;
    if (!algo_runs_in(a, m->id)) {
        snprintf(err, len, "--algo %s runs in --mode %s", a->name, a->mode_note);
        return -1;
    }
    /* the minibatch loop: PPO's, or the value fit of trpo and npg */
    const int natural = (a->flags & ALGO_NATURAL) != 0;
    const int mb = natural ? c->vf_minibatches : c->minibatches;
    if ((natural || (a->flags & ALGO_MINIBATCHED)) && mb > samples) {
        snprintf(err, len,
                 "--%s %d exceeds the %lld samples of an actor's rollout (rollout x num_envs)",
                 natural ? "vf-minibatches" : "minibatches", mb, (long long)samples);
        return -1;
    }
    return 0;
}

/* the lock of the run directory, held by rank 0 until it exits (runlock.h) */
static int run_lock_fd = -1;

/* 0 if dir holds nothing (but perhaps the lock of a run that ended), else -1 with err */
static int dir_empty(const char *path, char *err, size_t len)
{
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, len, "%s exists and is not a usable directory: %s", path, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, RUNLOCK_NAME))
            empty = 0;
    closedir(d);
    if (!empty) {
        snprintf(err, len, "run directory %s is not empty (choose another --out)", path);
        return -1;
    }
    return 0;
}

/* mkdir -p of the parents of path, then path itself; refuses a non-empty existing
 * directory, and takes the directory's lock. 0 or -1 with err. */
static int make_run_dir(const char *path, char *err, size_t len)
{
    char tmp[CONFIG_STR_LEN];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
            snprintf(err, len, "cannot create directory %s: %s", tmp, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        snprintf(err, len, "cannot create run directory %s: %s", path, strerror(errno));
        return -1;
    }
    if (dir_empty(path, err, len) != 0)
        return -1;
    /* two runs started together on one --out: the lock decides, then look again */
    if ((run_lock_fd = runlock_take(path, err, len)) < 0 || dir_empty(path, err, len) != 0)
        return -1;
    return 0;
}

static int write_config(const Config *c, const char *dir, char *err, size_t len)
{
    char path[CONFIG_STR_LEN + 16], tmp[CONFIG_STR_LEN + 32];
    snprintf(path, sizeof path, "%s/config", dir);
    snprintf(tmp, sizeof tmp, "%s/.config.tmp", dir);
    FILE *f = fopen(tmp, "w");
    if (!f || config_write(c, f) != 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        snprintf(err, len, "cannot write %s: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* train's options: the configuration's (config_options) and --resume DIR */
static int apply_option(void *ctx, const Opt *opt, const char *value, char *err, size_t len)
{
    return config_option_apply(ctx, opt, value, err, len);
}

/* Apply the arguments to c (opts.h's rules); *resume gets --resume's value or NULL.
 * Returns 0 or -1 with err. */
static int train_args(Config *c, const char **resume, int argc, char **argv, char *err, size_t len)
{
    Opt opts[CONFIG_N_OPTIONS + 1];
    int n = config_options(opts, CONFIG_N_OPTIONS);
    *resume = NULL;
    opts[n++] = (Opt){.name = "resume", .kind = OPT_TEXT, .out = (void *)resume};
    return opts_parse(opts, n, apply_option, c, argc, argv, err, len) == 0 ? 0 : -1;
}

/* Resolve the configuration and the environment; 0 or -1 with err. */
static int resolve(Config *c, EnvRegistry *reg, const EnvSpec **spec, int argc, char **argv,
                   char *err, size_t len)
{
    char cerr[CONFIG_ERR_LEN];
    const char *resume;
    /* first pass: which environment (flags or a config file may name it) */
    config_defaults(c);
    if (train_args(c, &resume, argc, argv, err, len) != 0)
        return -1;
    *spec = registry_lookup(reg, c->env, err, len);
    if (!*spec)
        return -1;
    /* second pass: defaults, the preset for this environment and algorithm, flags */
    char env[CONFIG_STR_LEN], algo[CONFIG_STR_LEN], origin[CONFIG_STR_LEN + 32];
    snprintf(env, sizeof env, "%s", c->env);
    snprintf(algo, sizeof algo, "%s", c->algo);
    snprintf(origin, sizeof origin, "preset of %s", (*spec)->id);
    config_defaults(c);
    snprintf(c->env, sizeof c->env, "%s", env);
    snprintf(c->algo, sizeof c->algo, "%s", algo);
    const Algo *a = algo_find(c->algo); /* config_set admits the table's names only */
    if (config_apply_list(c, a->defaults, "the algorithm's defaults", cerr) != 0 ||
        config_apply_list(c, (*spec)->defaults, origin, cerr) != 0) {
        snprintf(err, len, "%s", cerr);
        return -1;
    }
    const int preset_rollout = c->rollout;
    if (train_args(c, &resume, argc, argv, err, len) != 0)
        return -1;
    const int running = a->id == ALGO_REINFORCE && strcmp(c->baseline, "running") == 0;
    if ((a->flags & ALGO_GROUPS) || running) {
        /* whole episodes: an iteration lasts until every member's episode has ended */
        if (c->rollout != preset_rollout) {
            snprintf(err, len,
                     "--rollout with --algo %s%s: its episodes run to their end (at most the "
                     "time limit, %d steps for %s), so an iteration has no fixed length",
                     a->name, running ? " --baseline running" : "", (*spec)->max_steps,
                     (*spec)->id);
            return -1;
        }
        c->rollout = (*spec)->max_steps;
    }
    if (check_combination(c, err, len) != 0)
        return -1;
    if (!c->out[0]) {
        char stamp[32];
        time_t now = time(NULL);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
        /* the time alone collides (Slurm array tasks start in the same second): the
         * job and task ids, or else the process id, make it unique */
        const char *job = getenv("SLURM_JOB_ID"), *task = getenv("SLURM_ARRAY_TASK_ID");
        char who[64];
        if (job && *job && task && *task)
            snprintf(who, sizeof who, "j%.24s_%.24s", job, task);
        else if (job && *job)
            snprintf(who, sizeof who, "j%.24s", job);
        else
            snprintf(who, sizeof who, "p%ld", (long)getpid());
        snprintf(c->out, sizeof c->out, "runs/%.64s-%.16s-%.8s-%.20s-%.50s", (*spec)->id, c->algo,
                 c->mode, stamp, who);
    }
    return 0;
}

/* the "key = value" line of key in a written configuration, or NULL */
static const char *config_line(const char *text, const char *key, size_t *len)
{
    size_t k = strlen(key);
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        if (strncmp(p, key, k) == 0 && p[k] == ' ' && p[k + 1] == '=') {
            *len = end ? (size_t)(end - p) : strlen(p);
            return p;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

/* `--resume DIR`: the run's own configuration from DIR/config, then the options; only
 * those that keep the run's meaning may differ. 0 or -1 with err. */
static int resolve_resume(Config *c, EnvRegistry *reg, const EnvSpec **spec, const char *dir,
                          int argc, char **argv, char *err, size_t len)
{
    static const char *const may_change[] = {"steps", "quiet", "checkpoint_every",
                                             "keep",  "out",   "actor_timeout"};
    char path[CONFIG_STR_LEN + 16], cerr[CONFIG_ERR_LEN];
    snprintf(path, sizeof path, "%s/config", dir);
    Config saved;
    config_defaults(&saved);
    if (config_load_file(&saved, path, cerr) != 0) {
        snprintf(err, len, "cannot resume %s: %s", dir, cerr);
        return -1;
    }
    *c = saved;
    const char *resume;
    if (train_args(c, &resume, argc, argv, err, len) != 0)
        return -1;
    snprintf(c->out, sizeof c->out, "%s", dir);
    char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    FILE *fa = open_memstream(&a, &la), *fb = open_memstream(&b, &lb);
    if (!fa || !fb) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    config_write(&saved, fa);
    config_write(c, fb);
    fclose(fa);
    fclose(fb);
    int rc = 0;
    /* compare line by line: every line is "key = value" after the [train] header */
    for (const char *p = strchr(a, '\n'); rc == 0 && p && p[1];) {
        const char *line = p + 1, *eq = strstr(line, " = ");
        const char *end = strchr(line, '\n');
        char key[64];
        size_t kl = eq ? (size_t)(eq - line) : 0, ln = end ? (size_t)(end - line) : strlen(line);
        p = end;
        if (kl == 0 || kl >= sizeof key)
            continue;
        memcpy(key, line, kl);
        key[kl] = '\0';
        size_t nl = 0;
        const char *now = config_line(b, key, &nl);
        int allowed = 0;
        for (size_t i = 0; i < sizeof may_change / sizeof may_change[0]; i++)
            allowed |= strcmp(key, may_change[i]) == 0;
        if (!allowed && (!now || nl != ln || strncmp(now, line, ln) != 0)) {
            snprintf(err, len,
                     "--%s would change the meaning of the resumed run (it keeps its own "
                     "configuration; --steps, --quiet, --checkpoint-every, --keep and "
                     "--actor-timeout may change)",
                     key);
            rc = -1;
        }
    }
    free(a);
    free(b);
    if (rc == 0 && c->steps < saved.steps) {
        snprintf(err, len, "--steps %lld is below the run's budget of %lld (it may only grow)",
                 (long long)c->steps, (long long)saved.steps);
        rc = -1;
    }
    if (rc == 0 && !(*spec = registry_lookup(reg, c->env, err, len)))
        rc = -1;
    if (rc == 0)
        rc = check_combination(c, err, len);
    return rc;
}

int train_main(int argc, char **argv)
{
    if (opts_wants_help(argc - 1, argv + 1)) {
        usage();
        return 0;
    }
    if (comm_init(&argc, &argv) != 0)
        return 1;
    const int rank = comm_rank();
    Config c;
    char err[1536] = "";
    const EnvSpec *spec = NULL;
    EnvRegistry *reg = registry_create();
    int status = 0, nargs = argc - 1;
    char **args = argv + 1;
    const char *resume = NULL;
    config_defaults(&c); /* a first look, for --resume */
    if (train_args(&c, &resume, nargs, args, err, sizeof err) != 0)
        status = 2;
    char ckpt[CONFIG_STR_LEN + 32] = "";
    if (resume)
        snprintf(ckpt, sizeof ckpt, "%s/checkpoint.bin", resume);
    if (status != 0) {
        /* reported below */
    } else if (!reg) {
        snprintf(err, sizeof err, "out of memory");
        status = 1;
    } else if (resume) {
        if (resolve_resume(&c, reg, &spec, resume, nargs, args, err, sizeof err) != 0)
            status = 2;
        else if (rank == 0 && access(ckpt, R_OK) != 0) {
            snprintf(err, sizeof err, "cannot resume %s: no readable checkpoint.bin in it", resume);
            status = 2;
        } else if (c.replay_schedule[0]) {
            snprintf(err, sizeof err,
                     "--replay-schedule with --resume: a replay starts where the recorded run "
                     "started");
            status = 2;
        }
    } else if (resolve(&c, reg, &spec, nargs, args, err, sizeof err) != 0) {
        status = 2;
    } else if (rank == 0 && schedule_check(&c, comm_size(), err, sizeof err) != 0) {
        status = 2; /* the learner reads the schedule */
    }
    /* every rank resolves the same arguments, but a file or plugin may be missing on one
     * node only: all agree, the first failing rank reports, all exit alike. Then rank 0
     * creates the run directory (the others wait for its verdict). */
    int first = -1;
    if (comm_agree_status(&status, &first) != 0) {
        status = 1;
    } else if (status == 0) { /* on every rank: the second verdict is rank 0's alone */
        /* rank 0's run directory (a default one names the time and rank 0's pid) */
        if (comm_bcast_bytes(c.out, (long)sizeof c.out, 0) != 0)
            status = 1;
        if (!resume && rank == 0 &&
            (make_run_dir(c.out, err, sizeof err) != 0 ||
             write_config(&c, c.out, err, sizeof err) != 0))
            status = 2;
        if (resume && rank == 0 && (run_lock_fd = runlock_take(resume, err, sizeof err)) < 0)
            status = 2;
        if (comm_agree_status(&status, &first) != 0)
            status = 1;
    }
    if (status != 0) {
        if (rank == first && rank == 0)
            fprintf(stderr, "mpirl train: %s\n", err);
        else if (rank == first)
            fprintf(stderr, "mpirl train: rank %d: %s\n", rank, err);
        registry_destroy(&reg);
        comm_finalize();
        return status;
    }
    if (rank == 0 && !c.quiet)
        printf("mpirl train: %s%s, %s, %s, %lld steps, %d rank%s -> %s\n",
               resume ? "resuming " : "", spec->id, c.algo, c.mode, (long long)c.steps, comm_size(),
               comm_size() > 1 ? "s" : "", c.out);
    if (resume && rank == 0 && write_config(&c, c.out, err, sizeof err) != 0)
        fprintf(stderr, "mpirl train: %s\n", err); /* the old config stays; not fatal */
    status = train_run(&c, spec, c.out, resume ? ckpt : NULL);
    registry_destroy(&reg);
    comm_finalize();
    return status;
}
