/* test_params.c - the parameter size table. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "testutil.h"

START_TEST(test_add_and_find)
{
    ParamTable t;
    params_init(&t);
    ck_assert_uint_eq(params_add(&t, "pi.0.weight", 64, 4), 0);
    ck_assert_uint_eq(params_add(&t, "pi.0.bias", 64, 1), 256);
    ck_assert_uint_eq(params_add(&t, "logstd", 2, 1), 320);
    ck_assert_uint_eq(t.total, 322);
    ck_assert_int_eq(t.n, 3);
    const ParamEntry *e = params_find(&t, "pi.0.bias");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->offset, 256);
    ck_assert_uint_eq(params_entry_size(e), 64);
    ck_assert_ptr_null(params_find(&t, "vf.0.bias"));
}
END_TEST

START_TEST(test_add_rejects)
{
    ParamTable t;
    params_init(&t);
    ck_assert_uint_eq(params_add(&t, "w", 0, 3), (size_t)-1);
    ck_assert_uint_eq(params_add(&t, "w", 3, -1), (size_t)-1);
    char longname[PARAMS_NAME_LEN + 1];
    memset(longname, 'a', PARAMS_NAME_LEN);
    longname[PARAMS_NAME_LEN] = '\0';
    ck_assert_uint_eq(params_add(&t, longname, 1, 1), (size_t)-1);
    ck_assert_int_eq(t.n, 0);
    ck_assert_uint_eq(t.total, 0);
    for (int i = 0; i < PARAMS_MAX_ENTRIES; i++)
        ck_assert_uint_eq(params_add(&t, "x", 1, 1), (size_t)i);
    ck_assert_uint_eq(params_add(&t, "full", 1, 1), (size_t)-1);
    ck_assert_uint_eq(t.total, PARAMS_MAX_ENTRIES);
}
END_TEST

int main(void)
{
    const TuCase cases[] = {
        {"params_add_and_find", test_add_and_find},
        {"params_add_rejects", test_add_rejects},
    };
    return tu_run(tu_suite("params", cases, TU_COUNT(cases), 0));
}
