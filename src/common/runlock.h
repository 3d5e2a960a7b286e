/* runlock.h - a run directory belongs to one live run.
 *
 * The run holds a write lock (fcntl, whole file) on DIR/.lock for its whole life; the
 * file says who holds it ("host pid"). The kernel drops the lock when the process
 * ends, however it ends, so the file of a finished or killed run blocks nobody. fcntl
 * locks also work on NFS (through the lock manager), where cluster runs live.
 */
#ifndef MPIRL_RUNLOCK_H
#define MPIRL_RUNLOCK_H

#include <stddef.h>

#define RUNLOCK_NAME ".lock"

/* Lock dir (which exists) for the life of this process. Returns the lock's descriptor
 * (keep it open: closing it releases the lock), or -1 with a message in err: the dir
 * is in use by another run (naming its host and pid), or the system's reason. */
int runlock_take(const char *dir, char *err, size_t len);

#endif
