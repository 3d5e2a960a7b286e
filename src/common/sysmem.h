/* sysmem.h - the memory a process has reserved but not touched yet, and what its node
 * has left, so that a run that cannot fit is refused at set-up with a message instead
 * of meeting the OOM killer when it fills its buffers.
 *
 * Linux hands out pages on first touch: mpirl's buffers (rollouts, minibatches,
 * network workspaces) are allocated at set-up and mostly written later, so right after
 * set-up the heap the allocator has obtained (glibc's mallinfo2: arena + mmapped
 * blocks; under AddressSanitizer, the bytes it has allocated) minus the resident set is, to within
 * the program's own code and libraries, what the process will still take from the node.
 *
 * Available memory is the smaller of /proc/meminfo's MemAvailable and, when the
 * process runs in a memory-limited cgroup (v2 memory.max, or v1
 * memory.limit_in_bytes), that limit minus the cgroup's current usage.
 */
#ifndef MPIRL_SYSMEM_H
#define MPIRL_SYSMEM_H

#include <stddef.h>

/* This process: heap obtained from the allocator (bytes) and resident set size
 * (bytes). Both 0 where they cannot be read. */
void sysmem_usage(double *heap, double *resident);

/* Bytes the node still has for this process, with a short account of where the
 * figure comes from in what ("MemAvailable", or "the cgroup limit of 4.0 GiB, 1.2 GiB
 * of it in use"). Returns 0, or -1 where nothing can be read (then no check is made). */
int sysmem_available(double *bytes, char *what, size_t len);

/* "12.3 GiB" / "456 MiB" into buf; returns buf. */
const char *sysmem_format(double bytes, char *buf, size_t len);

#endif
