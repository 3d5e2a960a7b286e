/* plugin.c - opening environment plugins with dlopen (see plugin.h).
 *
 * The library is opened with RTLD_NOW | RTLD_LOCAL: unresolved symbols are reported at
 * load time rather than at the first step, and a plugin's symbols never satisfy
 * another plugin's. Left out: unloading while specs are in use (the registry keeps
 * every handle until it is destroyed), versioned symbol lookup.
 */
#include "plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PLUGIN_MAX_SPECS 4096 /* a list longer than this is taken as unterminated */

void *plugin_open(const char *path, const EnvSpec *const **list, int *count, char *err,
                  size_t errlen)
{
    *list = NULL;
    *count = 0;
    /* dlopen searches the library path for a bare name; a user who writes
     * --env libmyenv.so means the file in the current directory. */
    char local[4096];
    const char *file = path;
    if (strchr(path, '/') == NULL) {
        if (snprintf(local, sizeof local, "./%s", path) >= (int)sizeof local) {
            snprintf(err, errlen, "plugin path too long: '%.64s...'", path);
            return NULL;
        }
        file = local;
    }
    struct stat st;
    if (stat(file, &st) != 0) {
        snprintf(err, errlen, "cannot open plugin '%s': %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot open plugin '%s': not a regular file", path);
        return NULL;
    }
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        snprintf(err, errlen, "cannot load plugin '%s' as a shared library: %s", path,
                 why ? why : "unknown dlopen error");
        return NULL;
    }
    dlerror(); /* clear */
    void *sym = dlsym(h, MPIRL_ENV_PLUGIN_SYMBOL);
    if (sym == NULL) {
        snprintf(err, errlen,
                 "plugin '%s' does not export %s(int abi) (see envs/examples/example_env.c)", path,
                 MPIRL_ENV_PLUGIN_SYMBOL);
        dlclose(h);
        return NULL;
    }
    EnvPluginFn fn;
    memcpy(&fn, &sym, sizeof fn); /* object to function pointer, as POSIX allows */
    const EnvSpec *const *l = fn(MPIRL_ENV_ABI);
    if (l == NULL) {
        snprintf(err, errlen,
                 "plugin '%s' provides no environments for environment ABI %d (built for "
                 "another mpirl version? rebuild it against this env.h)",
                 path, MPIRL_ENV_ABI);
        dlclose(h);
        return NULL;
    }
    int n = 0;
    while (n < PLUGIN_MAX_SPECS && l[n] != NULL)
        n++;
    if (n == 0 || n == PLUGIN_MAX_SPECS) {
        snprintf(err, errlen,
                 n == 0 ? "plugin '%s': %s returned an empty list"
                        : "plugin '%s': %s returned a list without its terminating NULL",
                 path, MPIRL_ENV_PLUGIN_SYMBOL);
        dlclose(h);
        return NULL;
    }
    *list = l;
    *count = n;
    return h;
}

void plugin_close(void *handle)
{
    if (handle != NULL)
        dlclose(handle);
}
