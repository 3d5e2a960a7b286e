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
#include "ckpt_check.h"
#include "comm.h"
#include "fault.h"
#include "trainer.h"

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
              ckpt_add(w, "kl_beta", &t->run.kl_beta, sizeof t->run.kl_beta) ||
              (t->run.running &&
               ckpt_add(w, "baseline", t->run.baseline, (size_t)t->run.base_len * sizeof(double)));
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
        const CkptShape shape = {t->run.spec->id, t->run.np,           t->run.spec->obs_dim, sync,
                                 t->run.n_actors, t->run.cfg->num_envs};
        CkptView cv;
        c = ckpt_read(path, err, sizeof err);
        if (c && ckpt_check(c, &shape, &cv, err, sizeof err) == 0) {
            const int64_t *meta = cv.meta;
            const size_t pbytes = (size_t)t->run.np * sizeof(float);
            /* the actors' states, unless the learner alone wrote it */
            const int actors = sync && meta[M_FORM] == CKPT_SYNC;
            all = actors ? malloc(blob * (size_t)t->run.size) : NULL;
            int ok = !actors || all;
            if (!ok)
                snprintf(err, sizeof err, "out of memory");
            /* reinforce --baseline running: b_t and whether it is set, per step */
            const void *base = NULL;
            if (ok && t->run.running) {
                base = ckpt_get_exact(c, "baseline", (size_t)t->run.base_len * sizeof(double), err,
                                      sizeof err);
                for (int k = 0; base && k < t->run.base_len; k++) {
                    const double x = ckpt_double_at(base, k);
                    if (!isfinite(x) || (k >= t->run.base_len / 2 && x != 0.0 && x != 1.0)) {
                        snprintf(err, sizeof err, "baseline[%d] = %g is not a baseline value", k,
                                 x);
                        base = NULL;
                    }
                }
                ok = base != NULL;
            }
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
                memcpy(t->run.pbuf, cv.params, pbytes);
                memcpy(t->learner.adam.m, cv.adam_m, pbytes);
                memcpy(t->learner.adam.v, cv.adam_v, pbytes);
                t->learner.adam.t = meta[M_ADAM_T];
                memcpy(t->run.global.buf, cv.stats,
                       (size_t)rstats_buf_len(t->run.spec->obs_dim) * sizeof(double));
                if (cv.ret)
                    memcpy(t->run.ret_global.buf, cv.ret,
                           (size_t)rstats_buf_len(1) * sizeof(double));
                if (base)
                    memcpy(t->run.baseline, base, (size_t)t->run.base_len * sizeof(double));
                const unsigned char *win = cv.window;
                t->learner.mt.n = (int)ckpt_double_at(win, 0);
                t->learner.mt.head = (int)ckpt_double_at(win, 1);
                memcpy(t->learner.mt.ret, win + 2 * sizeof(double), sizeof t->learner.mt.ret);
                memcpy(t->learner.mt.len, win + (2 + METRICS_WINDOW) * sizeof(double),
                       sizeof t->learner.mt.len);
                t->learner.mt.episodes = meta[M_EPISODES];
                verdict.ok = 1;
                memcpy(verdict.meta, meta, sizeof verdict.meta);
                verdict.kl_beta = cv.beta ? ckpt_double_at(cv.beta, 0) : t->run.kl_beta;
            }
        }
        if (verdict.ok != 1)
            fprintf(stderr, "mpirl train: cannot resume from %s: %s\n", path, err);
    }
    int rc = comm_bcast_bytes(&verdict, (long)sizeof verdict, 0) != 0 ? -1 : 0;
    if (rc == 0 && verdict.ok != 1)
        rc = 2;
    if (t->run.is_learner)
        run_norm_pack(&t->run, &t->run.global, &t->run.ret_global, t->run.baseline, t->run.nbuf);
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
