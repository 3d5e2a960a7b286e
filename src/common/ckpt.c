/* ckpt.c - checkpoint files (see ckpt.h): an explicit little-endian encoding, a CRC-32
 * trailer, atomic replacement of the file, and a reader that validates every byte
 * before it trusts any of them.
 *
 * Reference: the checksum is zlib's crc32() (the ISO 3309 / ITU-T V.42 CRC-32 of gzip
 * and PNG, polynomial 0xEDB88320, initial value 0). The file is replaced through
 * outfile.h (temporary file in the same directory, fsync, rename, fsync of the
 * directory): readers see the old file or the new one, never a mix.
 *
 * Left out: compression, streaming (a checkpoint is held whole in memory, up to
 * CKPT_MAX_SIZE), in-place updates, locking (two writers to one path each write a
 * complete file and the last rename wins), and keeping the owner of a replaced file
 * (its permission bits are kept; a new file gets 0666 less the umask). A symbolic link
 * at the path is replaced by the file, not followed.
 */
#include "ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "outfile.h"

#define MAGIC            "MPIRLCKP"
#define MAGIC_LEN        8
#define HEADER_LEN       24 /* magic, version u32, section count u32, file size u64 */
#define SECTION_HEAD_LEN (CKPT_TAG_LEN + 8) /* tag, length u64 */
#define TRAILER_LEN      4                  /* CRC-32 u32 */
#define MIN_SIZE         (HEADER_LEN + TRAILER_LEN)

/* A section held by a writer: its own copy of the data (NULL when len is 0). */
typedef struct {
    char tag[CKPT_TAG_LEN]; /* NUL-padded */
    unsigned char *data;
    size_t len;
} WSection;

struct CkptWriter {
    WSection *s;
    size_t n, cap;
    uint64_t size; /* of the file, saturating at UINT64_MAX */
};

/* A section of a validated checkpoint: where its data lies in the buffer. */
typedef struct {
    char tag[CKPT_TAG_LEN];
    size_t off, len;
} RSection;

struct Ckpt {
    unsigned char *buf; /* the whole file */
    size_t len;
    RSection *s; /* sorted by tag */
    size_t n;
};

#ifdef __GNUC__
__attribute__((format(printf, 3, 4)))
#endif
static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* crc32 takes a uInt length: feed it at most 1 GiB at a time */
static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
    uLong c = crc;
    while (n > 0) {
        uInt k = n > ((size_t)1 << 30) ? (uInt)1 << 30 : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

static int tag_char_ok(unsigned char ch)
{
    return ch >= 0x20 && ch <= 0x7e;
}

/* tag as its 16 NUL-padded bytes; -1 unless it has 1..15 printable ASCII characters */
static int tag_pack(char out[CKPT_TAG_LEN], const char *tag)
{
    size_t n = 0;
    if (!tag)
        return -1;
    while (n < CKPT_TAG_LEN && tag[n]) {
        if (!tag_char_ok((unsigned char)tag[n]))
            return -1;
        n++;
    }
    if (n == 0 || n == CKPT_TAG_LEN)
        return -1;
    memset(out, 0, CKPT_TAG_LEN);
    memcpy(out, tag, n);
    return 0;
}

/* 0 if the 16 bytes at p are 1..15 printable characters followed by NULs only */
static int tag_check(const unsigned char *p)
{
    size_t n = 0;
    while (n < CKPT_TAG_LEN && p[n])
        if (!tag_char_ok(p[n++]))
            return -1;
    if (n == 0 || n == CKPT_TAG_LEN)
        return -1;
    for (size_t i = n; i < CKPT_TAG_LEN; i++)
        if (p[i])
            return -1;
    return 0;
}

static int cmp_rsection(const void *a, const void *b)
{
    return memcmp(((const RSection *)a)->tag, ((const RSection *)b)->tag, CKPT_TAG_LEN);
}

CkptWriter *ckpt_writer_create(void)
{
    CkptWriter *w = calloc(1, sizeof *w);
    if (w)
        w->size = MIN_SIZE;
    return w;
}

void ckpt_writer_destroy(CkptWriter **w)
{
    if (!w || !*w)
        return;
    for (size_t i = 0; i < (*w)->n; i++)
        free((*w)->s[i].data);
    free((*w)->s);
    free(*w);
    *w = NULL;
}

int ckpt_add(CkptWriter *w, const char *tag, const void *data, size_t len)
{
    char t[CKPT_TAG_LEN];
    if (!w || tag_pack(t, tag) != 0 || (len > 0 && !data) || w->n >= UINT32_MAX)
        return -1;
    for (size_t i = 0; i < w->n; i++)
        if (memcmp(w->s[i].tag, t, CKPT_TAG_LEN) == 0)
            return -1;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 8;
        WSection *s = realloc(w->s, cap * sizeof *s);
        if (!s)
            return -1;
        w->s = s;
        w->cap = cap;
    }
    unsigned char *copy = NULL;
    if (len > 0) {
        if (!(copy = malloc(len)))
            return -1;
        memcpy(copy, data, len);
    }
    WSection *s = &w->s[w->n++];
    memcpy(s->tag, t, CKPT_TAG_LEN);
    s->data = copy;
    s->len = len;
    /* size += 24 + len, saturating: ckpt_write refuses anything above CKPT_MAX_SIZE */
    uint64_t add = (uint64_t)len;
    if (add > UINT64_MAX - SECTION_HEAD_LEN || w->size > UINT64_MAX - SECTION_HEAD_LEN - add)
        w->size = UINT64_MAX;
    else
        w->size += SECTION_HEAD_LEN + add;
    return 0;
}

/* fwrite n bytes and fold them into the CRC */
static int put(FILE *f, uint32_t *crc, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (fwrite(p, 1, n, f) != n)
        return -1;
    *crc = crc_update(*crc, p, n);
    return 0;
}

/* the whole file into f; -1 with errno on a write error */
static int write_image(const CkptWriter *w, FILE *f)
{
    unsigned char h[HEADER_LEN], t[TRAILER_LEN];
    uint32_t crc = 0;
    memcpy(h, MAGIC, MAGIC_LEN);
    put_u32(h + 8, CKPT_VERSION);
    put_u32(h + 12, (uint32_t)w->n);
    put_u64(h + 16, w->size);
    if (put(f, &crc, h, sizeof h) != 0)
        return -1;
    for (size_t i = 0; i < w->n; i++) {
        unsigned char sh[SECTION_HEAD_LEN];
        memcpy(sh, w->s[i].tag, CKPT_TAG_LEN);
        put_u64(sh + CKPT_TAG_LEN, (uint64_t)w->s[i].len);
        if (put(f, &crc, sh, sizeof sh) != 0 || put(f, &crc, w->s[i].data, w->s[i].len) != 0)
            return -1;
    }
    put_u32(t, crc);
    return fwrite(t, 1, sizeof t, f) == sizeof t ? 0 : -1;
}

/* OutfileFill over a writer */
static int fill_image(FILE *f, void *w)
{
    return write_image(w, f);
}

int ckpt_write(const CkptWriter *w, const char *path, char *err, size_t errlen)
{
    if (!w || !path || !path[0]) {
        set_err(err, errlen, "ckpt_write: no writer or an empty path");
        return -1;
    }
    if (w->size > CKPT_MAX_SIZE) {
        set_err(err, errlen, "%s: the checkpoint would have more than the %llu bytes allowed", path,
                (unsigned long long)CKPT_MAX_SIZE);
        return -1;
    }
    return outfile_write(path, "ckpt-write", fill_image, (void *)w, err, errlen);
}

/* Validate len bytes at buf. On success *out holds the n sections sorted by tag
 * (malloc'ed; NULL when n is 0); on failure returns -1 with a message in msg. */
static int validate(const unsigned char *buf, size_t len, RSection **out, size_t *nout, char *msg,
                    size_t msglen)
{
    *out = NULL;
    *nout = 0;
    if (len < MIN_SIZE) {
        size_t m = len < MAGIC_LEN ? len : MAGIC_LEN;
        if (m > 0 && memcmp(buf, MAGIC, m) != 0)
            set_err(msg, msglen, "not a checkpoint (it does not start with %s)", MAGIC);
        else if (len >= HEADER_LEN)
            set_err(msg, msglen, "truncated: %zu bytes, the header says %llu", len,
                    (unsigned long long)get_u64(buf + 16));
        else
            set_err(msg, msglen,
                    "truncated: %zu bytes, less than a header and a checksum (%d bytes)", len,
                    MIN_SIZE);
        return -1;
    }
    if (memcmp(buf, MAGIC, MAGIC_LEN) != 0) {
        set_err(msg, msglen, "not a checkpoint (it does not start with %s)", MAGIC);
        return -1;
    }
    /* the version comes before everything else: another version may lay out the rest
     * differently */
    uint32_t version = get_u32(buf + 8);
    if (version != CKPT_VERSION) {
        set_err(msg, msglen, "version %lu, this mpirl reads %d", (unsigned long)version,
                CKPT_VERSION);
        return -1;
    }
    uint32_t count = get_u32(buf + 12);
    uint64_t total = get_u64(buf + 16);
    if (total != (uint64_t)len) {
        set_err(msg, msglen, "%s: %zu bytes, the header says %llu",
                total > (uint64_t)len ? "truncated" : "trailing data", len,
                (unsigned long long)total);
        return -1;
    }
    size_t end = len - TRAILER_LEN, pos = HEADER_LEN;
    uint32_t stored = get_u32(buf + end), crc = crc_update(0, buf, end);
    if (stored != crc) {
        set_err(msg, msglen,
                "checksum mismatch: the file says %08lx, its contents give %08lx (corrupt)",
                (unsigned long)stored, (unsigned long)crc);
        return -1;
    }
    /* every section takes at least its 24-byte head: bound count before allocating */
    if (count > (end - pos) / SECTION_HEAD_LEN) {
        set_err(msg, msglen, "malformed: %lu sections cannot fit in %zu bytes",
                (unsigned long)count, len);
        return -1;
    }
    RSection *s = count ? malloc(count * sizeof *s) : NULL;
    if (count && !s) {
        set_err(msg, msglen, "out of memory for %lu sections", (unsigned long)count);
        return -1;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (end - pos < SECTION_HEAD_LEN) {
            set_err(msg, msglen, "malformed: section %lu of %lu would start past the end",
                    (unsigned long)i + 1, (unsigned long)count);
            goto bad;
        }
        const unsigned char *h = buf + pos;
        if (tag_check(h) != 0) {
            set_err(msg, msglen,
                    "malformed: section %lu at byte %zu: its tag is not 1 to 15 printable "
                    "ASCII characters padded with NULs",
                    (unsigned long)i + 1, pos);
            goto bad;
        }
        uint64_t slen = get_u64(h + CKPT_TAG_LEN);
        pos += SECTION_HEAD_LEN;
        if (slen > (uint64_t)(end - pos)) {
            set_err(msg, msglen,
                    "malformed: section '%.*s' claims %llu bytes, only %zu remain before "
                    "the checksum",
                    CKPT_TAG_LEN, (const char *)h, (unsigned long long)slen, end - pos);
            goto bad;
        }
        memcpy(s[i].tag, h, CKPT_TAG_LEN);
        s[i].off = pos;
        s[i].len = (size_t)slen;
        pos += (size_t)slen;
    }
    if (pos != end) {
        set_err(msg, msglen, "malformed: %zu bytes after the last of %lu sections", end - pos,
                (unsigned long)count);
        goto bad;
    }
    if (count > 1) {
        qsort(s, count, sizeof *s, cmp_rsection);
        for (uint32_t i = 1; i < count; i++)
            if (memcmp(s[i - 1].tag, s[i].tag, CKPT_TAG_LEN) == 0) {
                set_err(msg, msglen, "malformed: duplicate section '%.*s'", CKPT_TAG_LEN, s[i].tag);
                goto bad;
            }
    }
    *out = s;
    *nout = count;
    return 0;
bad:
    free(s);
    return -1;
}

/* a checkpoint owning buf (a validated image of len bytes) and its sections */
static Ckpt *ckpt_wrap(unsigned char *buf, size_t len, RSection *s, size_t n)
{
    Ckpt *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    c->buf = buf;
    c->len = len;
    c->s = s;
    c->n = n;
    return c;
}

Ckpt *ckpt_parse(const void *buf, size_t len, char *err, size_t errlen)
{
    char msg[512];
    RSection *s;
    size_t n;
    if (!buf && len > 0) {
        set_err(err, errlen, "ckpt_parse: no buffer");
        return NULL;
    }
    if (validate(buf, len, &s, &n, msg, sizeof msg) != 0) {
        set_err(err, errlen, "%s", msg);
        return NULL;
    }
    unsigned char *copy = malloc(len); /* len >= MIN_SIZE here */
    Ckpt *c = copy ? ckpt_wrap(copy, len, s, n) : NULL;
    if (!c) {
        free(copy);
        free(s);
        set_err(err, errlen, "out of memory for a checkpoint of %zu bytes", len);
        return NULL;
    }
    memcpy(copy, buf, len);
    return c;
}

Ckpt *ckpt_read(const char *path, char *err, size_t errlen)
{
    char msg[512];
    if (!path) {
        set_err(err, errlen, "ckpt_read: no path");
        return NULL;
    }
    /* O_NONBLOCK: a FIFO at path must not block the open; it is refused below */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(err, errlen, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    /* refuse what is too large before allocating for it; a file too small to be a
     * checkpoint is read into `small`, for the message only */
    uint64_t size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    if (size > CKPT_MAX_SIZE || size > SIZE_MAX) {
        set_err(err, errlen, "%s: %llu bytes, more than the %llu a checkpoint may have", path,
                (unsigned long long)size, (unsigned long long)CKPT_MAX_SIZE);
        fclose(f);
        return NULL;
    }
    unsigned char small[MIN_SIZE];
    unsigned char *buf = size < MIN_SIZE ? small : malloc((size_t)size);
    if (!buf) {
        set_err(err, errlen, "%s: out of memory for %llu bytes", path, (unsigned long long)size);
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, (size_t)size, f);
    int failed = ferror(f), e = errno;
    fclose(f);
    if (got != size) {
        if (failed)
            set_err(err, errlen, "%s: %s", path, strerror(e));
        else
            set_err(err, errlen, "%s: shrank from %llu to %zu bytes while being read", path,
                    (unsigned long long)size, got);
        if (buf != small)
            free(buf);
        return NULL;
    }
    RSection *s;
    size_t n;
    Ckpt *c = NULL;
    if (validate(buf, got, &s, &n, msg, sizeof msg) != 0) {
        set_err(err, errlen, "%s: %s", path, msg);
    } else if (buf == small || !(c = ckpt_wrap(buf, got, s, n))) {
        set_err(err, errlen, "%s: out of memory", path); /* (buf == small cannot validate) */
        free(s);
    }
    if (!c && buf != small)
        free(buf);
    return c;
}

void ckpt_destroy(Ckpt **c)
{
    if (!c || !*c)
        return;
    free((*c)->buf);
    free((*c)->s);
    free(*c);
    *c = NULL;
}

const void *ckpt_get(const Ckpt *c, const char *tag, size_t *len)
{
    RSection key;
    if (!c || c->n == 0 || tag_pack(key.tag, tag) != 0)
        return NULL;
    const RSection *s = bsearch(&key, c->s, c->n, sizeof *c->s, cmp_rsection);
    if (!s)
        return NULL;
    if (len)
        *len = s->len;
    return c->buf + s->off;
}

const void *ckpt_get_exact(const Ckpt *c, const char *tag, size_t len, char *err, size_t errlen)
{
    size_t have;
    const void *p = ckpt_get(c, tag, &have);
    if (!p) {
        set_err(err, errlen, "checkpoint has no section '%s'", tag ? tag : "(null)");
        return NULL;
    }
    if (have != len) {
        set_err(err, errlen, "checkpoint section '%s' has %zu bytes, expected %zu", tag, have, len);
        return NULL;
    }
    return p;
}
