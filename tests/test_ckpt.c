/* test_ckpt.c - checkpoint files: the byte layout, round trips, section lookup, the
 * atomic write and its failures, and the reader's refusal of every kind of damage
 * (truncation, flipped bits, wrong magic or version, impossible sizes, malformed
 * sections), each with the message it must give.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ckpt.h"
#include "rng.h"
#include "testutil.h"

#define HEADER_LEN 24
#define ERR_LEN    512

/* a fresh empty directory (static buffer) */
static const char *temp_dir(void)
{
    static char dir[64];
    strcpy(dir, "/tmp/mpirl-ckpt-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

/* dir/name in a static buffer (one of two, so that two can be alive at once) */
static const char *join(const char *dir, const char *name)
{
    static char buf[2][512];
    static int k;
    k ^= 1;
    int n = snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    ck_assert(n > 0 && (size_t)n < sizeof buf[k]);
    return buf[k];
}

/* number of entries in dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* remove dir and the files in it */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlink(join(dir, e->d_name));
    closedir(d);
    ck_assert_int_eq(rmdir(dir), 0);
}

/* the whole file (malloc'ed) and its length */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    unsigned char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_file(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
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

/* recompute the CRC trailer after an edit, so that the checks behind it run */
static void reseal(unsigned char *buf, size_t len)
{
    put_u32(buf + len - 4, (uint32_t)crc32(0, buf, (uInt)(len - 4)));
}

/* A small checkpoint image (malloc'ed): sections "meta" (text), "empty" (0 bytes),
 * "params" (40 floats), "rng" (an Rng), written through ckpt_write in dir. */
static unsigned char *sample_image(const char *dir, size_t *len)
{
    float params[40];
    for (int i = 0; i < 40; i++)
        params[i] = 0.25f * (float)i - 3.0f;
    Rng r;
    rng_seed(&r, 7, 0);
    char err[ERR_LEN];
    CkptWriter *w = ckpt_writer_create();
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(ckpt_add(w, "meta", "step=1200", 9), 0);
    ck_assert_int_eq(ckpt_add(w, "empty", NULL, 0), 0);
    ck_assert_int_eq(ckpt_add(w, "params", params, sizeof params), 0);
    ck_assert_int_eq(ckpt_add(w, "rng", &r, sizeof r), 0);
    const char *path = join(dir, "sample.ckpt");
    ck_assert_msg(ckpt_write(w, path, err, sizeof err) == 0, "%s", err);
    ckpt_writer_destroy(&w);
    unsigned char *buf = read_file(path, len);
    unlink(path);
    return buf;
}

/* ckpt_parse refuses len bytes at buf with a message that contains needle */
static void expect_refused(const unsigned char *buf, size_t len, const char *needle,
                           const char *what)
{
    char err[ERR_LEN] = "";
    Ckpt *c = ckpt_parse(buf, len, err, sizeof err);
    ck_assert_msg(c == NULL, "%s: accepted", what);
    ck_assert_msg(strstr(err, needle) != NULL, "%s: message '%s' lacks '%s'", what, err, needle);
}

/* the same through a file: ckpt_read refuses it, naming the path and saying needle */
static void expect_read_refused(const char *dir, const unsigned char *buf, size_t len,
                                const char *needle)
{
    char err[ERR_LEN] = "";
    const char *path = join(dir, "bad.ckpt");
    write_file(path, buf, len);
    Ckpt *c = ckpt_read(path, err, sizeof err);
    ck_assert_msg(c == NULL, "%zu bytes: accepted", len);
    ck_assert_msg(strstr(err, path) != NULL, "message '%s' lacks the path", err);
    ck_assert_msg(strstr(err, needle) != NULL, "%zu bytes: message '%s' lacks '%s'", len, err,
                  needle);
    unlink(path);
}

/* the bytes of a one-section file, written out by hand (CRC from Python's zlib.crc32) */
START_TEST(test_layout)
{
    static const unsigned char expect[] = {
        'M', 'P', 'I', 'R', 'L', 'C', 'K', 'P', 1, 0, 0, 0, 1, 0,    0,    0,    55,  0, 0,
        0,   0,   0,   0,   0,   'a', 'b', 0,   0, 0, 0, 0, 0, 0,    0,    0,    0,   0, 0,
        0,   0,   3,   0,   0,   0,   0,   0,   0, 0, 1, 2, 3, 0x0d, 0x4f, 0x8f, 0xe8};
    const char *dir = temp_dir();
    char err[ERR_LEN];
    CkptWriter *w = ckpt_writer_create();
    ck_assert_int_eq(ckpt_add(w, "ab", (const unsigned char[]){1, 2, 3}, 3), 0);
    ck_assert_int_eq(ckpt_write(w, join(dir, "a.ckpt"), err, sizeof err), 0);
    ckpt_writer_destroy(&w);
    ck_assert_ptr_null(w);
    ckpt_writer_destroy(&w); /* NULL is fine */
    ckpt_writer_destroy(NULL);
    size_t len;
    unsigned char *buf = read_file(join(dir, "a.ckpt"), &len);
    ck_assert_uint_eq(len, sizeof expect);
    ck_assert_mem_eq(buf, expect, len);
    free(buf);
    remove_dir(dir);
}
END_TEST

/* several sections, empty and 1 MB ones included, back through the file and a buffer */
START_TEST(test_roundtrip)
{
    const char *dir = temp_dir();
    const size_t big_len = (size_t)1 << 20;
    unsigned char *big = malloc(big_len);
    Rng r;
    rng_seed(&r, 42, 0);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (unsigned char)rng_u64(&r);
    double gamma = 0.99;
    char err[ERR_LEN];
    CkptWriter *w = ckpt_writer_create();
    ck_assert_int_eq(ckpt_add(w, "big", big, big_len), 0);
    ck_assert_int_eq(ckpt_add(w, "empty", NULL, 0), 0);
    ck_assert_int_eq(ckpt_add(w, "also empty", "x", 0), 0);
    ck_assert_int_eq(ckpt_add(w, "gamma", &gamma, sizeof gamma), 0);
    ck_assert_int_eq(ckpt_add(w, "~!\"#$%&'()*+,-.", "tag", 3), 0); /* 15 characters */
    const char *path = join(dir, "run.ckpt");
    ck_assert_msg(ckpt_write(w, path, err, sizeof err) == 0, "%s", err);
    ckpt_writer_destroy(&w);

    size_t file_len;
    unsigned char *file = read_file(path, &file_len);
    ck_assert_uint_eq(file_len, 24 + 5 * 24 + big_len + 8 + 3 + 4);
    for (int pass = 0; pass < 2; pass++) {
        Ckpt *c = pass == 0 ? ckpt_read(path, err, sizeof err)
                            : ckpt_parse(file, file_len, err, sizeof err);
        ck_assert_msg(c != NULL, "%s", err);
        size_t n = 1;
        const unsigned char *p = ckpt_get(c, "big", &n);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq(n, big_len);
        ck_assert_mem_eq(p, big, big_len);
        /* an empty section is there (non-NULL), with length 0 */
        n = 1;
        ck_assert_ptr_nonnull(ckpt_get(c, "empty", &n));
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_nonnull(ckpt_get(c, "also empty", &n));
        ck_assert_uint_eq(n, 0);
        const double *g = ckpt_get(c, "gamma", &n);
        ck_assert_uint_eq(n, sizeof gamma);
        double gv;
        memcpy(&gv, g, sizeof gv);
        ck_assert_double_eq(gv, 0.99);
        ck_assert_mem_eq(ckpt_get(c, "~!\"#$%&'()*+,-.", &n), "tag", 3);
        ckpt_destroy(&c);
        ck_assert_ptr_null(c);
        ckpt_destroy(&c);
        ckpt_destroy(NULL);
    }
    /* the caller's buffer is copied */
    Ckpt *c = ckpt_parse(file, file_len, err, sizeof err);
    memset(file, 0, file_len);
    ck_assert_mem_eq(ckpt_get(c, "big", NULL), big, big_len);
    ckpt_destroy(&c);

    /* no sections at all */
    w = ckpt_writer_create();
    ck_assert_int_eq(ckpt_write(w, path, err, sizeof err), 0);
    ckpt_writer_destroy(&w);
    c = ckpt_read(path, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_ptr_null(ckpt_get(c, "big", NULL));
    ckpt_destroy(&c);
    free(file);
    free(big);
    remove_dir(dir);
}
END_TEST

START_TEST(test_get)
{
    const char *dir = temp_dir();
    size_t len, n;
    unsigned char *img = sample_image(dir, &len);
    char err[ERR_LEN];
    Ckpt *c = ckpt_parse(img, len, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_ptr_nonnull(ckpt_get(c, "params", &n));
    ck_assert_uint_eq(n, 40 * sizeof(float));
    ck_assert_ptr_nonnull(ckpt_get(c, "params", NULL));
    /* absent, and tags that cannot exist */
    ck_assert_ptr_null(ckpt_get(c, "param", &n));
    ck_assert_ptr_null(ckpt_get(c, "", &n));
    ck_assert_ptr_null(ckpt_get(c, "0123456789abcdefg", &n));
    ck_assert_ptr_null(ckpt_get(c, NULL, &n));
    ck_assert_ptr_null(ckpt_get(NULL, "params", &n));

    const float *p = ckpt_get_exact(c, "params", 40 * sizeof(float), err, sizeof err);
    ck_assert_ptr_nonnull(p);
    float v;
    memcpy(&v, p + 1, sizeof v);
    ck_assert_float_eq(v, -2.75f);
    ck_assert_ptr_nonnull(ckpt_get_exact(c, "empty", 0, err, sizeof err));
    /* wrong length: names the tag and both lengths */
    ck_assert_ptr_null(ckpt_get_exact(c, "params", 41 * sizeof(float), err, sizeof err));
    ck_assert_msg(strstr(err, "'params'") && strstr(err, "160") && strstr(err, "164"), "%s", err);
    ck_assert_ptr_null(ckpt_get_exact(c, "meta", 0, err, sizeof err));
    ck_assert_msg(strstr(err, "'meta' has 9 bytes, expected 0"), "%s", err);
    /* missing */
    ck_assert_ptr_null(ckpt_get_exact(c, "adam_m", 4, err, sizeof err));
    ck_assert_msg(strstr(err, "no section 'adam_m'"), "%s", err);
    ck_assert_ptr_null(ckpt_get_exact(c, "adam_m", 4, NULL, 0)); /* no message buffer */
    ckpt_destroy(&c);
    free(img);
    remove_dir(dir);
}
END_TEST

START_TEST(test_add_refusals)
{
    CkptWriter *w = ckpt_writer_create();
    const int x = 1;
    ck_assert_int_eq(ckpt_add(w, "a", &x, sizeof x), 0);
    ck_assert_int_eq(ckpt_add(w, "a", &x, sizeof x), -1);                /* duplicate */
    ck_assert_int_eq(ckpt_add(w, "", &x, sizeof x), -1);                 /* empty tag */
    ck_assert_int_eq(ckpt_add(w, NULL, &x, sizeof x), -1);               /* no tag */
    ck_assert_int_eq(ckpt_add(w, "0123456789abcdef", &x, sizeof x), -1); /* 16 characters */
    ck_assert_int_eq(ckpt_add(w, "0123456789abcde", &x, sizeof x), 0);   /* 15 */
    ck_assert_int_eq(ckpt_add(w, "tab\there", &x, sizeof x), -1);
    ck_assert_int_eq(ckpt_add(w, "caf\xc3\xa9", &x, sizeof x), -1); /* not ASCII */
    ck_assert_int_eq(ckpt_add(w, "b", NULL, 4), -1);                /* no data */
    ck_assert_int_eq(ckpt_add(NULL, "c", &x, sizeof x), -1);
    /* the refused ones left nothing behind: the file holds the two accepted */
    const char *dir = temp_dir();
    char err[ERR_LEN];
    ck_assert_int_eq(ckpt_write(w, join(dir, "w.ckpt"), err, sizeof err), 0);
    size_t len;
    unsigned char *buf = read_file(join(dir, "w.ckpt"), &len);
    ck_assert_uint_eq(buf[12], 2);
    ck_assert_uint_eq(len, 24 + 2 * (24 + sizeof x) + 4);
    free(buf);
    ck_assert_int_eq(ckpt_write(NULL, join(dir, "w.ckpt"), err, sizeof err), -1);
    ck_assert_int_eq(ckpt_write(w, "", err, sizeof err), -1);
    ckpt_writer_destroy(&w);
    remove_dir(dir);
}
END_TEST

/* the write replaces the file, leaves no temporary, keeps the mode of what it replaces */
START_TEST(test_write_atomic)
{
    const char *dir = temp_dir();
    const char *path = join(dir, "model.ckpt");
    char err[ERR_LEN];
    mode_t old_mask = umask(022);
    for (int version = 0; version < 3; version++) {
        CkptWriter *w = ckpt_writer_create();
        ck_assert_int_eq(ckpt_add(w, "version", &version, sizeof version), 0);
        ck_assert_msg(ckpt_write(w, path, err, sizeof err) == 0, "%s", err);
        ckpt_writer_destroy(&w);
        ck_assert_int_eq(count_entries(dir), 1);
        Ckpt *c = ckpt_read(path, err, sizeof err);
        ck_assert_msg(c != NULL, "%s", err);
        const int *v = ckpt_get_exact(c, "version", sizeof(int), err, sizeof err);
        ck_assert_ptr_nonnull(v);
        ck_assert_int_eq(*v, version);
        ckpt_destroy(&c);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        /* new: 0666 less the umask; replaced: the mode it had */
        ck_assert_int_eq(st.st_mode & 0777, version == 0 ? 0644 : 0640);
        ck_assert_int_eq(chmod(path, 0640), 0);
    }
    umask(old_mask);
    /* a path without a directory part writes into the current directory */
    char cwd[512];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(dir), 0);
    CkptWriter *w = ckpt_writer_create();
    ck_assert_int_eq(ckpt_write(w, "here.ckpt", err, sizeof err), 0);
    ckpt_writer_destroy(&w);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_int_eq(count_entries(dir), 2);
    remove_dir(dir);
}
END_TEST

/* a failed write says where and why, removes its temporary, keeps the old file */
START_TEST(test_write_failure)
{
    const char *dir = temp_dir();
    char err[ERR_LEN];
    CkptWriter *w = ckpt_writer_create();
    static unsigned char blob[1 << 16];
    memset(blob, 0xab, sizeof blob);
    ck_assert_int_eq(ckpt_add(w, "blob", blob, sizeof blob), 0);

    /* the parent does not exist / is a regular file (tests run as root: permissions
     * would not stop the write) */
    char path[300];
    snprintf(path, sizeof path, "%s/no/such/dir/x.ckpt", dir);
    ck_assert_int_eq(ckpt_write(w, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) && strstr(err, "No such file or directory"), "%s", err);
    write_file(join(dir, "plain"), "x", 1);
    snprintf(path, sizeof path, "%s/plain/x.ckpt", dir);
    ck_assert_int_eq(ckpt_write(w, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) && strstr(err, "Not a directory"), "%s", err);
    ck_assert_int_eq(count_entries(dir), 1);
    /* the path is a directory: the temporary is written, the rename fails */
    const char *sub = join(dir, "sub");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    ck_assert_int_eq(ckpt_write(w, sub, err, sizeof err), -1);
    ck_assert_msg(strstr(err, sub) && strstr(err, "renaming") && strstr(err, "Is a directory"),
                  "%s", err);
    ck_assert_int_eq(count_entries(dir), 2);
    ck_assert_int_eq(rmdir(sub), 0);

    /* the disk "fills up" mid-write (file size limit): the old file is untouched */
    CkptWriter *small = ckpt_writer_create();
    ck_assert_int_eq(ckpt_add(small, "old", "old data", 8), 0);
    const char *target = join(dir, "run.ckpt");
    ck_assert_int_eq(ckpt_write(small, target, err, sizeof err), 0);
    ckpt_writer_destroy(&small);
    size_t before_len, after_len;
    unsigned char *before = read_file(target, &before_len);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old_lim, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
    lim = old_lim;
    lim.rlim_cur = 4096;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = ckpt_write(w, target, err, sizeof err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old_lim), 0);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(err, target) && strstr(err, "File too large"), "%s", err);
    unsigned char *after = read_file(target, &after_len);
    ck_assert_uint_eq(after_len, before_len);
    ck_assert_mem_eq(after, before, before_len);
    ck_assert_int_eq(count_entries(dir), 2); /* "plain" and the checkpoint: no temporary */
    Ckpt *c = ckpt_read(target, err, sizeof err);
    ck_assert_msg(c && ckpt_get(c, "old", NULL), "%s", err);
    ckpt_destroy(&c);
    free(before);
    free(after);
    ckpt_writer_destroy(&w);
    remove_dir(dir);
}
END_TEST

START_TEST(test_read_not_a_file)
{
    const char *dir = temp_dir();
    char err[ERR_LEN];
    const char *path = join(dir, "missing.ckpt");
    ck_assert_ptr_null(ckpt_read(path, err, sizeof err));
    ck_assert_msg(strstr(err, path) && strstr(err, "No such file or directory"), "%s", err);
    ck_assert_ptr_null(ckpt_read(dir, err, sizeof err));
    ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
    /* a FIFO with no writer: refused at once, not waited on */
    const char *fifo = join(dir, "fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_ptr_null(ckpt_read(fifo, err, sizeof err));
    ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
    unlink(fifo);
    ck_assert_ptr_null(ckpt_read(path, NULL, 0)); /* no message buffer */
    /* a text file, shorter and longer than a header */
    const char *ini = "[train]\nlr = 3e-4\n";
    expect_read_refused(dir, (const unsigned char *)ini, 8, "not a checkpoint");
    expect_read_refused(dir, (const unsigned char *)ini, strlen(ini), "not a checkpoint");
    ck_assert_ptr_null(ckpt_parse(NULL, 0, err, sizeof err));
    ck_assert_msg(strstr(err, "truncated: 0 bytes"), "%s", err);
    ck_assert_ptr_null(ckpt_parse(NULL, 5, err, sizeof err));
    remove_dir(dir);
}
END_TEST

/* every prefix up to the end of the header, every 7th beyond and the last 8 */
START_TEST(test_truncated)
{
    const char *dir = temp_dir();
    size_t len;
    unsigned char *img = sample_image(dir, &len);
    int tried = 0;
    for (size_t n = 0; n < len; n++) {
        if (n > HEADER_LEN && n % 7 != 0 && n + 8 < len)
            continue;
        expect_read_refused(dir, img, n, "truncated");
        char needle[128];
        if (n >= HEADER_LEN) {
            snprintf(needle, sizeof needle, "truncated: %zu bytes, the header says %zu", n, len);
            expect_refused(img, n, needle, "truncated image");
        }
        tried++;
    }
    ck_assert_int_ge(tried, HEADER_LEN + 8);
    /* one byte too many is not a truncation but still not the file the header says */
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, img, len);
    longer[len] = 0;
    expect_refused(longer, len + 1, "trailing data", "one more byte");
    free(longer);
    free(img);
    remove_dir(dir);
}
END_TEST

/* every bit of the header, a sample of the body's bytes, every byte of the trailer */
START_TEST(test_flipped)
{
    const char *dir = temp_dir();
    size_t len;
    unsigned char *img = sample_image(dir, &len);
    for (size_t bit = 0; bit < 8 * HEADER_LEN; bit++) {
        size_t at = bit / 8;
        const char *needle = at < 8    ? "not a checkpoint"
                             : at < 12 ? "version"
                             : at < 16 ? "checksum" /* section count */
                                       : "bytes, the header says";
        img[at] ^= (unsigned char)(1u << (bit % 8));
        char what[64];
        snprintf(what, sizeof what, "header bit %zu", bit);
        expect_refused(img, len, needle, what);
        img[at] ^= (unsigned char)(1u << (bit % 8));
    }
    for (size_t at = HEADER_LEN; at < len; at += (at + 4 < len ? 3 : 1)) {
        for (int flip = 0; flip < 2; flip++) {
            unsigned char x = flip ? 0xff : (unsigned char)(1u << (at % 8));
            img[at] ^= x;
            char what[64];
            snprintf(what, sizeof what, "byte %zu ^ %02x", at, x);
            expect_refused(img, len, "checksum", what);
            img[at] ^= x;
        }
    }
    /* through the file reader too, once */
    img[len / 2] ^= 0x10;
    expect_read_refused(dir, img, len, "checksum mismatch");
    img[len / 2] ^= 0x10;
    char err[ERR_LEN];
    Ckpt *c = ckpt_parse(img, len, err, sizeof err); /* restored: valid again */
    ck_assert_msg(c != NULL, "%s", err);
    ckpt_destroy(&c);
    free(img);
    remove_dir(dir);
}
END_TEST

START_TEST(test_magic_version)
{
    const char *dir = temp_dir();
    size_t len;
    unsigned char *img = sample_image(dir, &len);
    memcpy(img, "MPIRLCKQ", 8);
    reseal(img, len);
    expect_read_refused(dir, img, len, "not a checkpoint");
    memcpy(img, "MPIRLCKP", 8);
    /* a later version, correctly sealed: the version check itself refuses it */
    put_u32(img + 8, 2);
    reseal(img, len);
    expect_read_refused(dir, img, len, "version 2, this mpirl reads 1");
    put_u32(img + 8, 0);
    reseal(img, len);
    expect_refused(img, len, "version 0, this mpirl reads 1", "version 0");
    put_u32(img + 8, UINT32_MAX);
    reseal(img, len);
    expect_refused(img, len, "version 4294967295", "version max");
    put_u32(img + 8, 1);
    reseal(img, len);
    char err[ERR_LEN];
    Ckpt *c = ckpt_parse(img, len, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ckpt_destroy(&c);
    free(img);
    remove_dir(dir);
}
END_TEST

START_TEST(test_sizes)
{
    const char *dir = temp_dir();
    size_t len;
    unsigned char *img = sample_image(dir, &len);
    /* a huge claimed size, sealed */
    put_u64(img + 16, UINT64_MAX);
    reseal(img, len);
    expect_read_refused(dir, img, len, "truncated");
    expect_refused(img, len, "the header says 18446744073709551615", "huge size");
    put_u64(img + 16, CKPT_MAX_SIZE + 1);
    reseal(img, len);
    expect_refused(img, len, "truncated", "size over the limit");
    put_u64(img + 16, 0);
    reseal(img, len);
    expect_refused(img, len, "trailing data", "size 0");
    /* a file over CKPT_MAX_SIZE (sparse) is refused before anything is allocated */
    const char *path = join(dir, "huge.ckpt");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(img, 1, len, f);
    ck_assert_int_eq(ftruncate(fileno(f), (off_t)CKPT_MAX_SIZE + 1), 0);
    fclose(f);
    char err[ERR_LEN];
    ck_assert_ptr_null(ckpt_read(path, err, sizeof err));
    ck_assert_msg(strstr(err, path) && strstr(err, "17179869185 bytes, more than"), "%s", err);
    unlink(path);
    free(img);
    remove_dir(dir);
}
END_TEST

/* a sealed image whose sections are wrong: every structural check, with its message */
START_TEST(test_sections_malformed)
{
    const char *dir = temp_dir();
    size_t len;
    unsigned char *img = sample_image(dir, &len);
    unsigned char *bad = malloc(len);
    /* sections in file order: meta (9), empty (0), params (160), rng (32) */
    const size_t meta = 24, empty = meta + 24 + 9, params = empty + 24, rng = params + 24 + 160;
    ck_assert_uint_eq(rng + 24 + sizeof(Rng) + 4, len);
    ck_assert_mem_eq(img + params, "params", 7);

/* copy img to bad, apply the edit, seal, expect refusal with the needle */
#define EXPECT_MALFORMED(edit, needle)                                                             \
    do {                                                                                           \
        memcpy(bad, img, len);                                                                     \
        edit;                                                                                      \
        reseal(bad, len);                                                                          \
        expect_refused(bad, len, needle, #edit);                                                   \
    } while (0)

    /* lengths past the end, including ones that overflow pos + len */
    EXPECT_MALFORMED(put_u64(bad + meta + 16, UINT64_MAX), "'meta' claims 18446744073709551615");
    EXPECT_MALFORMED(put_u64(bad + meta + 16, UINT64_MAX - 23), "claims");
    EXPECT_MALFORMED(put_u64(bad + rng + 16, sizeof(Rng) + 1), "'rng' claims 33 bytes, only 32");
    EXPECT_MALFORMED(put_u64(bad + params + 16, 1 << 20), "malformed");
    /* a shorter length leaves bytes that are no section */
    EXPECT_MALFORMED(put_u64(bad + rng + 16, sizeof(Rng) - 1), "1 bytes after the last");
    /* section counts */
    EXPECT_MALFORMED(put_u32(bad + 12, UINT32_MAX), "4294967295 sections cannot fit");
    EXPECT_MALFORMED(put_u32(bad + 12, 5), "section 5 of 5 would start past the end");
    EXPECT_MALFORMED(put_u32(bad + 12, 3), "56 bytes after the last of 3 sections");
    EXPECT_MALFORMED(put_u32(bad + 12, 0), "after the last of 0 sections");
    /* tags */
    EXPECT_MALFORMED(memcpy(bad + params, "meta\0\0", 6), "duplicate section 'meta'");
    EXPECT_MALFORMED(memcpy(bad + rng, "empty\0", 6), "duplicate section 'empty'");
    EXPECT_MALFORMED(bad[empty] = 0, "section 2 at byte 57: its tag");
    EXPECT_MALFORMED(bad[empty + 1] = '\n', "its tag is not");
    EXPECT_MALFORMED(bad[empty + 1] = 0x80, "its tag is not");
    EXPECT_MALFORMED(bad[empty + 8] = 'x', "its tag is not"); /* not NUL-padded */
    EXPECT_MALFORMED(memset(bad + rng, 'r', 16), "section 4 at byte");
    EXPECT_MALFORMED(bad[meta + 15] = 'x', "section 1 at byte 24");
    /* the remaining 15-character tags and spaces are fine */
    memcpy(bad, img, len);
    memcpy(bad + params, "params with 15c", 15);
    reseal(bad, len);
    char err[ERR_LEN];
    Ckpt *c = ckpt_parse(bad, len, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_ptr_nonnull(ckpt_get(c, "params with 15c", NULL));
    ck_assert_ptr_null(ckpt_get(c, "params", NULL));
    ckpt_destroy(&c);
#undef EXPECT_MALFORMED
    free(bad);
    free(img);
    remove_dir(dir);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"ckpt_layout", test_layout},
        {"ckpt_roundtrip", test_roundtrip},
        {"ckpt_get", test_get},
        {"ckpt_add_refusals", test_add_refusals},
        {"ckpt_write_atomic", test_write_atomic},
        {"ckpt_write_failure", test_write_failure},
        {"ckpt_read_not_a_file", test_read_not_a_file},
        {"ckpt_truncated", test_truncated},
        {"ckpt_flipped", test_flipped},
        {"ckpt_magic_version", test_magic_version},
        {"ckpt_sizes", test_sizes},
        {"ckpt_sections_malformed", test_sections_malformed},
    };
    return tu_run(tu_suite("ckpt", cases, TU_COUNT(cases), 0));
}
