/* bench_envs.c - raw environment speed on one core (run by scripts/bench envs).
 *
 * For every built-in environment, steps per second of the whole vecenv_step loop
 * (step, time-limit truncation, auto-reset, episode statistics) for a vector of 1
 * environment and for a vector of 1024 (16 for the MuJoCo set, whose mjData are ~3 MB
 * each); the "path" column says how the vector steps its environments: one step_batch
 * call (env.h) or one step call each. The actions are random valid actions (uniform
 * over the discrete set or the box), drawn before timing and reused cyclically. Each
 * figure is the median over repeated timed blocks of about 0.2 s.
 *
 * Output: a human-readable table, then one line per environment
 *   ENV_ID single=<steps/s> vec<N>=<steps/s>
 *
 * `bench_envs ID SECONDS` instead steps one environment of ID alone for about SECONDS
 * seconds and prints `ID steps=<n> seconds=<s> steps_per_s=<r>`: the physics-only
 * throughput of one core, which scripts/bench-mujoco runs once per core at the same
 * time.
 * Not a test: it prints numbers and asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "registry.h"
#include "rng.h"
#include "vecenv.h"

#define BLOCKS    9
#define VEC_N     1024
#define VEC_N_MJ  16  /* vectors of MuJoCo environments (their mjData are ~3 MB) */
#define ACT_STEPS 256 /* distinct action rows per environment, reused cyclically */
#define BLOCK_S   0.2 /* seconds per timed block, about */

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* (ACT_STEPS, n, act_dim) random valid actions */
static float *random_actions(const EnvSpec *spec, int n, Rng *r)
{
    const int ad = env_action_dim(spec);
    const size_t count = (size_t)ACT_STEPS * (size_t)n * (size_t)ad;
    float *a = malloc(count * sizeof *a);
    if (a == NULL) {
        fprintf(stderr, "bench_envs: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < count; i++) {
        const int k = (int)(i % (size_t)ad);
        a[i] = spec->act_kind == SPACE_DISCRETE
                   ? (float)rng_below(r, (uint32_t)spec->act_n)
                   : (float)rng_uniform_range(r, spec->act_low[k], spec->act_high[k]);
    }
    return a;
}

/* Median steps per second of vecenv_step on n environments, in blocks of about
 * BLOCK_S seconds (the number of vector steps per block is set by the warm-up). */
static double steps_per_second(const EnvSpec *spec, int n)
{
    VecEnv v;
    char err[256];
    if (vecenv_init(&v, spec, n, 0, 1, 0, err, sizeof err) != 0) {
        fprintf(stderr, "bench_envs: %s\n", err);
        exit(1);
    }
    Rng r;
    rng_seed(&r, 2, 0);
    float *act = random_actions(spec, n, &r);
    const size_t row = (size_t)n * (size_t)v.act_dim;
    double t[BLOCKS];
    long k = 0, reps = 1;
    for (int b = -1; b < BLOCKS; b++) { /* block -1 warms up and sets reps */
        const double t0 = clock_now();
        for (long i = 0; b >= 0 ? i < reps : clock_now() - t0 < BLOCK_S; i++, k++) {
            if (vecenv_step(&v, act + (size_t)(k % ACT_STEPS) * row) != 0) {
                fprintf(stderr, "bench_envs: %s\n", v.err);
                exit(1);
            }
        }
        if (b >= 0)
            t[b] = (clock_now() - t0) / ((double)reps * n);
        else
            reps = k > 0 ? k : 1;
    }
    qsort(t, BLOCKS, sizeof t[0], cmp_double);
    free(act);
    vecenv_free(&v);
    return 1.0 / t[BLOCKS / 2];
}

/* One environment of spec stepped alone for about `seconds`: steps per second. */
static int run_alone(const EnvSpec *spec, double seconds)
{
    VecEnv v;
    char err[256];
    if (vecenv_init(&v, spec, 1, 0, 1, 0, err, sizeof err) != 0) {
        fprintf(stderr, "bench_envs: %s\n", err);
        return 1;
    }
    Rng r;
    rng_seed(&r, 2, 0);
    float *act = random_actions(spec, 1, &r);
    long k = 0;
    const double t0 = clock_now();
    double t = t0;
    for (; t - t0 < seconds; t = clock_now()) {
        for (int i = 0; i < 64; i++, k++) {
            if (vecenv_step(&v, act + (size_t)(k % ACT_STEPS) * (size_t)v.act_dim) != 0) {
                fprintf(stderr, "bench_envs: %s\n", v.err);
                return 1;
            }
        }
    }
    printf("%s steps=%ld seconds=%.3f steps_per_s=%.0f\n", spec->id, k, t - t0, k / (t - t0));
    free(act);
    vecenv_free(&v);
    return 0;
}

int main(int argc, char **argv)
{
    EnvRegistry *reg = registry_create();
    if (reg == NULL) {
        fprintf(stderr, "bench_envs: out of memory\n");
        return 1;
    }
    if (argc == 3) {
        char err[1536];
        const EnvSpec *spec = registry_lookup(reg, argv[1], err, sizeof err);
        const double seconds = atof(argv[2]);
        if (spec == NULL || !(seconds > 0)) {
            fprintf(stderr, "bench_envs: %s\n", spec == NULL ? err : "SECONDS must be positive");
            registry_destroy(&reg);
            return 2;
        }
        const int rc = run_alone(spec, seconds);
        registry_destroy(&reg);
        return rc;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: bench_envs [ID SECONDS]\n");
        registry_destroy(&reg);
        return 2;
    }
    const int n = registry_count(reg);
    double single[64], vec[64];
    printf("# mpirl environments, one core: vecenv_step loop (step, truncation, auto-reset),\n"
           "# random valid actions drawn beforehand; median of %d blocks\n",
           BLOCKS);
    printf("%-26s %15s %15s %5s %12s %12s  %s\n", "environment", "single steps/s", "vector steps/s",
           "N", "us/step (1)", "us/step (N)", "path (N)");
    int vn[64];
    for (int i = 0; i < n && i < 64; i++) {
        const EnvSpec *spec = registry_get(reg, i);
        vn[i] = spec->open != NULL ? VEC_N_MJ : VEC_N;
        single[i] = steps_per_second(spec, 1);
        vec[i] = steps_per_second(spec, vn[i]);
        printf("%-26s %15.0f %15.0f %5d %12.3f %12.3f  %s\n", spec->id, single[i], vec[i], vn[i],
               1e6 / single[i], 1e6 / vec[i], spec->step_batch ? "step_batch" : "step");
    }
    printf("\n");
    for (int i = 0; i < n && i < 64; i++)
        printf("%s single=%.0f vec%d=%.0f\n", registry_get(reg, i)->id, single[i], vn[i], vec[i]);
    registry_destroy(&reg);
    return 0;
}
