/* ckpt_edit.c - test tool: a copy of a training checkpoint with one number changed and
 * a valid checksum, as someone editing the file by hand would make it; for the tests
 * that the reader checks every value before it trusts it.
 *   ckpt_edit IN OUT TAG INDEX i64|f64|f32 VALUE
 * Copies the sections a training run writes (meta, config, env, params, adam.m,
 * adam.v, obs.stats, ret.stats, window, kl_beta, actor.R), with element INDEX of TAG,
 * read as an array of that type, set to VALUE. Exit 0, or 2 with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"

static int fail(const char *what)
{
    fprintf(stderr, "ckpt_edit: %s\n", what);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 7)
        return fail("usage: ckpt_edit IN OUT TAG INDEX i64|f64|f32 VALUE");
    char err[512];
    Ckpt *in = ckpt_read(argv[1], err, sizeof err);
    if (!in)
        return fail(err);
    static const char *const tags[] = {"meta",   "config",    "env",       "params", "adam.m",
                                       "adam.v", "obs.stats", "ret.stats", "window", "kl_beta"};
    const char *type = argv[5];
    const size_t size = !strcmp(type, "f32") ? 4 : 8;
    const long index = atol(argv[4]);
    CkptWriter *w = ckpt_writer_create();
    int found = 0, rc = 0;
    for (int k = 0; w && rc == 0 && k < 10 + 4096; k++) {
        char tag[32];
        if (k < 10)
            snprintf(tag, sizeof tag, "%s", tags[k]);
        else
            snprintf(tag, sizeof tag, "actor.%d", k - 10);
        size_t len = 0;
        const void *data = ckpt_get(in, tag, &len);
        if (!data)
            continue;
        unsigned char *copy = malloc(len ? len : 1);
        if (!copy)
            return fail("out of memory");
        memcpy(copy, data, len);
        if (!strcmp(tag, argv[3])) {
            if (index < 0 || (size_t)(index + 1) * size > len)
                return fail("INDEX beyond the section");
            found = 1;
            if (!strcmp(type, "i64")) {
                const int64_t v = strtoll(argv[6], NULL, 10);
                memcpy(copy + (size_t)index * size, &v, size);
            } else if (!strcmp(type, "f64")) {
                const double v = strtod(argv[6], NULL);
                memcpy(copy + (size_t)index * size, &v, size);
            } else {
                const float v = strtof(argv[6], NULL);
                memcpy(copy + (size_t)index * size, &v, size);
            }
        }
        rc = ckpt_add(w, tag, copy, len);
        free(copy);
    }
    if (!w || rc != 0)
        return fail("cannot build the copy");
    if (!found)
        return fail("no such section");
    if (ckpt_write(w, argv[2], err, sizeof err) != 0)
        return fail(err);
    ckpt_writer_destroy(&w);
    ckpt_destroy(&in);
    return 0;
}
