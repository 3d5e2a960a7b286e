/* fuzz_ckpt.c - libFuzzer harness for the checkpoint reader (ckpt.h).
 *
 * A random input almost never carries a valid CRC, which would leave everything behind
 * the checksum (the section walk) unexplored; so each input is checked twice: as it is,
 * and with its trailer recomputed ("resealed") over its other bytes.
 *
 * Each image goes through ckpt_parse and, written to a file, through ckpt_read: both
 * must agree (accept or refuse, with the same message). An accepted input is walked
 * here independently of ckpt.c: every section it holds must be served by ckpt_get and
 * ckpt_get_exact with the same bytes, and writing those sections back in file order
 * with ckpt_write must reproduce the input byte for byte (the encoding is canonical).
 * ASan and UBSan catch any read outside the input or undefined arithmetic.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "ckpt.h"
#include "fuzz_util.h"

#define ERR_LEN 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* every section of the validated input is in c, with the same bytes */
static void check_sections(const Ckpt *c, const uint8_t *data, size_t size, CkptWriter *w)
{
    uint64_t count = get_le(data + 12, 4);
    size_t pos = 24;
    for (uint64_t i = 0; i < count; i++) {
        char tag[CKPT_TAG_LEN + 1], err[ERR_LEN];
        memcpy(tag, data + pos, CKPT_TAG_LEN);
        tag[CKPT_TAG_LEN] = '\0';
        uint64_t len = get_le(data + pos + CKPT_TAG_LEN, 8);
        pos += CKPT_TAG_LEN + 8;
        if (len > size - 4 - pos)
            fuzz_fail("accepted a section '%s' of %llu bytes at %zu in %zu", tag,
                      (unsigned long long)len, pos, size);
        size_t n = (size_t)-1;
        const uint8_t *p = ckpt_get(c, tag, &n);
        if (!p || n != len || (len > 0 && memcmp(p, data + pos, len) != 0))
            fuzz_fail("section '%s' is not served as stored", tag);
        if (ckpt_get_exact(c, tag, len, err, sizeof err) != p)
            fuzz_fail("ckpt_get_exact('%s', %llu): %s", tag, (unsigned long long)len, err);
        if (ckpt_get_exact(c, tag, len + 1, err, sizeof err) != NULL)
            fuzz_fail("ckpt_get_exact('%s') accepted a wrong length", tag);
        fuzz_check_message(err, sizeof err, "ckpt_get_exact");
        if (w && ckpt_add(w, tag, data + pos, len) != 0)
            fuzz_fail("ckpt_add refused section '%s' of a valid checkpoint", tag);
        pos += len;
    }
    if (pos != size - 4)
        fuzz_fail("accepted %zu bytes after the last section", size - 4 - pos);
}

static void check_image(const uint8_t *data, size_t size)
{
    char in[512], out[512], err[ERR_LEN], rerr[ERR_LEN + 600];
    fuzz_path(in, sizeof in, "input.ckpt");
    fuzz_path(out, sizeof out, "output.ckpt");

    memset(err, 'x', sizeof err);
    Ckpt *c = ckpt_parse(data, size, err, sizeof err);
    fuzz_write_file(in, data, size);
    memset(rerr, 'x', sizeof rerr);
    Ckpt *r = ckpt_read(in, rerr, sizeof rerr);
    if (!c != !r)
        fuzz_fail("ckpt_parse %s but ckpt_read %s", c ? "accepts" : "refuses",
                  r ? "accepts" : "refuses");
    if (!c) {
        fuzz_check_message(err, sizeof err, "ckpt_parse");
        fuzz_check_message(rerr, sizeof rerr, "ckpt_read");
        if (!strstr(rerr, in) || !strstr(rerr, err))
            fuzz_fail("ckpt_read says '%s', ckpt_parse '%s'", rerr, err);
        return;
    }
    CkptWriter *w = ckpt_writer_create();
    if (!w)
        fuzz_fail("out of memory");
    check_sections(c, data, size, w);
    check_sections(r, data, size, NULL);
    ckpt_destroy(&c);
    ckpt_destroy(&r);

    if (ckpt_write(w, out, err, sizeof err) != 0)
        fuzz_fail("ckpt_write: %s", err);
    ckpt_writer_destroy(&w);
    size_t len;
    uint8_t *back = fuzz_read_file(out, &len);
    if (len != size || memcmp(back, data, size) != 0)
        fuzz_fail("rewriting a valid checkpoint of %zu bytes gives %zu different bytes", size, len);
    free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_image(data, size);
    if (size >= 28) {
        uint8_t *sealed = malloc(size);
        if (!sealed)
            return 0;
        memcpy(sealed, data, size);
        uint32_t crc = (uint32_t)crc32(0, sealed, (uInt)(size - 4));
        for (int i = 0; i < 4; i++)
            sealed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
        check_image(sealed, size);
        free(sealed);
    }
    return 0;
}
