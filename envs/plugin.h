/* plugin.h - environments in shared libraries (plugins).
 *
 * A plugin is a shared library that defines
 *
 *     MPIRL_PLUGIN_EXPORT const EnvSpec *const *mpirl_env_plugin(int abi);
 *
 * mpirl calls it once per load with MPIRL_ENV_ABI. It returns a NULL-terminated list of
 * specs (static storage in the library, alive until the library is closed), or NULL if
 * it cannot serve that ABI. Each spec's abi field must equal MPIRL_ENV_ABI; the
 * registry (registry.h) validates every spec before registering it. See
 * envs/examples/example_env.c for a complete plugin and how to build one out of tree.
 *
 * This module only opens libraries and calls the entry point; ownership of the handles
 * and validation belong to the registry.
 */
#ifndef MPIRL_PLUGIN_H
#define MPIRL_PLUGIN_H

#include <stddef.h>

#include "env.h"

#if defined(__GNUC__)
#define MPIRL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MPIRL_PLUGIN_EXPORT
#endif

/* Name of the entry point a plugin exports. */
#define MPIRL_ENV_PLUGIN_SYMBOL "mpirl_env_plugin"

/* Type of the entry point. */
typedef const EnvSpec *const *(*EnvPluginFn)(int abi);

/* The entry point, declared here so that a plugin's definition has a prototype. */
MPIRL_PLUGIN_EXPORT const EnvSpec *const *mpirl_env_plugin(int abi);

/* Open the shared library at path (a path without '/' is taken relative to the current
 * directory, not searched in the library path), call its mpirl_env_plugin(MPIRL_ENV_ABI)
 * and return the library's handle, with the NULL-terminated list in *list and its
 * length in *count (>= 1). Returns NULL, with a one-line message in err naming the path
 * and the problem (no such file, not a loadable library, no mpirl_env_plugin symbol,
 * an empty list or NULL for this ABI), and nothing left open, on failure. The specs are
 * not validated here. Close the handle with plugin_close once the specs are unused. */
void *plugin_open(const char *path, const EnvSpec *const **list, int *count, char *err,
                  size_t errlen);

/* Close a handle from plugin_open; accepts NULL. */
void plugin_close(void *handle);

#endif
