/* seed_ckpt.c - writes the checkpoint seeds of the fuzz corpus (tests/fuzz/corpus/ckpt)
 * with the real writer: a few sections of the kinds a run saves, an empty checkpoint
 * and a one-byte section. usage: seed_ckpt DIR (run by scripts/fuzz --seeds).
 */
#include <stdio.h>
#include <string.h>

#include "ckpt.h"

static int write_seed(const char *dir, const char *name, int kind)
{
    char path[512], err[512];
    float params[24];
    double moments[8];
    for (int i = 0; i < 24; i++)
        params[i] = 0.125f * (float)i - 1.0f;
    for (int i = 0; i < 8; i++)
        moments[i] = 1e-3 * i;
    CkptWriter *w = ckpt_writer_create();
    int rc = w ? 0 : -1;
    if (kind == 0) {
        const char *meta = "[train]\nenv = CartPole-v1\nsteps = 100000\n";
        rc |= ckpt_add(w, "config", meta, strlen(meta));
        rc |= ckpt_add(w, "params", params, sizeof params);
        rc |= ckpt_add(w, "adam_m", moments, sizeof moments);
        rc |= ckpt_add(w, "empty", NULL, 0);
    } else if (kind == 2) {
        rc |= ckpt_add(w, "x", "", 1);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (rc == 0 && ckpt_write(w, path, err, sizeof err) != 0) {
        fprintf(stderr, "seed_ckpt: %s\n", err);
        rc = -1;
    }
    ckpt_writer_destroy(&w);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: seed_ckpt DIR\n");
        return 2;
    }
    int rc = write_seed(argv[1], "sections.ckpt", 0) | write_seed(argv[1], "empty.ckpt", 1) |
             write_seed(argv[1], "one-byte.ckpt", 2);
    return rc == 0 ? 0 : 1;
}
