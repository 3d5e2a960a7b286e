/* ckpt_cmp.c - test tool: do two checkpoints hold the same bytes in the given
 * sections? Prints the first section that differs; exit 0 equal, 1 different, 2 error.
 *   ckpt_cmp A B TAG...
 */
#include <stdio.h>
#include <string.h>

#include "ckpt.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: ckpt_cmp A B TAG...\n");
        return 2;
    }
    char err[512];
    Ckpt *a = ckpt_read(argv[1], err, sizeof err);
    if (!a) {
        fprintf(stderr, "ckpt_cmp: %s\n", err);
        return 2;
    }
    Ckpt *b = ckpt_read(argv[2], err, sizeof err);
    if (!b) {
        fprintf(stderr, "ckpt_cmp: %s\n", err);
        ckpt_destroy(&a);
        return 2;
    }
    int rc = 0;
    for (int i = 3; i < argc && rc == 0; i++) {
        size_t la = 0, lb = 0;
        const void *x = ckpt_get(a, argv[i], &la), *y = ckpt_get(b, argv[i], &lb);
        if (!x || !y || la != lb || memcmp(x, y, la) != 0) {
            printf("section %s differs\n", argv[i]);
            rc = 1;
        }
    }
    ckpt_destroy(&a);
    ckpt_destroy(&b);
    return rc;
}
