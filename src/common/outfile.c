/* outfile.c - atomic replacement of a file (see outfile.h).
 *
 * Left out: locking (two writers to one path each write a complete file and the last
 * rename wins) and keeping the owner of a replaced file.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"

#define TMP_SUFFIX ".tmp-XXXXXX"

/* fsync the directory that holds path, so that the rename itself is durable; file
 * systems that cannot sync a directory (EINVAL) count as done */
static int sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd) == 0 || errno == EINVAL ? 0 : -1;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int outfile_write(const char *path, const char *fault_site, OutfileFill fill, void *ctx, char *err,
                  size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof TMP_SUFFIX);
    if (!tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, TMP_SUFFIX, sizeof TMP_SUFFIX);

    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file next to it: %s", path,
                 strerror(errno));
        free(tmp);
        return -1;
    }
    /* mkstemp makes the file 0600: give it the mode of the file it replaces, or the
     * usual 0666 less the umask (umask can only be read by setting it) */
    struct stat st;
    mode_t mode;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        mode = st.st_mode & 0777;
    } else {
        mode_t mask = umask(077);
        umask(mask);
        mode = 0666 & ~mask;
    }
    const char *step = "setting the mode of";
    FILE *f = NULL;
    if (fchmod(fd, mode) != 0)
        goto fail;
    step = "opening";
    if (!(f = fdopen(fd, "wb")))
        goto fail;
    step = "writing";
    if (fault_at(fault_site)) {
        errno = ENOSPC;
        goto fail;
    }
    if (fill(f, ctx) != 0 || fflush(f) != 0)
        goto fail;
    step = "syncing";
    if (fsync(fileno(f)) != 0)
        goto fail;
    step = "closing";
    int rc = fclose(f);
    f = NULL;
    fd = -1;
    if (rc != 0)
        goto fail;
    step = "renaming";
    if (rename(tmp, path) != 0)
        goto fail;
    free(tmp);
    if (sync_dir(path) != 0) {
        snprintf(err, errlen,
                 "%s: written, but syncing its directory failed: %s (a crash may lose the new "
                 "file)",
                 path, strerror(errno));
        return -1;
    }
    return 0;

fail:;
    int e = errno;
    if (f)
        fclose(f);
    else if (fd >= 0)
        close(fd);
    unlink(tmp);
    snprintf(err, errlen, "%s: %s the temporary file %s failed: %s", path, step, tmp, strerror(e));
    free(tmp);
    return -1;
}

int outfile_fill_buf(FILE *f, void *ctx)
{
    const OutfileBuf *b = ctx;
    return b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len ? 0 : -1;
}
