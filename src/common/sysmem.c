/* sysmem.c - see sysmem.h. Linux (glibc, procfs, cgroup v1 and v2); elsewhere the
 * figures are unknown and no check is made. */
#define _GNU_SOURCE
#include "sysmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Under AddressSanitizer the heap is the sanitizer's, not glibc's. */
#if defined(__SANITIZE_ADDRESS__)
#define SYSMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYSMEM_ASAN 1
#endif
#endif
#ifdef SYSMEM_ASAN
/* the sanitizer runtime's (compiler-rt's allocator_interface.h, which GCC does not
 * install) */
size_t __sanitizer_get_current_allocated_bytes(void);
#elif defined(__GLIBC__)
#include <malloc.h>
#endif

#include "fault.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

void sysmem_usage(double *heap, double *resident)
{
    *heap = 0.0;
    *resident = 0.0;
#ifdef SYSMEM_ASAN
    *heap = (double)__sanitizer_get_current_allocated_bytes();
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    const struct mallinfo2 mi = mallinfo2();
    *heap = (double)mi.arena + (double)mi.hblkhd;
#endif
    FILE *f = fopen("/proc/self/statm", "r");
    long long size = 0, rss = 0;
    if (f != NULL && fscanf(f, "%lld %lld", &size, &rss) == 2)
        *resident = (double)rss * (double)sysconf(_SC_PAGESIZE);
    if (f != NULL)
        fclose(f);
}

/* The first number of file path, or -1. */
static double read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1.0;
    char buf[64] = "";
    const int ok = fgets(buf, sizeof buf, f) != NULL;
    fclose(f);
    if (!ok || strncmp(buf, "max", 3) == 0) /* v2: no limit */
        return -1.0;
    char *end;
    const double v = strtod(buf, &end);
    return end == buf ? -1.0 : v;
}

/* The memory cgroup of this process: its path relative to the hierarchy's mount, and
 * whether that is v2's unified hierarchy. 0, or -1 if none is listed. */
static int cgroup_path(char *path, size_t len, int *v2)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (f == NULL)
        return -1;
    char line[512];
    int found = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        *c2 = '\0';
        const char *controllers = c1 + 1, *p = c2 + 1;
        int is_v1_memory = 0;
        for (char *tok = strtok(c1 + 1, ","); tok; tok = strtok(NULL, ","))
            is_v1_memory |= strcmp(tok, "memory") == 0;
        if (is_v1_memory || (found < 0 && controllers[0] == '\0')) {
            snprintf(path, len, "%s", p);
            *v2 = !is_v1_memory;
            found = 0;
            if (is_v1_memory)
                break; /* a v1 memory controller wins over the unified line */
        }
    }
    fclose(f);
    return found;
}

/* The room a cgroup leaves (limit - usage), its limit and usage, the smallest over the
 * process's own cgroup and the hierarchy's root as mounted (inside a container the
 * listed path may not exist under the mount); -1 where no limit is set. */
static double cgroup_room(double *limit, double *usage)
{
    char rel[400];
    int v2 = 0;
    *limit = *usage = -1.0;
    if (cgroup_path(rel, sizeof rel, &v2) != 0)
        return -1.0;
    const char *base = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
    const char *lim = v2 ? "memory.max" : "memory.limit_in_bytes";
    const char *cur = v2 ? "memory.current" : "memory.usage_in_bytes";
    const char *dirs[2] = {rel, ""};
    double room = -1.0;
    for (int k = 0; k < 2; k++) {
        char p[512];
        snprintf(p, sizeof p, "%s%s/%s", base, dirs[k], lim);
        const double l = read_number(p);
        snprintf(p, sizeof p, "%s%s/%s", base, dirs[k], cur);
        const double u = read_number(p);
        /* v1 reports "no limit" as a number near 2^63 */
        if (l <= 0.0 || l >= 0x1p62 || u < 0.0)
            continue;
        const double r = l > u ? l - u : 0.0;
        if (room < 0.0 || r < room) {
            room = r;
            *limit = l;
            *usage = u;
        }
    }
    return room;
}

/* /proc/meminfo's MemAvailable in bytes, or -1. */
static double mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f == NULL)
        return -1.0;
    char line[256];
    double v = -1.0;
    while (fgets(line, sizeof line, f) != NULL) {
        long long kb;
        if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1) {
            v = (double)kb * 1024.0;
            break;
        }
    }
    fclose(f);
    return v;
}

const char *sysmem_format(double bytes, char *buf, size_t len)
{
    if (bytes >= GIB)
        snprintf(buf, len, "%.1f GiB", bytes / GIB);
    else
        snprintf(buf, len, "%.0f MiB", bytes / (1024.0 * 1024.0));
    return buf;
}

int sysmem_available(double *bytes, char *what, size_t len)
{
    double avail = mem_available();
    if (fault_at("sysmem-available")) /* a node with 64 MiB left */
        avail = 64.0 * 1024.0 * 1024.0;
    double limit, usage;
    const double room = cgroup_room(&limit, &usage);
    if (avail < 0.0 && room < 0.0)
        return -1;
    if (room >= 0.0 && (avail < 0.0 || room < avail)) {
        char l[32], u[32];
        *bytes = room;
        snprintf(what, len, "the cgroup limit of %s, %s of it in use",
                 sysmem_format(limit, l, sizeof l), sysmem_format(usage, u, sizeof u));
    } else {
        *bytes = avail;
        snprintf(what, len, "MemAvailable in /proc/meminfo");
    }
    return 0;
}
