/* ckpt_dump.c - test tool: the sections of a training checkpoint, except the
 * configuration's text, as raw bytes on stdout (tag, length, data each), for digests
 * that must not change when a configuration key is added.
 *   ckpt_dump FILE
 * Exit 0, or 2 with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ckpt.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ckpt_dump FILE\n");
        return 2;
    }
    char err[512];
    Ckpt *c = ckpt_read(argv[1], err, sizeof err);
    if (!c) {
        fprintf(stderr, "ckpt_dump: %s\n", err);
        return 2;
    }
    static const char *const tags[] = {"meta",      "env",       "params", "adam.m", "adam.v",
                                       "obs.stats", "ret.stats", "window", "kl_beta"};
    const int ntags = (int)(sizeof tags / sizeof tags[0]);
    for (int k = 0; k < ntags + 4096; k++) {
        char tag[32];
        if (k < ntags)
            snprintf(tag, sizeof tag, "%s", tags[k]);
        else
            snprintf(tag, sizeof tag, "actor.%d", k - ntags);
        size_t len = 0;
        const void *data = ckpt_get(c, tag, &len);
        if (!data)
            continue;
        const uint64_t n = len;
        fwrite(tag, 1, strlen(tag) + 1, stdout);
        fwrite(&n, sizeof n, 1, stdout);
        fwrite(data, 1, len, stdout);
    }
    ckpt_destroy(&c);
    return fflush(stdout) == 0 ? 0 : 2;
}
