/* export_driver.c - runs a policy exported by `mpirl export --format c` on the
 * observations of an `mpirl eval --trace` CSV and compares its outputs and actions
 * with the ones mpirl computed (tests/export_test.sh compiles it with the export).
 *
 *   cc -std=c99 -DPOLICY=NAME -DPOLICY_UP=UPPERNAME -DPOLICY_H='"FILE.h"' [-DF64]
 *      export_driver.c FILE.c -lm
 *   ./driver TRACE TOL [LOW HIGH]
 *
 * TOL 0: every output must equal mpirl's bit for bit and every action exactly; TOL > 0:
 * outputs within TOL (1 + |mpirl's|), and a discrete action may differ only where
 * mpirl's two largest logits are within that of each other. LOW HIGH: the action
 * bounds the continuous action is clipped to (the test's own knowledge of the
 * environment). -DF64 reads the observations as doubles and calls the _f64 forms.
 * Prints one line: rows, output mismatches, largest difference, action mismatches;
 * exits 0 when nothing differs beyond TOL, 1 otherwise, 2 on a malformed trace.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include POLICY_H

#define CAT(a, b)  a##b
#define XCAT(a, b) CAT(a, b)
#define OBS_DIM    XCAT(POLICY_UP, _OBS_DIM)
#define OUT_DIM    XCAT(POLICY_UP, _OUT_DIM)
#define ACT_DIM    XCAT(POLICY_UP, _ACT_DIM)
#ifdef F64
#define OBS_T   double
#define FORWARD XCAT(POLICY, _logits_or_mean_f64)
#define ACT     XCAT(POLICY, _act_f64)
#else
#define OBS_T   float
#define FORWARD XCAT(POLICY, _logits_or_mean)
#define ACT     XCAT(POLICY, _act)
#endif

/* the next comma-separated field of *p as text */
static const char *field(char **p)
{
    char *s = *p;
    if (!s)
        return NULL;
    char *c = strpbrk(s, ",\n");
    if (c) {
        *p = *c == ',' ? c + 1 : NULL;
        *c = 0;
    } else {
        *p = NULL;
    }
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: %s TRACE TOL [LOW HIGH]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    const double tol = atof(argv[2]);
    const int box = argc == 5;
    const float lo = box ? strtof(argv[3], NULL) : 0, hi = box ? strtof(argv[4], NULL) : 0;
    char line[1 << 16];
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    long rows = 0, out_bad = 0, act_bad = 0;
    double worst = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        OBS_T obs[OBS_DIM] = {0};
        float ref[OUT_DIM] = {0}, act_ref[ACT_DIM] = {0}, out[OUT_DIM], act[ACT_DIM];
        int ok = field(&p) && field(&p); /* episode, step */
        for (int j = 0; ok && j < OBS_DIM; j++) {
            const char *v = field(&p);
#ifdef F64
            ok = v && (obs[j] = strtod(v, NULL), 1);
#else
            ok = v && (obs[j] = strtof(v, NULL), 1);
#endif
        }
        for (int j = 0; ok && j < OUT_DIM; j++) {
            const char *v = field(&p);
            ok = v && (ref[j] = strtof(v, NULL), 1);
        }
        for (int j = 0; ok && j < ACT_DIM; j++) {
            const char *v = field(&p);
            ok = v && (act_ref[j] = strtof(v, NULL), 1);
        }
        if (!ok || p) {
            fprintf(stderr, "%s: row %ld: not %d observation, %d output and %d action values\n",
                    argv[1], rows + 1, OBS_DIM, OUT_DIM, ACT_DIM);
            return 2;
        }
        rows++;
        const int rc_out = FORWARD(obs, out);
        const int rc_act = ACT(obs, act);
        int bad = rc_out != 0;
        for (int j = 0; j < OUT_DIM; j++) {
            const double d = fabs((double)out[j] - (double)ref[j]);
            worst = d > worst ? d : worst;
            bad |= tol == 0 ? memcmp(&out[j], &ref[j], sizeof(float)) != 0
                            : d > tol * (1 + fabs((double)ref[j]));
        }
        out_bad += bad;
        if (box) {
            int abad = rc_act != 0;
            for (int j = 0; j < ACT_DIM; j++) {
                float want = act_ref[j] < lo ? lo : act_ref[j] > hi ? hi : act_ref[j];
                abad |= tol == 0 ? memcmp(&act[j], &want, sizeof(float)) != 0
                                 : fabs((double)act[j] - want) > tol * (1 + fabs((double)want));
            }
            act_bad += abad;
        } else {
            const int want = (int)act_ref[0];
            int abad = rc_act != want || act[0] != act_ref[0];
            if (abad && tol > 0) { /* a near tie of mpirl's logits may go either way */
                const double gap = fabs((double)ref[rc_act < 0 ? 0 : rc_act] - ref[want]);
                abad = gap > 2 * tol * (1 + fabs((double)ref[want]));
            }
            act_bad += abad;
        }
    }
    fclose(f);
    printf("rows %ld output_mismatches %ld max_diff %.3g action_mismatches %ld\n", rows, out_bad,
           worst, act_bad);
    return rows > 0 && out_bad == 0 && act_bad == 0 ? 0 : 1;
}
