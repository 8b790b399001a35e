/*
 * trace_int.h: what the trace module's files share and nobody else sees --
 * the buffered input every reader parses from, the reader and writer
 * objects with their per-format hooks, and the per-format entry points.
 *
 * A reader owns one trace_in: a 256 KiB window over the decompressed byte
 * stream.  Text readers ask for a window that ends at a newline (tin_lines),
 * so their parsers can scan characters without bounds checks: every line in
 * [pos, lim) ends with '\n', and a final line without one gets a synthetic
 * '\n' (the buffer keeps one spare byte for it).
 */
#ifndef VS_TRACE_INT_H
#define VS_TRACE_INT_H

#include "trace.h"

#include <string.h>

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define TR_BUF(normal, fuzz) (fuzz) /* tiny buffers: fuzz inputs cross every refill */
#else
#define TR_BUF(normal, fuzz) (normal)
#endif
#define TIN_CAP TR_BUF(256u * 1024u, 4096u) /* one big read per refill; the longest line */
#define TIN_SNIFF 4096u         /* bytes examined to detect a format */
/* Readable bytes past buf[TIN_CAP]: a parser may load a block of up to
 * TIN_PAD bytes that starts inside the window and decide only on the bytes
 * up to lim (lackey's fast path loads 64-byte blocks to find newlines). */
#define TIN_PAD 64u

typedef struct trace_in {
    trace_src *src;
    const char *path;
    unsigned char *buf; /* TIN_CAP + 1 bytes (room for a synthetic final '\n') + TIN_PAD */
    size_t pos, lim, len; /* parsed up to pos; whole lines up to lim; data up to len */
    uint64_t base;        /* stream offset of buf[0] */
    uint64_t line;        /* number of the last line handed out (text readers) */
    bool eof;
} trace_in;

/* Makes [pos, lim) non-empty and ending at '\n'.  1 = ok, 0 = end, < 0 = error. */
int tin_lines(trace_in *in, vs_err *err);
/* Makes at least n bytes available from pos unless the stream ends first.
 * Returns the bytes available (may be < n only at the end) or < 0 on error. */
long tin_need(trace_in *in, size_t n, vs_err *err);
/* tin_need for one whole record of a binary format with fixed-size records
 * from offset 0: returns the bytes available (>= n), 0 at the end, or < 0 on
 * error -- a partial record at the end is an error at its offset and its
 * number in the format's own count (`unit` K, from 1), "partial <what> (k of
 * n bytes): <hint>", hint saying what a short tail usually means. */
long tin_record(trace_in *in, size_t n, const char *what, const char *unit, const char *hint, vs_err *err);
static inline uint64_t tin_offset(const trace_in *in) { return in->base + in->pos; }

/* The little-endian u64 at p: every binary format vmemsim reads is
 * little-endian, whatever the host. */
static inline uint64_t tr_get64le(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Hex digit value + 1 (0 = not a hex digit), shared by the text parsers. */
extern const unsigned char tr_hexval[256];
/* Does the line at p start with lit?  Stops at the first mismatch, so it
 * never reads past the line's '\n'. */
static inline bool tr_starts_with(const unsigned char *p, const char *lit)
{
    for (; *lit; p++, lit++)
        if (*p != (unsigned char)*lit)
            return false;
    return true;
}
/* Copies at most 48 chars of the line at p into out, escaping non-printables. */
void tr_quote_line(const char *p, char *out, size_t cap);

/* ---- readers ---- */
typedef struct reader_ops {
    long (*read)(trace_reader *r, trace_rec *buf, size_t cap, vs_err *err);
    void (*free)(void *state);
    /* read folds every record it returns into r->digest itself, while the
     * record is still in registers (the digest's multiply chain then overlaps
     * the decoding); otherwise trace_read digests the batch after read. */
    bool digests;
} reader_ops;

struct trace_reader {
    trace_in in;
    trace_fmt fmt;
    const reader_ops *ops;
    void *st;         /* per-format state */
    trace_digest digest; /* of every record returned so far */
    vs_err sticky;    /* the first error, returned again on every later call */
    bool failed;
};

/* One record's step of the trace digest (digest.c says what it hashes). */
#define TR_FNV64_PRIME 0x100000001b3ull /* FNV 64-bit prime */
#define TR_FNV64_PRIME_SQ (TR_FNV64_PRIME * TR_FNV64_PRIME) /* mod 2^64: the step for a zero word folded in */

/* A memory record as the compact forms carry it: id 0, len 0, so
 * (h ^ 0) * P * P = h * P^2 and the chain takes two multiplies, not three. */
static inline uint64_t tr_digest_mem(uint64_t h, unsigned kind, unsigned size, uint64_t addr)
{
    h = (h ^ (kind | (uint64_t)size << 8)) * TR_FNV64_PRIME;
    return (h ^ addr) * TR_FNV64_PRIME_SQ;
}

static inline uint64_t tr_digest_rec(uint64_t h, const trace_rec *t)
{
    h = (h ^ (t->kind | (uint64_t)t->size << 8 | (uint64_t)t->id << 32)) * TR_FNV64_PRIME;
    if (VS_LIKELY(t->len == 0))
        return (h ^ t->addr) * TR_FNV64_PRIME_SQ;
    return ((h ^ t->addr) * TR_FNV64_PRIME ^ t->len) * TR_FNV64_PRIME;
}

/* The end of a read that `digests`: n records returned, the digest h after
 * them.  A read that fails returns without it, so the records of a batch
 * cut short by an error are not digested (as trace_read does for the rest). */
static inline long tr_digest_batch(trace_reader *r, uint64_t h, size_t n)
{
    r->digest.h = h;
    r->digest.records += n;
    return (long)n;
}

/* Records one decoded unit (a ChampSim instruction, a drmemtrace bundle, a
 * SIFT instruction) yields beyond what the caller's buffer had room for:
 * handed out first by the next read, so no record is split or lost. */
#define TR_PENDING_MAX 8u
typedef struct tr_pending {
    trace_rec rec[TR_PENDING_MAX];
    unsigned n, next; /* rec[next, n) are still to be handed out */
} tr_pending;

/* Moves up to room pending records to out; returns how many. */
static inline size_t tr_pending_take(tr_pending *p, trace_rec *out, size_t room)
{
    size_t k = p->n - p->next;
    k = k < room ? k : room;
    if (k) /* out may be NULL when room is 0 */
        memcpy(out, p->rec + p->next, k * sizeof *out);
    p->next += (unsigned)k;
    return k;
}

/* Each format's attach hook installs ops and state on a reader whose input
 * window is already primed (the first TIN_SNIFF bytes read). */
static inline int tr_attach(trace_reader *r, const reader_ops *ops, void *st)
{
    r->ops = ops;
    r->st = st; /* NULL for stateless readers; freed with ops->free */
    return VS_OK;
}
/* Each format's entry points, declared from its trace_formats.h row: the
 * attach hook, and the detector its DETECT kind names (see there).  A
 * PLAUSIBLE detector is told whether p is the whole file (whole_file), so it
 * may demand whole records. */
#define TR_DETECTOR_MAGIC(STEM) bool tr_##STEM##_magic(const unsigned char *p, size_t n);
#define TR_DETECTOR_TEXT(STEM) int tr_##STEM##_sniff(const char *line);
#define TR_DETECTOR_PLAUSIBLE(STEM) bool tr_##STEM##_plausible(const unsigned char *p, size_t n, bool whole_file);
#define TR_WRITER_WRITES(STEM) int tr_##STEM##_writer_init(trace_writer *w, trace_codec codec, vs_err *err);
#define TR_WRITER_READS_ONLY(STEM)
#define TR_DECLARE(ID, STEM, DETECT, WRITE, SUFFIXES, HELP)                                                     \
    int tr_##STEM##_attach(trace_reader *r, vs_err *err);                                                      \
    TR_DETECTOR_##DETECT(STEM)                                                                                 \
    TR_WRITER_##WRITE(STEM)
TRACE_FORMATS(TR_DECLARE)
#undef TR_DECLARE

/* The name of a well-known non-trace file type p starts with ("an ELF
 * file", ...), or NULL. */
const char *tr_known_magic(const unsigned char *p, size_t n);

/* ---- writers ---- */
typedef struct writer_ops {
    int (*write)(trace_writer *w, const trace_rec *recs, size_t n, vs_err *err);
    int (*finish)(trace_writer *w, vs_err *err); /* flushes trailers; the file is closed after */
    void (*free)(void *state);
} writer_ops;

struct trace_writer {
    const writer_ops *ops;
    void *st;
    FILE *f;
    char *path, *tmp;
    uint64_t dropped; /* records the format cannot represent */
};

/* fwrite with an error naming the temporary file. */
int tw_put(trace_writer *w, const void *p, size_t n, vs_err *err);
/* The writer_init of fmt's row (a WRITES row). */
int tr_writer_init(trace_fmt fmt, trace_writer *w, trace_codec codec, vs_err *err);

#ifdef VS_HAVE_ISAL
/* What a failure code of ISA-L's isal_inflate means (src.c). */
const char *tr_isal_why(int ir);
#endif

#endif
