/* fuzz_ckpt_values.c - libFuzzer harness for the learner's checks of a checkpoint
 * (ckpt_check.h), with mutations that keep the checksum valid and change the meaning.
 *
 * The seeds (tests/fuzz/corpus/ckpt_values) are real checkpoints of a small run,
 * `mpirl train --steps 512 --rollout 64 --hidden 4` (CartPole-v1, one process: one
 * actor with 4 environments, 55 parameters), and SHAPE below is that run. A byte-level
 * mutation almost never gets past the checksum, and one that does rarely lands in a
 * number; so the custom mutator walks the sections of a valid image, picks one number
 * (an int64 of meta, a double of the episode window, the statistics or kl_beta, a
 * float of the parameters or Adam's moments), gives it an edge value (0, -1, +-1, the
 * window's size and its neighbours, 1e6, +-1e300, the int64 extremes, NaN, +-inf,
 * -0, a subnormal) or flips one of its bits, and recomputes the checksum. One input in
 * eight, and any input that is not a valid image, gets libFuzzer's own mutation.
 *
 * The property, stated here independently of ckpt_check.c: whatever ckpt_check accepts
 * is safe for trainer_restore to use - counters not negative, the window's count an
 * integer in [0, W] and its head one in [0, W), parameters and moments finite with
 * second moments not negative, statistics finite with counts and sums of squares not
 * negative, the KL coefficient finite and positive - and the window is then used as
 * the metrics code uses it (a write at head, reads of the count before it), under
 * ASan. What it refuses comes with a one-line message.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "ckpt.h"
#include "ckpt_check.h"
#include "fuzz_util.h"
#include "msg.h"

#define ERR_LEN 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

static const CkptShape SHAPE = {"CartPole-v1", 55, 4, 1, 1, 4};

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void reseal(uint8_t *data, size_t size)
{
    const uint32_t crc = (uint32_t)crc32(0, data, (uInt)(size - 4));
    for (int i = 0; i < 4; i++)
        data[size - 4 + i] = (uint8_t)(crc >> (8 * i));
}

/* The numeric sections and the width of their elements. */
static int element_width(const char *tag)
{
    static const struct {
        const char *tag;
        int width;
    } kinds[] = {{"meta", 8},    {"window", 8}, {"obs.stats", 8}, {"ret.stats", 8},
                 {"kl_beta", 8}, {"params", 4}, {"adam.m", 4},    {"adam.v", 4}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(tag, kinds[i].tag) == 0)
            return kinds[i].width;
    return 0;
}

/* Overwrite the element at p (width 8: int64 for meta, else double; width 4: float)
 * with an edge value or a bit flip chosen by r. */
static void mutate_number(uint8_t *p, int width, int is_int, uint32_t r)
{
    static const double edges[] = {0.0,
                                   -1.0,
                                   1.0,
                                   METRICS_WINDOW,
                                   METRICS_WINDOW - 1,
                                   METRICS_WINDOW + 1,
                                   -5.0,
                                   1e6,
                                   1e300,
                                   -1e300,
                                   0.5,
                                   -0.0,
                                   4.9e-324};
    const uint32_t n_edges = sizeof edges / sizeof edges[0];
    const uint32_t pick = r % (n_edges + 6);
    if (pick >= n_edges + 3) { /* a bit flip */
        const int bit = (int)((r >> 8) % (uint32_t)(8 * width));
        p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        return;
    }
    double x;
    if (pick < n_edges)
        x = edges[pick];
    else
        x = pick == n_edges ? NAN : (pick == n_edges + 1 ? INFINITY : -INFINITY);
    if (is_int) {
        int64_t v = isfinite(x) && fabs(x) < 9e18 ? (int64_t)x : (x > 0 ? INT64_MAX : INT64_MIN);
        memcpy(p, &v, 8);
    } else if (width == 8) {
        memcpy(p, &x, 8);
    } else {
        const float f = (float)x;
        memcpy(p, &f, 4);
    }
}

/* One semantic mutation of a valid image in place; 0, or -1 if data is not one. */
static int mutate_semantic(uint8_t *data, size_t size, uint32_t r)
{
    char err[ERR_LEN];
    Ckpt *c = ckpt_parse(data, size, err, sizeof err);
    if (c == NULL)
        return -1;
    ckpt_destroy(&c);
    const uint64_t count = get_le(data + 12, 4);
    /* the numeric sections, as (offset, bytes, width, tag is meta) */
    size_t off[16], len[16];
    int width[16], is_meta[16], n = 0;
    size_t pos = 24;
    for (uint64_t i = 0; i < count && n < 16; i++) {
        char tag[CKPT_TAG_LEN + 1];
        memcpy(tag, data + pos, CKPT_TAG_LEN);
        tag[CKPT_TAG_LEN] = '\0';
        const uint64_t l = get_le(data + pos + CKPT_TAG_LEN, 8);
        pos += CKPT_TAG_LEN + 8;
        const int w = element_width(tag);
        if (w > 0 && l >= (uint64_t)w) {
            off[n] = pos;
            len[n] = (size_t)l;
            width[n] = w;
            is_meta[n] = strcmp(tag, "meta") == 0;
            n++;
        }
        pos += (size_t)l;
    }
    if (n == 0)
        return -1;
    const int k = (int)(r % (uint32_t)n);
    r = r * 1103515245u + 12345u;
    size_t elements = len[k] / (size_t)width[k];
    /* the window's first two numbers (count, head) and meta's counters matter most */
    size_t index = (r >> 4) % elements;
    if ((r & 3) == 0 && elements > 2)
        index = (r >> 4) % 2;
    mutate_number(data + off[k] + index * (size_t)width[k], width[k], is_meta[k], r >> 12);
    reseal(data, size);
    return 0;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    if (seed % 8 != 0 && size >= 28 && mutate_semantic(data, size, seed) == 0)
        return size;
    size = LLVMFuzzerMutate(data, size, max_size);
    if (size >= 28 && seed % 2 == 0)
        reseal(data, size); /* a structural change that still gets past the checksum */
    return size;
}

static double d_at(const void *p, size_t i)
{
    return ckpt_double_at(p, i);
}

/* The property of an accepted checkpoint (see the top of this file). */
static void check_accepted(const CkptView *v)
{
    static const int counters[] = {M_ITERATION, M_ENV_STEPS, M_VERSION, M_EPISODES, M_ADAM_T};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if (v->meta[counters[i]] < 0)
            fuzz_fail("accepted a negative counter in meta[%d]", counters[i]);
    const double n = d_at(v->window, 0), head = d_at(v->window, 1);
    if (!(n >= 0 && n <= METRICS_WINDOW && n == floor(n)) ||
        !(head >= 0 && head < METRICS_WINDOW && head == floor(head)))
        fuzz_fail("accepted an episode window of %g episodes at %g", n, head);
    for (long i = 0; i < SHAPE.np; i++) {
        const float p = ckpt_float_at(v->params, (size_t)i),
                    m = ckpt_float_at(v->adam_m, (size_t)i),
                    s = ckpt_float_at(v->adam_v, (size_t)i);
        if (!isfinite(p) || !isfinite(m) || !isfinite(s) || s < 0)
            fuzz_fail("accepted parameter %ld = %g, Adam moments %g, %g", i, (double)p, (double)m,
                      (double)s);
    }
    for (int i = 0; i < 1 + 2 * SHAPE.obs_dim; i++) {
        const double x = d_at(v->stats, (size_t)i);
        if (!isfinite(x) || ((i == 0 || i > SHAPE.obs_dim) && x < 0))
            fuzz_fail("accepted observation statistic %d = %g", i, x);
    }
    for (int i = 0; v->ret && i < 3; i++) {
        const double x = d_at(v->ret, (size_t)i);
        if (!isfinite(x) || (i != 1 && x < 0))
            fuzz_fail("accepted return statistic %d = %g", i, x);
    }
    if (v->beta && !(isfinite(d_at(v->beta, 0)) && d_at(v->beta, 0) > 0))
        fuzz_fail("accepted a KL coefficient of %g", d_at(v->beta, 0));
    /* the window as the metrics code uses it: a new episode at head, the count before */
    double *ret = calloc(METRICS_WINDOW, sizeof(double));
    if (ret == NULL)
        fuzz_fail("out of memory");
    const int h = (int)head, k = (int)n;
    ret[h] = 1.0;
    for (int j = 0; j < k; j++)
        ret[(h + METRICS_WINDOW - 1 - j) % METRICS_WINDOW] += 1.0;
    free(ret);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[ERR_LEN];
    Ckpt *c = ckpt_parse(data, size, err, sizeof err);
    if (c == NULL)
        return 0;
    CkptView v;
    memset(err, 'x', sizeof err);
    if (ckpt_check(c, &SHAPE, &v, err, sizeof err) == 0)
        check_accepted(&v);
    else
        fuzz_check_message(err, sizeof err, "ckpt_check");
    ckpt_destroy(&c);
    return 0;
}
