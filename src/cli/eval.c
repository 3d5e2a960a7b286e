/* eval.c - `mpirl eval` (see eval.h).
 *
 * Rank r plays episodes r, r + N_ranks, ...: one environment per episode in a vector,
 * each counted until its first episode ends (the vector's auto-reset starts a second
 * one that is not counted). Environment streams are (seed, rank, index) as in
 * training; sampled actions come from (seed, rank, 2^32 - 1).
 */
#include "eval.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "dist.h"
#include "opts.h"
#include "outfile.h"
#include "rollout.h"
#include "rstats.h"
#include "saved.h"
#include "vecenv.h"

typedef struct {
    const char *checkpoint;
    long episodes;
    int deterministic;
    long long seed;
    int json;
    const char *trace;
} EvalArgs;

static void usage(void)
{
    printf("usage: mpirl eval --checkpoint FILE [--episodes N] [--deterministic] [--seed S] "
           "[--json]\n"
           "                  [--trace FILE]\n"
           "\n"
           "Runs the policy saved in FILE (with its observation normaliser) for N episodes\n"
           "(default 100; split across ranks under mpirun) and prints the mean and std of\n"
           "the return and the mean episode length; --json prints one JSON object with\n"
           "episodes, return_mean, return_std, length_mean. --deterministic takes the most\n"
           "likely action (argmax, or the Gaussian's mean) instead of sampling. --seed S\n"
           "(default 1) seeds the environments and the sampling.\n"
           "--trace FILE writes every counted step as CSV: episode, step, the observation\n"
           "as the environment returned it (obs0..), the policy's output (out0..: logits\n"
           "or Gaussian means) and the action taken (act0..: before the environment's\n"
           "clipping); one process only. What mpirl export's C policy is checked against.\n");
}

/* 0, 1 for --help, or -1 with err */
static int parse_args(EvalArgs *a, int argc, char **argv, char *err, size_t len)
{
    long long episodes = 100, seed = 1;
    *a = (EvalArgs){NULL, 100, 0, 1, 0, NULL};
    const Opt opts[] = {
        {"checkpoint", OPT_TEXT, &a->checkpoint, 0, 0},
        {"episodes", OPT_INT, &episodes, 1, 1000000},
        {"deterministic", OPT_FLAG, &a->deterministic, 0, 0},
        {"seed", OPT_INT, &seed, 0, INT64_MAX},
        {"json", OPT_FLAG, &a->json, 0, 0},
        {"trace", OPT_TEXT, &a->trace, 0, 0},
    };
    const int rc = opts_parse(opts, (int)(sizeof opts / sizeof opts[0]), NULL, NULL, argc - 1,
                              argv + 1, err, len);
    if (rc != 0)
        return rc;
    a->episodes = (long)episodes;
    a->seed = seed;
    if (!a->checkpoint) {
        snprintf(err, len, "--checkpoint FILE is required");
        return -1;
    }
    return 0;
}

/* The trace's header: episode, step, obs0.., out0.., act0.. */
static void trace_header(FILE *f, int obs_dim, int out_dim, int act_dim)
{
    fprintf(f, "episode,step");
    for (int j = 0; j < obs_dim; j++)
        fprintf(f, ",obs%d", j);
    for (int j = 0; j < out_dim; j++)
        fprintf(f, ",out%d", j);
    for (int j = 0; j < act_dim; j++)
        fprintf(f, ",act%d", j);
    fputc('\n', f);
}

/* One row per environment still in its first episode: what it observed (float64
 * observations with 17 digits, float32 with 9: both read back exactly), the policy's
 * output and the action. */
static void trace_rows(FILE *f, const VecEnv *v, const char *done, long step, const float *p,
                       int out_dim, const float *act)
{
    const int od = v->spec->obs_dim;
    for (int i = 0; i < v->n; i++) {
        if (done[i])
            continue;
        fprintf(f, "%d,%ld", i, step);
        for (int j = 0; j < od; j++) {
            if (v->obs64)
                fprintf(f, ",%.17g", v->obs64[(size_t)i * od + j]);
            else
                fprintf(f, ",%.9g", (double)v->obs[(size_t)i * od + j]);
        }
        for (int j = 0; j < out_dim; j++)
            fprintf(f, ",%.9g", (double)p[(size_t)i * out_dim + j]);
        for (int j = 0; j < v->act_dim; j++)
            fprintf(f, ",%.9g", (double)act[(size_t)i * v->act_dim + j]);
        fputc('\n', f);
    }
}

/* Play `count` episodes on this rank; returns and lengths into ret/len, the trace
 * into `trace` unless NULL. 0 or -1. */
static int play(const Model *m, const float *params, const ObsNorm *norm, const EnvSpec *spec,
                const EvalArgs *a, int count, double *ret, double *len, FILE *trace, char *err,
                size_t errlen)
{
    VecEnv v;
    if (count == 0)
        return 0;
    if (vecenv_init(&v, spec, count, 0, (uint64_t)a->seed, (uint32_t)comm_rank(), err, errlen) != 0)
        return -1;
    ModelWork *w = model_work_create(m, count);
    float *obs = malloc(sizeof(float) * (size_t)count * (size_t)spec->obs_dim);
    float *act = malloc(sizeof(float) * (size_t)count * (size_t)v.act_dim);
    char *done = calloc((size_t)count, 1);
    int rc = w && obs && act && done ? 0 : -1;
    Rng rng;
    rng_seed(&rng, (uint64_t)a->seed, rng_stream_id((uint32_t)comm_rank(), 0xffffffffu));
    int left = count;
    if (trace)
        trace_header(trace, spec->obs_dim, m->dist.n, v.act_dim);
    for (long step = 0; rc == 0 && left > 0; step++) {
        const float *p =
            model_policy(w, m, params, obs_view(obs, v.obs, v.obs64, count, norm), count);
        if (a->deterministic)
            dist_mode(act, &m->dist, p, count);
        else
            dist_sample(act, &m->dist, p, model_logstd(m, params), count, &rng);
        if (trace)
            trace_rows(trace, &v, done, step, p, m->dist.n, act);
        if (vecenv_step(&v, act) != 0) {
            snprintf(err, errlen, "%s", v.err);
            rc = -1;
            break;
        }
        for (int i = 0; i < count; i++) {
            if (!done[i] && (v.terminated[i] || v.truncated[i])) {
                done[i] = 1;
                ret[i] = v.done_return[i];
                len[i] = v.done_len[i];
                left--;
            }
        }
    }
    if (rc != 0 && !err[0])
        snprintf(err, errlen, "out of memory");
    model_work_destroy(&w);
    free(obs);
    free(act);
    free(done);
    vecenv_free(&v);
    return rc;
}

int eval_main(int argc, char **argv)
{
    EvalArgs a;
    char err[1024] = "";
    int help = parse_args(&a, argc, argv, err, sizeof err);
    if (help == 1) {
        usage();
        return 0;
    }
    if (comm_init(&argc, &argv) != 0)
        return 1;
    const int rank = comm_rank(), size = comm_size();
    int status = help < 0 ? 2 : 0;
    SavedPolicy sp;
    if (status == 0 && a.trace && size > 1) {
        snprintf(err, sizeof err,
                 "--trace writes one file from one process: run mpirl eval without mpirun");
        status = 2;
    }
    /* every rank reads the checkpoint (a small file; the run directory is shared) */
    if (status == 0)
        status = saved_load(&sp, a.checkpoint, err, sizeof err);
    else
        memset(&sp, 0, sizeof sp);
    /* every rank reads the same arguments, but the file may be missing or different on
     * one node: all agree before playing, and the first failing rank reports */
    int first = -1;
    if (comm_agree_status(&status, &first) != 0)
        status = 1;
    double *local = NULL, *all = NULL;
    if (status != 0) {
        if (rank == first && rank == 0)
            fprintf(stderr, "mpirl eval: %s\n", err);
        else if (rank == first)
            fprintf(stderr, "mpirl eval: rank %d: %s\n", rank, err);
        goto done;
    }
    /* episodes of this rank, then everyone's to rank 0 */
    const long per = (a.episodes + size - 1) / size;
    const int mine = (int)(a.episodes / size + (rank < a.episodes % size ? 1 : 0));
    local = calloc((size_t)(2 * per + 1), sizeof(double));
    all = rank == 0 ? calloc((size_t)(2 * per + 1) * (size_t)size, sizeof(double)) : NULL;
    if (status == 0 && (!local || (rank == 0 && !all))) {
        snprintf(err, sizeof err, "out of memory");
        status = 1;
    }
    char *trace_text = NULL;
    size_t trace_len = 0;
    FILE *trace = NULL;
    if (status == 0 && a.trace && !(trace = open_memstream(&trace_text, &trace_len))) {
        snprintf(err, sizeof err, "out of memory");
        status = 1;
    }
    if (status == 0 && play(&sp.model, sp.params, saved_norm(&sp), sp.spec, &a, mine, local + 1,
                            local + 1 + per, trace, err, sizeof err) != 0)
        status = 1;
    /* the trace is written whole, atomically, once the episodes are played */
    if (trace && (fclose(trace) != 0 || !trace_text) && status == 0) {
        snprintf(err, sizeof err, "out of memory");
        status = 1;
    }
    if (trace && status == 0 &&
        outfile_write(a.trace, "trace-write", outfile_fill_buf,
                      &(OutfileBuf){trace_text, trace_len}, err, sizeof err) != 0)
        status = 1;
    free(trace_text);
    if (local)
        local[0] = status == 0 ? mine : -1;
    /* every rank reaches the same verdict on bad input; runtime failures are gathered */
    double dummy[1] = {-1};
    if (comm_gather_doubles(all ? all : dummy, local ? local : dummy, local ? 2 * per + 1 : 1, 0) !=
        0)
        status = 1;
    if (rank == 0 && status == 0) {
        double sum = 0, sq = 0, l = 0, cnt = 0;
        for (int r = 0; r < size; r++) {
            const double *x = all + (size_t)r * (size_t)(2 * per + 1);
            if (x[0] < 0)
                status = 1;
            for (int k = 0; k < (int)x[0]; k++) {
                sum += x[1 + k];
                sq += x[1 + k] * x[1 + k];
                l += x[1 + per + k];
                cnt++;
            }
        }
        const double mean = sum / cnt, sd = sqrt(fmax(0.0, sq / cnt - mean * mean));
        if (status == 0 && a.json)
            printf("{\"episodes\": %.0f, \"return_mean\": %.17g, \"return_std\": %.17g, "
                   "\"length_mean\": %.17g}\n",
                   cnt, mean, sd, l / cnt);
        else if (status == 0)
            printf("%s, %.0f episodes%s: return %.2f +- %.2f, length %.1f\n", sp.spec->id, cnt,
                   a.deterministic ? " (deterministic)" : "", mean, sd, l / cnt);
    }
    if (status != 0 && err[0])
        fprintf(stderr, "mpirl eval: rank %d: %s\n", rank, err);
done:
    free(local);
    free(all);
    saved_free(&sp);
    comm_finalize();
    return status;
}
