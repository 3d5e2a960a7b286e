/* fault.h - deterministic fault injection, for tests of the failure paths.
 *
 * A failure path runs when a real operation fails: an allocation, a write, a system
 * call. To test it without waiting for the machine to run out of memory, the place
 * where the operation can fail also asks fault_at("site"). In a build configured with
 * -Dfault_injection=true, the environment variable
 *     MPIRL_FAULT=SITE[@RANK][#N[+]]
 * makes the Nth pass (default the first; with '+' the Nth and every later one) through
 * SITE on rank RANK (default every rank) answer 1, and the caller takes its failure path as if the
 * operation itself had failed. In every other build fault_at is the constant 0 and costs nothing.
 *
 * Sites (the caller's errno-style failure in parentheses):
 *   ckpt-write        ckpt_write: writing the image (ENOSPC)
 *   export-write      mpirl export: writing a file (ENOSPC)
 *   trace-write       mpirl eval --trace: writing the trace (ENOSPC)
 *   gradient-delay    actor_async: each gradient sent 10 s late (a slow node; not an error)
 *   ckpt-link         trainer_checkpoint: the hard link of a numbered copy (link)
 *   metrics-write     metrics_write: a row, after its fields and before its newline (EIO)
 *   restore-alloc     trainer_restore: the actor-state buffer (malloc)
 *   signals-install   signals_install (sigaction)
 *   sysmem-available  sysmem_available: the node has 64 MiB left (as if MemAvailable said so)
 *   trainer-alloc     trainer_init: the rank's buffers (calloc)
 */
#ifndef MPIRL_FAULT_H
#define MPIRL_FAULT_H

#ifdef MPIRL_FAULT_INJECTION
int fault_at(const char *site);
#else
static inline int fault_at(const char *site)
{
    (void)site;
    return 0;
}
#endif

#endif
