/* train_ckpt.c - checkpoints of a training run (see trainer.h).
 *
 * Sections of checkpoint.bin (ckpt.h):
 *   meta      int64[N_META]: form (CKPT_SYNC, CKPT_ASYNC, CKPT_LEARNER: a sync run's
 *             learner alone, its actors lost), iteration, env steps, version, episodes,
 *             actors, environments per actor, parameters, observation size, Adam step
 *   config    the resolved configuration (INI text), env: the environment id
 *   params    float[np];  adam.m, adam.v: float[np];  obs.stats: double[1 + 2 obs_dim]
 *   ret.stats double[3]: the discounted-return statistics of reward normalisation
 *             (optional when reading, for checkpoints that predate it)
 *   window    double[2 + 2 * METRICS_WINDOW]: the episode window (n, head, returns,
 *             lengths)
 *   kl_beta   double: ppo-kl's KL coefficient for the next iteration (written by every
 *             algorithm; optional when reading, for checkpoints that predate it)
 *   actor.R   (sync only) per actor rank R: its environments (vecenv_save), their
 *             discounted returns for reward normalisation (double[num_envs]), then its
 *             action-sampling and shuffling generators
 * Numbers are stored in the machine's own representation (little-endian IEEE on every
 * platform mpirl builds for); the checksum covers everything.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "comm.h"
#include "fault.h"
#include "trainer.h"

enum {
    M_FORM,
    M_ITERATION,
    M_ENV_STEPS,
    M_VERSION,
    M_EPISODES,
    M_ACTORS,
    M_NUM_ENVS,
    M_PARAMS,
    M_OBS_DIM,
    M_ADAM_T,
    N_META
};

/* numbered checkpoints beyond the newest `keep` are removed */
static void prune(const char *dir, int keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    long its[4096];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 4096) {
        long it;
        char tail[8];
        if (sscanf(e->d_name, "checkpoint-%ld.bi%1s", &it, tail) == 2 && strcmp(tail, "n") == 0)
            its[n++] = it;
    }
    closedir(d);
    for (int i = 0; i < n; i++) {
        int newer = 0;
        for (int j = 0; j < n; j++)
            newer += its[j] > its[i];
        if (newer >= keep) {
            char p[4096];
            snprintf(p, sizeof p, "%s/checkpoint-%ld.bin", dir, its[i]);
            remove(p);
        }
    }
}

/* trainer_checkpoint's work: in the sync form the actors' states are gathered, and the
 * learner writes the file. Returns 0 or -1 (reported); in the sync form only the
 * learner knows whether the file was written. */
static int checkpoint_once(Trainer *t, int64_t iteration, int64_t env_steps, int64_t version,
                           CkptForm form)
{
    const int sync = form == CKPT_SYNC;
    const size_t blob = actor_state_size(&t->run);
    unsigned char *mine = NULL, *all = NULL;
    int rc = 0;
    if (sync) {
        mine = calloc(1, blob);
        if (t->run.is_learner)
            all = malloc(blob * (size_t)t->run.size);
        /* every rank learns whether every allocation worked before the gather, whose
         * counts must agree; on a failure all of them skip it and return -1 */
        int ok = mine && (!t->run.is_learner || all);
        if (!ok)
            fprintf(stderr, "mpirl: rank %d: out of memory for the checkpoint\n", t->run.rank);
        if (comm_agree(&ok) != 0 || !ok) {
            rc = -1;
        } else {
            if (t->run.is_actor)
                actor_state_save(&t->actor, &t->run, mine);
            if (comm_gather_bytes(all, mine, (long)blob, 0) != 0)
                rc = -1;
        }
    }
    if (!t->run.is_learner) {
        free(mine);
        return rc;
    }
    char err[512] = "out of memory";
    CkptWriter *w = ckpt_writer_create();
    if (!w || rc != 0)
        goto fail;
    int64_t meta[N_META] = {0};
    meta[M_FORM] = form;
    meta[M_ITERATION] = iteration;
    meta[M_ENV_STEPS] = env_steps;
    meta[M_VERSION] = version;
    meta[M_EPISODES] = t->learner.mt.episodes;
    meta[M_ACTORS] = t->run.n_actors;
    meta[M_NUM_ENVS] = t->run.cfg->num_envs;
    meta[M_PARAMS] = t->run.np;
    meta[M_OBS_DIM] = t->run.spec->obs_dim;
    meta[M_ADAM_T] = t->learner.adam.t;
    char *text = NULL;
    size_t text_len = 0;
    FILE *mf = open_memstream(&text, &text_len);
    if (!mf || config_write(t->run.cfg, mf) != 0) {
        if (mf)
            fclose(mf);
        free(text);
        goto fail;
    }
    fclose(mf);
    double window[2 + 2 * METRICS_WINDOW];
    window[0] = t->learner.mt.n;
    window[1] = t->learner.mt.head;
    memcpy(window + 2, t->learner.mt.ret, sizeof t->learner.mt.ret);
    memcpy(window + 2 + METRICS_WINDOW, t->learner.mt.len, sizeof t->learner.mt.len);
    const size_t pbytes = (size_t)t->run.np * sizeof(float);
    int bad = ckpt_add(w, "meta", meta, sizeof meta) || ckpt_add(w, "config", text, text_len) ||
              ckpt_add(w, "env", t->run.spec->id, strlen(t->run.spec->id)) ||
              ckpt_add(w, "params", t->run.pbuf, pbytes) ||
              ckpt_add(w, "adam.m", t->learner.adam.m, pbytes) ||
              ckpt_add(w, "adam.v", t->learner.adam.v, pbytes) ||
              ckpt_add(w, "obs.stats", t->run.global.buf,
                       (size_t)rstats_buf_len(t->run.spec->obs_dim) * sizeof(double)) ||
              ckpt_add(w, "ret.stats", t->run.ret_global.buf,
                       (size_t)rstats_buf_len(1) * sizeof(double)) ||
              ckpt_add(w, "window", window, sizeof window) ||
              ckpt_add(w, "kl_beta", &t->run.kl_beta, sizeof t->run.kl_beta);
    free(text);
    for (int r = 0; sync && !bad && r < t->run.size; r++) {
        if (t->run.size > 1 && r == 0)
            continue; /* the learner has no environments */
        char tag[32]; /* "actor.R", R < 2^31: at most 16 characters, as CKPT_TAG_LEN */
        snprintf(tag, sizeof tag, "actor.%d", r);
        bad = ckpt_add(w, tag, all + (size_t)r * blob, blob);
    }
    if (bad)
        goto fail;
    char path[4096], numbered[4096];
    snprintf(path, sizeof path, "%s/checkpoint.bin", t->run.dir);
    if (ckpt_write(w, path, err, sizeof err) != 0)
        goto fail;
    if (t->run.cfg->keep > 0) {
        snprintf(numbered, sizeof numbered, "%s/checkpoint-%lld.bin", t->run.dir,
                 (long long)iteration);
        remove(numbered);
        /* a hard link costs nothing; where the file system has none, a second copy */
        if (fault_at("ckpt-link") || link(path, numbered) != 0) {
            char cerr[512];
            if (ckpt_write(w, numbered, cerr, sizeof cerr) != 0)
                fprintf(stderr,
                        "mpirl: checkpoint.bin of iteration %lld written, but not its numbered "
                        "copy: %.400s\n",
                        (long long)iteration, cerr);
        }
        prune(t->run.dir, t->run.cfg->keep);
    }
    t->learner.last_checkpoint = iteration;
    ckpt_writer_destroy(&w);
    free(mine);
    free(all);
    return 0;
fail:
    learner_report_stop(&t->learner, "checkpoint at iteration %lld not written: %.400s",
                        (long long)iteration, err);
    ckpt_writer_destroy(&w);
    free(mine);
    free(all);
    return -1;
}

int trainer_checkpoint(Trainer *t, int64_t iteration, int64_t env_steps, int64_t version,
                       CkptForm form)
{
    const int rc = checkpoint_once(t, iteration, env_steps, version, form);
    if (form != CKPT_SYNC)
        return rc;
    /* every rank hears whether the learner wrote the file, so that all stop together */
    int ok = rc == 0;
    return comm_agree(&ok) != 0 || !ok ? -1 : 0;
}

/* learner: check that the checkpoint fits this run; 0 or -1 with err */
static int check_fit(const Trainer *t, const Ckpt *c, const int64_t *meta, int sync, char *err,
                     size_t len)
{
    size_t n;
    const char *env = ckpt_get(c, "env", &n);
    if (!env || n != strlen(t->run.spec->id) || memcmp(env, t->run.spec->id, n) != 0) {
        snprintf(err, len, "the checkpoint is of environment '%.*s', this run trains '%s'",
                 env ? (int)(n > 64 ? 64 : n) : 7, env ? env : "unknown", t->run.spec->id);
        return -1;
    }
    if (meta[M_PARAMS] != t->run.np || meta[M_OBS_DIM] != t->run.spec->obs_dim) {
        snprintf(err, len,
                 "the checkpoint's model has %lld parameters, this configuration %ld "
                 "(hidden sizes or activation differ)",
                 (long long)meta[M_PARAMS], t->run.np);
        return -1;
    }
    if (sync && ((meta[M_FORM] != CKPT_SYNC && meta[M_FORM] != CKPT_LEARNER) ||
                 meta[M_ACTORS] != t->run.n_actors || meta[M_NUM_ENVS] != t->run.cfg->num_envs)) {
        snprintf(err, len,
                 "the checkpoint was written by %lld actor(s) with %lld environments each in "
                 "%s mode; resume with mpirun -np %lld",
                 (long long)meta[M_ACTORS], (long long)meta[M_NUM_ENVS],
                 meta[M_FORM] == CKPT_ASYNC ? "async" : "sync",
                 (long long)(meta[M_ACTORS] > 1 ? meta[M_ACTORS] + 1 : meta[M_ACTORS]));
        return -1;
    }
    return 0;
}

/* Section data need not be aligned for its type: numbers are read through memcpy. */
static double double_at(const void *p, size_t i)
{
    double v;
    memcpy(&v, (const unsigned char *)p + i * sizeof v, sizeof v);
    return v;
}

static float float_at(const void *p, size_t i)
{
    float v;
    memcpy(&v, (const unsigned char *)p + i * sizeof v, sizeof v);
    return v;
}

/* normaliser statistics as stored (rstats.h: count, dim means, dim sums of squared
 * deviations): all finite, count and sums not negative */
static int stats_valid(const void *b, int dim)
{
    for (int i = 0; i < 1 + 2 * dim; i++) {
        const double x = double_at(b, (size_t)i);
        if (!isfinite(x) || ((i == 0 || i > dim) && x < 0))
            return 0;
    }
    return 1;
}

static int floats_finite(const void *x, long n, int nonnegative)
{
    for (long i = 0; i < n; i++) {
        const float v = float_at(x, (size_t)i);
        if (!isfinite(v) || (nonnegative && v < 0))
            return 0;
    }
    return 1;
}

/* learner: every value of the checkpoint in its range before any is used (a file with
 * a valid checksum may still have been made by hand); 0 or -1 with err */
static int check_values(const Trainer *t, const Ckpt *c, const int64_t *meta, const void *params,
                        const void *m, const void *v, const void *stats, const void *window,
                        char *err, size_t len)
{
    static const struct {
        int slot;
        const char *name;
    } counters[] = {{M_ITERATION, "iteration"},
                    {M_ENV_STEPS, "environment step count"},
                    {M_VERSION, "parameter version"},
                    {M_EPISODES, "episode count"},
                    {M_ADAM_T, "Adam step count"}};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if (meta[counters[i].slot] < 0) {
            snprintf(err, len, "its %s is negative (%lld)", counters[i].name,
                     (long long)meta[counters[i].slot]);
            return -1;
        }
    const double n = double_at(window, 0), head = double_at(window, 1);
    if (!(n >= 0 && n <= METRICS_WINDOW && n == floor(n)) ||
        !(head >= 0 && head < METRICS_WINDOW && head == floor(head))) {
        snprintf(err, len,
                 "its episode window is out of range (%g episodes from position %g; the "
                 "window holds %d)",
                 n, head, METRICS_WINDOW);
        return -1;
    }
    const long np = t->run.np;
    if (!floats_finite(params, np, 0) || !floats_finite(m, np, 0) || !floats_finite(v, np, 1)) {
        snprintf(err, len,
                 "its parameters or Adam moments are not finite (or a second "
                 "moment is negative)");
        return -1;
    }
    size_t rl = 0;
    const void *ret = ckpt_get(c, "ret.stats", &rl);
    if (!stats_valid(stats, t->run.spec->obs_dim) ||
        (ret && rl == (size_t)rstats_buf_len(1) * sizeof(double) && !stats_valid(ret, 1))) {
        snprintf(err, len, "its normaliser statistics are not finite or negative");
        return -1;
    }
    size_t bl = 0;
    const void *beta = ckpt_get(c, "kl_beta", &bl);
    if (beta && bl == sizeof(double) && !(isfinite(double_at(beta, 0)) && double_at(beta, 0) > 0)) {
        snprintf(err, len, "its KL coefficient is not a positive number (%g)", double_at(beta, 0));
        return -1;
    }
    return 0;
}

int trainer_restore(Trainer *t, const char *path, int64_t *iteration, int64_t *env_steps,
                    int64_t *version)
{
    const int sync = t->run.mode == MODE_SYNC;
    const size_t blob = actor_state_size(&t->run);
    /* the learner's verdict on the checkpoint, for every rank */
    struct {
        int32_t ok, pad;
        int64_t meta[N_META];
        double kl_beta;
    } verdict = {0};
    unsigned char *all = NULL, *mine = fault_at("restore-alloc") ? NULL : malloc(blob);
    Ckpt *c = NULL;
    if (t->run.is_learner) {
        char err[1024];
        const int64_t *meta = NULL;
        c = ckpt_read(path, err, sizeof err);
        if (c)
            meta = ckpt_get_exact(c, "meta", sizeof(int64_t) * N_META, err, sizeof err);
        const size_t pbytes = (size_t)t->run.np * sizeof(float);
        const void *params = NULL, *m = NULL, *v = NULL, *stats = NULL, *window = NULL;
        if (meta && check_fit(t, c, meta, sync, err, sizeof err) == 0 &&
            (params = ckpt_get_exact(c, "params", pbytes, err, sizeof err)) &&
            (m = ckpt_get_exact(c, "adam.m", pbytes, err, sizeof err)) &&
            (v = ckpt_get_exact(c, "adam.v", pbytes, err, sizeof err)) &&
            (stats = ckpt_get_exact(c, "obs.stats",
                                    (size_t)rstats_buf_len(t->run.spec->obs_dim) * sizeof(double),
                                    err, sizeof err)) &&
            (window = ckpt_get_exact(c, "window", sizeof(double) * (2 + 2 * METRICS_WINDOW), err,
                                     sizeof err)) &&
            check_values(t, c, meta, params, m, v, stats, window, err, sizeof err) == 0) {
            /* the actors' states, unless the learner alone wrote it */
            const int actors = sync && meta[M_FORM] == CKPT_SYNC;
            all = actors ? malloc(blob * (size_t)t->run.size) : NULL;
            int ok = !actors || all;
            if (!ok)
                snprintf(err, sizeof err, "out of memory");
            for (int r = 0; actors && ok && r < t->run.size; r++) {
                if (t->run.size > 1 && r == 0)
                    continue;
                char tag[32];
                snprintf(tag, sizeof tag, "actor.%d", r);
                const void *a = ckpt_get_exact(c, tag, blob, err, sizeof err);
                if (!a)
                    ok = 0;
                else
                    memcpy(all + (size_t)r * blob, a, blob);
            }
            if (ok) {
                memcpy(t->run.pbuf, params, pbytes);
                memcpy(t->learner.adam.m, m, pbytes);
                memcpy(t->learner.adam.v, v, pbytes);
                t->learner.adam.t = meta[M_ADAM_T];
                memcpy(t->run.global.buf, stats,
                       (size_t)rstats_buf_len(t->run.spec->obs_dim) * sizeof(double));
                size_t rl = 0;
                const void *ret = ckpt_get(c, "ret.stats", &rl);
                if (ret && rl == (size_t)rstats_buf_len(1) * sizeof(double))
                    memcpy(t->run.ret_global.buf, ret, rl);
                const unsigned char *win = window;
                t->learner.mt.n = (int)double_at(win, 0);
                t->learner.mt.head = (int)double_at(win, 1);
                memcpy(t->learner.mt.ret, win + 2 * sizeof(double), sizeof t->learner.mt.ret);
                memcpy(t->learner.mt.len, win + (2 + METRICS_WINDOW) * sizeof(double),
                       sizeof t->learner.mt.len);
                t->learner.mt.episodes = meta[M_EPISODES];
                verdict.ok = 1;
                memcpy(verdict.meta, meta, sizeof verdict.meta);
                size_t bl = 0;
                const void *beta = ckpt_get(c, "kl_beta", &bl);
                verdict.kl_beta = t->run.kl_beta;
                if (beta && bl == sizeof(double))
                    memcpy(&verdict.kl_beta, beta, sizeof(double));
            }
        }
        if (verdict.ok != 1)
            fprintf(stderr, "mpirl train: cannot resume from %s: %s\n", path, err);
    }
    int rc = comm_bcast_bytes(&verdict, (long)sizeof verdict, 0) != 0 ? -1 : 0;
    if (rc == 0 && verdict.ok != 1)
        rc = 2;
    if (t->run.is_learner)
        run_norm_pack(&t->run, &t->run.global, &t->run.ret_global, t->run.nbuf);
    if (rc == 0 && (comm_bcast_floats(t->run.pbuf, t->run.np, 0) != 0 ||
                    comm_bcast_doubles(t->run.nbuf, t->run.stats_len, 0) != 0))
        rc = -1;
    if (rc == 0)
        run_norm_unpack(&t->run, t->run.nbuf);
    if (rc == 0 && sync && verdict.meta[M_FORM] == CKPT_LEARNER && t->run.is_learner)
        fprintf(stderr,
                "mpirl train: %s holds the learner's state alone (its actors were lost when it "
                "was written): the environments start afresh, so the run continues, but not "
                "bit for bit\n",
                path);
    if (rc == 0 && sync && verdict.meta[M_FORM] == CKPT_SYNC) {
        /* every rank enters the scatter, or none: a rank without its buffer says so */
        int have = mine != NULL;
        if (!have)
            fprintf(stderr,
                    "mpirl: rank %d: cannot resume from %s: out of memory for the actor state\n",
                    t->run.rank, path);
        if (comm_agree(&have) != 0 || !have)
            rc = -1;
        static unsigned char dummy[1];
        if (rc == 0 && comm_scatter_bytes(mine, all ? (void *)all : dummy, (long)blob, 0) != 0)
            rc = -1;
        if (rc == 0 && t->run.is_actor && actor_state_load(&t->actor, &t->run, mine) != 0)
            rc = -1;
    }
    if (rc == 0) {
        if (t->run.is_actor)
            actor_norm_refresh(&t->actor, &t->run);
        *iteration = verdict.meta[M_ITERATION];
        t->learner.last_checkpoint = *iteration;
        *env_steps = verdict.meta[M_ENV_STEPS];
        *version = verdict.meta[M_VERSION];
        t->run.kl_beta = verdict.kl_beta;
        t->run.loss.kl_beta = t->run.kl_beta;
    }
    ckpt_destroy(&c);
    free(all);
    free(mine);
    return rc;
}
