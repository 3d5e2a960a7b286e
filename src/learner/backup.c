/* backup.c - sync with --backup B: the first N - B gradients of each step (see backup.h). */
#include "backup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "mat.h"
#include "rng.h"
#include "trainer.h"

long backup_grad_len(const Run *r)
{
    return (long)sizeof(MsgHeader) + (r->np + N_EXTRA) * (long)sizeof(float);
}

long backup_answer_len(const Run *r)
{
    return (long)sizeof(MsgHeader) + r->np * (long)sizeof(float);
}

int backup_init(Backup *b, const Run *r)
{
    memset(b, 0, sizeof *b);
    const int n = r->is_learner ? r->size : 1;
    b->n = n;
    b->slot = calloc((size_t)n + 1, sizeof *b->slot);
    b->answer = calloc((size_t)n, sizeof *b->answer);
    b->live = calloc((size_t)n, 1);
    b->counted = calloc((size_t)n, 1);
    b->waiting = calloc((size_t)n, 1);
    if (!b->slot || !b->answer || !b->live || !b->counted || !b->waiting)
        return -1;
    for (int k = 0; k <= n; k++)
        if (!(b->slot[k] = malloc((size_t)backup_grad_len(r))))
            return -1;
    for (int k = 0; k < n; k++)
        if (!(b->answer[k] = malloc((size_t)backup_answer_len(r))))
            return -1;
    return 0;
}

void backup_free(Backup *b)
{
    for (int k = 0; b->slot && k <= b->n; k++)
        free(b->slot[k]);
    for (int k = 0; b->answer && k < b->n; k++)
        free(b->answer[k]);
    free(b->slot);
    free(b->answer);
    free(b->live);
    free(b->counted);
    free(b->waiting);
    memset(b, 0, sizeof *b);
}

/* ----- the actor's side ----- */

/* Gradients of the steps the learner names until it says the phase is over. Returns
 * the control flag, or -1 on an MPI failure. */
static int actor_side(Trainer *t, int failed)
{
    Run *r = &t->run;
    Actor *a = &t->actor;
    Backup *b = &t->backup;
    const int n = rollout_samples(&a->ro), mbs = r->minibatches;
    const int64_t total = (int64_t)r->epochs * mbs;
    MsgHeader *out = (MsgHeader *)b->slot[0];
    const MsgHeader *in = (const MsgHeader *)b->answer[0];
    int64_t step = 0, epoch = -1;
    for (;;) {
        /* every epoch entered shuffles once, skipped ones too: the shuffling stream moves
         * the same way whichever steps this actor computed */
        for (; epoch < step / mbs; epoch++)
            rng_shuffle(&a->rng_shuffle, a->perm, n);
        const int mb = (int)(step % mbs);
        actor_gradient(a, r, (int)((long)mb * n / mbs), (int)((long)(mb + 1) * n / mbs));
        if (failed)
            r->msg[r->np + X_BAD] = 1.0f;
        *out = (MsgHeader){.kind = MSG_GRAD,
                           .flags = r->msg[r->np + X_BAD] > 0.0f ? FLAG_BAD : 0,
                           .version = step};
        memcpy(out + 1, r->msg, ((size_t)r->np + N_EXTRA) * sizeof(float));
        if (comm_send(out, backup_grad_len(r), 0, TAG_BACKUP_GRAD) != 0 ||
            comm_recv_idle(b->answer[0], backup_answer_len(r), 0, TAG_BACKUP_PARAMS, NULL) != 0)
            return -1;
        if (in->kind != MSG_PARAMS) { /* only a program of another build sends this */
            fprintf(stderr, "mpirl: rank %d: the learner sent a message of kind %d\n", r->rank,
                    (int)in->kind);
            return -1;
        }
        memcpy(r->pbuf, in + 1, (size_t)r->np * sizeof(float));
        if (in->flags != CTRL_CONTINUE || in->version >= total)
            return in->flags;
        step = in->version; /* counted: the next step; late: the learner's current one */
    }
}

/* ----- the learner's side ----- */

/* Answer rank k in the background: the current parameters, the step to compute next
 * (total: none) and the control flag. Its previous answer has arrived: k has sent a
 * gradient since. */
static int answer(Trainer *t, int k, int64_t next, int ctrl)
{
    Run *r = &t->run;
    MsgHeader *h = (MsgHeader *)t->backup.answer[k];
    *h = (MsgHeader){.kind = MSG_PARAMS, .flags = ctrl, .version = next};
    memcpy(h + 1, r->pbuf, (size_t)r->np * sizeof(float));
    return comm_post_send(h, backup_answer_len(r), k, TAG_BACKUP_PARAMS);
}

/* The next gradient from any live actor into its slot: *src is the sender. Returns 0,
 * or -1 on an MPI failure or when none came in time (learner_wait_any). */
static int next_gradient(Trainer *t, int *src)
{
    Run *r = &t->run;
    Backup *b = &t->backup;
    for (int k = 0; k < r->size; k++) /* whom the learner waits for, should none come */
        b->waiting[k] = b->live[k] && !b->counted[k];
    long got = 0;
    if (learner_wait_any(&t->learner, r, b->slot[r->size], backup_grad_len(r), TAG_BACKUP_GRAD, src,
                         &got, b->waiting) != 0)
        return -1;
    if (got != backup_grad_len(r) || !b->live[*src]) {
        fprintf(stderr, "mpirl: rank %d sent a gradient the learner did not ask for\n", *src);
        return -1;
    }
    unsigned char *spare = b->slot[*src]; /* the message now is the sender's slot */
    b->slot[*src] = b->slot[r->size];
    b->slot[r->size] = spare;
    return 0;
}

/* The counted gradients' sum, in rank order, into r->msg. */
static void sum_counted(Run *r, const Backup *b)
{
    const long len = r->np + N_EXTRA;
    memset(r->msg, 0, (size_t)len * sizeof(float));
    for (int k = 1; k < r->size; k++)
        if (b->counted[k])
            vec_axpy(r->msg, 1.0f, (const float *)((const MsgHeader *)b->slot[k] + 1), len);
}

static int learner_side(Trainer *t, int64_t it, double lr, StepStats *acc, int64_t *dropped,
                        BackupStep step)
{
    Run *r = &t->run;
    Backup *b = &t->backup;
    Learner *l = &t->learner;
    const int64_t total = (int64_t)r->epochs * r->minibatches;
    const int need = r->n_actors - r->cfg->backup;
    b->failed_late = 0;
    memset(b->live, 1, (size_t)r->size);
    b->live[0] = 0;
    int ctrl = CTRL_CONTINUE, bad = 0;
    double epoch_kl[2] = {0, 0};
    for (int64_t s = 0; s < total && ctrl == CTRL_CONTINUE; s++) {
        memset(b->counted, 0, (size_t)r->size);
        for (int got = 0; got < need;) {
            int k;
            if (next_gradient(t, &k) != 0)
                return -1;
            const MsgHeader *h = (const MsgHeader *)b->slot[k];
            bad |= (h->flags & FLAG_BAD) != 0; /* a failed actor stops the run, late or not */
            if (h->version == s) {
                b->counted[k] = 1;
                got++;
                continue;
            }
            (*dropped)++; /* late: it computes the current step next */
            l->per[k].dropped++;
            if (answer(t, k, s, CTRL_CONTINUE) != 0)
                return -1;
        }
        sum_counted(r, b);
        if (bad)
            r->msg[r->np + X_BAD] = 1.0f;
        ctrl = step(t, lr, acc, epoch_kl, it);
        if (ctrl == CTRL_CONTINUE && (s + 1) % r->minibatches == 0) {
            if (r->cfg->target_kl > 0 && epoch_kl[0] / epoch_kl[1] > r->cfg->target_kl)
                ctrl = CTRL_STOP_EPOCHS;
            epoch_kl[0] = epoch_kl[1] = 0;
        }
        const int64_t next = ctrl == CTRL_CONTINUE ? s + 1 : total;
        for (int k = 1; k < r->size; k++) {
            if (!b->counted[k])
                continue;
            if (answer(t, k, next, ctrl) != 0)
                return -1;
            b->live[k] = next < total;
        }
    }
    /* the gradients still in flight are of steps taken: drop them, answer with the end */
    memset(b->counted, 0, (size_t)r->size);
    for (;;) {
        int k = 0;
        for (int j = 1; j < r->size && !k; j++)
            k = b->live[j] ? j : 0;
        if (!k)
            break;
        if (next_gradient(t, &k) != 0)
            return -1;
        const MsgHeader *h = (const MsgHeader *)b->slot[k];
        if (h->flags & FLAG_BAD && ctrl == CTRL_CONTINUE && !b->failed_late) {
            /* the others were told to go on: the verdict stops everyone */
            learner_report_stop(l, "iteration %lld: the loss is not finite", (long long)(it + 1));
            b->failed_late = 1;
        }
        (*dropped)++;
        l->per[k].dropped++;
        if (answer(t, k, total, ctrl) != 0)
            return -1;
        b->live[k] = 0;
    }
    /* the answers complete in the background: each actor has received its answer before
     * it sends again, which is when its buffer is next written (a flush here would
     * spin in MPI while the actors need the cores) */
    return ctrl;
}

int backup_minibatches(Trainer *t, int64_t it, double lr, int failed, StepStats *acc,
                       int64_t *dropped, BackupStep step)
{
    if (t->run.is_learner)
        return learner_side(t, it, lr, acc, dropped, step);
    return actor_side(t, failed);
}
