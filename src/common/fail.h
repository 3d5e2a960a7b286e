/* fail.h - the one handler for broken invariants.
 *
 * A broken invariant is a caller's bug (a NULL array where the contract requires one,
 * an impossible argument), never a user's mistake: user input is validated where it
 * enters and reported with its own message. The handler says what was wrong and where,
 * once, with the rank, and ends the process with EXIT_FAILURE.
 */
#ifndef MPIRL_FAIL_H
#define MPIRL_FAIL_H

/* Print "mpirl: rank R: file:line: <message>" to stderr and exit(EXIT_FAILURE). */
_Noreturn void mpirl_fail_at(const char *file, int line, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#define MPIRL_FAIL(...) mpirl_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#endif
