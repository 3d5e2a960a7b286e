/* schedule.c - recording and replaying the order of an async learner's gradients
 * (schedule.h). */
#include "schedule.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define MAGIC "# mpirl schedule"

uint32_t schedule_fingerprint(const Config *c)
{
    Config k = *c, d;
    config_defaults(&d);
    /* what does not change the numbers */
    memcpy(k.out, d.out, sizeof k.out);
    k.quiet = d.quiet;
    k.record_schedule = d.record_schedule;
    memcpy(k.replay_schedule, d.replay_schedule, sizeof k.replay_schedule);
    k.checkpoint_every = d.checkpoint_every;
    k.keep = d.keep;
    k.actor_timeout = d.actor_timeout;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    uint32_t crc = 0;
    if (f != NULL && config_write(&k, f) == 0 && fclose(f) == 0)
        crc = (uint32_t)crc32(0, (const unsigned char *)text, (uInt)len);
    else if (f != NULL)
        fclose(f);
    free(text);
    return crc;
}

/* Read the header of an open replay file: its rank count and fingerprint. 0 or -1. */
static int read_header(FILE *f, int *ranks, uint32_t *fp)
{
    char line[256];
    unsigned long x;
    if (!fgets(line, sizeof line, f) || strncmp(line, MAGIC, strlen(MAGIC)) != 0 ||
        !fgets(line, sizeof line, f) || sscanf(line, "ranks,%d", ranks) != 1 ||
        !fgets(line, sizeof line, f) || sscanf(line, "config,%lx", &x) != 1 ||
        !fgets(line, sizeof line, f) || strcmp(line, "rank,version\n") != 0)
        return -1;
    *fp = (uint32_t)x;
    return 0;
}

int schedule_check(const Config *c, int ranks, char *err, size_t len)
{
    if (!c->replay_schedule[0])
        return 0;
    FILE *f = fopen(c->replay_schedule, "r");
    if (f == NULL) {
        snprintf(err, len, "--replay-schedule %s: %s", c->replay_schedule, strerror(errno));
        return -1;
    }
    int n = 0;
    uint32_t fp = 0;
    const int bad = read_header(f, &n, &fp);
    fclose(f);
    if (bad) {
        snprintf(err, len, "--replay-schedule %s: not a schedule written by --record-schedule",
                 c->replay_schedule);
        return -1;
    }
    if (n != ranks) {
        snprintf(err, len,
                 "--replay-schedule %s was recorded at %d ranks; replay it with mpirun -np %d",
                 c->replay_schedule, n, n);
        return -1;
    }
    if (fp != schedule_fingerprint(c)) {
        snprintf(err, len,
                 "--replay-schedule %s was recorded with another configuration (every key but "
                 "out, quiet, checkpoint_every, keep, actor_timeout and the schedule keys must "
                 "match: compare with the config file of the recorded run)",
                 c->replay_schedule);
        return -1;
    }
    return 0;
}

int schedule_open(Schedule *s, const Config *c, int ranks, const char *dir, int64_t resume,
                  char *err, size_t len)
{
    memset(s, 0, sizeof *s);
    if (c->replay_schedule[0]) {
        snprintf(s->path, sizeof s->path, "%s", c->replay_schedule);
        s->replay = 1;
        int n;
        uint32_t fp;
        s->f = fopen(s->path, "r");
        if (s->f == NULL || read_header(s->f, &n, &fp) != 0) {
            snprintf(err, len, "cannot read the schedule %s", s->path);
            schedule_close(s);
            return -1;
        }
        return 0;
    }
    snprintf(s->path, sizeof s->path, "%s/schedule.csv", dir);
    s->f = fopen(s->path, resume >= 0 ? "a" : "w");
    int rc = s->f ? 0 : -1;
    if (rc == 0 && resume < 0)
        rc = fprintf(s->f, MAGIC "\nranks,%d\nconfig,%08" PRIx32 "\nrank,version\n", ranks,
                     schedule_fingerprint(c)) < 0;
    else if (rc == 0)
        rc = fprintf(s->f, "resume,%lld\n", (long long)resume) < 0;
    if (rc != 0 || fflush(s->f) != 0) {
        snprintf(err, len, "cannot write %s: %s", s->path, strerror(errno));
        schedule_close(s);
        return -1;
    }
    return 0;
}

int schedule_put(Schedule *s, int rank, int64_t version)
{
    s->entry++;
    return fprintf(s->f, "%d,%lld\n", rank, (long long)version) < 0 ? -1 : 0;
}

int schedule_next(Schedule *s, int *rank, int64_t *version, char *err, size_t len)
{
    char line[128];
    if (!fgets(line, sizeof line, s->f) || strncmp(line, "resume,", 7) == 0)
        return 1;
    long long v;
    char end;
    if (sscanf(line, "%d,%lld%c", rank, &v, &end) != 3 || end != '\n' || *rank < 1 || v < 0) {
        snprintf(err, len, "%s: entry %ld is malformed", s->path, s->entry + 1);
        return -1;
    }
    *version = v;
    s->entry++;
    return 0;
}

int schedule_flush(Schedule *s)
{
    return s->f && !s->replay && fflush(s->f) != 0 ? -1 : 0;
}

void schedule_close(Schedule *s)
{
    if (s->f)
        fclose(s->f);
    s->f = NULL;
}
