/* test_mjcf.c - the project's MJCF models (envs/mujoco/models/, embedded in mpirl)
 * compile to the same mjModel as Gymnasium 1.4.0's asset files, field by field.
 *
 * tests/data/mjcf_<name>.txt is the fingerprint of the mjModel compiled from
 * Gymnasium's asset, written by scripts/mjcf_compare.py (which also compared the two
 * compiled models directly when the data was made): every int size, every mjOption,
 * mjVisual and mjStatistic member, and every array of MJMODEL_POINTERS, each as its
 * value (ints) or as its size in bytes and the zlib crc32 of its bytes. Here the
 * embedded model is compiled as mpirl compiles it (mjenv_model_compile, through
 * MuJoCo's virtual file system) and every field is hashed the same way, through the
 * same X-macros of mjxmacro.h; every one must match, and the count of fields too.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <mujoco/mjxmacro.h>

#include "mjenv.h"
#include "mj_models.h"
#include "testutil.h"

typedef struct {
    const Golden *g;
    const char *model;
    int fields, bad;
} Check;

/* An int field: its value. */
static void check_int(Check *c, const char *name, long value)
{
    c->fields++;
    const double *v = golden_get(c->g, name, 1);
    if ((long)v[0] != value) {
        printf("%s: %s is %ld, Gymnasium's %ld\n", c->model, name, value, (long)v[0]);
        c->bad++;
    }
}

/* Any other field: its size and crc32. */
static void check_bytes(Check *c, const char *name, const void *p, size_t n)
{
    c->fields++;
    const double *v = golden_get(c->g, name, 2);
    const unsigned long crc = n > 0 ? crc32(0L, p, (uInt)n) : 0;
    if ((size_t)v[0] != n || (unsigned long)v[1] != crc) {
        printf("%s: %s has %zu bytes, crc %lu; Gymnasium's %zu bytes, crc %lu\n", c->model, name, n,
               crc, (size_t)v[0], (unsigned long)v[1]);
        c->bad++;
    }
}

/* mjVisual and mjStatistic have no X-macros in MuJoCo 2.2.2: their members, in header
 * order (B: a member hashed as bytes, I: an int member). */
/* The formatter does not settle on these lists. */
/* clang-format off */
#define VIS_MEMBERS(B, I)                                                                          \
    B(global, fovy)                                                                                \
    B(global, ipd)                                                                                 \
    B(global, azimuth) B(global, elevation) B(global, linewidth) B(global, glow)                   \
        I(global, offwidth) I(global, offheight) I(quality, shadowsize) I(quality, offsamples) I(  \
            quality, numslices) I(quality, numstacks) I(quality, numquads) B(headlight, ambient)   \
            B(headlight, diffuse) B(headlight, specular) I(headlight, active) B(map, stiffness) B( \
                map, stiffnessrot) B(map, force) B(map, torque) B(map, alpha) B(map, fogstart)     \
                B(map, fogend) B(map, znear) B(map, zfar) B(map, haze) B(map, shadowclip) B(       \
                    map, shadowscale) B(map, actuatortendon) B(scale, forcewidth)                  \
                    B(scale, contactwidth) B(scale, contactheight) B(scale, connect) B(scale, com) \
                        B(scale, camera) B(scale, light) B(scale, selectpoint)                     \
                            B(scale, jointlength) B(scale, jointwidth) B(scale, actuatorlength) B( \
                                scale, actuatorwidth) B(scale, framelength)                        \
                                B(scale, framewidth) B(scale, constraint) B(scale, slidercrank)    \
                                    B(rgba, fog) B(rgba, haze) B(rgba, force) B(rgba, inertia)     \
                                        B(rgba, joint) B(rgba, actuator) B(rgba, actuatornegative) \
                                            B(rgba, actuatorpositive) B(rgba, com) B(rgba, camera) \
                                                B(rgba, light) B(rgba, selectpoint) B(             \
                                                    rgba, connect) B(rgba, contactpoint)           \
                                                    B(rgba, contactforce) B(rgba, contactfriction) \
                                                        B(rgba, contacttorque) B(rgba, contactgap) \
                                                            B(rgba, rangefinder)                   \
                                                                B(rgba, constraint)                \
                                                                    B(rgba, slidercrank)           \
                                                                        B(rgba, crankbroken)
#define STAT_MEMBERS(B) B(meaninertia) B(meanmass) B(meansize) B(extent) B(center)
/* clang-format on */

static void check_model(const char *file)
{
    char name[64], data[96], err[512];
    snprintf(name, sizeof name, "%.*s", (int)(strlen(file) - 4), file); /* without .xml */
    snprintf(data, sizeof data, "mjcf_%s.txt", name);
    mjModel *m = mjenv_model_compile(file, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    Golden *g = golden_load(data);
    Check c = {g, file, 0, 0};

#define X(n) check_int(&c, #n, (long)m->n);
    MJMODEL_INTS
#undef X
#define X(type, n) check_int(&c, "opt." #n, (long)m->opt.n);
    MJOPTION_INTS
#undef X
#define X(type, n) check_bytes(&c, "opt." #n, &m->opt.n, sizeof m->opt.n);
    MJOPTION_FLOATS
#undef X
#define X(n, count) check_bytes(&c, "opt." #n, m->opt.n, sizeof m->opt.n);
    MJOPTION_VECTORS
#undef X
#define B(group, member)                                                                           \
    check_bytes(&c, "vis." #group "." #member, &m->vis.group.member, sizeof m->vis.group.member);
#define I(group, member) check_int(&c, "vis." #group "." #member, (long)m->vis.group.member);
    VIS_MEMBERS(B, I)
#undef B
#undef I
#define B(member) check_bytes(&c, "stat." #member, &m->stat.member, sizeof m->stat.member);
    STAT_MEMBERS(B)
#undef B
    MJMODEL_POINTERS_PREAMBLE(m)
#define X(type, n, nr, nc) check_bytes(&c, #n, m->n, sizeof(type) * (size_t)m->nr * (size_t)(nc));
    MJMODEL_POINTERS
#undef X

    const int want = (int)golden_get(g, "fingerprint.fields", 1)[0];
    printf("%s: %d fields checked against Gymnasium's asset, %d differ\n", file, c.fields, c.bad);
    ck_assert_int_eq(c.fields, want);
    ck_assert_int_eq(c.bad, 0);
    golden_free(g);
    mj_deleteModel(m);
}

START_TEST(test_model)
{
    check_model(mj_model_files[_i].name);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mjcf");
    TCase *tc = tcase_create("model");
    tcase_add_loop_test(tc, test_model, 0, mj_model_count);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
