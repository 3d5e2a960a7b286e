/* outfile.h - replace a file atomically: readers see the old file or the new one,
 * never a mix, and a failure leaves the old file as it was.
 *
 * The sequence is the one POSIX rename() makes atomic: a temporary file next to the
 * path (mkstemp), written by the caller's function, flushed and fsynced, renamed over
 * the path, then the directory fsynced so that the rename itself is durable. The new
 * file keeps the permission bits of the file it replaces (a new one gets 0666 less
 * the umask); a symbolic link at the path is replaced, not followed.
 */
#ifndef MPIRL_OUTFILE_H
#define MPIRL_OUTFILE_H

#include <stdio.h>

/* Writes the file's contents into f; returns 0, or -1 with errno set. */
typedef int (*OutfileFill)(FILE *f, void *ctx);

/* Write path atomically with fill(f, ctx). fault_site is the fault.h site that makes
 * the write fail with ENOSPC in a fault-injection build. Returns 0, or -1 with a
 * message in err naming the path, the step that failed and the system's reason (the
 * temporary file is removed and an existing file at path is left as it was). */
int outfile_write(const char *path, const char *fault_site, OutfileFill fill, void *ctx, char *err,
                  size_t errlen);

/* fill for a buffer in memory: ctx points to an OutfileBuf. */
typedef struct {
    const void *data;
    size_t len;
} OutfileBuf;
int outfile_fill_buf(FILE *f, void *ctx);

#endif
