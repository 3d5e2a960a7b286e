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

#include "ckpt.h"
#include "comm.h"
#include "config.h"
#include "dist.h"
#include "opts.h"
#include "policy.h"
#include "registry.h"
#include "rollout.h"
#include "rstats.h"
#include "vecenv.h"

typedef struct {
    const char *checkpoint;
    long episodes;
    int deterministic;
    long long seed;
    int json;
} EvalArgs;

static void usage(void)
{
    printf("usage: mpirl eval --checkpoint FILE [--episodes N] [--deterministic] [--seed S] "
           "[--json]\n"
           "\n"
           "Runs the policy saved in FILE (with its observation normaliser) for N episodes\n"
           "(default 100; split across ranks under mpirun) and prints the mean and std of\n"
           "the return and the mean episode length; --json prints one JSON object with\n"
           "episodes, return_mean, return_std, length_mean. --deterministic takes the most\n"
           "likely action (argmax, or the Gaussian's mean) instead of sampling. --seed S\n"
           "(default 1) seeds the environments and the sampling.\n");
}

/* 0, 1 for --help, or -1 with err */
static int parse_args(EvalArgs *a, int argc, char **argv, char *err, size_t len)
{
    long long episodes = 100, seed = 1;
    *a = (EvalArgs){NULL, 100, 0, 1, 0};
    const Opt opts[] = {
        {"checkpoint", OPT_TEXT, &a->checkpoint, 0, 0},
        {"episodes", OPT_INT, &episodes, 1, 1000000},
        {"deterministic", OPT_FLAG, &a->deterministic, 0, 0},
        {"seed", OPT_INT, &seed, 0, INT64_MAX},
        {"json", OPT_FLAG, &a->json, 0, 0},
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

/* Play `count` episodes on this rank; returns and lengths into ret/len. 0 or -1. */
static int play(const Model *m, const float *params, const ObsNorm *norm, const EnvSpec *spec,
                const EvalArgs *a, int count, double *ret, double *len, char *err, size_t errlen)
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
    while (rc == 0 && left > 0) {
        const float *p =
            model_policy(w, m, params, obs_view(obs, v.obs, v.obs64, count, norm), count);
        if (a->deterministic)
            dist_mode(act, &m->dist, p, count);
        else
            dist_sample(act, &m->dist, p, model_logstd(m, params), count, &rng);
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
    Ckpt *c = NULL;
    EnvRegistry *reg = registry_create();
    const EnvSpec *spec = NULL;
    Config cfg;
    Model m;
    float *params = NULL;
    RunningStats stats = {0};
    ObsNorm norm = {0};
    /* every rank reads the checkpoint (a small file; the run directory is shared) */
    if (status == 0 && !(c = ckpt_read(a.checkpoint, err, sizeof err)))
        status = 2;
    size_t n = 0;
    const char *text = status ? NULL : ckpt_get(c, "config", &n);
    char cerr[CONFIG_ERR_LEN];
    config_defaults(&cfg);
    if (status == 0 &&
        (!text || config_load_text(&cfg, text, n, "the checkpoint's config", cerr) != 0)) {
        snprintf(err, sizeof err, "%.200s: %.800s", a.checkpoint,
                 text ? cerr : "no configuration in the checkpoint");
        status = 2;
    }
    if (status == 0 && (!reg || !(spec = registry_lookup(reg, cfg.env, err, sizeof err))))
        status = 2;
    if (status == 0 && policy_model_init(&m, &cfg, spec, err, sizeof err) != 0)
        status = 2;
    const void *p = NULL, *s = NULL;
    if (status == 0 &&
        (!(p = ckpt_get_exact(c, "params", m.n_params * sizeof(float), err, sizeof err)) ||
         !(s = ckpt_get_exact(c, "obs.stats",
                              sizeof(double) * (size_t)rstats_buf_len(spec->obs_dim), err,
                              sizeof err))))
        status = 2;
    if (status == 0) {
        params = malloc(m.n_params * sizeof(float));
        if (!params || rstats_init(&stats, spec->obs_dim) != 0 ||
            obsnorm_init(&norm, spec->obs_dim, cfg.obs_clip) != 0) {
            snprintf(err, sizeof err, "out of memory");
            status = 1;
        } else {
            memcpy(params, p, m.n_params * sizeof(float));
            memcpy(stats.buf, s, sizeof(double) * (size_t)rstats_buf_len(spec->obs_dim));
            obsnorm_set(&norm, &stats, 1e-8);
        }
    }
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
    if (status == 0 && play(&m, params, cfg.norm_obs ? &norm : NULL, spec, &a, mine, local + 1,
                            local + 1 + per, err, sizeof err) != 0)
        status = 1;
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
            printf("%s, %.0f episodes%s: return %.2f +- %.2f, length %.1f\n", spec->id, cnt,
                   a.deterministic ? " (deterministic)" : "", mean, sd, l / cnt);
    }
    if (status != 0 && err[0])
        fprintf(stderr, "mpirl eval: rank %d: %s\n", rank, err);
done:
    free(local);
    free(all);
    free(params);
    rstats_free(&stats);
    obsnorm_free(&norm);
    ckpt_destroy(&c);
    registry_destroy(&reg);
    comm_finalize();
    return status;
}
