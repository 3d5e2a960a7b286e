/* comm.h - the only door to MPI.
 *
 * Every other file of mpirl calls these named operations; only comm.c includes
 * <mpi.h>. All functions work on MPI_COMM_WORLD, check every MPI return code and
 * return 0 on success or -1 (with a message on stderr naming the rank and the call).
 * Without an initialised MPI (comm_init not called) rank is 0, size 1 and every
 * collective is the identity, so single-process code paths need no special case; with
 * one rank the collectives are the identity too, without calling MPI.
 */
#ifndef MPIRL_COMM_H
#define MPIRL_COMM_H

/* Initialise MPI (MPI_Init). Calls nest: only the comm_finalize matching the first
 * comm_init finalises, so a library function may bracket its work with the pair while
 * its caller keeps MPI. Returns 0 or -1. */
int comm_init(int *argc, char ***argv);

/* Undo one comm_init; the outermost finalises MPI if comm_init started it. */
void comm_finalize(void);

/* This process's rank and the number of ranks (cached by comm_init). */
int comm_rank(void);
int comm_size(void);

/* Broadcast n floats / doubles from root to every rank. The root waits for the
 * receivers outside MPI, its core given away. */
int comm_bcast_floats(float *buf, long n, int root);
int comm_bcast_doubles(double *buf, long n, int root);

/* Broadcast n floats from root, where the root does not wait for the receivers: its
 * send completes at the start of its next call of this module (waiting outside MPI),
 * and root's buf must not change until then. The other ranks return with the data.
 * Every rank must call this function for the broadcast (it does not match
 * comm_bcast_floats). */
int comm_publish_floats(float *buf, long n, int root);

/* Elementwise sum over ranks of n floats, result in buf on root (other ranks' buf is
 * left unchanged). The root waits for the others outside MPI, its core given away. */
int comm_sum_floats_to_root(float *buf, long n, int root);

/* Elementwise sum over ranks of n doubles, result in buf on every rank. Rank 0 waits
 * for the others outside MPI, its core given away. */
int comm_allsum_doubles(double *buf, long n);

/* The verdict of every rank: *ok becomes 1 on every rank if it was nonzero on all of
 * them, else 0. Every rank must call it, also the one whose step failed: a rank that
 * returns early instead leaves the others waiting in their next collective. */
int comm_agree(int *ok);

/* The same for an exit status (0: fine): *first becomes the lowest rank whose *status
 * was not 0 (-1 if none), and *status that rank's status on every rank, so that the
 * first failing rank alone reports and all exit alike. Every rank must call it. */
int comm_agree_status(int *status, int *first);

/* Gather n doubles from every rank into recv (size * n, rank order) on root; recv may
 * be NULL on other ranks. The root waits for the others outside MPI, its core given
 * away. */
int comm_gather_doubles(double *recv, const double *send, long n, int root);

/* Point-to-point messages for the asynchronous mode: flat byte buffers (a fixed
 * header and contiguous arrays, see the callers). Sizes must fit an int. */

/* Send n bytes to rank dest with the given tag (blocking). */
int comm_send(const void *buf, long n, int dest, int tag);

/* Send n bytes to rank dest with the given tag without waiting for the receiver: the
 * send completes in the background. buf must not change until the message has been
 * received: until dest has answered a later message, or until the next comm_post_send
 * to dest (which first completes this one) or comm_flush_sends returns. */
int comm_post_send(const void *buf, long n, int dest, int tag);

/* Complete every send started by comm_post_send (comm_finalize does too). */
int comm_flush_sends(void);

/* Stop tracking the pending comm_post_send to dest (a rank that no longer answers), so
 * that comm_flush_sends does not wait for it. Returns 0 or -1 (reported). */
int comm_forget_send(int dest);

/* Receive at most n bytes from rank src with the given tag (blocking); the received
 * size goes to *got if got is not NULL. A longer message is an error. */
int comm_recv(void *buf, long n, int src, int tag, long *got);

/* One receive in the background (at most one at a time): post it, then ask whether it
 * has arrived (0 no, 1 yes, -1 failure) or wait for it outside MPI, without occupying
 * a core (0 or -1). */
int comm_post_recv(void *buf, long n, int src, int tag);
int comm_recv_arrived(void);
int comm_recv_wait(void);

/* comm_recv, but waiting outside MPI without occupying a core (as comm_recv_any_within
 * does; that time counts as idle time), with no time limit. */
int comm_recv_idle(void *buf, long n, int src, int tag, long *got);

/* Seconds spent inside this module's MPI calls since the last call (then reset). */
double comm_take_seconds(void);

/* Seconds a waiting rank gave its core away (the root of a reduction or gather, a
 * comm_recv_any_within) since the last call (then reset); not part of comm_take_seconds. */
double comm_take_idle_seconds(void);

/* Broadcast n bytes from root. */
int comm_bcast_bytes(void *buf, long n, int root);

/* Gather n bytes from every rank into recv (size * n bytes, rank order) on root. */
int comm_gather_bytes(void *recv, const void *send, long n, int root);

/* Scatter: rank r receives bytes [r * n, (r + 1) * n) of root's send into recv. */
int comm_scatter_bytes(void *recv, const void *send, long n, int root);

/* Wait for every rank. */
int comm_barrier(void);

/* Liveness. Rank 0 waits for the others outside MPI (see comm.c); with a patience set,
 * such a wait fails with COMM_TIMEOUT when it lasts longer than seconds (0: no limit),
 * or longer than grace seconds after stop() (if not NULL, asked about once a
 * millisecond or so) first returned non-zero. The collective is then left incomplete:
 * the process can no longer use MPI, and ends with comm_abandon. */
#define COMM_TIMEOUT (-2)
void comm_set_patience(double seconds, int (*stop)(void), double grace);

/* After a wait ran out of patience: the rank that had not arrived if the wait tells
 * (a reduction or a gather: the lowest such rank), -1 if it does not (a broadcast);
 * -2 if no wait has run out. *waited (if not NULL): how long it waited, seconds. */
int comm_timed_out(double *waited);

/* A wait of the caller's own (point-to-point, in slices) ran out of patience: make
 * comm_timed_out report rank (-1: unknown) after waited seconds. */
void comm_note_timeout(int rank, double waited);

/* End this process with status without MPI_Finalize, which would wait for a rank that
 * does not answer; the launcher (mpirun, srun) then ends the other ranks. Output is
 * flushed first. */
_Noreturn void comm_abandon(int status);

/* Receive at most n bytes with the given tag from rank *src, or from any rank if *src
 * is -1; the sender into *src and the size into *got (if not NULL). Waits outside MPI without
 * occupying a core (as the root of a reduction does, see comm.c), so that a rank that waits most of
 * the time (the learner) leaves the core to the actors; that time counts as idle time. Gives up
 * when nothing arrives within seconds (0: no limit): returns 0 with a message, 1 when
 * none arrived (nothing is left pending), -1 on a failure. The stop function of
 * comm_set_patience is not asked here. */
int comm_recv_any_within(void *buf, long n, int tag, int *src, long *got, double seconds);

/* printf on rank 0 only. */
void comm_printf_once(const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
