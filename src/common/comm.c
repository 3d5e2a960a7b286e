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
 * Point-to-point messages are raw bytes; the receiver that waits most of the time
 * polls MPI_Test with short sleeps instead of blocking inside MPI, which with more
 * ranks than cores would busy-poll a core an actor needs (PERFORMANCE.md).
 *
 * Left out: sub-communicators, collective non-blocking operations, MPI_Init_thread.
 */
#include "comm.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

/* Largest element count handed to one MPI call. Overridable at compile time so that
 * the chunking can be exercised with small buffers. */
#ifndef COMM_CHUNK_MAX
#define COMM_CHUNK_MAX INT_MAX
#endif

/* The module's state, the only mutable globals of mpirl: rank and size cached by
 * comm_init, whether MPI is in use through this module (otherwise every operation is
 * the single-process identity and no MPI function is called) and whether comm_init
 * called MPI_Init (then comm_finalize calls MPI_Finalize). */
static struct {
    int rank;
    int size;
    int active;
    int owned;
    double seconds; /* time inside MPI calls, for comm_take_seconds */
    int depth;      /* comm_init calls not yet matched by comm_finalize */
} comm_state = {0, 1, 0, 0, 0.0, 0};

static double comm_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

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
        double comm_t0_ = comm_now();                                                              \
        int comm_rc_ = (call);                                                                     \
        comm_state.seconds += comm_now() - comm_t0_;                                               \
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

/* Switch MPI_COMM_WORLD to returned errors and read rank and size. */
static int comm_query(int *rank, int *size)
{
    COMM_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    COMM_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, rank));
    COMM_CHECK(MPI_Comm_size(MPI_COMM_WORLD, size));
    return 0;
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
    comm_state.rank = rank;
    comm_state.size = size;
    comm_state.seconds = 0.0; /* MPI_Init is not communication */
    return 0;
}

void comm_finalize(void)
{
    if (comm_state.depth > 1) { /* an outer comm_init still holds MPI */
        comm_state.depth--;
        return;
    }
    if (comm_state.owned) {
        int rc = MPI_Finalize();
        if (rc != MPI_SUCCESS)
            comm_fail(rc, "MPI_Finalize()", __LINE__);
    }
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
    char *p = buf;
    for (long off = 0; off < n; off += COMM_CHUNK_MAX) {
        int c = comm_chunk(n, off);
        COMM_CHECK(MPI_Bcast(p + (size_t)off * elem, c, type, root, MPI_COMM_WORLD));
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
    if (comm_check_count("comm_allsum_doubles", n))
        return -1;
    if (!comm_state.active || comm_state.size == 1 || n == 0)
        return 0;
    for (long off = 0; off < n; off += COMM_CHUNK_MAX) {
        int c = comm_chunk(n, off);
        COMM_CHECK(MPI_Allreduce(MPI_IN_PLACE, buf + off, c, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD));
    }
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
    if (comm_check_count("comm_gather_bytes", n) || comm_check_root("comm_gather_bytes", root))
        return -1;
    if (n > INT_MAX / comm_state.size)
        return comm_bad_arg("comm_gather_bytes", "size * count exceeds INT_MAX bytes", n);
    if (!comm_state.active || comm_state.size == 1) {
        memmove(recv, send, (size_t)n);
        return 0;
    }
    COMM_CHECK(MPI_Gather(send, (int)n, MPI_BYTE, recv, (int)n, MPI_BYTE, root, MPI_COMM_WORLD));
    return 0;
}

int comm_scatter_bytes(void *recv, const void *send, long n, int root)
{
    if (comm_check_count("comm_scatter_bytes", n) || comm_check_root("comm_scatter_bytes", root))
        return -1;
    if (n > INT_MAX / comm_state.size)
        return comm_bad_arg("comm_scatter_bytes", "size * count exceeds INT_MAX bytes", n);
    if (!comm_state.active || comm_state.size == 1) {
        memmove(recv, send, (size_t)n);
        return 0;
    }
    COMM_CHECK(MPI_Scatter(send, (int)n, MPI_BYTE, recv, (int)n, MPI_BYTE, root, MPI_COMM_WORLD));
    return 0;
}

double comm_take_seconds(void)
{
    double s = comm_state.seconds;
    comm_state.seconds = 0.0;
    return s;
}

int comm_send(const void *buf, long n, int dest, int tag)
{
    if (comm_check_count("comm_send", n) || n > INT_MAX)
        return comm_bad_arg("comm_send", "message larger than INT_MAX bytes", n);
    if (!comm_state.active)
        return comm_bad_arg("comm_send", "no MPI: point-to-point needs mpirun", n);
    COMM_CHECK(MPI_Send(buf, (int)n, MPI_BYTE, dest, tag, MPI_COMM_WORLD));
    return 0;
}

/* size of a received message in bytes */
static long comm_count(MPI_Status *st)
{
    int c = 0;
    MPI_Get_count(st, MPI_BYTE, &c);
    return c;
}

int comm_recv(void *buf, long n, int src, int tag, long *got)
{
    if (comm_check_count("comm_recv", n) || n > INT_MAX)
        return comm_bad_arg("comm_recv", "buffer larger than INT_MAX bytes", n);
    if (!comm_state.active)
        return comm_bad_arg("comm_recv", "no MPI: point-to-point needs mpirun", n);
    MPI_Status st;
    COMM_CHECK(MPI_Recv(buf, (int)n, MPI_BYTE, src, tag, MPI_COMM_WORLD, &st));
    if (got)
        *got = comm_count(&st);
    return 0;
}

int comm_recv_any_idle(void *buf, long n, int tag, int *src, long *got, int idle_us)
{
    if (comm_check_count("comm_recv_any_idle", n) || n > INT_MAX)
        return comm_bad_arg("comm_recv_any_idle", "buffer larger than INT_MAX bytes", n);
    if (!comm_state.active)
        return comm_bad_arg("comm_recv_any_idle", "no MPI: point-to-point needs mpirun", n);
    MPI_Request req;
    MPI_Status st;
    int done = 0;
    const double t0 = comm_now(), s0 = comm_state.seconds;
    COMM_CHECK(MPI_Irecv(buf, (int)n, MPI_BYTE, MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &req));
    for (;;) {
        COMM_CHECK(MPI_Test(&req, &done, &st));
        if (done)
            break;
        struct timespec ts = {0, 1000L * (idle_us > 0 ? idle_us : 1)};
        nanosleep(&ts, NULL);
    }
    /* the whole wait, sleeps included, counts as time in communication */
    comm_state.seconds = s0 + (comm_now() - t0);
    *src = st.MPI_SOURCE;
    if (got)
        *got = comm_count(&st);
    return 0;
}

int comm_barrier(void)
{
    if (!comm_state.active)
        return 0;
    COMM_CHECK(MPI_Barrier(MPI_COMM_WORLD));
    return 0;
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
