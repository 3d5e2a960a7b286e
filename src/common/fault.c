/* fault.c - MPIRL_FAULT in fault-injection builds (see fault.h). */
#include "fault.h"

#ifdef MPIRL_FAULT_INJECTION

#include <stdlib.h>
#include <string.h>

#include "comm.h"

int fault_at(const char *site)
{
    static long passes; /* through the one site MPIRL_FAULT names */
    const char *spec = getenv("MPIRL_FAULT");
    if (!spec)
        return 0;
    const size_t len = strcspn(spec, "@#");
    if (len != strlen(site) || strncmp(spec, site, len) != 0)
        return 0;
    const char *at = strchr(spec, '@'), *nth = strchr(spec, '#');
    if (at && atoi(at + 1) != comm_rank())
        return 0;
    const long n = nth ? atol(nth + 1) : 1;
    const int onwards = nth && strchr(nth, '+') != NULL; /* #N+: the Nth and every later */
    ++passes;
    return onwards ? passes >= n : passes == n;
}

#else
typedef int fault_unused; /* ISO C: a translation unit is not empty */
#endif
