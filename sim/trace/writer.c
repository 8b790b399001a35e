/*
 * writer.c: the trace writer object -- a temporary file that becomes the
 * real one only when every byte is written (write path.tmp, fflush, fclose,
 * rename), so a crash or a full disk never leaves a plausible-looking
 * partial trace under the final name.  Formats plug in through writer_ops.
 */
#include "trace_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WRITER_STDIO_BUF (256u * 1024u) /* few write(2) calls for large traces */

int tw_put(trace_writer *w, const void *p, size_t n, vs_err *err)
{
    if (n > 0 && fwrite(p, 1, n, w->f) != n)
        return vs_fail(err, VS_E_IO, "%s: write failed: %s", w->tmp, strerror(errno));
    return VS_OK;
}

static void writer_free(trace_writer *w)
{
    if (w->ops && w->ops->free)
        w->ops->free(w->st);
    free(w->path);
    free(w->tmp);
    free(w);
}

int trace_writer_open(const char *path, trace_fmt fmt, trace_codec codec, trace_writer **out,
                      vs_err *err)
{
    *out = NULL;
    if (!trace_fmt_writable(fmt))
        return vs_fail(err, VS_E_USAGE, "%s: cannot write %s traces (vmemsim writes" TRACE_WRITABLE_FORMATS ")",
                       path, trace_fmt_name(fmt));
    trace_writer *w = vs_calloc(1, sizeof *w);
    w->path = vs_strdup(path);
    size_t n = strlen(path);
    w->tmp = vs_malloc(n + sizeof ".tmp");
    memcpy(w->tmp, path, n);
    memcpy(w->tmp + n, ".tmp", sizeof ".tmp");
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        int rc = vs_fail(err, VS_E_IO, "%s: cannot create: %s", w->tmp, strerror(errno));
        writer_free(w);
        return rc;
    }
    setvbuf(w->f, NULL, _IOFBF, WRITER_STDIO_BUF);
    int rc = tr_writer_init(fmt, w, codec, err);
    if (rc < 0) {
        trace_writer_abort(w);
        return rc;
    }
    *out = w;
    return VS_OK;
}

int trace_write(trace_writer *w, const trace_rec *recs, size_t n, vs_err *err)
{
    return w->ops->write(w, recs, n, err);
}

uint64_t trace_writer_dropped(const trace_writer *w) { return w->dropped; }

int trace_writer_close(trace_writer *w, vs_err *err)
{
    int rc = w->ops->finish(w, err);
    if (rc == VS_OK && fflush(w->f) != 0)
        rc = vs_fail(err, VS_E_IO, "%s: write failed: %s", w->tmp, strerror(errno));
    if (fclose(w->f) != 0 && rc == VS_OK)
        rc = vs_fail(err, VS_E_IO, "%s: close failed: %s", w->tmp, strerror(errno));
    w->f = NULL;
    if (rc == VS_OK && rename(w->tmp, w->path) != 0)
        rc = vs_fail(err, VS_E_IO, "%s: cannot rename to %s: %s", w->tmp, w->path, strerror(errno));
    if (rc < 0)
        remove(w->tmp);
    writer_free(w);
    return rc;
}

void trace_writer_abort(trace_writer *w)
{
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    remove(w->tmp);
    writer_free(w);
}
