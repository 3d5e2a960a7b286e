/* runlock.c - the lock of a run directory (see runlock.h). */
#include "runlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int runlock_take(const char *dir, char *err, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, RUNLOCK_NAME);
    const int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, len, "cannot create the lock %s: %s", path, strerror(errno));
        return -1;
    }
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        const int e = errno;
        char holder[256] = "";
        const ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        close(fd);
        if (e == EACCES || e == EAGAIN) {
            char host[128] = "?";
            long pid = 0;
            if (sscanf(holder, "%127s %ld", host, &pid) == 2)
                snprintf(err, len, "%s is in use by another run (pid %ld on host %s)", dir, pid,
                         host);
            else
                snprintf(err, len, "%s is in use by another run (still starting)", dir);
        } else {
            snprintf(err, len, "cannot lock %s: %s", path, strerror(e));
        }
        return -1;
    }
    char host[256] = "unknown", line[320];
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    const int n = snprintf(line, sizeof line, "%s %ld\n", host, (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
        snprintf(err, len, "cannot write the lock %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
