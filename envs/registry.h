/* registry.h - environments by id: the built-in set and plugins.
 *
 * A registry is an object the caller creates (no global table): it starts with the
 * built-in classic-control environments (builtin.h) and grows with the specs of the
 * plugins it loads (plugin.h), whose libraries it keeps open until it is destroyed.
 *
 * Names accepted where a user names an environment (--env):
 *   ID                   a registered id, e.g. CartPole-v1
 *   PATH                 a plugin library: any name containing '/' or ending in ".so"
 *                        (e.g. ./libmyenv.so); it must define exactly one environment
 *   plugin:PATH[:ID]     a plugin library, and the environment ID among its specs (the
 *                        text after the last ':' is the ID unless it contains '/')
 * Loading a library registers all its specs; loading it again changes nothing.
 */
#ifndef MPIRL_REGISTRY_H
#define MPIRL_REGISTRY_H

#include <stddef.h>
#include <stdio.h>

#include "env.h"

typedef struct EnvRegistry EnvRegistry;

/* A registry holding the built-in environments. Returns NULL if memory runs out. */
EnvRegistry *registry_create(void);

/* Close every plugin, free r and set *r to NULL; accepts NULL and *r == NULL. Specs
 * from plugins are invalid afterwards. */
void registry_destroy(EnvRegistry **r);

/* Number of registered environments, and the i-th in registration order (built-ins
 * first), NULL if i is out of range. */
int registry_count(const EnvRegistry *r);
const EnvSpec *registry_get(const EnvRegistry *r, int i);

/* Where the i-th environment comes from: "built-in", "program" (registry_add) or its
 * plugin's path as given; NULL if i is out of range. */
const char *registry_source(const EnvRegistry *r, int i);

/* The environment with this exact id, or NULL. */
const EnvSpec *registry_find(const EnvRegistry *r, const char *id);

/* Check that spec can be used: abi == MPIRL_ENV_ABI; an id of 1..64 printable
 * characters without spaces, ',', ':' or '/' and not ending in ".so"; obs_dim, act_n,
 * state_size, state_bytes and max_steps positive (and sane); a known act_kind; obs
 * bounds present with low <= high; for a box action, bounds present, finite, low <=
 * high; reset, step, get_state and set_state set; step_batch optional (NULL), but if set,
 * state_bytes a multiple of 8; open/close and save/load in pairs, save_bytes sane if
 * save is set, and a spec with open has save and no step_batch. Returns 0, or -1 with a one-line
 * message in err naming the spec and the first failed check. */
int registry_validate(const EnvSpec *spec, char *err, size_t errlen);

/* Validate spec and register it (for environments compiled into a program other than
 * the built-ins, and for tests); spec must outlive r. Adding the same spec pointer again
 * is a no-op. Returns 0, or -1 with a message in err if the spec is invalid, its id is
 * already taken by another spec, or memory runs out. */
int registry_add(EnvRegistry *r, const EnvSpec *spec, char *err, size_t errlen);

/* Load the plugin library at path (plugin.h) and register every spec it defines, all
 * or none: each is validated and checked against the ids already registered first.
 * On success returns 0, with the library's NULL-terminated list in *list (owned by the
 * library, valid until registry_destroy) and its length in *count; loading a library
 * already loaded returns its list again. Returns -1 with a one-line message in err
 * (missing file, not a library, missing symbol, ABI mismatch, invalid spec, id clash),
 * leaving r unchanged. list and count may be NULL. */
int registry_load_plugin(EnvRegistry *r, const char *path, const EnvSpec *const **list, int *count,
                         char *err, size_t errlen);

/* Whether name designates a plugin (plugin:..., or contains '/' or ends in ".so"). */
int registry_is_plugin_name(const char *name);

/* Make name available (see the top of this file): load its plugin if it names one, and
 * check that the id, if any, exists. Returns 0, or -1 with a message in err. */
int registry_load(EnvRegistry *r, const char *name, char *err, size_t errlen);

/* The environment a user names: a registered id, or a plugin (loaded and registered
 * on demand) with its chosen or only spec. Returns the spec, or NULL with a one-line
 * message in err that names the problem and the valid choices (the registered ids, or
 * the ids of the plugin's specs). */
const EnvSpec *registry_lookup(EnvRegistry *r, const char *name, char *err, size_t errlen);

/* Write the registered ids, comma-separated, into buf (truncated with "..." if too
 * long). */
void registry_ids(const EnvRegistry *r, char *buf, size_t len);

/* Print a table of every environment: id, action space, time limit, state size,
 * source, observation dimension and per-dimension bounds; then the training defaults of
 * those that have some. */
void registry_print(const EnvRegistry *r, FILE *out);

#endif
