/* comm.c - the MPI wrappers declared in comm.h; the only file of mpirl that includes
 * <mpi.h>.
 *
 * Reference: MPI 3.1 standard (Open MPI 4.1 in practice). Every call runs on
 * MPI_COMM_WORLD with MPI_ERRORS_RETURN set, so a failing call returns here and is
 * reported as one line "mpirl: rank R: <the call> failed: <reason> (comm.c:LINE)".
 *
 * Counts are `long` in the API and `int` in MPI: broadcasts and reductions are split
 * into chunks of at most COMM_CHUNK_MAX elements; a gather whose total count on the
 * root would exceed INT_MAX is rejected with a message instead.
 *
 * The rank that waits most of the time (the learner, rank 0: the root of the
 * reductions and gathers, the receiver of the asynchronous gradients) must not
 * busy-poll inside MPI: with more ranks than cores that steals the core an actor
 * computes on (PERFORMANCE.md). So it waits outside MPI (comm_idle_wait): it tests the
 * request, and between tests gives its core away with sched_yield (or naps briefly
 * when nobody else wants the core). Before a reduction or gather the other ranks send
 * it an empty "arrived" message, which it awaits that way, and the blocking collective
 * then only moves data to it (comm_arrive); broadcasts, all-reductions, scatters and
 * barriers are non-blocking on every rank (MPI matches non-blocking collectives only
 * with each other), and the waiting rank - the root, or rank 0 - completes them outside
 * MPI. The other ranks wait inside MPI. Open MPI's own waiting yields inside every idle
 * progress call when the node is oversubscribed, which would put the learner's waiting
 * back inside MPI; so comm_init turns that off for rank 0 alone (mpi_yield_when_idle,
 * read by MPI_Init from the environment, unless the user set it), and the other ranks
 * keep it. Rank 0 must then never wait inside MPI for another rank to run: one queued
 * on its core would be held up for a whole time slice. The time inside MPI calls and
 * the time given away are accounted separately (comm_take_seconds,
 * comm_take_idle_seconds). On Linux the timer slack of the process is set to 1 ns so
 * that a nap of a few microseconds is not stretched to 50 µs.
 *
 * Left out: sub-communicators, MPI_Init_thread.
 */
#include "comm.h"

#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <mpi.h>

#include "clock.h"

/* Largest element count handed to one MPI call. Overridable at compile time so that
 * the chunking can be exercised with small buffers. */
#ifndef COMM_CHUNK_MAX
#define COMM_CHUNK_MAX INT_MAX
#endif

/* A sched_yield that returns sooner than this (seconds) found nobody else wanting the
 * core; the waiting rank then naps COMM_NAP seconds before its next test. */
#define COMM_YIELD_EMPTY 3e-6
#define COMM_NAP         5e-6

/* Tag of the empty messages of comm_arrive (tags from 32000 up are reserved here). */
#define COMM_TAG_ARRIVE 32000

/* The module's state, the only mutable globals of mpirl: rank and size cached by
 * comm_init, whether MPI is in use through this module (otherwise every operation is
 * the single-process identity and no MPI function is called) and whether comm_init
 * called MPI_Init (then comm_finalize calls MPI_Finalize). */
static struct {
    int rank;
    int size;
    int active;
    int owned;
    double seconds;      /* time inside MPI calls, for comm_take_seconds */
    double idle;         /* time given away waiting for other ranks (comm_take_idle_seconds) */
    int depth;           /* comm_init calls not yet matched by comm_finalize */
    MPI_Request *reqs;   /* size requests for comm_arrive */
    MPI_Request publish; /* the root's broadcast of comm_publish_floats, if pending */
    MPI_Request *sends;  /* size requests: comm_post_send's pending send to each rank */
    MPI_Request recv;    /* comm_post_recv's receive, if recv_pending */
    int recv_pending;
    int pending;       /* whether publish is pending */
    double patience;   /* comm_set_patience: the longest wait for other ranks (0: none) */
    int (*stop)(void); /* ... and once it says stop, the grace left to them */
    double grace;
    int timed_out; /* a wait ran out of patience (comm_timed_out) */
    int missing;   /* ... the index of the first request not complete, then the rank */
    double waited; /* ... after so many seconds */
} comm_state = {.rank = 0, .size = 1, .missing = -1};

/* Report a failed MPI call; returns -1 for the caller to pass on. */
static int comm_fail(int rc, const char *call, int line)
{
    char reason[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, reason, &len) != MPI_SUCCESS)
        snprintf(reason, sizeof reason, "error code %d", rc);
    fprintf(stderr, "mpirl: rank %d: %s failed: %s (comm.c:%d)\n", comm_state.rank, call, reason,
            line);
    return -1;
}

/* Evaluate an MPI call; on failure report it and return -1 from the enclosing
 * function. */
#define COMM_CHECK(call)                                                                           \
    do {                                                                                           \
        double comm_t0_ = clock_now();                                                             \
        int comm_rc_ = (call);                                                                     \
        comm_state.seconds += clock_now() - comm_t0_;                                              \
        if (comm_rc_ != MPI_SUCCESS)                                                               \
            return comm_fail(comm_rc_, #call, __LINE__);                                           \
    } while (0)

/* Report a bad argument; returns -1. */
static int comm_bad_arg(const char *fn, const char *what, long value)
{
    fprintf(stderr, "mpirl: rank %d: %s: %s (got %ld)\n", comm_state.rank, fn, what, value);
    return -1;
}

/* Argument checks shared by the collectives: n >= 0 and 0 <= root < size. */
static int comm_check_count(const char *fn, long n)
{
    return n < 0 ? comm_bad_arg(fn, "element count must be >= 0", n) : 0;
}

static int comm_check_root(const char *fn, int root)
{
    return root < 0 || root >= comm_state.size
               ? comm_bad_arg(fn, "root must be a rank in [0, size)", root)
               : 0;
}

/* Elements in the chunk that starts at off of an n-element buffer. */
static int comm_chunk(long n, long off)
{
    return (int)(n - off < COMM_CHUNK_MAX ? n - off : COMM_CHUNK_MAX);
}

/* Wait for n requests outside MPI without occupying a core: test them, and between
 * tests give the core to whoever wants it (sched_yield); when the yield comes back at
 * once (nobody else wanted the core), nap COMM_NAP seconds so that the tests stay few.
 * (Naps that grow with the time waited cut the tests further but wake the learner late:
 * they cost a quarter of the throughput in `scripts/bench train`.) The time between
 * tests counts as idle time, the tests as time in MPI. */
static int comm_idle_wait_for(int n, MPI_Request *reqs, MPI_Status *sts, double patience)
{
    const double t0 = clock_now();
    double stop_at = 0.0; /* when stop() first said stop */
    for (int k = 0;; k++) {
        int done = 0;
        COMM_CHECK(MPI_Testall(n, reqs, &done, sts));
        if (done)
            return 0;
        const double t1 = clock_now();
        sched_yield();
        if (clock_now() - t1 < COMM_YIELD_EMPTY) {
            const struct timespec ts = {0, (long)(COMM_NAP * 1e9)};
            nanosleep(&ts, NULL);
        }
        const double now = clock_now();
        comm_state.idle += now - t1;
        if ((k & 1023) != 0) /* the clock is read anyway; the limits every ~1000 tests */
            continue;
        if (comm_state.stop && stop_at == 0.0 && comm_state.stop())
            stop_at = now;
        if ((patience > 0 && now - t0 > patience) ||
            (stop_at > 0 && now - stop_at > comm_state.grace)) {
            comm_state.timed_out = 1;
            comm_state.waited = now - t0;
            comm_state.missing = -1;
            for (int i = 0; i < n && comm_state.missing < 0; i++) {
                int one = 0;
                COMM_CHECK(MPI_Test(&reqs[i], &one, MPI_STATUS_IGNORE));
                if (!one)
                    comm_state.missing = i;
            }
            return COMM_TIMEOUT;
        }
    }
}

static int comm_idle_wait(int n, MPI_Request *reqs, MPI_Status *sts)
{
    return comm_idle_wait_for(n, reqs, sts, comm_state.patience);
}

/* Complete the pending broadcast of comm_publish_floats, if any. Every operation of
 * this module calls it before its own MPI calls. */
static int comm_settle(void)
{
    if (!comm_state.pending)
        return 0;
    comm_state.pending = 0;
    const int rc = comm_idle_wait(1, &comm_state.publish, MPI_STATUS_IGNORE);
    if (rc == COMM_TIMEOUT)
        comm_state.missing = -1; /* a broadcast does not say who is late */
    return rc;
}

/* Before a reduction or gather, whose root would otherwise wait inside MPI for the
 * slowest rank: every other rank tells the root that it has arrived (an empty
 * message), and the root waits for all of them outside MPI. The blocking collective
 * that follows only moves data to the root, which then needs no other rank to run: the
 * data of a rank that arrived is posted already and the root fetches it. Blocking
 * collectives run faster here than non-blocking ones (whose rounds advance only in
 * the root's tests); collectives in which the root must wait for the others to take
 * data (broadcasts, all-reductions) stay non-blocking. */
static int comm_arrive(int root)
{
    if (comm_state.rank != root) {
        COMM_CHECK(MPI_Send(NULL, 0, MPI_BYTE, root, COMM_TAG_ARRIVE, MPI_COMM_WORLD));
        return 0;
    }
    int n = 0;
    for (int r = 0; r < comm_state.size; r++)
        if (r != root)
            COMM_CHECK(MPI_Irecv(NULL, 0, MPI_BYTE, r, COMM_TAG_ARRIVE, MPI_COMM_WORLD,
                                 &comm_state.reqs[n++]));
    const int rc = comm_idle_wait(n, comm_state.reqs, MPI_STATUSES_IGNORE);
    if (rc == COMM_TIMEOUT && comm_state.missing >= 0) /* request i waits for rank i or i + 1 */
        comm_state.missing += comm_state.missing >= root;
    return rc;
}

/* Complete a request: the waiting rank (idle != 0) outside MPI with comm_idle_wait,
 * the others inside MPI. */
static int comm_complete(MPI_Request *req, int idle)
{
    if (idle) {
        const int rc = comm_idle_wait(1, req, MPI_STATUS_IGNORE);
        if (rc == COMM_TIMEOUT)
            comm_state.missing = -1; /* a collective does not say who is late */
        return rc;
    }
    COMM_CHECK(MPI_Wait(req, MPI_STATUS_IGNORE));
    return 0;
}

/* Switch MPI_COMM_WORLD to returned errors and read rank and size. */
static int comm_query(int *rank, int *size)
{
    COMM_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    COMM_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, rank));
    COMM_CHECK(MPI_Comm_size(MPI_COMM_WORLD, size));
    return 0;
}

/* Before MPI_Init: on the process that will be rank 0, turn off Open MPI's yielding
 * inside idle progress calls (see the top of this file), unless the user chose. The
 * rank comes from the launcher's environment (Open MPI's mpirun, or PMIx, which srun
 * and mpirun both set); without either nothing changes. */
static void comm_quiet_root_progress(void)
{
    const char *rank = getenv("OMPI_COMM_WORLD_RANK");
    if (!rank)
        rank = getenv("PMIX_RANK");
    if (rank && strcmp(rank, "0") == 0 && !getenv("OMPI_MCA_mpi_yield_when_idle"))
        setenv("OMPI_MCA_mpi_yield_when_idle", "0", 1);
}

int comm_init(int *argc, char ***argv)
{
    if (comm_state.active) {
        comm_state.depth++;
        return 0;
    }
    int initialised = 0, finalised = 0;
    COMM_CHECK(MPI_Finalized(&finalised));
    if (finalised) {
        fprintf(stderr, "mpirl: comm_init: MPI was already finalised\n");
        return -1;
    }
    COMM_CHECK(MPI_Initialized(&initialised));
    if (!initialised) {
        comm_quiet_root_progress();
        COMM_CHECK(MPI_Init(argc, argv));
        comm_state.owned = 1;
    }
    comm_state.active = 1;
    comm_state.depth = 1;
    int rank = 0, size = 1;
    if (comm_query(&rank, &size)) {
        comm_finalize();
        return -1;
    }
    comm_state.reqs = malloc((size_t)size * sizeof *comm_state.reqs);
    comm_state.sends = malloc((size_t)size * sizeof *comm_state.sends);
    for (int r = 0; comm_state.sends && r < size; r++)
        comm_state.sends[r] = MPI_REQUEST_NULL;
    if (!comm_state.reqs || !comm_state.sends) {
        fprintf(stderr, "mpirl: rank %d: comm_init: out of memory\n", rank);
        comm_finalize();
        return -1;
    }
    comm_state.rank = rank;
    comm_state.size = size;
    comm_state.seconds = 0.0; /* MPI_Init is not communication */
    comm_state.idle = 0.0;
#ifdef __linux__
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); /* best effort: only latency depends on it */
#endif
    return 0;
}

void comm_finalize(void)
{
    comm_settle();
    comm_flush_sends();
    if (comm_state.depth > 1) { /* an outer comm_init still holds MPI */
        comm_state.depth--;
        return;
    }
    if (comm_state.owned) {
        int rc = MPI_Finalize();
        if (rc != MPI_SUCCESS)
            comm_fail(rc, "MPI_Finalize()", __LINE__);
    }
    free(comm_state.reqs);
    free(comm_state.sends);
    comm_state.reqs = NULL;
    comm_state.sends = NULL;
    comm_state.rank = 0;
    comm_state.size = 1;
    comm_state.active = 0;
    comm_state.owned = 0;
    comm_state.depth = 0;
}

int comm_rank(void)
{
    return comm_state.rank;
}

int comm_size(void)
{
    return comm_state.size;
}

/* Broadcast n elements of one type from root, in chunks of at most COMM_CHUNK_MAX. */
static int comm_bcast(void *buf, long n, MPI_Datatype type, size_t elem, int root)
{
    if (comm_settle() != 0)
        return -1;
    char *p = buf;
    for (long off = 0; off < n; off += COMM_CHUNK_MAX) {
        int c = comm_chunk(n, off);
        MPI_Request req;
        COMM_CHECK(MPI_Ibcast(p + (size_t)off * elem, c, type, root, MPI_COMM_WORLD, &req));
        if (comm_complete(&req, comm_state.rank == root) != 0)
            return -1;
    }
    return 0;
}

int comm_bcast_floats(float *buf, long n, int root)
{
    if (comm_check_count("comm_bcast_floats", n) || comm_check_root("comm_bcast_floats", root))
        return -1;
    if (!comm_state.active || comm_state.size == 1 || n == 0)
        return 0;
    return comm_bcast(buf, n, MPI_FLOAT, sizeof *buf, root);
}

int comm_publish_floats(float *buf, long n, int root)
{
    if (comm_check_count("comm_publish_floats", n) || comm_check_root("comm_publish_floats", root))
        return -1;
    if (!comm_state.active || comm_state.size == 1 || n == 0)
        return 0;
    if (n > COMM_CHUNK_MAX) /* one request at most stays pending */
        return comm_bcast(buf, n, MPI_FLOAT, sizeof *buf, root);
    if (comm_settle() != 0)
        return -1;
    MPI_Request req;
    COMM_CHECK(MPI_Ibcast(buf, (int)n, MPI_FLOAT, root, MPI_COMM_WORLD, &req));
    if (comm_state.rank == root) {
        comm_state.publish = req;
        comm_state.pending = 1;
        return 0;
    }
    return comm_complete(&req, 0);
}

int comm_bcast_doubles(double *buf, long n, int root)
{
    if (comm_check_count("comm_bcast_doubles", n) || comm_check_root("comm_bcast_doubles", root))
        return -1;
    if (!comm_state.active || comm_state.size == 1 || n == 0)
        return 0;
    return comm_bcast(buf, n, MPI_DOUBLE, sizeof *buf, root);
}

int comm_sum_floats_to_root(float *buf, long n, int root)
{
    if (comm_check_count("comm_sum_floats_to_root", n) ||
        comm_check_root("comm_sum_floats_to_root", root))
        return -1;
    if (!comm_state.active || comm_state.size == 1 || n == 0)
        return 0;
    /* arrivals first: a rank that has arrived has taken the pending broadcast too, and a
     * rank that does not arrive is then named by a timeout (comm_timed_out) */
    if (comm_arrive(root) != 0 || comm_settle() != 0)
        return -1;
    for (long off = 0; off < n; off += COMM_CHUNK_MAX) {
        int c = comm_chunk(n, off);
        /* root: in place; others: send only, their buf is not written */
        if (comm_state.rank == root)
            COMM_CHECK(
                MPI_Reduce(MPI_IN_PLACE, buf + off, c, MPI_FLOAT, MPI_SUM, root, MPI_COMM_WORLD));
        else
            COMM_CHECK(MPI_Reduce(buf + off, NULL, c, MPI_FLOAT, MPI_SUM, root, MPI_COMM_WORLD));
    }
    return 0;
}

int comm_allsum_doubles(double *buf, long n)
{
    if (comm_settle() != 0)
        return -1;
    if (comm_check_count("comm_allsum_doubles", n))
        return -1;
    if (!comm_state.active || comm_state.size == 1 || n == 0)
        return 0;
    for (long off = 0; off < n; off += COMM_CHUNK_MAX) {
        int c = comm_chunk(n, off);
        MPI_Request req;
        COMM_CHECK(
            MPI_Iallreduce(MPI_IN_PLACE, buf + off, c, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &req));
        if (comm_complete(&req, comm_state.rank == 0) != 0) /* rank 0: the learner */
            return -1;
    }
    return 0;
}

int comm_agree(int *ok)
{
    int failed = *ok == 0, first = -1;
    if (comm_agree_status(&failed, &first) != 0)
        return -1;
    *ok = first < 0;
    return 0;
}

int comm_agree_status(int *status, int *first)
{
    if (comm_settle() != 0)
        return -1;
    int v = *status != 0 ? comm_state.rank : comm_state.size;
    if (comm_state.active && comm_state.size > 1) {
        MPI_Request req;
        COMM_CHECK(MPI_Iallreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &req));
        if (comm_complete(&req, comm_state.rank == 0) != 0)
            return -1;
        /* the first failing rank's status, to all (only when one failed) */
        if (v < comm_state.size && comm_bcast(status, 1, MPI_INT, sizeof *status, v) != 0)
            return -1;
    }
    *first = v < comm_state.size ? v : -1;
    return 0;
}

int comm_gather_doubles(double *recv, const double *send, long n, int root)
{
    if (comm_check_count("comm_gather_doubles", n) || comm_check_root("comm_gather_doubles", root))
        return -1;
    /* The root receives size * n elements; MPI implementations index that with int. */
    if (n > INT_MAX / comm_state.size)
        return comm_bad_arg("comm_gather_doubles",
                            "size * count exceeds INT_MAX elements, not supported", n);
    if (!comm_state.active || comm_state.size == 1) {
        for (long i = 0; i < n; i++)
            recv[i] = send[i];
        return 0;
    }
    if (n == 0)
        return 0;
    if (comm_arrive(root) != 0 || comm_settle() != 0) /* as in comm_sum_floats_to_root */
        return -1;
    COMM_CHECK(
        MPI_Gather(send, (int)n, MPI_DOUBLE, recv, (int)n, MPI_DOUBLE, root, MPI_COMM_WORLD));
    return 0;
}

int comm_bcast_bytes(void *buf, long n, int root)
{
    if (comm_check_count("comm_bcast_bytes", n) || comm_check_root("comm_bcast_bytes", root))
        return -1;
    if (!comm_state.active || comm_state.size == 1 || n == 0)
        return 0;
    return comm_bcast(buf, n, MPI_BYTE, 1, root);
}

int comm_gather_bytes(void *recv, const void *send, long n, int root)
{
    if (comm_settle() != 0)
        return -1;
    if (comm_check_count("comm_gather_bytes", n) || comm_check_root("comm_gather_bytes", root))
        return -1;
    if (n > INT_MAX / comm_state.size)
        return comm_bad_arg("comm_gather_bytes", "size * count exceeds INT_MAX bytes", n);
    if (!comm_state.active || comm_state.size == 1) {
        memmove(recv, send, (size_t)n);
        return 0;
    }
    if (comm_arrive(root) != 0)
        return -1;
    COMM_CHECK(MPI_Gather(send, (int)n, MPI_BYTE, recv, (int)n, MPI_BYTE, root, MPI_COMM_WORLD));
    return 0;
}

int comm_scatter_bytes(void *recv, const void *send, long n, int root)
{
    if (comm_settle() != 0)
        return -1;
    if (comm_check_count("comm_scatter_bytes", n) || comm_check_root("comm_scatter_bytes", root))
        return -1;
    if (n > INT_MAX / comm_state.size)
        return comm_bad_arg("comm_scatter_bytes", "size * count exceeds INT_MAX bytes", n);
    if (!comm_state.active || comm_state.size == 1) {
        memmove(recv, send, (size_t)n);
        return 0;
    }
    MPI_Request req;
    COMM_CHECK(
        MPI_Iscatter(send, (int)n, MPI_BYTE, recv, (int)n, MPI_BYTE, root, MPI_COMM_WORLD, &req));
    return comm_complete(&req, comm_state.rank == root);
}

double comm_take_seconds(void)
{
    double s = comm_state.seconds;
    comm_state.seconds = 0.0;
    return s;
}

double comm_take_idle_seconds(void)
{
    double s = comm_state.idle;
    comm_state.idle = 0.0;
    return s;
}

int comm_send(const void *buf, long n, int dest, int tag)
{
    if (comm_settle() != 0)
        return -1;
    if (comm_check_count("comm_send", n))
        return -1;
    if (n > INT_MAX)
        return comm_bad_arg("comm_send", "message larger than INT_MAX bytes", n);
    if (!comm_state.active)
        return comm_bad_arg("comm_send", "no MPI: point-to-point needs mpirun", n);
    COMM_CHECK(MPI_Send(buf, (int)n, MPI_BYTE, dest, tag, MPI_COMM_WORLD));
    return 0;
}

int comm_post_send(const void *buf, long n, int dest, int tag)
{
    if (comm_check_count("comm_post_send", n))
        return -1;
    if (n > INT_MAX)
        return comm_bad_arg("comm_post_send", "message larger than INT_MAX bytes", n);
    if (!comm_state.active)
        return comm_bad_arg("comm_post_send", "no MPI: point-to-point needs mpirun", n);
    if (dest < 0 || dest >= comm_state.size)
        return comm_bad_arg("comm_post_send", "dest must be a rank in [0, size)", dest);
    if (comm_settle() != 0)
        return -1;
    /* the previous message to dest has been received by now in the callers' protocols */
    COMM_CHECK(MPI_Wait(&comm_state.sends[dest], MPI_STATUS_IGNORE));
    COMM_CHECK(
        MPI_Isend(buf, (int)n, MPI_BYTE, dest, tag, MPI_COMM_WORLD, &comm_state.sends[dest]));
    return 0;
}

int comm_forget_send(int dest)
{
    if (!comm_state.active || !comm_state.sends || dest < 0 || dest >= comm_state.size ||
        comm_state.sends[dest] == MPI_REQUEST_NULL)
        return 0;
    COMM_CHECK(MPI_Request_free(&comm_state.sends[dest])); /* it completes, or not, unseen */
    return 0;
}

int comm_flush_sends(void)
{
    if (!comm_state.active || !comm_state.sends)
        return 0;
    COMM_CHECK(MPI_Waitall(comm_state.size, comm_state.sends, MPI_STATUSES_IGNORE));
    return 0;
}

/* size of a received message in bytes into *got (if got); 0 or -1 reported */
static int comm_count(MPI_Status *st, long *got)
{
    if (!got)
        return 0;
    int c = 0;
    COMM_CHECK(MPI_Get_count(st, MPI_BYTE, &c));
    *got = c;
    return 0;
}

/* What every receive of fn checks first (and the pending broadcast it completes): 0 or
 * -1 reported. */
static int comm_recv_ready(const char *fn, long n)
{
    if (comm_settle() != 0 || comm_check_count(fn, n))
        return -1;
    if (n > INT_MAX)
        return comm_bad_arg(fn, "buffer larger than INT_MAX bytes", n);
    if (!comm_state.active)
        return comm_bad_arg(fn, "no MPI: point-to-point needs mpirun", n);
    return 0;
}

int comm_recv(void *buf, long n, int src, int tag, long *got)
{
    if (comm_recv_ready("comm_recv", n) != 0)
        return -1;
    MPI_Status st;
    COMM_CHECK(MPI_Recv(buf, (int)n, MPI_BYTE, src, tag, MPI_COMM_WORLD, &st));
    return comm_count(&st, got);
}

int comm_post_recv(void *buf, long n, int src, int tag)
{
    if (comm_check_count("comm_post_recv", n))
        return -1;
    if (n > INT_MAX)
        return comm_bad_arg("comm_post_recv", "buffer larger than INT_MAX bytes", n);
    if (!comm_state.active || comm_state.recv_pending)
        return comm_bad_arg("comm_post_recv", "no MPI, or a receive pending already", n);
    COMM_CHECK(MPI_Irecv(buf, (int)n, MPI_BYTE, src, tag, MPI_COMM_WORLD, &comm_state.recv));
    comm_state.recv_pending = 1;
    return 0;
}

int comm_recv_arrived(void)
{
    if (!comm_state.recv_pending)
        return 1;
    int done = 0;
    COMM_CHECK(MPI_Test(&comm_state.recv, &done, MPI_STATUS_IGNORE));
    comm_state.recv_pending = !done;
    return done;
}

int comm_recv_wait(void)
{
    if (!comm_state.recv_pending)
        return 0;
    comm_state.recv_pending = 0;
    int (*stop)(void) = comm_state.stop;
    comm_state.stop = NULL;
    const int rc = comm_idle_wait_for(1, &comm_state.recv, MPI_STATUS_IGNORE, 0.0);
    comm_state.stop = stop;
    return rc != 0 ? -1 : 0;
}

int comm_recv_idle(void *buf, long n, int src, int tag, long *got)
{
    if (comm_recv_ready("comm_recv_idle", n) != 0)
        return -1;
    MPI_Request req;
    MPI_Status st;
    COMM_CHECK(MPI_Irecv(buf, (int)n, MPI_BYTE, src, tag, MPI_COMM_WORLD, &req));
    int (*stop)(void) = comm_state.stop;
    comm_state.stop = NULL; /* no limit: the sender answers or the launcher ends us */
    const int rc = comm_idle_wait_for(1, &req, &st, 0.0);
    comm_state.stop = stop;
    if (rc != 0)
        return -1;
    return comm_count(&st, got);
}

int comm_recv_any_within(void *buf, long n, int tag, int *src, long *got, double seconds)
{
    if (comm_recv_ready("comm_recv_any_within", n) != 0)
        return -1;
    MPI_Request req;
    MPI_Status st;
    const int from = *src >= 0 ? *src : MPI_ANY_SOURCE;
    COMM_CHECK(MPI_Irecv(buf, (int)n, MPI_BYTE, from, tag, MPI_COMM_WORLD, &req));
    int (*stop)(void) = comm_state.stop;
    comm_state.stop = NULL; /* the caller decides what a signal means here */
    const int rc = comm_idle_wait_for(1, &req, &st, seconds);
    comm_state.stop = stop;
    if (rc == COMM_TIMEOUT) {
        /* nothing arrived: take the receive back, unless a message matched meanwhile */
        comm_state.timed_out = 0;
        int cancelled = 0;
        COMM_CHECK(MPI_Cancel(&req));
        COMM_CHECK(MPI_Wait(&req, &st));
        COMM_CHECK(MPI_Test_cancelled(&st, &cancelled));
        if (cancelled)
            return 1;
    } else if (rc != 0) {
        return -1;
    }
    *src = st.MPI_SOURCE;
    return comm_count(&st, got) != 0 ? -1 : 0;
}

void comm_set_patience(double seconds, int (*stop)(void), double grace)
{
    comm_state.patience = seconds > 0 ? seconds : 0.0;
    comm_state.stop = stop;
    comm_state.grace = grace;
}

int comm_timed_out(double *waited)
{
    if (waited)
        *waited = comm_state.waited;
    return comm_state.timed_out ? (comm_state.missing >= 0 ? comm_state.missing : -1) : -2;
}

void comm_note_timeout(int rank, double waited)
{
    comm_state.timed_out = 1;
    comm_state.missing = rank;
    comm_state.waited = waited;
}

_Noreturn void comm_abandon(int status)
{
    fflush(NULL);
    _exit(status);
}

int comm_barrier(void)
{
    if (comm_settle() != 0)
        return -1;
    if (!comm_state.active)
        return 0;
    MPI_Request req;
    COMM_CHECK(MPI_Ibarrier(MPI_COMM_WORLD, &req));
    return comm_complete(&req, comm_state.rank == 0);
}

void comm_printf_once(const char *fmt, ...)
{
    if (comm_state.rank != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout); /* mpirun forwards output per rank; keep it in order with stderr */
}
