/* signals.c - recording handlers for SIGINT and SIGTERM (see signals.h).
 *
 * The recorded signal is the one mutable global outside comm.c: a handler can only
 * talk to the program through a volatile sig_atomic_t.
 */
#include "signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t pending_signal = 0;

static void record(int sig)
{
    pending_signal = sig;
}

int signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = record;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return -1;
    return 0;
}

int signals_pending(void)
{
    return (int)pending_signal;
}
