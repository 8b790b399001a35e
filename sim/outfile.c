/*
 * outfile.c: result files written whole or not at all (see outfile.h).
 *
 * Temporaries are named DIR/.vmemsim-tmp.HOST.PID.SEQ.NAME: the host and PID
 * let a later run tell a dead process's leftovers from a live one's (on a
 * shared file system, only temporaries of this host are judged), SEQ keeps
 * threads of one process apart.  The trace writer adds its own ".tmp" to the
 * name it is given; the cleanup removes that one too.
 *
 * The signal handler only calls unlink(2), signal(2) and raise(3) on
 * fixed-size static buffers, which is async-signal-safe; tracking takes a
 * mutex, so sweep worker threads may create temporaries concurrently.
 */
#include "outfile.h"

#include <glib.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OF_PREFIX ".vmemsim-tmp."
#define OF_MAX_TRACKED 64  /* temporaries alive at once: one per sweep worker and output, with room */

struct of_file {
    char *path, *tmp; /* tmp NULL for stdout */
    FILE *f;
};

static char tracked[OF_MAX_TRACKED][PATH_MAX];
static volatile sig_atomic_t tracked_used[OF_MAX_TRACKED];
static GMutex track_lock;

static void track(const char *tmp)
{
    g_mutex_lock(&track_lock);
    for (int i = 0; i < OF_MAX_TRACKED; i++)
        if (!tracked_used[i] && strlen(tmp) + sizeof OF_WRITER_SUFFIX <= PATH_MAX) {
            g_strlcpy(tracked[i], tmp, PATH_MAX);
            tracked_used[i] = 1;
            break; /* a full table only loses the signal-time cleanup; of_remove_stale still finds it */
        }
    g_mutex_unlock(&track_lock);
}

void of_untrack(const char *tmp)
{
    g_mutex_lock(&track_lock);
    for (int i = 0; i < OF_MAX_TRACKED; i++)
        if (tracked_used[i] && !strcmp(tracked[i], tmp))
            tracked_used[i] = 0;
    g_mutex_unlock(&track_lock);
}

static void cleanup_handler(int sig)
{
    for (int i = 0; i < OF_MAX_TRACKED; i++)
        if (tracked_used[i]) {
            unlink(tracked[i]);
            size_t n = strlen(tracked[i]);
            memcpy(tracked[i] + n, OF_WRITER_SUFFIX, sizeof OF_WRITER_SUFFIX);
            unlink(tracked[i]);
            tracked[i][n] = '\0';
        }
    signal(sig, SIG_DFL);
    raise(sig);
}

void of_install_cleanup(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < VS_ARRAY_LEN(sigs); i++) {
        struct sigaction sa = {0};
        sa.sa_handler = cleanup_handler;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
    /* Past a file-size limit (ulimit -f) a write then fails with EFBIG, which
     * is reported and cleaned up, instead of the process dying. */
    signal(SIGXFSZ, SIG_IGN);
}

char *of_temp_path(const char *path)
{
    static gint seq;
    char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
    char *tmp = g_strdup_printf("%s/" OF_PREFIX "%s.%d.%d.%s", dir, g_get_host_name(), (int)getpid(),
                                g_atomic_int_add(&seq, 1), base);
    g_free(dir);
    g_free(base);
    track(tmp);
    return tmp;
}

unsigned of_remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *mine = g_strdup_printf(OF_PREFIX "%s.", g_get_host_name());
    size_t n = strlen(mine);
    unsigned removed = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, mine, n))
            continue;
        char *end;
        long pid = strtol(e->d_name + n, &end, 10);
        if (end == e->d_name + n || *end != '.' || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive (or not ours to judge) */
        char *p = g_build_filename(dir, e->d_name, NULL);
        removed += unlink(p) == 0;
        g_free(p);
    }
    closedir(d);
    g_free(mine);
    return removed;
}

static const char *kind_of(mode_t m)
{
    if (S_ISLNK(m))
        return "a symbolic link";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

/* The canonical form of a path that may not exist: realpath of its directory + its name. */
static char *canonical(const char *path)
{
    char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
    char *real = realpath(dir, NULL);
    char *out = g_build_filename(real ? real : dir, base, NULL);
    free(real);
    g_free(dir);
    g_free(base);
    return out;
}

bool of_same_path(const char *a, const char *b)
{
    if (!strcmp(a, "-") || !strcmp(b, "-"))
        return !strcmp(a, b);
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char *ca = canonical(a), *cb = canonical(b);
    bool same = !strcmp(ca, cb);
    g_free(ca);
    g_free(cb);
    return same;
}

/* Creates and removes a temporary beside path: access(2) says yes to root in
 * /proc or /sys, or over NFS with root squashed, where no file can be made,
 * and the run would be lost at the end. */
static int probe_dir(const char *what, const char *path, const char *dir, vs_err *err)
{
    char *probe = of_temp_path(path);
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int rc = VS_OK;
    if (fd < 0) {
        rc = vs_fail(err, VS_E_IO, "%s %s: cannot create a file in directory %s: %s", what, path, dir,
                     g_strerror(errno));
    } else {
        close(fd);
        unlink(probe);
    }
    of_untrack(probe);
    g_free(probe);
    return rc;
}

int of_check(const char *what, const char *path, const char *const *inputs, size_t n_inputs, vs_err *err)
{
    if (!strcmp(path, "-"))
        return VS_OK;
    if (!*path)
        return vs_fail(err, VS_E_USAGE, "%s: expected a file name (or - for stdout)", what);
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return vs_fail(err, VS_E_USAGE, "%s %s: is %s; results replace only a regular file (or give - for stdout)",
                       what, path, kind_of(st.st_mode));
    char *dir = g_path_get_dirname(path);
    int rc = VS_OK;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = vs_fail(err, VS_E_IO, "%s %s: directory %s does not exist (it is not created)", what, path, dir);
    else
        rc = probe_dir(what, path, dir, err);
    g_free(dir);
    for (size_t i = 0; i < n_inputs && rc == VS_OK; i++)
        if (inputs[i] && of_same_path(path, inputs[i]))
            rc = vs_fail(err, VS_E_USAGE, "%s %s: is also an input (%s); refusing to overwrite it", what, path,
                         inputs[i]);
    return rc;
}

of_file *of_open(const char *path, vs_err *err)
{
    of_file *o = g_new0(of_file, 1);
    o->path = g_strdup(path);
    if (!strcmp(path, "-")) {
        o->f = stdout;
        return o;
    }
    o->tmp = of_temp_path(path);
    int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    struct stat old;
    if (fd >= 0 && stat(path, &old) == 0 && S_ISREG(old.st_mode))
        (void)fchmod(fd, old.st_mode & 07777); /* a replaced result keeps its permissions */
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        vs_fail(err, VS_E_IO, "%s: cannot write results (temporary %s): %s", path, o->tmp, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        of_abort(o);
        return NULL;
    }
    return o;
}

FILE *of_stream(of_file *o) { return o->f; }

static void of_free(of_file *o)
{
    if (o->tmp)
        of_untrack(o->tmp);
    g_free(o->path);
    g_free(o->tmp);
    g_free(o);
}

void of_abort(of_file *o)
{
    if (!o)
        return;
    if (o->tmp) {
        if (o->f)
            fclose(o->f);
        unlink(o->tmp);
    }
    of_free(o);
}

int of_rename(const char *tmp, const char *path, vs_err *err)
{
    struct stat st;
    int rc = VS_OK;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        rc = vs_fail(err, VS_E_IO, "%s: is %s now; results replace only a regular file", path, kind_of(st.st_mode));
    else if (rename(tmp, path) != 0)
        rc = vs_fail(err, VS_E_IO, "%s: cannot rename %s over it: %s", path, tmp, g_strerror(errno));
    if (rc != VS_OK)
        unlink(tmp);
    of_untrack(tmp);
    return rc;
}

/* A failed write names the file ("stdout" for -) and, for a file, that the
 * temporary went and the old file stays. */
static int write_failed(const of_file *o, int e, vs_err *err)
{
    if (!o->tmp)
        return vs_fail(err, VS_E_IO, "stdout: write failed: %s", g_strerror(e ? e : EIO));
    return vs_fail(err, VS_E_IO, "%s: write failed: %s (the previous file, if any, is kept)", o->path, g_strerror(e));
}

int of_commit(of_file *o, vs_err *err)
{
    int rc = VS_OK;
    if (!o->tmp) {
        if (fflush(o->f) != 0 || ferror(o->f))
            rc = write_failed(o, errno, err);
        of_free(o);
        return rc;
    }
    errno = 0;
    bool ok = fflush(o->f) == 0 && !ferror(o->f) && fsync(fileno(o->f)) == 0;
    int e = errno;
    ok &= fclose(o->f) == 0;
    o->f = NULL;
    if (!ok) {
        rc = write_failed(o, e ? e : errno ? errno : EIO, err);
        unlink(o->tmp);
    } else {
        rc = of_rename(o->tmp, o->path, err);
    }
    of_free(o);
    return rc;
}

int of_write_text(const char *path, const char *text, size_t len, vs_err *err)
{
    of_file *o = of_open(path, err);
    if (!o)
        return VS_E_IO;
    if (fwrite(text, 1, len, o->f) != len) {
        int rc = write_failed(o, errno, err);
        of_abort(o);
        return rc;
    }
    return of_commit(o, err);
}
