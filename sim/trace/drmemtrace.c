/*
 * drmemtrace.c: DynamoRIO drmemtrace offline traces, one thread's file
 * (clients/drcachesim/common/trace_entry.h): packed 12-byte little-endian
 * trace_entry_t records {u16 type, u16 size, u64 addr}, possibly gzip'd
 * (trace_src decompresses).  The file opens with a HEADER entry whose addr
 * is the format version and ends with a FOOTER.
 *
 * Mapping: READ -> LOAD and WRITE -> STORE (size = access size); every
 * instruction type (plain, branches, NO_FETCH, SYSENTER, TAKEN/UNTAKEN) ->
 * IFETCH at its PC (size = length); an INSTR_BUNDLE of n instructions ->
 * n IFETCHes following the previous instruction, their lengths in the
 * entry's addr bytes.  A FILTER_ENDPOINT marker -- where the warm-up part of
 * a trace made with -L0_filter_until_instrs (or by the record_filter tool)
 * ends -- becomes a TREC_ROI begin marker: measurement starts there.
 * Prefetches, flushes, other markers, thread/pid entries and encodings
 * carry no reference and are skipped.  Invariant: the FOOTER is
 * the last entry -- a file that ends without one, or has bytes after it, is
 * an error naming the offset and the entry (from 1), as are an unknown type
 * and a partial record.
 */
#include "trace_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define DR_ENTRY 12u      /* sizeof(trace_entry_t) on 64-bit, packed */
#define DR_READ 0u
#define DR_WRITE 1u
#define DR_INSTR 10u      /* INSTR .. INSTR_RETURN = 10 .. 16 */
#define DR_INSTR_LAST 16u
#define DR_BUNDLE 17u
#define DR_HEADER 25u
#define DR_FOOTER 26u
#define DR_MARKER 28u     /* TRACE_TYPE_MARKER: size = marker type, addr = value */
#define DR_FILTER_ENDPOINT 23u /* TRACE_MARKER_TYPE_FILTER_ENDPOINT, the 24th trace_marker_type_t */
#define DR_NO_FETCH 29u
#define DR_MAYBE_FETCH 30u
#define DR_SYSENTER 31u
#define DR_TAKEN 48u      /* TRACE_TYPE_INSTR_TAKEN_JUMP, then UNTAKEN = 49 */
#define DR_LAST_TYPE 49u
#define DR_MAX_VERSION 64u /* versions 2..5 exist; a larger "version" is not a header */
#define DR_BUNDLE_MAX 8u   /* lengths fit in the 8 addr bytes */
_Static_assert(DR_BUNDLE_MAX <= TR_PENDING_MAX, "a bundle fits tr_pending");

bool tr_drmemtrace_magic(const unsigned char *p, size_t n)
{
    return n >= DR_ENTRY && p[0] == DR_HEADER && p[1] == 0 && tr_get64le(p + 4) > 0 &&
           tr_get64le(p + 4) < DR_MAX_VERSION;
}

typedef struct dr_state {
    uint64_t next_pc; /* after the last instruction: where a bundle continues */
    tr_pending pend; /* a bundle's IFETCHes that did not fit the caller's buffer */
    bool done;
} dr_state;

static bool is_instr(unsigned t)
{
    return (t >= DR_INSTR && t <= DR_INSTR_LAST) || t == DR_NO_FETCH || t == DR_MAYBE_FETCH ||
           t == DR_SYSENTER || t == DR_TAKEN || t == DR_TAKEN + 1;
}

/* An error at the entry starting at file offset off, named by offset and entry
 * number (from 1: entries are 12 bytes from offset 0, the header the first). */
static long dr_fail(const trace_in *in, uint64_t off, vs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static long dr_fail(const trace_in *in, uint64_t off, vs_err *err, const char *fmt, ...)
{
    char what[VS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return vs_fail(err, VS_E_FORMAT, "%s: offset %llu (entry %llu): %s", in->path, (unsigned long long)off,
                   (unsigned long long)(off / DR_ENTRY + 1), what);
}

static long dr_read(trace_reader *r, trace_rec *out, size_t cap, vs_err *err)
{
    dr_state *s = r->st;
    trace_in *in = &r->in;
    size_t n = tr_pending_take(&s->pend, out, cap);
    while (n < cap && !s->done) {
        long avail = tin_record(in, DR_ENTRY, "drmemtrace entry", "entry", "truncated file?", err);
        if (avail < 0)
            return avail;
        if (avail == 0)
            return dr_fail(in, tin_offset(in), err, "the trace ends without its FOOTER entry (type %u): truncated file?",
                           DR_FOOTER);
        const unsigned char *p = in->buf + in->pos;
        unsigned type = p[0] | (unsigned)p[1] << 8, size = p[2] | (unsigned)p[3] << 8;
        uint64_t addr = tr_get64le(p + 4);
        if (type > DR_LAST_TYPE)
            return dr_fail(in, tin_offset(in), err, "unknown drmemtrace entry type %u (expected 0..%u)", type,
                           DR_LAST_TYPE);
        in->pos += DR_ENTRY;
        if (type == DR_READ || type == DR_WRITE) {
            out[n++] = (trace_rec){.addr = addr, .size = (uint16_t)size,
                                   .kind = type == DR_READ ? TREC_LOAD : TREC_STORE};
        } else if (is_instr(type)) {
            out[n++] = (trace_rec){.addr = addr, .size = (uint16_t)size, .kind = TREC_IFETCH};
            s->next_pc = addr + size;
        } else if (type == DR_BUNDLE) {
            if (size > DR_BUNDLE_MAX)
                return dr_fail(in, tin_offset(in) - DR_ENTRY, err, "instruction bundle of %u (at most %u)", size,
                               DR_BUNDLE_MAX);
            for (unsigned i = 0; i < size; i++) {
                s->pend.rec[i] = (trace_rec){.addr = s->next_pc, .size = p[4 + i], .kind = TREC_IFETCH};
                s->next_pc += p[4 + i];
            }
            s->pend.n = size;
            s->pend.next = 0;
            n += tr_pending_take(&s->pend, out + n, cap - n);
        } else if (type == DR_MARKER && size == DR_FILTER_ENDPOINT) {
            out[n++] = (trace_rec){.kind = TREC_ROI, .id = TREC_ROI_BEGIN};
        } else if (type == DR_FOOTER) {
            s->done = true;
            long more = tin_need(in, 1, err);
            if (more < 0)
                return more;
            if (more > 0)
                return dr_fail(in, tin_offset(in), err,
                               "%ld%s bytes after the FOOTER entry, which ends a drmemtrace file (two files joined, "
                               "or garbage appended?)",
                               more, more >= (long)DR_ENTRY ? "+" : "");
        }
    }
    return (long)n;
}

static const reader_ops DRMEMTRACE_OPS = {dr_read, free, .digests = false};

int tr_drmemtrace_attach(trace_reader *r, vs_err *err)
{
    (void)err;
    return tr_attach(r, &DRMEMTRACE_OPS, vs_calloc(1, sizeof(dr_state)));
}
