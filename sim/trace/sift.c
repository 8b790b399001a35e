/*
 * sift.c: Sniper's SIFT instruction traces (sift/sift_format.h, read as
 * sift_reader.cc reads them): a 16-byte header {u32 magic "SIFT", u32 extra
 * header bytes, u64 options}, then records, zlib-compressed when the
 * CompressionZlib option is set.  A record's first byte tells its kind:
 *   0            Other {u8 0, u8 type, u32 size, size bytes}; type 0xff ends
 *   low nibble   Instruction {size:4, num_addresses:2, is_branch, taken}, PC =
 *                previous PC + previous size, then num_addresses u64s
 *   else         InstructionExt {type:4 = 0, size:4; num_addresses:2, ...;
 *                u64 PC}, then the addresses
 * Each instruction becomes an IFETCH and one LOAD per address.  SIFT does
 * not say which addresses are written (Sniper decodes the instruction bytes
 * to learn it), so every data address reads as a LOAD of unknown size.
 * A magic-instruction record (Other type 15, payload u64 a, b, c) whose
 * command a is Sniper's SIM_CMD_ROI_START or SIM_CMD_ROI_END (sim_api.h:
 * SimRoiStart() / SimRoiEnd()) becomes a TREC_ROI marker; the deprecated
 * SIM_CMD_ROI_TOGGLE alternates begin and end.  Other magic commands and
 * other records carry no reference and are skipped.
 *
 * Invariants: an error inside the records names where the record starts --
 * its file offset ("offset N") when the records are stored plain, its offset
 * in the decompressed record stream after the header ("record stream offset
 * N", as .vmt's errors say) when they are zlib-compressed -- and the record
 * it would have yielded, counted from 1 as the engine's errors count ("record
 * M"); header errors name file offsets.  The end record is the last thing in
 * the file: a file without one, or with bytes after it, is an error.
 */
#include "trace_int.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SIFT_HDR 16u
#define SIFT_ZLIB 1u          /* CompressionZlib */
#define SIFT_KNOWN_OPTS 15u   /* zlib, ArchIA32, IcacheVariable, PhysicalAddress */
#define SIFT_END 0xffu        /* RecOtherEnd */
#define SIFT_MAGIC 15u        /* RecOtherMagicInstruction: u64 a (the command), b, c */
#define SIFT_MAGIC_SIZE 24u
#define SIM_CMD_ROI_TOGGLE 0u /* sim_api.h: deprecated, alternates */
#define SIM_CMD_ROI_START 1u
#define SIM_CMD_ROI_END 2u
#define SIFT_WIN (64u * 1024u)       /* decompressed bytes buffered at once */

bool tr_sift_magic(const unsigned char *p, size_t n)
{
    return n >= 4 && memcmp(p, "SIFT", 4) == 0;
}

typedef struct sift_state {
    bool zlib, zinit, zend, done;
    z_stream z;
    unsigned char win[SIFT_WIN];
    size_t pos, len;       /* unparsed bytes of the record stream: win[pos, len) */
    uint64_t base;         /* stream offset of win[0] */
    uint64_t hdr;          /* file offset where the record stream starts (the header's size) */
    uint64_t at;           /* stream offset of the record being decoded */
    uint64_t nrec;         /* trace records decoded before it */
    uint64_t pc;           /* where the next compact Instruction sits */
    tr_pending pend;       /* an instruction's records (at most 4) not yet handed out */
    bool in_roi;           /* between a region-of-interest start and its end */
} sift_state;

static void sift_free(void *p)
{
    sift_state *s = p;
    if (s && s->zinit)
        inflateEnd(&s->z);
    free(s);
}

/* Makes at least n bytes available in the window unless the stream ends. */
static long need(trace_reader *r, sift_state *s, size_t n, vs_err *err)
{
    if (s->len - s->pos >= n)
        return (long)(s->len - s->pos);
    memmove(s->win, s->win + s->pos, s->len - s->pos);
    s->base += s->pos;
    s->len -= s->pos;
    s->pos = 0;
    trace_in *in = &r->in;
    while (s->len < n) {
        long avail = tin_need(in, 1, err);
        if (avail < 0)
            return avail;
        if (avail == 0 || (s->zlib && s->zend))
            break;
        if (!s->zlib) {
            size_t k = (size_t)avail < SIFT_WIN - s->len ? (size_t)avail : SIFT_WIN - s->len;
            memcpy(s->win + s->len, in->buf + in->pos, k);
            in->pos += k;
            s->len += k;
            continue;
        }
        s->z.next_in = in->buf + in->pos;
        s->z.avail_in = (uInt)avail;
        s->z.next_out = s->win + s->len;
        s->z.avail_out = (uInt)(SIFT_WIN - s->len);
        int zr = inflate(&s->z, Z_NO_FLUSH);
        in->pos += (size_t)avail - s->z.avail_in;
        s->len = SIFT_WIN - s->z.avail_out;
        if (zr == Z_STREAM_END)
            s->zend = true;
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return vs_fail(err, VS_E_FORMAT, "%s: offset %llu: corrupt zlib data in SIFT trace (%s)",
                           in->path, (unsigned long long)tin_offset(in), s->z.msg ? s->z.msg : "inflate failed");
    }
    return (long)(s->len - s->pos);
}

/* An error in the record starting at stream offset at (see the invariants). */
static int rec_fail(trace_reader *r, sift_state *s, uint64_t at, const char *what, vs_err *err)
{
    return vs_fail(err, VS_E_FORMAT, "%s: %s %llu (record %llu): %s", r->in.path,
                   s->zlib ? "record stream offset" : "offset", (unsigned long long)(s->zlib ? at : s->hdr + at),
                   (unsigned long long)s->nrec + 1, what);
}

static int truncated(trace_reader *r, sift_state *s, const char *what, vs_err *err)
{
    char msg[64]; /* "SIFT magic instruction cut short: truncated file?" and shorter */
    snprintf(msg, sizeof msg, "SIFT %s cut short: truncated file?", what);
    return rec_fail(r, s, s->at, msg, err);
}

/* The end record must end the file: anything after it (in the record
 * stream, or raw bytes after the zlib stream) is garbage. */
static int end_record(trace_reader *r, sift_state *s, vs_err *err)
{
    s->done = true;
    uint64_t at = s->base + s->pos;
    long more = need(r, s, 1, err);
    if (more < 0)
        return (int)more;
    if (more > 0)
        return rec_fail(r, s, at, "bytes after the SIFT end record (garbage appended?)", err);
    /* The records may all inflate before the stream's Adler-32 trailer is
     * read: a file cut inside it must not pass for a whole one. */
    if (s->zlib && !s->zend)
        return vs_fail(err, VS_E_FORMAT, "%s: offset %llu: the SIFT trace's zlib stream ends early (truncated file?)",
                       r->in.path, (unsigned long long)tin_offset(&r->in));
    long raw = tin_need(&r->in, 1, err);
    if (raw < 0)
        return (int)raw;
    if (raw > 0)
        return vs_fail(err, VS_E_FORMAT, "%s: offset %llu: bytes after the SIFT trace's zlib stream (garbage appended?)",
                       r->in.path, (unsigned long long)tin_offset(&r->in));
    return 0;
}

/* Decodes one record into s->pend; returns 1, 0 at the end, or an error. */
static int decode(trace_reader *r, sift_state *s, vs_err *err)
{
    s->nrec += s->pend.n; /* the previous record's, all handed out by now */
    s->pend.n = s->pend.next = 0;
    long avail = need(r, s, 6, err);
    if (avail < 0)
        return (int)avail;
    s->at = s->base + s->pos;
    if (avail == 0)
        return rec_fail(r, s, s->at, "the SIFT trace ends without its end record: truncated file?", err);
    const unsigned char *p = s->win + s->pos;
    if (p[0] == 0) {
        if (avail < 6)
            return truncated(r, s, "record header", err);
        unsigned type = p[1];
        uint64_t size = p[2] | (uint64_t)p[3] << 8 | (uint64_t)p[4] << 16 | (uint64_t)p[5] << 24;
        s->pos += 6;
        if (type == SIFT_END)
            return end_record(r, s, err);
        if (type == SIFT_MAGIC && size == SIFT_MAGIC_SIZE) {
            avail = need(r, s, SIFT_MAGIC_SIZE, err);
            if (avail < 0)
                return (int)avail;
            if (avail < (long)SIFT_MAGIC_SIZE)
                return truncated(r, s, "magic instruction", err);
            uint64_t cmd = tr_get64le(s->win + s->pos);
            s->pos += SIFT_MAGIC_SIZE;
            if (cmd == SIM_CMD_ROI_START || cmd == SIM_CMD_ROI_END || cmd == SIM_CMD_ROI_TOGGLE) {
                s->in_roi = cmd == SIM_CMD_ROI_TOGGLE ? !s->in_roi : cmd == SIM_CMD_ROI_START;
                s->pend.rec[0] = (trace_rec){.kind = TREC_ROI, .id = s->in_roi ? TREC_ROI_BEGIN : TREC_ROI_END};
                s->pend.n = 1;
            }
            return 1;
        }
        while (size > 0) { /* skip the payload */
            avail = need(r, s, 1, err);
            if (avail < 0)
                return (int)avail;
            if (avail == 0)
                return truncated(r, s, "record payload", err);
            size_t k = (uint64_t)avail < size ? (size_t)avail : (size_t)size;
            s->pos += k;
            size -= k;
        }
        return 1;
    }
    bool compact = (p[0] & 0xf) != 0;
    unsigned isize = compact ? p[0] & 0xf : p[0] >> 4;
    unsigned naddr = compact ? (p[0] >> 4) & 3 : p[1] & 3;
    size_t head = compact ? 1 : 10, total = head + 8u * naddr;
    avail = need(r, s, total, err);
    if (avail < 0)
        return (int)avail;
    if ((size_t)avail < total)
        return truncated(r, s, "instruction", err);
    p = s->win + s->pos;
    uint64_t pc = compact ? s->pc : tr_get64le(p + 2);
    s->pc = pc + isize;
    s->pend.rec[0] = (trace_rec){.addr = pc, .size = (uint16_t)isize, .kind = TREC_IFETCH};
    for (unsigned i = 0; i < naddr; i++)
        s->pend.rec[1 + i] = (trace_rec){.addr = tr_get64le(p + head + 8 * i), .kind = TREC_LOAD};
    s->pend.n = 1 + naddr;
    s->pend.next = 0;
    s->pos += total;
    return 1;
}

static long sift_read(trace_reader *r, trace_rec *out, size_t cap, vs_err *err)
{
    sift_state *s = r->st;
    size_t n = tr_pending_take(&s->pend, out, cap);
    while (n < cap && !s->done) {
        int rc = decode(r, s, err);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            s->done = true;
            break;
        }
        n += tr_pending_take(&s->pend, out + n, cap - n);
    }
    return (long)n;
}

static const reader_ops SIFT_OPS = {sift_read, sift_free, .digests = false};

int tr_sift_attach(trace_reader *r, vs_err *err)
{
    trace_in *in = &r->in;
    long avail = tin_need(in, SIFT_HDR, err);
    if (avail < 0)
        return (int)avail;
    if (avail < (long)SIFT_HDR || !tr_sift_magic(in->buf + in->pos, (size_t)avail))
        return vs_fail(err, VS_E_FORMAT, "%s: offset 0: expected a 16-byte SIFT header (magic \"SIFT\")",
                       in->path);
    const unsigned char *p = in->buf + in->pos;
    uint32_t extra = p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    uint64_t opts = tr_get64le(p + 8);
    if (opts & ~(uint64_t)SIFT_KNOWN_OPTS)
        return vs_fail(err, VS_E_FORMAT, "%s: offset 8: unknown SIFT options 0x%llx (known: 0x%x)", in->path,
                       (unsigned long long)opts, SIFT_KNOWN_OPTS);
    in->pos += SIFT_HDR;
    for (uint64_t left = extra; left > 0;) { /* the extra header bytes */
        avail = tin_need(in, 1, err);
        if (avail < 0)
            return (int)avail;
        if (avail == 0)
            return vs_fail(err, VS_E_FORMAT, "%s: offset %llu: SIFT extra header cut short", in->path,
                           (unsigned long long)tin_offset(in));
        size_t k = (uint64_t)avail < left ? (size_t)avail : (size_t)left;
        in->pos += k;
        left -= k;
    }
    sift_state *s = vs_calloc(1, sizeof *s);
    s->hdr = tin_offset(in);
    s->zlib = opts & SIFT_ZLIB;
    if (s->zlib) {
        if (inflateInit(&s->z) != Z_OK) {
            free(s);
            return vs_fail(err, VS_E_IO, "%s: cannot initialise zlib", in->path);
        }
        s->zinit = true;
    }
    return tr_attach(r, &SIFT_OPS, s);
}
