/*
 * wl_out.c: the record sink every generator writes through -- a batch buffer
 * in front of a trace_writer, so generators emit one record at a time while
 * the writer sees large batches.
 *
 * Invariants: after the first error (a write's, or a generator's through
 * wl_out_fail) no further record is written and wl_out_flush returns that
 * error; a sink without a writer only counts.
 */
#include "workloads.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define WL_BATCH 4096 /* records per trace_write: amortises the call, fits in L2 */

struct wl_out {
    trace_writer *w;
    trace_rec buf[WL_BATCH];
    size_t n;
    uint64_t records;
    vs_err err;
    bool failed;
};

wl_out *wl_out_new(trace_writer *w)
{
    wl_out *o = vs_calloc(1, sizeof *o);
    o->w = w;
    return o;
}

static void drain(wl_out *o)
{
    if (o->w && !o->failed && o->n > 0 && trace_write(o->w, o->buf, o->n, &o->err) != VS_OK)
        o->failed = true;
    o->n = 0;
}

void wl_emit(wl_out *o, unsigned kind, uint64_t addr, uint16_t size, uint32_t id, uint64_t len)
{
    o->buf[o->n++] = (trace_rec){.addr = addr, .len = len, .id = id, .size = size, .kind = (uint8_t)kind};
    o->records++;
    if (o->n == WL_BATCH)
        drain(o);
}

void wl_out_fail(wl_out *o, const char *fmt, ...)
{
    if (o->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->err.msg, sizeof o->err.msg, fmt, ap);
    va_end(ap);
    o->err.code = VS_E_USAGE;
    o->failed = true;
}

int wl_out_flush(wl_out *o, vs_err *err)
{
    drain(o);
    if (o->failed) {
        if (err)
            *err = o->err;
        return o->err.code ? o->err.code : VS_E_IO;
    }
    return VS_OK;
}

uint64_t wl_out_records(const wl_out *o) { return o->records; }

void wl_out_free(wl_out *o) { free(o); }
