/* ckpt.h - checkpoint files: a versioned, checksummed container of named sections,
 * written atomically and validated before anything in it is trusted.
 *
 * Layout (little-endian):
 *   header   magic "MPIRLCKP" (8 bytes), format version (u32), section count (u32),
 *            total file size (u64)
 *   sections each: tag (16 bytes, NUL-padded ASCII name), length in bytes (u64), data
 *   trailer  CRC-32 (zlib's crc32, u32) of every byte before it
 * A writer collects sections in memory and writes them to PATH through a temporary
 * file in the same directory: write, fsync, rename over PATH, fsync of the directory;
 * a crash at any point leaves either the old file or the new one, never a mix.
 * The reader checks the size against the file, magic, version, the checksum and every
 * section bound before returning anything; section data is then served from the
 * validated buffer.
 */
#ifndef MPIRL_CKPT_H
#define MPIRL_CKPT_H

#include <stddef.h>
#include <stdint.h>

#define CKPT_VERSION  1
#define CKPT_TAG_LEN  16
#define CKPT_MAX_SIZE ((uint64_t)1 << 34) /* 16 GiB: anything larger is not ours */

typedef struct CkptWriter CkptWriter;
typedef struct Ckpt Ckpt;

/* An empty writer; NULL if memory runs out. */
CkptWriter *ckpt_writer_create(void);

/* Free; accepts NULL and *w == NULL. */
void ckpt_writer_destroy(CkptWriter **w);

/* Append a section (the data is copied). tag: 1..15 printable ASCII characters, unique
 * in the file. Returns 0, or -1 (bad tag, duplicate, out of memory). */
int ckpt_add(CkptWriter *w, const char *tag, const void *data, size_t len);

/* Write the file atomically to path. Returns 0, or -1 with a message in err (the
 * temporary file is removed and an existing file at path is left as it was). */
int ckpt_write(const CkptWriter *w, const char *path, char *err, size_t errlen);

/* Read and validate path. Returns the checkpoint, or NULL with a message in err that
 * says what is wrong (missing, truncated: expected and actual size, not a checkpoint,
 * version N where 1 is supported, checksum mismatch, malformed section). */
Ckpt *ckpt_read(const char *path, char *err, size_t errlen);

/* Validate a checkpoint image held in memory (len bytes at buf, e.g. a file received
 * over MPI, or a fuzzer's input) exactly as ckpt_read validates a file. Returns the
 * checkpoint, which owns a copy of buf, or NULL with a message in err (the same
 * messages as ckpt_read, without a path). buf may be NULL when len is 0. */
Ckpt *ckpt_parse(const void *buf, size_t len, char *err, size_t errlen);

/* Free; accepts NULL and *c == NULL. */
void ckpt_destroy(Ckpt **c);

/* The section with that tag: its data (valid until ckpt_destroy) and length, or NULL
 * if absent. */
const void *ckpt_get(const Ckpt *c, const char *tag, size_t *len);

/* The section with that tag if its length is exactly len, else NULL with a message in
 * err naming the tag and both lengths (or that it is missing). */
const void *ckpt_get_exact(const Ckpt *c, const char *tag, size_t len, char *err, size_t errlen);

#endif
