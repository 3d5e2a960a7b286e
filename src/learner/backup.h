/* backup.h - the minibatch phase of a synchronous iteration with --backup B (Chen et
 * al. 2016, "Revisiting distributed synchronous SGD"): each step applies the gradients
 * of the first N - B actors to arrive (N actors) and drops the others.
 *
 * Point-to-point instead of the reduction of sync.c. Each actor sends one gradient at
 * a time (a MsgHeader whose version is the step it belongs to, then float[np +
 * N_EXTRA] as sync.c sums them) and waits for the learner's answer (a MsgHeader whose
 * version is the step to compute next and whose flags are the CTRL_* flag, then the
 * parameters). The learner answers the counted actors once it has taken its step, with
 * the new parameters; a gradient of a step already taken (a late one) is dropped and
 * answered at once with the current parameters and step, so a slow actor skips ahead
 * instead of falling behind, and the late gradient never reaches a later step. The
 * counted gradients are summed in rank order (the result depends on which actors
 * counted, not on the order they arrived in) and divided by their sample count. At
 * the end of the phase the learner waits for each actor's last gradient in flight,
 * drops it and answers with the final parameters, so no message is left unmatched and
 * every actor leaves with the same parameters.
 */
#ifndef MPIRL_BACKUP_H
#define MPIRL_BACKUP_H

#include <stdint.h>

#include "learner.h"
#include "run.h"

typedef struct Trainer Trainer; /* trainer.h */

/* The learner's buffers: a gradient slot and an answer per rank. */
typedef struct {
    int n;                  /* ranks with buffers: size on the learner, 1 on an actor */
    unsigned char **slot;   /* (size + 1) the last gradient of each rank; [size]: spare */
    unsigned char **answer; /* (size) the last answer to each rank (sent in the background) */
    unsigned char *live;    /* (size) the actor will send another gradient this phase */
    unsigned char *counted; /* (size) its gradient counts in the current step */
    unsigned char *waiting; /* (size) scratch: whom a wait is for */
    int failed_late;        /* a gradient dropped at the end carried the bad flag: the
                               iteration's verdict must stop the run */
} Backup;

/* Bytes of a gradient message and of an answer. */
long backup_grad_len(const Run *r);
long backup_answer_len(const Run *r);

/* Allocate on the learner (buffers for r->size ranks) or on an actor (one message each
 * way, in slot[0] and answer[0]). Returns 0 or -1 (out of memory; free in either case). */
int backup_init(Backup *b, const Run *r);
void backup_free(Backup *b);

/* The loss statistics a step leaves the learner (sync.c's minibatch step). */
typedef int (*BackupStep)(Trainer *t, double lr, StepStats *acc, double *epoch_kl, int64_t it);

/* The minibatch phase of iteration it on every rank. failed: this actor's rollout
 * failed (its gradients carry the bad flag). The learner applies each step with step()
 * and counts the dropped gradients into *dropped and the per-actor rows. Returns the
 * last control flag, or -1 on an MPI failure or a wait that ran out of patience
 * (comm_timed_out then says who). */
int backup_minibatches(Trainer *t, int64_t it, double lr, int failed, StepStats *acc,
                       int64_t *dropped, BackupStep step);

#endif
