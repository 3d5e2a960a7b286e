/* schedule.h - async runs that replay bit for bit: the order in which the learner
 * received its gradients (--record-schedule true writes DIR/schedule.csv), and a
 * learner that receives them in exactly that order (--replay-schedule FILE), waiting
 * for the actor each entry names.
 *
 * An async run is decided by that order alone: every actor computes from its own
 * generators and environments and from the parameters the learner answered it with,
 * and those follow from the order in which the gradients were applied. So a replay
 * writes the same metrics rows, apart from the time columns, and the same final
 * checkpoint, whatever the timing of the machine (tests/schedule_test.sh).
 *
 * The file is text: "# mpirl schedule" and the lines "ranks,N" and "config,FINGERPRINT"
 * (a crc32 of the configuration keys that decide what a run computes: all but out,
 * quiet, the schedule keys, checkpoint_every, keep and actor_timeout), a header line
 * "rank,version", then one line per gradient received: the sending rank and the
 * parameter version it was computed at. A resumed recording appends "resume,VERSION"
 * and goes on; a replay stops there with a message (its actors would have to start
 * where the resumed ones did).
 */
#ifndef MPIRL_SCHEDULE_H
#define MPIRL_SCHEDULE_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"

typedef struct {
    FILE *f;
    int replay; /* 1: reading entries, 0: writing them */
    long entry; /* entries written or read so far */
    char path[CONFIG_STR_LEN + 32];
} Schedule;

/* The fingerprint of what decides a run's numbers in c (see above). */
uint32_t schedule_fingerprint(const Config *c);

/* Start recording into DIR/schedule.csv for a run of `ranks` ranks (resume >= 0: a
 * resumed run at that version, appending), or open FILE for a replay and check that it
 * was recorded by a run of the same rank count and configuration. Returns 0, or -1
 * with a message (2 is never returned: a refused replay file is reported by
 * schedule_check at set-up). */
int schedule_open(Schedule *s, const Config *c, int ranks, const char *dir, int64_t resume,
                  char *err, size_t len);

/* At set-up, before anything is written: whether c's replay file (if any) can be
 * replayed by a run of `ranks` ranks. 0, or -1 with a message naming what differs. */
int schedule_check(const Config *c, int ranks, char *err, size_t len);

/* Record a received gradient. 0 or -1 (the write failed: errno). */
int schedule_put(Schedule *s, int rank, int64_t version);

/* Replay: the next entry. Returns 0, 1 at the end of the file (or at a "resume" line),
 * or -1 with a message for a malformed line. */
int schedule_next(Schedule *s, int *rank, int64_t *version, char *err, size_t len);

/* Flush (recording). 0 or -1. */
int schedule_flush(Schedule *s);

void schedule_close(Schedule *s);

#endif
