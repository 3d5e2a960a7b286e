/* clock.h - the one clock of mpirl's timings: monotonic seconds.
 *
 * Every phase time (metrics.csv's *_s columns, the MPI accounts, the benchmarks) is a
 * difference of two readings of clock_now(); CLOCK_MONOTONIC does not jump when the
 * system time is set.
 */
#ifndef MPIRL_CLOCK_H
#define MPIRL_CLOCK_H

/* seconds since an arbitrary fixed point */
double clock_now(void);

#endif
