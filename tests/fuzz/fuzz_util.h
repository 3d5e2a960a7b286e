/* fuzz_util.h - what mpirl's libFuzzer harnesses share: a private scratch directory
 * for the files the code under test must read or write, a failure report that stops
 * the fuzzer (abort, so libFuzzer keeps the input), and the configuration round trip
 * both config harnesses check.
 */
#ifndef MPIRL_FUZZ_UTIL_H
#define MPIRL_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The path of `name` inside this process's scratch directory, created on first use
 * in $FUZZ_SCRATCH (scripts/fuzz sets it, and removes it afterwards), else in /dev/shm,
 * $TMPDIR or /tmp, and removed at a normal exit; out holds len bytes. */
void fuzz_path(char *out, size_t len, const char *name);

/* Write size bytes of data to path, replacing it; aborts on an I/O error. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);

/* The whole file at path (malloc'ed) and its length; aborts on an I/O error. */
uint8_t *fuzz_read_file(const char *path, size_t *len);

/* Print "fuzz: <message>" to stderr and abort. */
_Noreturn void fuzz_fail(const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* A message buffer of len bytes that an API filled on failure: it must be a non-empty
 * NUL-terminated string. */
void fuzz_check_message(const char *err, size_t len, const char *what);

/* config_write(c) must load back (config_load_file) to a configuration that writes the
 * same text. */
void fuzz_config_roundtrip(const Config *c);

#endif
