/* train.c - `mpirl train` on every rank (see train.h): set-up of this rank's roles,
 * resume, then the synchronous iterations (sync.h) or the asynchronous loops (async.h
 * for the learner, actor_async for the actors).
 *
 * Randomness: environment i of rank r draws from stream (seed, r, i) (vecenv.h); the
 * actor's action sampling and minibatch shuffling use streams (seed, r, 2^32 - 1) and
 * (seed, r, 2^32 - 2); the initial parameters come from (seed, learner stream) (run.h).
 * A synchronous run is bitwise reproducible for a given seed and rank count; an
 * asynchronous one depends on when each gradient arrives. With one rank the
 * asynchronous mode runs the synchronous loop (there is nobody to wait for).
 */
#include "train.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async.h"
#include "clock.h"
#include "comm.h"
#include "fault.h"
#include "signals.h"
#include "sync.h"
#include "sysmem.h"
#include "trainer.h"

/* Sync, learner: a wait for an actor ran out of patience inside iteration it (after
 * `done` iterations of env_steps steps). The collectives cannot complete any more: say
 * who, save the learner's own state (the actors' cannot be gathered) and end the
 * process without MPI_Finalize; the launcher then ends the other ranks. */
static _Noreturn void lost_actor(Trainer *t, int64_t done, int64_t env_steps)
{
    double waited = 0;
    const int missing = comm_timed_out(&waited);
    char who[64];
    if (missing >= 0)
        snprintf(who, sizeof who, "rank %d", missing);
    else
        snprintf(who, sizeof who, "an actor");
    if (signals_pending())
        fprintf(stderr, "mpirl: stopping on a signal, but %s has not answered for %.0f s\n", who,
                waited);
    else
        fprintf(stderr,
                "mpirl: %s has not answered for %.0f s (stopped, or slower than "
                "--actor-timeout %.0f s)\n",
                who, waited, learner_patience(&t->learner, t->run.cfg));
    metrics_close(&t->learner.mt);
    if (trainer_checkpoint(t, done, env_steps, 0, CKPT_LEARNER) == 0)
        fprintf(stderr,
                "mpirl: the learner's state after iteration %lld is in checkpoint.bin; the "
                "actors' could not be gathered, so a resume starts their environments afresh "
                "(not bit for bit)\n",
                (long long)done);
    comm_abandon(1);
}

static void trainer_free(Trainer *t)
{
    if (t->run.is_actor)
        actor_free(&t->actor);
    if (t->run.is_learner)
        learner_free(&t->learner);
    trpo_free(&t->trpo);
    backup_free(&t->backup);
    run_free(&t->run);
}

/* Everything of this rank's roles. Returns 0 or -1 with err. */
static int trainer_init(Trainer *t, const Config *cfg, const EnvSpec *spec, const char *dir,
                        char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    Run *r = &t->run;
    if (run_init(r, cfg, spec, dir, err, errlen) != 0)
        return -1;
    if (r->is_learner && learner_init(&t->learner, r, err, errlen) != 0)
        return -1;
    if (r->natural && trpo_init(&t->trpo, &r->m, r->is_learner, r->is_actor) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (r->is_actor && actor_init(&t->actor, r, err, errlen) != 0)
        return -1;
    if ((cfg->backup > 0 || cfg->preempt > 0) && r->mode == MODE_SYNC &&
        backup_init(&t->backup, r) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* A 52-bit hash of this host's name (exact in a double). */
static double host_key(char *host, size_t len)
{
    if (gethostname(host, len) != 0)
        snprintf(host, len, "this node");
    host[len - 1] = '\0';
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *c = host; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    return (double)(h >> 12);
}

/* After set-up, on every rank: what the ranks of each node have allocated but not yet
 * touched, they will take from the node as they fill their buffers (sysmem.h). The
 * lowest rank of a node compares its node's sum with what the node has and refuses a
 * run that cannot fit. Returns 0, or 2 with err on the rank that found the shortfall
 * (1 with err if this rank is out of memory), or -1 if MPI failed. */
static int check_memory(char *err, size_t errlen)
{
    const int size = comm_size(), me = comm_rank();
    char host[128];
    double heap, resident;
    sysmem_usage(&heap, &resident);
    double *table = calloc(2 * (size_t)size, sizeof(double)); /* (rank, {host, bytes}) */
    if (table == NULL) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    table[2 * me] = host_key(host, sizeof host);
    table[2 * me + 1] = heap > resident ? heap - resident : 0.0;
    if (comm_allsum_doubles(table, 2 * (long)size) != 0) {
        free(table);
        return -1;
    }
    int lowest = -1, n = 0;
    double need = 0.0, most = 0.0;
    for (int r = 0; r < size; r++) {
        if (table[2 * r] != table[2 * me])
            continue;
        lowest = lowest < 0 ? r : lowest;
        n++;
        need += table[2 * r + 1];
        most = table[2 * r + 1] > most ? table[2 * r + 1] : most;
    }
    free(table);
    double avail;
    char what[128], a[32], b[32], c[32];
    if (me != lowest || sysmem_available(&avail, what, sizeof what) != 0 || need <= avail)
        return 0;
    snprintf(err, errlen,
             "not enough memory on node %s: its %d rank%s would take another %s as they fill their "
             "buffers (up to %s for one rank), and it has %s (%s); use fewer environments per "
             "actor (--num-envs), a shorter --rollout or fewer ranks per node",
             host, n, n > 1 ? "s" : "", sysmem_format(need, a, sizeof a),
             sysmem_format(most, b, sizeof b), sysmem_format(avail, c, sizeof c), what);
    return 2;
}

int train_run(const Config *cfg, const EnvSpec *spec, const char *dir, const char *resume)
{
    Trainer t;
    memset(&t, 0, sizeof t);
    char err[1024] = "";
    /* set-up can fail on any rank (memory, an environment that does not open): every
     * rank learns of it before the first collective, the first failing rank reports,
     * and all stop together */
    int failed = 0, first = -1;
    if (fault_at("signals-install") || signals_install() != 0) {
        snprintf(err, sizeof err, "cannot install the SIGINT/SIGTERM handlers: %s",
                 strerror(errno ? errno : EINVAL));
        failed = 1;
    } else if (trainer_init(&t, cfg, spec, dir, err, sizeof err) != 0) {
        failed = 1;
    }
    if (comm_agree_status(&failed, &first) != 0 || failed) {
        if (first == comm_rank())
            fprintf(stderr, "mpirl: rank %d: %s\n", first, err);
        trainer_free(&t);
        return 1;
    }
    /* the run fits its nodes' memory (refused before its buffers are filled) */
    int fits = check_memory(err, sizeof err);
    if (fits < 0 || comm_agree_status(&fits, &first) != 0) {
        trainer_free(&t);
        return 1;
    }
    if (fits != 0) { /* the first rank that found its node short says so; exit 2 */
        if (first == comm_rank())
            fprintf(stderr, "mpirl: rank %d: %s\n", first, err);
        trainer_free(&t);
        return fits == 2 ? 2 : 1;
    }
    int64_t it0 = 0, env_steps = 0, version = 0;
    int rc = 0;
    if (resume) {
        int r = trainer_restore(&t, resume, &it0, &env_steps, &version);
        rc = r == 0 ? 0 : (r == 2 ? 2 : 1);
        /* an actor whose state did not load stops everyone */
        int fine = rc == 0;
        if (comm_agree(&fine) != 0 || (!fine && rc == 0))
            rc = 1;
    }
    /* the learner opens metrics.csv (on resume: keeping the rows up to the checkpoint)
     * and tells everyone whether that worked */
    int opened = 1;
    if (rc == 0 && t.run.is_learner) {
        /* in place only on a terminal of our own: under mpirun stdout is a pty even
         * when mpirun's output goes to a file, so ranks print plain lines there */
        const int progress = cfg->quiet ? 0 : (t.run.size == 1 && isatty(1) ? 2 : 1);
        const int async = t.run.mode == MODE_ASYNC;
        if (metrics_open(&t.learner.mt, dir, progress, resume ? it0 : -1, async, err, sizeof err) !=
            0) {
            fprintf(stderr, "mpirl train: %s\n", err);
            opened = 0;
        }
    }
    if (rc == 0 && (comm_agree(&opened) != 0 || !opened))
        rc = 1;
    if (rc == 0 && comm_bcast_floats(t.run.pbuf, t.run.np, 0) != 0)
        rc = 1;
    t.learner.steps0 = env_steps;
    const int64_t per_iter = (int64_t)t.run.n_actors * cfg->num_envs * cfg->rollout;
    /* with --preempt an iteration collects less: the learner's verdict ends the run */
    const int64_t iters = run_by_steps(&t.run) ? INT64_MAX : (cfg->steps + per_iter - 1) / per_iter;
    comm_take_seconds(); /* start the accounts with training */
    comm_take_idle_seconds();
    const double t0 = clock_now();
    if (rc == 0 && t.run.mode == MODE_ASYNC) {
        const MsgLayout l = msg_layout(t.run.np, t.run.summary_len, t.run.stats_len);
        /* the learner keeps an answer buffer per rank (see learner_async) */
        const size_t answers = t.run.is_learner ? (size_t)t.run.size : 1;
        unsigned char *a = malloc((size_t)async_message_len(&t.run)),
                      *b = malloc(answers * (size_t)l.params_len);
        if (!a || !b) {
            fprintf(stderr, "mpirl: rank %d: out of memory\n", t.run.rank);
            rc = 1;
        } else {
            rc = t.run.is_learner ? async_learner(&t, a, b, it0, env_steps, version)
                                  : actor_async(&t.actor, &t.run, a, b, version);
        }
        free(a);
        free(b);
    } else {
        const int watch = t.run.is_learner && t.run.size > 1;
        for (int64_t it = it0; it < iters && rc == 0; it++) {
            if (watch) /* the learner's waits for the actors are bounded */
                comm_set_patience(learner_patience(&t.learner, cfg), signals_pending,
                                  learner_stop_grace(&t.learner));
            const int64_t steps_before = env_steps;
            const double t_it = clock_now();
            int r = sync_iteration(&t, it, iters, &env_steps, t0);
            if (watch && r != 0 && comm_timed_out(NULL) != -2)
                lost_actor(&t, it, steps_before); /* does not return */
            t.learner.longest_iteration = fmax(t.learner.longest_iteration, clock_now() - t_it);
            if (r == SYNC_STOPPED)
                break;
            rc = r == 0 ? 0 : 1;
        }
        if (watch)
            comm_set_patience(0, NULL, 0);
    }
    if (t.run.is_learner)
        metrics_close(&t.learner.mt);
    if (t.run.is_learner && t.learner.n_lost > 0) {
        /* MPI_Finalize would wait for the lost actors: end here, the launcher ends them */
        fprintf(stderr,
                "mpirl: the run ended without %d actor(s) that stopped answering; the "
                "checkpoint holds the learner's state\n",
                t.learner.n_lost);
        trainer_free(&t);
        comm_abandon(1); /* non-zero: the launcher ends the job at once */
    }
    trainer_free(&t);
    return rc;
}
