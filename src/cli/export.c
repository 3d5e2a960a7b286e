/* export.c - `mpirl export` (see export.h): the arguments, the checks, and the files
 * written atomically (outfile.h), so that a failure leaves whatever was at the paths
 * as it was. With --format c the header is renamed into place before the source; if
 * the second rename fails the header alone is new, and the message says so.
 */
#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opts.h"
#include "outfile.h"

typedef struct {
    const char *checkpoint, *format, *out, *name;
} ExportArgs;

static void usage(void)
{
    printf("usage: mpirl export --checkpoint FILE --format c|safetensors --out PATH "
           "[--name NAME]\n"
           "\n"
           "Writes the policy saved in FILE, with its observation normaliser, for use\n"
           "outside mpirl:\n"
           "  c            PATH.h and PATH.c: C99 with only <math.h>, the weights as static\n"
           "               arrays, NAME_act(obs, action) (the deterministic action: argmax,\n"
           "               or the Gaussian's mean clipped to the action bounds) and\n"
           "               NAME_logits_or_mean(obs, out); the same outputs as mpirl eval\n"
           "               --deterministic, bit for bit. A trailing .c or .h of PATH is\n"
           "               dropped.\n"
           "  safetensors  PATH: every tensor of the policy and value networks under the\n"
           "               names of PyTorch's nn.Sequential (pi.0.weight, ...), log_std,\n"
           "               the normaliser's statistics, and metadata that says how to\n"
           "               rebuild the networks.\n"
           "--name NAME (default policy) prefixes every symbol of the C export: a C\n"
           "identifier of at most %d characters.\n",
           EXPORT_NAME_MAX);
}

/* 0, 1 for --help, or -1 with err */
static int parse_args(ExportArgs *a, int argc, char **argv, char *err, size_t len)
{
    *a = (ExportArgs){NULL, NULL, NULL, NULL};
    const Opt opts[] = {
        {"checkpoint", OPT_TEXT, &a->checkpoint, 0, 0},
        {"format", OPT_TEXT, &a->format, 0, 0},
        {"out", OPT_TEXT, &a->out, 0, 0},
        {"name", OPT_TEXT, &a->name, 0, 0},
    };
    const int rc = opts_parse(opts, (int)(sizeof opts / sizeof opts[0]), NULL, NULL, argc - 1,
                              argv + 1, err, len);
    if (rc != 0)
        return rc;
    if (!a->checkpoint || !a->format || !a->out) {
        snprintf(err, len, "%s is required (mpirl export --help)",
                 !a->checkpoint ? "--checkpoint FILE"
                 : !a->format   ? "--format c|safetensors"
                                : "--out PATH");
        return -1;
    }
    if (strcmp(a->format, "c") != 0 && strcmp(a->format, "safetensors") != 0) {
        snprintf(err, len, "unknown --format '%.100s' (valid: c, safetensors)", a->format);
        return -1;
    }
    if (!a->out[0]) {
        snprintf(err, len, "--out is empty: give the path to write");
        return -1;
    }
    if (!a->name)
        a->name = "policy";
    else if (strcmp(a->format, "c") != 0) {
        snprintf(err, len, "--name names the symbols of --format c; safetensors has none");
        return -1;
    }
    const char *n = a->name;
    int ok = n[0] && strlen(n) <= EXPORT_NAME_MAX && !(n[0] >= '0' && n[0] <= '9');
    for (const char *p = n; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             *p == '_';
    if (!ok || n[0] == '_') {
        snprintf(err, len,
                 "--name '%.100s' is not a C identifier (valid: a letter, then letters, digits "
                 "and '_', at most %d characters)",
                 n, EXPORT_NAME_MAX);
        return -1;
    }
    return 0;
}

/* Can a file be created at path? 0, or -1 with a message (the directory is missing or
 * not writable, or path is a directory). */
static int check_writable(const char *path, char *err, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, len, "--out %.300s is a directory: give a file's path", path);
        return -1;
    }
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, len, "cannot write %.300s: the directory %.300s does not exist", path, dir);
        return -1;
    }
    if (access(dir, W_OK) != 0) {
        snprintf(err, len, "cannot write %.300s: the directory %.300s is not writable (%s)", path,
                 dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* a file's text rendered in memory */
typedef struct {
    char *text;
    size_t len;
    FILE *f;
} Text;

static int text_open(Text *t)
{
    *t = (Text){NULL, 0, NULL};
    t->f = open_memstream(&t->text, &t->len);
    return t->f ? 0 : -1;
}

/* close the stream; -1 if it or its writing failed */
static int text_close(Text *t, int rc)
{
    if (t->f && fclose(t->f) != 0)
        rc = -1;
    t->f = NULL;
    return rc == 0 && t->text ? 0 : -1;
}

static int write_text(const char *path, const Text *t, char *err, size_t len)
{
    return outfile_write(path, "export-write", outfile_fill_buf, &(OutfileBuf){t->text, t->len},
                         err, len);
}

/* --format c: render both files, then replace them */
static int export_c_files(const SavedPolicy *s, const ExportArgs *a, char *err, size_t len)
{
    size_t base = strlen(a->out);
    if (base > 2 && (!strcmp(a->out + base - 2, ".c") || !strcmp(a->out + base - 2, ".h")))
        base -= 2;
    const char *slash = strrchr(a->out, '/'), *file = slash ? slash + 1 : a->out;
    if (file >= a->out + base) {
        snprintf(err, len, "--out %.300s names a directory: give a file's path", a->out);
        return 2;
    }
    int plain = 1;
    for (const char *p = file; plain && p < a->out + base; p++)
        plain = *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20;
    if (!plain) {
        snprintf(err, len,
                 "--out %.300s: the file's name goes into #include \"...\": give one without "
                 "quotes, backslashes or control characters",
                 a->out);
        return 2;
    }
    char *hpath = malloc(base + 3), *cpath = malloc(base + 3);
    Text h = {0}, c = {0};
    int rc = hpath && cpath && text_open(&h) == 0 && text_open(&c) == 0 ? 0 : -1;
    if (rc == 0) {
        snprintf(hpath, base + 3, "%.*s.h", (int)base, a->out);
        snprintf(cpath, base + 3, "%.*s.c", (int)base, a->out);
        rc = export_c(s, a->name, hpath + (file - a->out), h.f, c.f);
    }
    rc = text_close(&h, rc);
    rc = text_close(&c, rc);
    if (rc != 0)
        snprintf(err, len, "out of memory");
    if (rc == 0 && (check_writable(hpath, err, len) != 0 || check_writable(cpath, err, len) != 0))
        rc = 2;
    if (rc == 0 && write_text(hpath, &h, err, len) != 0)
        rc = -1;
    if (rc == 0 && write_text(cpath, &c, err, len) != 0) {
        size_t k = strlen(err);
        snprintf(err + k, len - k, " (%.300s was written; %.300s is as it was)", hpath, cpath);
        rc = -1;
    }
    if (rc == 0)
        printf("wrote %s and %s: %s_act, %s_logits_or_mean\n", hpath, cpath, a->name, a->name);
    free(h.text);
    free(c.text);
    free(hpath);
    free(cpath);
    return rc == 2 ? 2 : rc != 0 ? 1 : 0;
}

static int export_st_file(const SavedPolicy *s, const ExportArgs *a, char *err, size_t len)
{
    if (check_writable(a->out, err, len) != 0)
        return 2;
    Text t;
    int rc = text_open(&t) == 0 ? 0 : -1;
    if (rc == 0)
        rc = export_safetensors(s, t.f);
    if (text_close(&t, rc) != 0) {
        snprintf(err, len, "out of memory");
        free(t.text);
        return 1;
    }
    rc = write_text(a->out, &t, err, len);
    if (rc == 0)
        printf("wrote %s (%zu bytes)\n", a->out, t.len);
    free(t.text);
    return rc == 0 ? 0 : 1;
}

int export_main(int argc, char **argv)
{
    ExportArgs a;
    char err[1536] = "";
    int rc = parse_args(&a, argc, argv, err, sizeof err);
    if (rc == 1) {
        usage();
        return 0;
    }
    SavedPolicy s;
    memset(&s, 0, sizeof s);
    int status = rc < 0 ? 2 : saved_load(&s, a.checkpoint, err, sizeof err);
    if (status == 0)
        status = !strcmp(a.format, "c") ? export_c_files(&s, &a, err, sizeof err)
                                        : export_st_file(&s, &a, err, sizeof err);
    if (status != 0)
        fprintf(stderr, "mpirl export: %s\n", err);
    saved_free(&s);
    return status;
}
