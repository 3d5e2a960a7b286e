/* fuzz_util.c - see fuzz_util.h. */
#include "fuzz_util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch[256]; /* this process's directory, "" until first use */

static void remove_scratch(void)
{
    DIR *d = opendir(scratch);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char p[600];
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", scratch, e->d_name);
            unlink(p);
        }
    }
    closedir(d);
    rmdir(scratch);
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void fuzz_path(char *out, size_t len, const char *name)
{
    if (!scratch[0]) {
        /* one directory per process: libFuzzer's -fork=N runs several at once */
        struct stat st;
        const char *base = getenv("FUZZ_SCRATCH");
        if (!base || !base[0])
            base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm"
                   : getenv("TMPDIR")                                ? getenv("TMPDIR")
                                                                     : "/tmp";
        snprintf(scratch, sizeof scratch, "%s/mpirl-fuzz-XXXXXX", base);
        if (!mkdtemp(scratch))
            fuzz_fail("cannot create a scratch directory %s", scratch);
        atexit(remove_scratch);
    }
    if ((size_t)snprintf(out, len, "%s/%s", scratch, name) >= len)
        fuzz_fail("path %s/%s too long", scratch, name);
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        fuzz_fail("cannot write %s", path);
}

uint8_t *fuzz_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0)
        fuzz_fail("cannot read %s", path);
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        fuzz_fail("cannot read %s", path);
    fclose(f);
    *len = (size_t)st.st_size;
    return buf;
}

void fuzz_check_message(const char *err, size_t len, const char *what)
{
    if (!memchr(err, '\0', len))
        fuzz_fail("%s: the message is not NUL-terminated", what);
    if (!err[0])
        fuzz_fail("%s: failed with an empty message", what);
}

/* the INI text config_write gives for c (malloc'ed) */
static char *config_text(const Config *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f || config_write(c, f) != 0 || fclose(f) != 0)
        fuzz_fail("config_write failed");
    return buf;
}

void fuzz_config_roundtrip(const Config *c)
{
    char path[512], err[CONFIG_ERR_LEN];
    char *text = config_text(c);
    fuzz_path(path, sizeof path, "roundtrip.ini");
    fuzz_write_file(path, (const uint8_t *)text, strlen(text));
    Config d;
    config_defaults(&d);
    if (config_load_file(&d, path, err) != 0)
        fuzz_fail("the written configuration does not load back: %s\n%s", err, text);
    char *again = config_text(&d);
    if (strcmp(text, again) != 0)
        fuzz_fail("the written configuration loads back differently:\n%s---\n%s", text, again);
    free(text);
    free(again);
}
