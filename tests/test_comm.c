/* test_comm.c - MPI tests of comm.c (suite `mpi`): broadcast, sum to root, allsum,
 * gather, and running statistics merged across ranks (Chan et al.) against the
 * statistics of all data computed directly.
 *
 * Runs under `mpiexec -n 1|2|3` with CK_FORK=no: every rank runs every test. Each rank
 * can regenerate every rank's data from rng_seed(seed, rng_stream_id(rank, 0)), so
 * expected results are computed locally. Tests make all their MPI calls before their
 * first assertion, so a failure on one rank never leaves the others waiting in a
 * collective. The process exits non-zero on every rank if any rank failed.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "comm.h"
#include "rng.h"
#include "rstats.h"
#include "testutil.h"

/* Generator of rank r's data for the test keyed by seed. */
static Rng rank_rng(uint64_t seed, int r)
{
    Rng g;
    rng_seed(&g, seed, rng_stream_id((uint32_t)r, 0));
    return g;
}

/* Rank r's floats in [-1, 1). */
static void rank_floats(float *x, long n, uint64_t seed, int r)
{
    Rng g = rank_rng(seed, r);
    tu_fill_uniform(x, n, -1.0, 1.0, &g);
}

/* Rank r's doubles in [-1, 1). */
static void rank_doubles(double *x, long n, uint64_t seed, int r)
{
    Rng g = rank_rng(seed, r);
    for (long i = 0; i < n; i++)
        x[i] = rng_uniform_range(&g, -1.0, 1.0);
}

/* Rank r's multiples of 2^-8 in [-8, 8): sums of a few of them are exact in float and
 * double in any order, so reductions must match bit for bit. */
static void rank_dyadic(double *x, long n, uint64_t seed, int r)
{
    Rng g = rank_rng(seed, r);
    for (long i = 0; i < n; i++)
        x[i] = ((double)rng_below(&g, 4096) - 2048.0) / 256.0;
}

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    ck_assert_msg(p != NULL, "out of memory");
    return p;
}

START_TEST(test_rank_size)
{
    int rank = comm_rank(), size = comm_size();
    double ones = 1.0;
    int rc = comm_allsum_doubles(&ones, 1);
    rc |= comm_barrier();
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(size >= 1 && rank >= 0 && rank < size, "rank %d of %d", rank, size);
    ck_assert_msg(ones == (double)size, "sum of ones %g, size %d", ones, size);
}
END_TEST

START_TEST(test_bcast_floats)
{
    const long n = 1037;
    int rank = comm_rank(), size = comm_size();
    int roots[2] = {0, size - 1};
    float *buf = xmalloc(2 * n * sizeof *buf), *want = xmalloc(n * sizeof *want);
    int rc = 0;
    for (int k = 0; k < 2; k++) {
        rank_floats(buf + k * n, n, 11 + k, rank);
        rc |= comm_bcast_floats(buf + k * n, n, roots[k]);
    }
    ck_assert_msg(rc == 0, "comm_bcast_floats failed");
    for (int k = 0; k < 2; k++) {
        rank_floats(want, n, 11 + k, roots[k]);
        ck_assert_msg(memcmp(buf + k * n, want, n * sizeof *want) == 0,
                      "data from root %d differs, max |diff| %g", roots[k],
                      tu_max_abs_diff(buf + k * n, want, n));
    }
    free(buf);
    free(want);
}
END_TEST

START_TEST(test_publish_floats)
{
    /* the root's send stays pending until its next call; a reduction (which waits for
     * for it) and a plain broadcast (which settles it first) both complete it, and
     * the root may then change its buffer */
    const long n = 2049;
    int rank = comm_rank(), size = comm_size();
    float *buf = xmalloc(n * sizeof *buf), *want = xmalloc(n * sizeof *want);
    for (int k = 0; k < 3; k++) {
        float one[1] = {1.0f};
        rank_floats(buf, n, 41 + k, rank);
        ck_assert_int_eq(comm_publish_floats(buf, n, 0), 0);
        if (k == 0)
            ck_assert_int_eq(comm_sum_floats_to_root(one, 1, 0), 0);
        else
            ck_assert_int_eq(comm_bcast_floats(one, 1, 0), 0);
        rank_floats(want, n, 41 + k, 0);
        ck_assert_msg(memcmp(buf, want, n * sizeof *want) == 0, "published data differs (%d)", k);
        ck_assert_float_eq(one[0], k == 0 && rank == 0 ? (float)size : 1.0f);
        if (rank == 0)
            buf[0] = -1.0f; /* allowed once the send has completed */
    }
    free(buf);
    free(want);
}
END_TEST

START_TEST(test_root_waits_outside_mpi)
{
    /* the last rank arrives 60 ms late at a reduction and at a gather: the root spends
     * that time outside MPI, its core given away (idle seconds). The late rank starts
     * its delay only when the root's token arrives, so the root waits at least 60 ms per
     * call however the ranks are scheduled; at least half of its waiting must be idle. */
    int rank = comm_rank(), size = comm_size();
    if (size < 2)
        return;
    float x[1] = {1.0f};
    double d[1] = {rank}, *all = xmalloc((size_t)size * sizeof *all), waited = 0.0;
    comm_barrier();
    comm_take_seconds();
    comm_take_idle_seconds();
    for (int k = 0; k < 2; k++) {
        char token = (char)k;
        if (rank == 0)
            ck_assert_int_eq(comm_send(&token, 1, size - 1, 7), 0);
        if (rank == size - 1) {
            ck_assert_int_eq(comm_recv(&token, 1, 0, 7, NULL), 0);
            struct timespec ts = {0, 60 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        const double t0 = clock_now();
        int rc = k == 0 ? comm_sum_floats_to_root(x, 1, 0) : comm_gather_doubles(all, d, 1, 0);
        waited += clock_now() - t0;
        ck_assert_int_eq(rc, 0);
    }
    const double in_mpi = comm_take_seconds(), idle = comm_take_idle_seconds();
    if (rank == 0) {
        ck_assert_msg(waited >= 0.1, "root waited %.3f s, less than the 0.12 s delay", waited);
        ck_assert_msg(idle >= 0.5 * waited, "root idle %.3f s of the %.3f s it waited", idle,
                      waited);
        ck_assert_msg(in_mpi < idle, "root inside MPI %.3f s, idle %.3f s", in_mpi, idle);
        ck_assert_float_eq(x[0], (float)size);
        for (int r = 0; r < size; r++)
            ck_assert_double_eq(all[r], r);
    }
    free(all);
}
END_TEST

START_TEST(test_recv_within)
{
    /* nothing sent: rank 0 gives up after the time asked for and nothing stays posted
     * (the message sent afterwards goes to the next receive, whole) */
    int rank = comm_rank(), size = comm_size();
    if (size < 2)
        return;
    int v = 0, src = -1;
    long got = 0;
    comm_barrier();
    if (rank == 0) {
        const double t0 = clock_now();
        ck_assert_int_eq(comm_recv_any_within(&v, sizeof v, 8, &src, &got, 0.2), 1);
        ck_assert_msg(clock_now() - t0 >= 0.2, "gave up after %.3f s", clock_now() - t0);
    }
    comm_barrier();
    if (rank == size - 1) {
        const int x = 4242;
        ck_assert_int_eq(comm_send(&x, sizeof x, 0, 8), 0);
    }
    if (rank == 0) {
        ck_assert_int_eq(comm_recv_any_within(&v, sizeof v, 8, &src, &got, 30.0), 0);
        ck_assert_int_eq(v, 4242);
        ck_assert_int_eq(src, size - 1);
        ck_assert_int_eq(got, (long)sizeof v);
    }
    comm_barrier();
    /* from one rank only: rank 1's message, sent first, waits while rank size-1's is
     * taken */
    if (size >= 3) {
        if (rank == 1 || rank == size - 1) {
            const int x = 100 + rank;
            ck_assert_int_eq(comm_send(&x, sizeof x, 0, 9), 0);
        }
        if (rank == 0) {
            src = size - 1;
            ck_assert_int_eq(comm_recv_any_within(&v, sizeof v, 9, &src, &got, 30.0), 0);
            ck_assert_int_eq(v, 100 + size - 1);
            ck_assert_int_eq(src, size - 1);
            src = -1;
            ck_assert_int_eq(comm_recv_any_within(&v, sizeof v, 9, &src, &got, 30.0), 0);
            ck_assert_int_eq(v, 101);
            ck_assert_int_eq(src, 1);
        }
        comm_barrier();
    }
}
END_TEST

START_TEST(test_post_send)
{
    /* rank 0 sends every other rank two messages without waiting, one buffer per rank,
     * rewritten only once the rank has said it received the first (the protocol of the
     * asynchronous learner: an actor asks again only after taking the answer) */
    int rank = comm_rank(), size = comm_size();
    if (size < 2)
        return;
    enum { N = 20000 }; /* larger than an eager message */
    unsigned char *buf = xmalloc((size_t)size * N);
    for (int round = 0; round < 2; round++) {
        if (rank == 0) {
            for (int r = 1; r < size && round > 0; r++) {
                char ack = 0;
                ck_assert_int_eq(comm_recv(&ack, 1, r, 6, NULL), 0);
            }
            for (int r = 1; r < size; r++) {
                for (int k = 0; k < N; k++)
                    buf[(size_t)r * N + k] = (unsigned char)(r * 7 + k + round * 13);
                ck_assert_int_eq(comm_post_send(buf + (size_t)r * N, N, r, 5), 0);
            }
        } else {
            long got = 0;
            ck_assert_int_eq(comm_recv(buf, N, 0, 5, &got), 0);
            ck_assert_int_eq(got, N);
            for (int k = 0; k < N; k++)
                ck_assert_int_eq(buf[k], (unsigned char)(rank * 7 + k + round * 13));
            if (round == 0)
                ck_assert_int_eq(comm_send("", 1, 0, 6), 0);
        }
    }
    ck_assert_int_eq(comm_flush_sends(), 0);
    ck_assert_int_eq(comm_post_send(buf, 1, size, 5), -1); /* no such rank */
    free(buf);
}
END_TEST

START_TEST(test_bcast_doubles)
{
    const long n = 513;
    int rank = comm_rank(), size = comm_size();
    int roots[2] = {0, size - 1};
    double *buf = xmalloc(2 * n * sizeof *buf), *want = xmalloc(n * sizeof *want);
    int rc = 0;
    for (int k = 0; k < 2; k++) {
        rank_doubles(buf + k * n, n, 21 + k, rank);
        rc |= comm_bcast_doubles(buf + k * n, n, roots[k]);
    }
    ck_assert_msg(rc == 0, "comm_bcast_doubles failed");
    for (int k = 0; k < 2; k++) {
        rank_doubles(want, n, 21 + k, roots[k]);
        ck_assert_msg(memcmp(buf + k * n, want, n * sizeof *want) == 0, "data from root %d differs",
                      roots[k]);
    }
    free(buf);
    free(want);
}
END_TEST

START_TEST(test_sum_floats_to_root)
{
    /* k = 0, 1: dyadic data (exact sum), roots 0 and size-1; k = 2: uniform data, root
     * size-1, within the float rounding bound of a sum of size terms */
    const long n = 1000;
    int rank = comm_rank(), size = comm_size();
    int roots[3] = {0, size - 1, size - 1};
    float *buf = xmalloc(3 * n * sizeof *buf), *mine = xmalloc(3 * n * sizeof *mine);
    float *x = xmalloc(n * sizeof *x);
    double *d = xmalloc(n * sizeof *d), *sum = xmalloc(n * sizeof *sum);
    double *abs_sum = xmalloc(n * sizeof *abs_sum);
    int rc = 0;
    for (int k = 0; k < 3; k++) {
        float *b = buf + k * n;
        if (k < 2) {
            rank_dyadic(d, n, 31 + k, rank);
            for (long i = 0; i < n; i++)
                b[i] = (float)d[i];
        } else {
            rank_floats(b, n, 33, rank);
        }
        memcpy(mine + k * n, b, n * sizeof *b);
        rc |= comm_sum_floats_to_root(b, n, roots[k]);
    }
    ck_assert_msg(rc == 0, "comm_sum_floats_to_root failed");

    for (int k = 0; k < 3; k++) {
        const float *b = buf + k * n;
        if (rank != roots[k]) {
            ck_assert_msg(memcmp(b, mine + k * n, n * sizeof *b) == 0,
                          "non-root buffer changed (root %d)", roots[k]);
            continue;
        }
        for (long i = 0; i < n; i++)
            sum[i] = abs_sum[i] = 0.0;
        for (int r = 0; r < size; r++) {
            if (k < 2) {
                rank_dyadic(d, n, 31 + k, r);
            } else {
                rank_floats(x, n, 33, r);
                for (long i = 0; i < n; i++)
                    d[i] = x[i];
            }
            for (long i = 0; i < n; i++) {
                sum[i] += d[i];
                abs_sum[i] += fabs(d[i]);
            }
        }
        for (long i = 0; i < n; i++) {
            double tol = k < 2 ? 0.0 : size * FLT_EPSILON * abs_sum[i];
            ck_assert_msg(fabs(b[i] - sum[i]) <= tol,
                          "root: sum[%ld] = %.9g, expected %.9g (case %d)", i, (double)b[i], sum[i],
                          k);
        }
    }
    free(buf);
    free(mine);
    free(x);
    free(d);
    free(sum);
    free(abs_sum);
}
END_TEST

/* every rank learns whether all said yes, whichever rank said no */
START_TEST(test_agree)
{
    int rank = comm_rank(), size = comm_size();
    int ok = 7; /* any nonzero value is a yes */
    ck_assert_int_eq(comm_agree(&ok), 0);
    ck_assert_int_eq(ok, 1);
    for (int no = 0; no < size; no++) {
        ok = rank != no;
        ck_assert_int_eq(comm_agree(&ok), 0);
        ck_assert_int_eq(ok, 0);
    }
}
END_TEST

/* lines of what f() printed to stderr */
static int stderr_lines(int (*f)(void), char *text, size_t len)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    ck_assert_ptr_nonnull(tmp);
    const int saved = dup(2);
    dup2(fileno(tmp), 2);
    ck_assert_int_eq(f(), -1);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(text, 1, len - 1, tmp);
    text[n] = '\0';
    fclose(tmp);
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += text[i] == '\n';
    return lines;
}

static int send_negative(void)
{
    return comm_send("", -1, 0, 5);
}

static int recv_negative(void)
{
    char b[1];
    return comm_recv(b, -3, 0, 5, NULL);
}

/* a negative count is refused with one message that says so */
START_TEST(test_negative_count)
{
    char text[1024];
    ck_assert_int_eq(stderr_lines(send_negative, text, sizeof text), 1);
    ck_assert_ptr_nonnull(strstr(text, "comm_send: element count must be >= 0 (got -1)"));
    ck_assert_int_eq(stderr_lines(recv_negative, text, sizeof text), 1);
    ck_assert_ptr_nonnull(strstr(text, "comm_recv: element count must be >= 0 (got -3)"));
}
END_TEST

START_TEST(test_allsum_doubles)
{
    /* dyadic data: exact; uniform data: within the rounding bound of size terms */
    const long n = 777;
    int rank = comm_rank(), size = comm_size();
    double *exact = xmalloc(n * sizeof *exact), *general = xmalloc(n * sizeof *general);
    double *d = xmalloc(n * sizeof *d), *sum = xmalloc(n * sizeof *sum);
    double *abs_sum = xmalloc(n * sizeof *abs_sum), *sum_dyadic = xmalloc(n * sizeof *sum_dyadic);
    rank_dyadic(exact, n, 41, rank);
    rank_doubles(general, n, 42, rank);
    int rc = comm_allsum_doubles(exact, n);
    rc |= comm_allsum_doubles(general, n);
    ck_assert_msg(rc == 0, "comm_allsum_doubles failed");

    for (long i = 0; i < n; i++)
        sum[i] = abs_sum[i] = sum_dyadic[i] = 0.0;
    for (int r = 0; r < size; r++) {
        rank_dyadic(d, n, 41, r);
        for (long i = 0; i < n; i++)
            sum_dyadic[i] += d[i];
        rank_doubles(d, n, 42, r);
        for (long i = 0; i < n; i++) {
            sum[i] += d[i];
            abs_sum[i] += fabs(d[i]);
        }
    }
    for (long i = 0; i < n; i++) {
        ck_assert_msg(exact[i] == sum_dyadic[i], "dyadic sum[%ld] = %.17g, expected %.17g", i,
                      exact[i], sum_dyadic[i]);
        ck_assert_msg(fabs(general[i] - sum[i]) <= size * DBL_EPSILON * abs_sum[i],
                      "sum[%ld] = %.17g, expected %.17g", i, general[i], sum[i]);
    }
    free(exact);
    free(general);
    free(d);
    free(sum);
    free(abs_sum);
    free(sum_dyadic);
}
END_TEST

START_TEST(test_gather_doubles)
{
    const long n = 19;
    int rank = comm_rank(), size = comm_size();
    int roots[2] = {0, size - 1};
    double *send = xmalloc(n * sizeof *send), *want = xmalloc(n * sizeof *want);
    double *recv[2];
    int rc = 0;
    rank_doubles(send, n, 51, rank);
    for (int k = 0; k < 2; k++) {
        recv[k] = rank == roots[k] ? xmalloc(size * n * sizeof *recv[k]) : NULL;
        rc |= comm_gather_doubles(recv[k], send, n, roots[k]);
    }
    ck_assert_msg(rc == 0, "comm_gather_doubles failed");
    for (int k = 0; k < 2; k++) {
        if (recv[k] == NULL)
            continue;
        for (int r = 0; r < size; r++) {
            rank_doubles(want, n, 51, r);
            ck_assert_msg(memcmp(recv[k] + r * n, want, n * sizeof *want) == 0,
                          "root: block %d of the gather is not rank %d's data", r, r);
        }
        free(recv[k]);
    }
    free(send);
    free(want);
}
END_TEST

enum { RS_DIM = 3 };

/* Rows of rank r's chunk: different on every rank; with empty_last the last rank of
 * several has none. */
static int rs_rows(int r, int size, int empty_last)
{
    if (empty_last && size > 1 && r == size - 1)
        return 0;
    return 150 + 61 * r;
}

/* Rank r's chunk (rows, RS_DIM): per-column offset and scale make the merge formula's
 * shift term matter. */
static void rs_data(float *x, int rows, int r)
{
    static const double offset[RS_DIM] = {3.0, -250.0, 0.5};
    static const double scale[RS_DIM] = {1.0, 10.0, 0.01};
    Rng g = rank_rng(61, r);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < RS_DIM; j++)
            x[i * RS_DIM + j] = (float)(offset[j] + scale[j] * rng_normal(&g));
}

/* Every rank's statistics gathered to root 0, merged there in rank order with
 * rstats_merge_buf, broadcast, and compared on every rank with the mean and population
 * variance of all rows computed directly (two passes, double). */
static void check_rstats_across_ranks(int empty_last)
{
    int rank = comm_rank(), size = comm_size();
    int len = rstats_buf_len(RS_DIM);
    RunningStats local = {0}, total = {0};
    ck_assert_int_eq(rstats_init(&local, RS_DIM), 0);
    ck_assert_int_eq(rstats_init(&total, RS_DIM), 0);

    int rows = rs_rows(rank, size, empty_last);
    float *x = xmalloc((size_t)rows * RS_DIM * sizeof *x);
    rs_data(x, rows, rank);
    rstats_update(&local, x, rows);
    free(x);

    double *all = rank == 0 ? xmalloc((size_t)size * len * sizeof *all) : NULL;
    int rc = comm_gather_doubles(all, local.buf, len, 0);
    if (rank == 0)
        for (int r = 0; r < size; r++)
            rstats_merge_buf(&total, all + (size_t)r * len);
    rc |= comm_bcast_doubles(total.buf, len, 0);
    free(all);
    ck_assert_msg(rc == 0, "comm call failed");

    /* direct statistics of all rows */
    long n = 0;
    double mean[RS_DIM] = {0}, m2[RS_DIM] = {0};
    for (int pass = 0; pass < 2; pass++) {
        for (int r = 0; r < size; r++) {
            int rr = rs_rows(r, size, empty_last);
            float *xr = xmalloc((size_t)rr * RS_DIM * sizeof *xr);
            rs_data(xr, rr, r);
            for (int i = 0; i < rr; i++)
                for (int j = 0; j < RS_DIM; j++) {
                    double v = xr[i * RS_DIM + j];
                    if (pass == 0)
                        mean[j] += v;
                    else
                        m2[j] += (v - mean[j]) * (v - mean[j]);
                }
            if (pass == 0)
                n += rr;
            free(xr);
        }
        for (int j = 0; j < RS_DIM; j++)
            if (pass == 0)
                mean[j] /= (double)n;
    }

    double var[RS_DIM];
    const double *got_mean = rstats_mean(&total);
    rstats_var(&total, var);
    ck_assert_msg(rstats_count(&total) == (double)n, "count %g, expected %ld", rstats_count(&total),
                  n);
    for (int j = 0; j < RS_DIM; j++) {
        double want_var = m2[j] / (double)n;
        double e_mean = fabs(got_mean[j] - mean[j]) / fabs(mean[j]);
        double e_var = fabs(var[j] - want_var) / want_var;
        ck_assert_msg(e_mean <= 1e-12, "mean[%d] = %.17g, expected %.17g (rel %.2g)", j,
                      got_mean[j], mean[j], e_mean);
        ck_assert_msg(e_var <= 1e-12, "var[%d] = %.17g, expected %.17g (rel %.2g)", j, var[j],
                      want_var, e_var);
    }
    rstats_free(&local);
    rstats_free(&total);
}

START_TEST(test_rstats_merge_across_ranks)
{
    check_rstats_across_ranks(0);
}
END_TEST

START_TEST(test_rstats_merge_empty_rank)
{
    check_rstats_across_ranks(1);
}
END_TEST

/* Print this rank's failures, one line each, naming the rank. */
static void print_failures(SRunner *sr, int rank)
{
    int nf = srunner_ntests_failed(sr);
    TestResult **f = srunner_failures(sr);
    for (int i = 0; i < nf; i++)
        fprintf(stderr, "test_comm: rank %d: %s:%d: %s\n", rank, tr_lfile(f[i]), tr_lno(f[i]),
                tr_msg(f[i]));
    free(f);
}

/* bytes: every rank contributes 5 bytes that encode (rank, position); root gathers
 * them in rank order, then scatters a different pattern back */
START_TEST(test_gather_scatter_bytes)
{
    const int rank = comm_rank(), size = comm_size(), n = 5;
    unsigned char mine[5], *all = malloc((size_t)(size * n)), back[5];
    for (int k = 0; k < n; k++)
        mine[k] = (unsigned char)(rank * 16 + k);
    int g = comm_gather_bytes(all, mine, n, 0);
    if (rank == 0)
        for (int r = 0; r < size; r++)
            for (int k = 0; k < n; k++)
                all[r * n + k] = (unsigned char)(all[r * n + k] ^ 0xa5);
    int sc = comm_scatter_bytes(back, all, n, 0);
    ck_assert_int_eq(g, 0);
    ck_assert_int_eq(sc, 0);
    for (int k = 0; k < n; k++)
        ck_assert_int_eq(back[k], (unsigned char)((rank * 16 + k) ^ 0xa5));
    free(all);
}
END_TEST

int main(int argc, char **argv)
{
    if (comm_init(&argc, &argv))
        return 1;
    const TuCase cases[] = {
        {"comm_rank_size", test_rank_size},
        {"comm_bcast_floats", test_bcast_floats},
        {"comm_bcast_doubles", test_bcast_doubles},
        {"comm_publish_floats", test_publish_floats},
        {"comm_post_send", test_post_send},
        {"comm_recv_any_within", test_recv_within},
        {"comm_root_waits_outside_mpi", test_root_waits_outside_mpi},
        {"comm_sum_floats_to_root", test_sum_floats_to_root},
        {"comm_allsum_doubles", test_allsum_doubles},
        {"comm_agree", test_agree},
        {"comm_negative_count", test_negative_count},
        {"comm_gather_doubles", test_gather_doubles},
        {"comm_gather_scatter_bytes", test_gather_scatter_bytes},
        {"comm_rstats_merge_across_ranks", test_rstats_merge_across_ranks},
        {"comm_rstats_merge_empty_rank", test_rstats_merge_empty_rank},
    };
    SRunner *sr = srunner_create(tu_suite("comm", cases, TU_COUNT(cases), 0));
    srunner_set_fork_status(sr, CK_NOFORK); /* never fork inside an MPI process */
    srunner_run_all(sr, CK_SILENT);
    int rank = comm_rank();
    int checks = srunner_ntests_run(sr), failed = srunner_ntests_failed(sr);
    print_failures(sr, rank);
    srunner_free(sr);

    /* every rank learns the total, so every rank's exit status reports it */
    double total = failed;
    if (comm_allsum_doubles(&total, 1))
        total = failed + 1;
    comm_printf_once("test_comm: %d rank(s), %d tests per rank, %.0f failure(s) in all\n",
                     comm_size(), checks, total);
    comm_finalize();
    return total == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
