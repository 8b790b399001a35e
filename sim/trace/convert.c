/*
 * convert.c: whole-trace utilities built on the reader and writer --
 * trace_convert (any readable format to a writable one) and trace_head
 * (records as text, one per line, for humans and golden tests).
 */
#include "trace_int.h"

#include <stdlib.h>
#include <string.h>

#define CONVERT_BATCH 4096u /* records per read: amortises the call, fits in L2 */
/* .vmt is written with zstd when the build has it: its decoder is about twice
 * zlib's speed for a similar size (docs/performance.md, "Trace reading"). */
#ifdef VS_HAVE_ZSTD
#define CONVERT_CODEC TCODEC_ZSTD
#else
#define CONVERT_CODEC TCODEC_ZLIB
#endif

int trace_convert(const char *in, const char *out, trace_fmt out_fmt, uint64_t *dropped, vs_err *err)
{
    if (out_fmt == TFMT_AUTO)
        out_fmt = trace_out_fmt_from_name(out);
    if (out_fmt == TFMT_AUTO)
        return vs_fail(err, VS_E_USAGE,
                       "%s: cannot tell the output format from the name (end it in a suffix of one of"
                       TRACE_WRITABLE_FORMATS ", or give --format)", out);
    trace_reader *r;
    int rc = trace_open(in, TFMT_AUTO, &r, err);
    if (rc < 0)
        return rc;
    trace_writer *w;
    rc = trace_writer_open(out, out_fmt, CONVERT_CODEC, &w, err);
    if (rc < 0) {
        trace_close(r);
        return rc;
    }
    trace_rec *buf = vs_malloc(CONVERT_BATCH * sizeof *buf);
    long n;
    while ((n = trace_read(r, buf, CONVERT_BATCH, err)) > 0)
        if ((rc = trace_write(w, buf, (size_t)n, err)) < 0)
            break;
    free(buf);
    trace_close(r);
    if (n < 0 || rc < 0) {
        trace_writer_abort(w);
        return n < 0 ? (int)n : rc;
    }
    if (dropped)
        *dropped = trace_writer_dropped(w);
    return trace_writer_close(w, err);
}

static void print_rec(const trace_rec *t, FILE *out)
{
    const char *name = trace_kind_name(t->kind);
    if (trace_kind_is_mem(t->kind))
        fprintf(out, "%s 0x%llx %u\n", name, (unsigned long long)t->addr, t->size);
    else if (t->kind == TREC_INVLPG)
        fprintf(out, "%s 0x%llx\n", name, (unsigned long long)t->addr);
    else if (t->kind == TREC_CDA)
        fprintf(out, "%s 0x%llx %llu %u\n", name, (unsigned long long)t->addr,
                (unsigned long long)t->len, t->id);
    else if (t->kind == TREC_UNMAP) {
        fprintf(out, "%s 0x%llx %llu", name, (unsigned long long)t->addr, (unsigned long long)t->len);
        if (t->id || t->size) /* malformed (`run` refuses it): shows what it carries */
            fprintf(out, " id=%u size=%u", t->id, t->size);
        fputc('\n', out);
    }
    else if (t->kind == TREC_KMAP) {
        fprintf(out, "%s 0x%llx %u", name, (unsigned long long)t->addr, t->id);
        if (t->len || t->size) /* malformed (`run` refuses it): shows what it carries */
            fprintf(out, " len=%llu size=%u", (unsigned long long)t->len, t->size);
        fputc('\n', out);
    }
    else
        fprintf(out, "%s %u\n", name, t->id);
}

int trace_head(const char *path, uint64_t n, FILE *out, vs_err *err)
{
    trace_reader *r;
    int rc = trace_open(path, TFMT_AUTO, &r, err);
    if (rc < 0)
        return rc;
    trace_rec *buf = vs_malloc(CONVERT_BATCH * sizeof *buf);
    long got = 0;
    while (n > 0) {
        size_t want = n < CONVERT_BATCH ? (size_t)n : CONVERT_BATCH;
        got = trace_read(r, buf, want, err);
        if (got <= 0)
            break;
        for (long i = 0; i < got; i++)
            print_rec(&buf[i], out);
        n -= (uint64_t)got;
    }
    free(buf);
    trace_close(r);
    return got < 0 ? (int)got : VS_OK;
}
