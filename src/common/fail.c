/* fail.c - the handler for broken invariants (see fail.h). */
#include "fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "comm.h"

void mpirl_fail_at(const char *file, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "mpirl: rank %d: %s:%d: %s\n", comm_rank(), file, line, msg);
    fflush(stderr);
    exit(EXIT_FAILURE);
}
