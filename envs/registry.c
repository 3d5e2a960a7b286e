/* registry.c - environments by id, the built-in set and plugins (see registry.h).
 *
 * The registry is two small growing arrays: entries (spec, source) and opened plugin
 * libraries (path, handle, list). Lookups are linear: there are a handful of
 * environments and lookups happen at start-up, never in a loop.
 *
 * Left out: unregistering, reloading a changed library (dlopen hands back the handle of
 * an already loaded file), id aliases and version resolution ("CartPole" for
 * "CartPole-v1", as Gymnasium's make does not do either).
 */
#include "registry.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "fail.h"
#include "plugin.h"
#ifdef MPIRL_HAVE_MUJOCO
#include "mjenv.h"
#endif

#define ID_MAX       64
#define DIM_MAX      (1 << 20)  /* observation / action dimension */
#define STATE_MAX    (1 << 16)  /* doubles of Gymnasium-visible state */
#define BYTES_MAX    (1u << 30) /* bytes of a state struct */
#define NAME_MAX_LEN 4096       /* plugin:PATH:ID */

#define SOURCE_BUILTIN -1 /* Entry.plugin of the built-ins */
#define SOURCE_PROGRAM -2 /* Entry.plugin of specs given to registry_add */

typedef struct {
    const EnvSpec *spec;
    int plugin; /* index into plugins, or SOURCE_BUILTIN / SOURCE_PROGRAM */
} Entry;

typedef struct {
    char *path; /* as the user gave it */
    void *handle;
    const EnvSpec *const *list;
    int count;
} Plugin;

struct EnvRegistry {
    Entry *entries;
    int n_entries, cap_entries;
    Plugin *plugins;
    int n_plugins, cap_plugins;
};

static const EnvSpec *const builtins[] = {&env_cartpole_v1, &env_acrobot_v1, &env_mountain_car_v0,
                                          &env_mountain_car_continuous_v0, &env_pendulum_v1};

/* snprintf into err, tolerating err == NULL */
static void seterr(char *err, size_t errlen, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void registry_destroy(EnvRegistry **pr)
{
    if (pr == NULL || *pr == NULL)
        return;
    EnvRegistry *r = *pr;
    for (int i = 0; i < r->n_plugins; i++) {
        plugin_close(r->plugins[i].handle);
        free(r->plugins[i].path);
    }
    free(r->plugins);
    free(r->entries);
    free(r);
    *pr = NULL;
}

int registry_count(const EnvRegistry *r)
{
    return r->n_entries;
}

const EnvSpec *registry_get(const EnvRegistry *r, int i)
{
    return i >= 0 && i < r->n_entries ? r->entries[i].spec : NULL;
}

const char *registry_source(const EnvRegistry *r, int i)
{
    if (i < 0 || i >= r->n_entries)
        return NULL;
    const int p = r->entries[i].plugin;
    return p == SOURCE_BUILTIN ? "built-in" : p == SOURCE_PROGRAM ? "program" : r->plugins[p].path;
}

const EnvSpec *registry_find(const EnvRegistry *r, const char *id)
{
    for (int i = 0; i < r->n_entries; i++)
        if (strcmp(r->entries[i].spec->id, id) == 0)
            return r->entries[i].spec;
    return NULL;
}

/* index of the entry holding spec (by pointer), -1 if none */
static int entry_of(const EnvRegistry *r, const EnvSpec *spec)
{
    for (int i = 0; i < r->n_entries; i++)
        if (r->entries[i].spec == spec)
            return i;
    return -1;
}

static int ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* 0 if low[i] <= high[i] for all i (no NaN), finite too if need_finite; else -1 with
 * the first bad index in *bad */
static int check_bounds(const float *low, const float *high, int n, int need_finite, int *bad)
{
    for (int i = 0; i < n; i++) {
        const int ok =
            low[i] <= high[i] && (!need_finite || (isfinite(low[i]) && isfinite(high[i])));
        if (!ok) {
            *bad = i;
            return -1;
        }
    }
    return 0;
}

int registry_validate(const EnvSpec *s, char *err, size_t errlen)
{
    if (s == NULL) {
        seterr(err, errlen, "environment spec is NULL");
        return -1;
    }
    if (s->abi != MPIRL_ENV_ABI) {
        seterr(err, errlen,
               "environment '%.64s' was built for environment ABI %d, this mpirl uses ABI %d "
               "(rebuild it against this env.h)",
               s->id ? s->id : "(no id)", s->abi, MPIRL_ENV_ABI);
        return -1;
    }
    if (s->id == NULL || s->id[0] == '\0') {
        seterr(err, errlen, "environment spec without an id");
        return -1;
    }
    const size_t idlen = strnlen(s->id, ID_MAX + 1);
    if (idlen > ID_MAX) {
        seterr(err, errlen, "environment id '%.64s...' is longer than %d characters", s->id,
               ID_MAX);
        return -1;
    }
    for (size_t i = 0; i < idlen; i++) {
        const unsigned char c = (unsigned char)s->id[i];
        if (c <= ' ' || c >= 127 || c == ',' || c == ':' || c == '/') {
            seterr(err, errlen,
                   "environment id '%s' has a character that is not allowed at position %zu "
                   "(allowed: printable ASCII except space, ',', ':' and '/')",
                   s->id, i + 1);
            return -1;
        }
    }
    if (ends_with(s->id, ".so")) {
        seterr(err, errlen, "environment id '%s' ends in \".so\", which names a plugin file",
               s->id);
        return -1;
    }
    const char *id = s->id;
    if (s->obs_dim < 1 || s->obs_dim > DIM_MAX) {
        seterr(err, errlen, "environment '%s': obs_dim is %d (valid: 1..%d)", id, s->obs_dim,
               DIM_MAX);
        return -1;
    }
    if (s->obs_low == NULL || s->obs_high == NULL) {
        seterr(err, errlen, "environment '%s': obs_low / obs_high missing (%d floats each)", id,
               s->obs_dim);
        return -1;
    }
    int bad;
    if (check_bounds(s->obs_low, s->obs_high, s->obs_dim, 0, &bad) != 0) {
        seterr(err, errlen,
               "environment '%s': observation bounds of dimension %d are [%g, %g] (need low <= "
               "high)",
               id, bad, (double)s->obs_low[bad], (double)s->obs_high[bad]);
        return -1;
    }
    if (s->act_kind != SPACE_DISCRETE && s->act_kind != SPACE_BOX) {
        seterr(err, errlen, "environment '%s': act_kind is %d (valid: SPACE_DISCRETE, SPACE_BOX)",
               id, (int)s->act_kind);
        return -1;
    }
    if (s->act_n < 1 || s->act_n > DIM_MAX) {
        seterr(err, errlen, "environment '%s': act_n is %d (valid: 1..%d)", id, s->act_n, DIM_MAX);
        return -1;
    }
    if (s->act_kind == SPACE_BOX) {
        if (s->act_low == NULL || s->act_high == NULL) {
            seterr(err, errlen,
                   "environment '%s': box action without act_low / act_high (%d floats each)", id,
                   s->act_n);
            return -1;
        }
        if (check_bounds(s->act_low, s->act_high, s->act_n, 1, &bad) != 0) {
            seterr(err, errlen,
                   "environment '%s': action bounds of dimension %d are [%g, %g] (need finite, "
                   "low <= high)",
                   id, bad, (double)s->act_low[bad], (double)s->act_high[bad]);
            return -1;
        }
    }
    if (s->max_steps < 1) {
        seterr(err, errlen, "environment '%s': max_steps is %d (the time limit must be >= 1)", id,
               s->max_steps);
        return -1;
    }
    if (s->state_size < 1 || s->state_size > STATE_MAX) {
        seterr(err, errlen, "environment '%s': state_size is %d (valid: 1..%d)", id, s->state_size,
               STATE_MAX);
        return -1;
    }
    if (s->state_bytes < 1 || s->state_bytes > BYTES_MAX) {
        seterr(err, errlen, "environment '%s': state_bytes is %zu (valid: 1..%u)", id,
               s->state_bytes, BYTES_MAX);
        return -1;
    }
    const char *missing = !s->reset       ? "reset"
                          : !s->step      ? "step"
                          : !s->get_state ? "get_state"
                          : !s->set_state ? "set_state"
                                          : NULL;
    if (missing != NULL) {
        seterr(err, errlen, "environment '%s': function %s is not set", id, missing);
        return -1;
    }
    if (s->step_batch != NULL && s->state_bytes % 8 != 0) {
        seterr(err, errlen,
               "environment '%s': has step_batch but state_bytes is %zu (step_batch needs a "
               "state of 8-byte words: a multiple of 8)",
               id, s->state_bytes);
        return -1;
    }
    if ((s->open == NULL) != (s->close == NULL) || (s->save == NULL) != (s->load == NULL)) {
        seterr(err, errlen,
               "environment '%s': open and close, and save and load, must be set together", id);
        return -1;
    }
    if (s->save != NULL && (s->save_bytes < 1 || s->save_bytes > BYTES_MAX)) {
        seterr(err, errlen, "environment '%s': save_bytes is %zu (valid: 1..%u)", id, s->save_bytes,
               BYTES_MAX);
        return -1;
    }
    if (s->open != NULL && (s->step_batch != NULL || s->save == NULL)) {
        seterr(err, errlen,
               "environment '%s': a state with open must have save and load, and no step_batch",
               id);
        return -1;
    }
    if (s->defaults != NULL) {
        for (int i = 0; s->defaults[i] != NULL; i++) {
            if (i >= 1024 || strchr(s->defaults[i], '=') == NULL) {
                seterr(err, errlen,
                       "environment '%s': defaults[%d] is not \"key=value\" (or the list lacks "
                       "its NULL)",
                       id, i);
                return -1;
            }
        }
    }
    return 0;
}

/* Register an already validated, unclashing spec. 0 or -1 (out of memory). */
static int push_entry(EnvRegistry *r, const EnvSpec *spec, int plugin)
{
    if (r->n_entries == r->cap_entries) {
        const int cap = r->cap_entries ? 2 * r->cap_entries : 8;
        Entry *e = realloc(r->entries, (size_t)cap * sizeof *e);
        if (e == NULL)
            return -1;
        r->entries = e;
        r->cap_entries = cap;
    }
    r->entries[r->n_entries++] = (Entry){spec, plugin};
    return 0;
}

/* 0 if spec may join r (same pointer already there, or id free); else -1 with err */
static int check_clash(const EnvRegistry *r, const EnvSpec *spec, char *err, size_t errlen)
{
    for (int i = 0; i < r->n_entries; i++) {
        const EnvSpec *other = r->entries[i].spec;
        if (other != spec && strcmp(other->id, spec->id) == 0) {
            const int p = r->entries[i].plugin;
            seterr(err, errlen, "environment id '%s' is already registered (%s%s)", spec->id,
                   p >= 0 ? "from plugin " : "", registry_source(r, i));
            return -1;
        }
    }
    return 0;
}

int registry_add(EnvRegistry *r, const EnvSpec *spec, char *err, size_t errlen)
{
    if (registry_validate(spec, err, errlen) != 0)
        return -1;
    if (entry_of(r, spec) >= 0)
        return 0;
    if (check_clash(r, spec, err, errlen) != 0)
        return -1;
    if (push_entry(r, spec, SOURCE_PROGRAM) != 0) {
        seterr(err, errlen, "out of memory registering '%s'", spec->id);
        return -1;
    }
    return 0;
}

EnvRegistry *registry_create(void)
{
    EnvRegistry *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        char err[256];
        if (registry_validate(builtins[i], err, sizeof err) != 0 ||
            check_clash(r, builtins[i], err, sizeof err) != 0)
            MPIRL_FAIL("built-in environment refused: %s", err); /* a bug, not user input */
        if (push_entry(r, builtins[i], SOURCE_BUILTIN) != 0) {
            registry_destroy(&r);
            return NULL;
        }
    }
#ifdef MPIRL_HAVE_MUJOCO
    for (int i = 0; mj_tasks[i] != NULL; i++) {
        const EnvSpec *spec = &mj_tasks[i]->spec;
        char err[256];
        if (registry_validate(spec, err, sizeof err) != 0 ||
            check_clash(r, spec, err, sizeof err) != 0)
            MPIRL_FAIL("built-in environment refused: %s", err);
        if (push_entry(r, spec, SOURCE_BUILTIN) != 0) {
            registry_destroy(&r);
            return NULL;
        }
    }
#endif
    return r;
}

int registry_load_plugin(EnvRegistry *r, const char *path, const EnvSpec *const **list, int *count,
                         char *err, size_t errlen)
{
    const EnvSpec *const *l;
    int n;
    void *h = plugin_open(path, &l, &n, err, errlen);
    if (h == NULL)
        return -1;
    for (int i = 0; i < r->n_plugins; i++) {
        if (r->plugins[i].handle == h) { /* already loaded (maybe by another path) */
            plugin_close(h);             /* drop the reference dlopen just added */
            if (list)
                *list = r->plugins[i].list;
            if (count)
                *count = r->plugins[i].count;
            return 0;
        }
    }
    /* all or nothing: validate every spec and every id before registering any */
    for (int i = 0; i < n; i++) {
        char why[384];
        int bad = registry_validate(l[i], why, sizeof why) != 0;
        for (int j = 0; j < i && !bad; j++) {
            if (strcmp(l[i]->id, l[j]->id) == 0) {
                snprintf(why, sizeof why, "it defines environment id '%s' twice", l[i]->id);
                bad = 1;
            }
        }
        if (bad || check_clash(r, l[i], why, sizeof why) != 0) {
            seterr(err, errlen, "plugin '%s' refused: %s", path, why);
            plugin_close(h);
            return -1;
        }
    }
    char *copy = strdup(path);
    int ok = copy != NULL;
    if (ok && r->n_plugins == r->cap_plugins) {
        const int cap = r->cap_plugins ? 2 * r->cap_plugins : 4;
        Plugin *p = realloc(r->plugins, (size_t)cap * sizeof *p);
        ok = p != NULL;
        if (ok) {
            r->plugins = p;
            r->cap_plugins = cap;
        }
    }
    if (ok && r->n_entries + n > r->cap_entries) {
        const int cap = r->n_entries + n + 8;
        Entry *e = realloc(r->entries, (size_t)cap * sizeof *e);
        ok = e != NULL;
        if (ok) {
            r->entries = e;
            r->cap_entries = cap;
        }
    }
    if (!ok) {
        free(copy);
        plugin_close(h);
        seterr(err, errlen, "out of memory loading plugin '%s'", path);
        return -1;
    }
    const int p = r->n_plugins++;
    r->plugins[p] = (Plugin){copy, h, l, n};
    for (int i = 0; i < n; i++)
        if (entry_of(r, l[i]) < 0)
            push_entry(r, l[i], p); /* capacity reserved above: cannot fail */
    if (list)
        *list = l;
    if (count)
        *count = n;
    return 0;
}

int registry_is_plugin_name(const char *name)
{
    return strncmp(name, "plugin:", 7) == 0 || strchr(name, '/') != NULL || ends_with(name, ".so");
}

/* Split a plugin name into its path and optional id (id[0] == '\0' if none). Returns 0,
 * or -1 with err. */
static int split_plugin_name(const char *name, char *path, size_t pathlen, char *id, size_t idlen,
                             char *err, size_t errlen)
{
    id[0] = '\0';
    if (strncmp(name, "plugin:", 7) != 0) {
        if (snprintf(path, pathlen, "%s", name) >= (int)pathlen) {
            seterr(err, errlen, "plugin path too long (%zu characters)", strlen(name));
            return -1;
        }
        return 0;
    }
    const char *rest = name + 7;
    const char *colon = strrchr(rest, ':');
    size_t plen = strlen(rest);
    if (colon != NULL && strchr(colon + 1, '/') == NULL) {
        plen = (size_t)(colon - rest);
        if (colon[1] == '\0') {
            seterr(err, errlen,
                   "'%s': empty environment id after the last ':' (use plugin:PATH "
                   "or plugin:PATH:ID)",
                   name);
            return -1;
        }
        if (snprintf(id, idlen, "%s", colon + 1) >= (int)idlen) {
            seterr(err, errlen, "'%s': environment id too long", name);
            return -1;
        }
    }
    if (plen == 0) {
        seterr(err, errlen, "'%s': no plugin path (use plugin:PATH or plugin:PATH:ID)", name);
        return -1;
    }
    if (plen >= pathlen) {
        seterr(err, errlen, "plugin path too long (%zu characters)", plen);
        return -1;
    }
    memcpy(path, rest, plen);
    path[plen] = '\0';
    return 0;
}

/* ", "-separated ids of list[0..n) into buf */
static void list_ids(const EnvSpec *const *list, int n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        const int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", list[i]->id);
        if (w < 0 || (size_t)w >= len - used) {
            if (len >= 4)
                memcpy(buf + len - 4, "...", 4);
            return;
        }
        used += (size_t)w;
    }
}

void registry_ids(const EnvRegistry *r, char *buf, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    for (int i = 0; i < r->n_entries; i++) {
        const int w =
            snprintf(buf + used, len - used, "%s%s", i ? ", " : "", r->entries[i].spec->id);
        if (w < 0 || (size_t)w >= len - used) {
            if (len >= 4)
                memcpy(buf + len - 4, "...", 4);
            return;
        }
        used += (size_t)w;
    }
}

/* Whether id is one of Gymnasium's MuJoCo environments (of a build without them). */
static int mujoco_id(const char *id)
{
#ifdef MPIRL_HAVE_MUJOCO
    (void)id;
    return 0;
#else
    static const char *const robots[] = {"Ant",
                                         "HalfCheetah",
                                         "Hopper",
                                         "Humanoid",
                                         "HumanoidStandup",
                                         "InvertedDoublePendulum",
                                         "InvertedPendulum",
                                         "Pusher",
                                         "Reacher",
                                         "Swimmer",
                                         "Walker2d"};
    for (size_t i = 0; i < sizeof robots / sizeof robots[0]; i++) {
        const size_t n = strlen(robots[i]);
        if (strncmp(id, robots[i], n) == 0 &&
            (strcmp(id + n, "-v4") == 0 || strcmp(id + n, "-v5") == 0))
            return 1;
    }
    return 0;
#endif
}

/* The shared part of registry_load and registry_lookup: load what name designates and
 * return its spec. A bare plugin path with several specs is an error (saying how to
 * choose) if require_one, else it returns the first. */
static const EnvSpec *resolve(EnvRegistry *r, const char *name, int require_one, char *err,
                              size_t errlen)
{
    if (!registry_is_plugin_name(name)) {
        const EnvSpec *s = registry_find(r, name);
        if (s == NULL && mujoco_id(name)) {
            seterr(err, errlen,
                   "environment '%s' needs MuJoCo, and this mpirl was built without it: install "
                   "Debian's libmujoco-dev (apt-get install libmujoco-dev; scripts/run and "
                   "scripts/test do) and rebuild",
                   name);
        } else if (s == NULL) {
            char ids[1024];
            registry_ids(r, ids, sizeof ids);
            seterr(err, errlen,
                   "unknown environment '%s' (valid: %s; or a plugin: ./libmyenv.so, "
                   "plugin:PATH[:ID])",
                   name, ids);
        }
        return s;
    }
    char path[NAME_MAX_LEN], id[ID_MAX + 2];
    if (split_plugin_name(name, path, sizeof path, id, sizeof id, err, errlen) != 0)
        return NULL;
    const EnvSpec *const *list;
    int n;
    if (registry_load_plugin(r, path, &list, &n, err, errlen) != 0)
        return NULL;
    char ids[1024];
    list_ids(list, n, ids, sizeof ids);
    if (id[0] != '\0') {
        for (int i = 0; i < n; i++)
            if (strcmp(list[i]->id, id) == 0)
                return list[i];
        seterr(err, errlen, "plugin '%s' has no environment '%s' (valid: %s)", path, id, ids);
        return NULL;
    }
    if (n > 1 && require_one) {
        seterr(err, errlen,
               "plugin '%s' defines %d environments (%s): choose one with plugin:%s:ID", path, n,
               ids, path);
        return NULL;
    }
    return list[0];
}

int registry_load(EnvRegistry *r, const char *name, char *err, size_t errlen)
{
    return resolve(r, name, 0, err, errlen) != NULL ? 0 : -1;
}

const EnvSpec *registry_lookup(EnvRegistry *r, const char *name, char *err, size_t errlen)
{
    return resolve(r, name, 1, err, errlen);
}

/* ---- printing ---- */

/* Append "[lo,hi]" pairs of up to max dims to buf (capacity len), " ..." if more. */
static void fmt_bounds(char *buf, size_t len, const float *lo, const float *hi, int n, int max)
{
    size_t used = strlen(buf);
    for (int i = 0; i < n && used < len; i++) {
        const int w = i < max ? snprintf(buf + used, len - used, "%s[%.4g,%.4g]", i ? " " : "",
                                         (double)lo[i], (double)hi[i])
                              : snprintf(buf + used, len - used, " ...");
        if (w < 0)
            return;
        used += (size_t)w;
        if (i >= max)
            return;
    }
}

/* Whether every dimension has the bounds of the first. */
static int uniform_bounds(const float *lo, const float *hi, int n)
{
    for (int i = 1; i < n; i++)
        if (lo[i] != lo[0] || hi[i] != hi[0])
            return 0;
    return 1;
}

enum { COL_ID, COL_ACT, COL_LIMIT, COL_STATE, COL_OBS, COL_SOURCE, COL_BOUNDS, N_COLS };
#define CELL 160

static void format_row(const EnvRegistry *r, int i, char cells[N_COLS][CELL])
{
    const EnvSpec *s = r->entries[i].spec;
    snprintf(cells[COL_ID], CELL, "%s", s->id);
    if (s->act_kind == SPACE_DISCRETE) {
        snprintf(cells[COL_ACT], CELL, "Discrete(%d)", s->act_n);
    } else {
        snprintf(cells[COL_ACT], CELL, "Box(%d) ", s->act_n);
        const int uni = uniform_bounds(s->act_low, s->act_high, s->act_n);
        fmt_bounds(cells[COL_ACT], CELL, s->act_low, s->act_high, uni ? 1 : s->act_n, 4);
    }
    snprintf(cells[COL_LIMIT], CELL, "%d", s->max_steps);
    snprintf(cells[COL_STATE], CELL, "%d", s->state_size);
    snprintf(cells[COL_OBS], CELL, "%d", s->obs_dim);
    snprintf(cells[COL_SOURCE], CELL, "%s", registry_source(r, i));
    cells[COL_BOUNDS][0] = '\0';
    fmt_bounds(cells[COL_BOUNDS], CELL, s->obs_low, s->obs_high, s->obs_dim, 8);
}

void registry_print(const EnvRegistry *r, FILE *out)
{
    static const char *const head[N_COLS] = {"id",  "action", "time limit",        "state",
                                             "obs", "source", "observation bounds"};
    static const int right[N_COLS] = {0, 0, 1, 1, 1, 0, 0};
    char cells[N_COLS][CELL];
    int width[N_COLS];
    for (int c = 0; c < N_COLS; c++)
        width[c] = (int)strlen(head[c]);
    for (int i = 0; i < r->n_entries; i++) {
        format_row(r, i, cells);
        for (int c = 0; c < N_COLS; c++)
            if ((int)strlen(cells[c]) > width[c])
                width[c] = (int)strlen(cells[c]);
    }
    for (int c = 0; c + 1 < N_COLS; c++)
        fprintf(out, right[c] ? "%*s  " : "%-*s  ", width[c], head[c]);
    fprintf(out, "%s\n", head[N_COLS - 1]);
    for (int i = 0; i < r->n_entries; i++) {
        format_row(r, i, cells);
        for (int c = 0; c < N_COLS; c++) {
            if (c + 1 < N_COLS)
                fprintf(out, right[c] ? "%*s  " : "%-*s  ", width[c], cells[c]);
            else
                fprintf(out, "%s\n", cells[c]);
        }
    }
    fprintf(out, "\ntime limit: steps before truncation. state: values of Gymnasium's "
                 "env.unwrapped.state, in its order (mpirl replay --state).\n");
    int any = 0;
    for (int i = 0; i < r->n_entries; i++) {
        const EnvSpec *s = r->entries[i].spec;
        if (s->defaults == NULL || s->defaults[0] == NULL)
            continue;
        if (!any)
            fprintf(out, "training defaults:\n");
        any = 1;
        fprintf(out, "  %s:", s->id);
        for (int k = 0; s->defaults[k] != NULL; k++)
            fprintf(out, " %s", s->defaults[k]);
        fprintf(out, "\n");
    }
}
