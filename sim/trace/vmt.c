/*
 * vmt.c: vmemsim's native trace format, .vmt -- reader and writer.  The byte
 * layout is specified in docs/trace-format.md; in short:
 *
 *   16-byte header (uncompressed): magic "\x89VMT\r\n\x1a\n" (after PNG: the
 *   high byte and CR/LF/^Z catch text-mode and 7-bit damage), u16 version,
 *   u16 codec (0 none, 1 zlib, 2 zstd), u32 flags (0).  Then one compressed
 *   stream of records, each a tag byte -- kind in bits 0-3, size class in
 *   bits 4-6, "address as predicted" in bit 7 -- and varints: a zigzag delta
 *   against the previous address of the same class (instructions are
 *   predicted at previous + size, data at the previous data address), then
 *   the rare fields.  An end record carries the record count and a CRC-32 of
 *   every record byte before it.
 *
 * Invariants: the decoder never reads past its window (records start at
 * least VMT_MAX_REC bytes before the window's end unless the stream has
 * ended); any truncation, bit flip that breaks the encoding, count or CRC
 * mismatch, or byte after the end record is an error naming an offset.
 * Every trace_rec of a valid kind round-trips exactly (pad is not stored).
 */
#include "trace_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef VS_HAVE_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#endif
#ifdef VS_HAVE_ZSTD
#include <zstd.h>
#endif

static const unsigned char VMT_MAGIC[8] = {0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n'};
#define VMT_HDR 16u                    /* magic, version, codec, flags */
#define VMT_VERSION 1u                 /* bump on any incompatible layout change */
#define VMT_WIN TR_BUF(256u * 1024u, 512u) /* decoded-stream window: few decompressor calls */
#define VMT_MAX_REC 48u                /* longest record: escape = 1 + 1 + 4 varints of <= 10 */
#define VMT_ZLIB_LEVEL 3               /* ~3x faster than zlib's default, ~5% larger */
#define VMT_ZSTD_LEVEL 3               /* zstd's default trade-off */
#define TAG_KIND 0x0fu
#define TAG_SC_SHIFT 4
#define TAG_SC_MASK 0x07u
#define TAG_PRED 0x80u                 /* address equals the prediction: no delta follows */
#define TAG_ESCAPE 0x0eu               /* a record with fields outside the compact forms */
#define TAG_END 0x0fu                  /* end record: varint count, u32 CRC-32 */
#define SC_VARINT 7u                   /* size class: the size follows as a varint */

static const uint16_t SC_SIZE[SC_VARINT] = {0, 1, 2, 4, 8, 16, 32};

bool tr_vmt_magic(const unsigned char *p, size_t n)
{
    return n >= sizeof VMT_MAGIC && memcmp(p, VMT_MAGIC, sizeof VMT_MAGIC) == 0;
}

static unsigned size_class(unsigned size)
{
    for (unsigned c = 0; c < SC_VARINT; c++)
        if (SC_SIZE[c] == size)
            return c;
    return SC_VARINT;
}

static inline uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t unzigzag(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

/* The address predictions both sides keep (see the file comment). */
typedef struct vmt_pred {
    uint64_t next_i; /* previous instruction address + its size */
    uint64_t last_d; /* previous data address */
} vmt_pred;

static inline void pred_update(vmt_pred *pr, unsigned kind, uint64_t addr, unsigned size)
{
    if (kind == TREC_IFETCH)
        pr->next_i = addr + size;
    else
        pr->last_d = addr;
}

/* ================================ reader ================================ */

typedef struct vmt_rd {
    trace_codec codec;
#ifdef VS_HAVE_ISAL
    struct inflate_state *igz; /* the zlib codec's inflater (~100 KiB: on the heap) */
#else
    z_stream z;
    bool z_live;
#endif
#ifdef VS_HAVE_ZSTD
    ZSTD_DCtx *zs;
    size_t zs_hint; /* 0 once the frame is complete */
#endif
    unsigned char *win;
    size_t pos, len;
    uint64_t base;    /* record-stream offset of win[0] */
    bool zend;        /* the decompressor reached the end of its stream */
    bool dec_full;    /* it filled the window last time: it may hold more output */
    uint32_t crc;     /* CRC-32 of record bytes before crc_from */
    size_t crc_from;
    vmt_pred pr;
    uint64_t nrec;
    bool done;
} vmt_rd;

/* Names the record being decoded 1-based, as the engine's errors do (sim.c
 * at_record): nrec records were decoded before it. */
static long rd_fail(trace_reader *r, uint64_t off, const char *what, vs_err *err)
{
    vmt_rd *s = r->st;
    return vs_fail(err, VS_E_FORMAT, "%s: record stream offset %llu (record %llu): %s", r->in.path,
                   (unsigned long long)off, (unsigned long long)s->nrec + 1, what);
}

static long raw_fail_at(trace_reader *r, uint64_t off, const char *what, const char *detail, vs_err *err)
{
    return vs_fail(err, VS_E_FORMAT, "%s: offset %llu: %s%s%s", r->in.path, (unsigned long long)off, what,
                   detail ? ": " : "", detail ? detail : "");
}

static long raw_fail(trace_reader *r, const char *what, const char *detail, vs_err *err)
{
    return raw_fail_at(r, tin_offset(&r->in), what, detail, err);
}

/* A byte of the file at offset off follows the compressed record stream. */
static long trailing_fail(trace_reader *r, uint64_t off, vs_err *err)
{
    return raw_fail_at(r, off, "bytes after the end of the compressed record stream", NULL, err);
}

/* The end record's CRC-32 (zlib's polynomial and conventions).  ISA-L's
 * crc32_gzip_refl computes the same value (cli_run reads .vmt files whose
 * CRCs zlib wrote) several times faster than zlib's table-driven crc32,
 * which was 1.8% of a native run from .vmt on one core. */
static uint32_t vmt_crc(uint32_t crc, const unsigned char *p, size_t n)
{
#ifdef VS_HAVE_ISAL
    return crc32_gzip_refl(crc, p, n);
#else
    return (uint32_t)crc32_z(crc, p, n);
#endif
}

/* One inflate call of the zlib codec from src[0, avail) into the window's
 * free room: the input bytes used; *why set on corrupt data; *early set to
 * the bytes past the stream's end that earlier calls consumed (then none of
 * src is used).  ISA-L's igzip when the build has it, checking the zlib
 * header and Adler-32 as zlib does (in a one-core native run of the
 * TLB-hostile trace zlib's inflate took 6.8 % of the samples, igzip 3.8 %:
 * docs/performance.md); else zlib. */
static size_t zlib_step(vmt_rd *s, const unsigned char *src, size_t avail, size_t room, const char **why,
                        size_t *early)
{
#ifdef VS_HAVE_ISAL
    struct inflate_state *g = s->igz;
    g->next_in = (uint8_t *)src;
    g->avail_in = (uint32_t)(avail > UINT32_MAX ? UINT32_MAX : avail);
    g->next_out = s->win + s->len;
    g->avail_out = (uint32_t)room;
    int ir = isal_inflate(g);
    size_t used = (size_t)(g->next_in - src);
    s->len = (size_t)(g->next_out - s->win);
    s->dec_full = g->avail_out == 0;
    if (ir < 0 || ir == ISAL_NEED_DICT) {
        *why = tr_isal_why(ir);
    } else if (g->block_state == ISAL_BLOCK_FINISH) {
        /* igzip reads ahead into a bit buffer: whole bytes left there lie
         * past the stream's end, and are the caller's to see (trailing bytes
         * are an error, rd_finish).  Bytes read ahead by an earlier call (it
         * filled the window just before the stream's end) are no longer in
         * src: the caller names where they began. */
        size_t ahead = (size_t)g->read_in_length / 8;
        if (ahead > used) {
            *early = ahead - used;
            used = 0;
        } else {
            used -= ahead;
        }
        s->zend = true;
    }
    return used;
#else
    (void)early; /* zlib stops at the stream's end: it reads no byte past it */
    s->z.next_in = (unsigned char *)src;
    s->z.avail_in = (uInt)avail;
    s->z.next_out = s->win + s->len;
    s->z.avail_out = (uInt)room;
    int zr = inflate(&s->z, Z_NO_FLUSH);
    size_t used = (size_t)(s->z.next_in - src);
    s->len = (size_t)(s->z.next_out - s->win);
    s->dec_full = s->z.avail_out == 0;
    if (zr == Z_STREAM_END)
        s->zend = true;
    else if (zr != Z_OK && zr != Z_BUF_ERROR)
        *why = s->z.msg ? s->z.msg : "zlib error";
    return used;
#endif
}

/* Decompresses into the window until it is full or the stream ends. */
static int rd_fill(trace_reader *r, vs_err *err)
{
    vmt_rd *s = r->st;
    trace_in *in = &r->in;
    s->crc = vmt_crc(s->crc, s->win + s->crc_from, s->pos - s->crc_from);
    memmove(s->win, s->win + s->pos, s->len - s->pos);
    s->base += s->pos;
    s->len -= s->pos;
    s->pos = s->crc_from = 0;
    while (!s->zend && s->len < VMT_WIN) {
        long avail = tin_need(in, 1, err);
        if (avail < 0)
            return (int)avail;
        if (avail == 0 && !s->dec_full) {
            if (s->codec == TCODEC_NONE) {
                s->zend = true;
                break;
            }
            return (int)raw_fail(r, "compressed record stream ends early (truncated file?)", NULL, err);
        }
        const unsigned char *src = in->buf + in->pos;
        size_t used = 0, room = VMT_WIN - s->len;
        if (s->codec == TCODEC_NONE) {
            used = (size_t)avail < room ? (size_t)avail : room;
            memcpy(s->win + s->len, src, used);
            s->len += used;
        } else if (s->codec == TCODEC_ZLIB) {
            const char *why = NULL;
            size_t early = 0;
            used = zlib_step(s, src, (size_t)avail, room, &why, &early);
            if (early)
                return (int)trailing_fail(r, tin_offset(in) - early, err);
            if (why) {
                in->pos += used;
                return (int)raw_fail(r, "corrupt zlib record stream", why, err);
            }
        } else {
#ifdef VS_HAVE_ZSTD
            ZSTD_inBuffer zin = {src, (size_t)avail, 0};
            ZSTD_outBuffer zout = {s->win + s->len, room, 0};
            size_t zr = ZSTD_decompressStream(s->zs, &zout, &zin);
            used = zin.pos;
            s->len += zout.pos;
            s->dec_full = zout.pos == zout.size;
            if (ZSTD_isError(zr)) {
                in->pos += used;
                return (int)raw_fail(r, "corrupt zstd record stream", ZSTD_getErrorName(zr), err);
            }
            if (zr == 0)
                s->zend = true;
#endif
        }
        in->pos += used;
    }
    return VS_OK;
}

/* Bounds-checked LEB128; false if it runs past end or beyond 64 bits. */
static inline bool get_varint(const unsigned char **pp, const unsigned char *end, uint64_t *v)
{
    const unsigned char *p = *pp;
    uint64_t x = 0;
    for (unsigned shift = 0; p < end && shift < 64; shift += 7) {
        unsigned b = *p++;
        if (shift == 63 && b > 1)
            return false;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            *pp = p;
            return true;
        }
    }
    return false;
}

/* get_varint with its short forms taken inline: one byte directly, and up
 * to eight from one 8-byte load, whose 7-bit groups are packed together by
 * three shift-and-mask steps instead of get_varint's loop over the bytes
 * (the first 5 M records of py2m carry 2.59 M varints of one byte and
 * 1.09 M longer ones, none over eight bytes).  The same value and the same
 * verdict: a byte below 0x80 ends a varint whatever follows, and eight
 * bytes hold 56 bits, short of the 64-bit limit.  The 8 bytes are read only
 * when the window holds them. */
static inline bool get_varint_short(const unsigned char **pp, const unsigned char *end, uint64_t *v)
{
    const unsigned char *p = *pp;
    if (VS_LIKELY(p < end && *p < 0x80)) {
        *v = *p;
        *pp = p + 1;
        return true;
    }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    if (VS_LIKELY(end - p >= (ptrdiff_t)sizeof w)) {
        memcpy(&w, p, sizeof w);
        uint64_t stops = ~w & 0x8080808080808080ull; /* the bytes that end a varint */
        if (VS_LIKELY(stops)) {
            unsigned bits = (unsigned)__builtin_ctzll(stops) + 1; /* through the first such byte */
            w &= (~0ull >> (64 - bits)) & 0x7f7f7f7f7f7f7f7full;
            w = (w & 0x007f007f007f007full) | (w & 0x7f007f007f007f00ull) >> 1;
            w = (w & 0x00003fff00003fffull) | (w & 0x3fff00003fff0000ull) >> 2;
            w = (w & 0x000000000fffffffull) | (w & 0x0fffffff00000000ull) >> 4;
            *v = w;
            *pp = p + bits / 8;
            return true;
        }
    }
#endif
    return get_varint(pp, end, v);
}

/* After the end record: the compressed stream and the file must end too. */
static long rd_finish(trace_reader *r, const unsigned char *p, vs_err *err)
{
    vmt_rd *s = r->st;
    s->pos = (size_t)(p - s->win);
    s->crc_from = s->pos;
    while (!s->zend || s->pos < s->len) {
        if (s->pos < s->len)
            return rd_fail(r, s->base + s->pos, "bytes after the end record", err);
        int rc = rd_fill(r, err);
        if (rc < 0)
            return rc;
    }
    long more = tin_need(&r->in, 1, err);
    if (more < 0)
        return more;
    if (more > 0)
        return trailing_fail(r, tin_offset(&r->in), err);
    s->done = true;
    return 0;
}

/* Decodes the end record at p (after its tag); returns 0 or an error. */
static long rd_end(trace_reader *r, const unsigned char *tag, const unsigned char *end, vs_err *err)
{
    vmt_rd *s = r->st;
    const unsigned char *p = tag + 1;
    uint64_t count;
    if (!get_varint(&p, end, &count) || end - p < 4)
        return rd_fail(r, s->base + (uint64_t)(tag - s->win), "truncated end record", err);
    uint32_t want = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    uint32_t got = vmt_crc(s->crc, s->win + s->crc_from, (size_t)(tag - (s->win + s->crc_from)));
    if (count != s->nrec) {
        char what[96];
        snprintf(what, sizeof what, "end record says %llu records, stream has %llu",
                 (unsigned long long)count, (unsigned long long)s->nrec);
        return rd_fail(r, s->base + (uint64_t)(tag - s->win), what, err);
    }
    if (got != want)
        return rd_fail(r, s->base + (uint64_t)(tag - s->win), "CRC-32 mismatch: the records are corrupt",
                       err);
    return rd_finish(r, p + 4, err);
}

static long vmt_read(trace_reader *r, trace_rec *out, size_t cap, vs_err *err)
{
    vmt_rd *s = r->st;
    size_t n = 0;
    uint64_t h = r->digest.h; /* folded in record by record (the ops say it `digests`) */
    if (s->done)
        return 0;
    while (n < cap) {
        if (s->len - s->pos <= VMT_MAX_REC && !s->zend) {
            int rc = rd_fill(r, err);
            if (rc < 0)
                return rc;
        }
        const unsigned char *p = s->win + s->pos, *end = s->win + s->len;
        const unsigned char *safe = s->zend || s->len < VMT_MAX_REC ? end : end - VMT_MAX_REC;
        if (s->zend && p == end)
            return rd_fail(r, s->base + s->pos, "record stream ends without an end record (truncated?)",
                           err);
        vmt_pred pr = s->pr;
        size_t first = n; /* s->nrec counts records before out[first]: a local count keeps it out of the
                           * loop, where a store to out[] could alias it */
        const char *bad = NULL;
        const unsigned char *rec_start = p;
        /* One bound a record instead of two (n < cap, p < safe): so many
         * records start before safe even if each takes VMT_MAX_REC bytes
         * (one at least while p < safe); this loop comes back for the rest. */
        size_t fit = p >= safe ? 0 : (size_t)(safe - p) > VMT_MAX_REC ? (size_t)(safe - p) / VMT_MAX_REC : 1;
        size_t n_stop = cap - n < fit ? cap : n + fit;
        while (n < n_stop) {
            rec_start = p;
            unsigned tag = *p++, kind = tag & TAG_KIND;
            uint64_t v;
            trace_rec *o = &out[n];
            if (VS_LIKELY(kind <= TREC_RMW)) {
                uint64_t ref = kind == TREC_IFETCH ? pr.next_i : pr.last_d, addr = ref;
                unsigned sc = (tag >> TAG_SC_SHIFT) & TAG_SC_MASK, size;
                if (!(tag & TAG_PRED)) {
                    if (!get_varint_short(&p, end, &v)) { bad = "bad address delta"; break; }
                    addr = ref + (uint64_t)unzigzag(v);
                }
                if (VS_LIKELY(sc < SC_VARINT))
                    size = SC_SIZE[sc];
                else if (!get_varint_short(&p, end, &v) || v > UINT16_MAX) { bad = "bad access size"; break; }
                else
                    size = (unsigned)v;
                *o = (trace_rec){.addr = addr, .size = (uint16_t)size, .kind = (uint8_t)kind};
                h = tr_digest_mem(h, kind, size, addr);
                pred_update(&pr, kind, addr, size);
            } else if (tag < TAG_ESCAPE) { /* kinds from TAG_ESCAPE on come escaped */
                *o = (trace_rec){.kind = (uint8_t)kind};
                bool ok = true;
                if (kind == TREC_INVLPG || kind == TREC_CDA)
                    ok = get_varint(&p, end, &o->addr);
                if (ok && kind == TREC_CDA)
                    ok = get_varint(&p, end, &o->len);
                if (ok && kind != TREC_INVLPG) {
                    ok = get_varint(&p, end, &v) && v <= UINT32_MAX;
                    o->id = ok ? (uint32_t)v : 0;
                }
                if (!ok) { bad = "bad control record field"; break; }
                h = tr_digest_rec(h, o);
            } else if (tag == TAG_ESCAPE) {
                uint64_t sz = 0, id = 0;
                if (p >= end || *p >= TREC_KIND_COUNT) { bad = "bad kind in escaped record"; break; }
                *o = (trace_rec){.kind = *p++};
                if (!get_varint(&p, end, &o->addr) || !get_varint(&p, end, &o->len) ||
                    !get_varint(&p, end, &id) || id > UINT32_MAX || !get_varint(&p, end, &sz) ||
                    sz > UINT16_MAX) { bad = "bad escaped record"; break; }
                o->id = (uint32_t)id;
                o->size = (uint16_t)sz;
                if (trace_kind_is_mem(o->kind))
                    pred_update(&pr, o->kind, o->addr, o->size);
                h = tr_digest_rec(h, o);
            } else if (tag == TAG_END) {
                s->nrec += n - first;
                s->pr = pr;
                s->pos = (size_t)(rec_start - s->win);
                long rc = rd_end(r, rec_start, end, err);
                return rc < 0 ? rc : tr_digest_batch(r, h, n);
            } else {
                bad = "bad record tag";
                break;
            }
            n++;
        }
        s->nrec += n - first;
        s->pr = pr;
        if (bad) {
            s->pos = (size_t)(rec_start - s->win);
            char what[96];
            snprintf(what, sizeof what, "%s (tag 0x%02x)%s", bad, *rec_start,
                     s->zend ? ": truncated or corrupt" : ": corrupt");
            return rd_fail(r, s->base + s->pos, what, err);
        }
        s->pos = (size_t)(p - s->win);
    }
    return tr_digest_batch(r, h, n);
}

static void vmt_rd_free(void *state)
{
    vmt_rd *s = state;
    if (!s)
        return;
#ifdef VS_HAVE_ISAL
    free(s->igz);
#else
    if (s->z_live)
        inflateEnd(&s->z);
#endif
#ifdef VS_HAVE_ZSTD
    ZSTD_freeDCtx(s->zs);
#endif
    free(s->win);
    free(s);
}

static const reader_ops VMT_OPS = {vmt_read, vmt_rd_free, .digests = true};

static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

int tr_vmt_attach(trace_reader *r, vs_err *err)
{
    trace_in *in = &r->in;
    long avail = tin_need(in, VMT_HDR, err);
    if (avail < 0)
        return (int)avail;
    const unsigned char *h = in->buf + in->pos;
    if (avail < (long)VMT_HDR)
        return vs_fail(err, VS_E_FORMAT, "%s: offset %ld: truncated .vmt header (expected %u bytes)",
                       in->path, avail, VMT_HDR);
    if (!tr_vmt_magic(h, (size_t)avail))
        return vs_fail(err, VS_E_FORMAT, "%s: offset 0: not a .vmt file (bad magic)", in->path);
    unsigned version = get16(h + 8), codec = get16(h + 10);
    uint32_t flags = (uint32_t)get16(h + 12) | (uint32_t)get16(h + 14) << 16;
    if (version != VMT_VERSION)
        return vs_fail(err, VS_E_FORMAT, "%s: offset 8: .vmt version %u, this build reads version %u",
                       in->path, version, VMT_VERSION);
    if (codec > TCODEC_ZSTD)
        return vs_fail(err, VS_E_FORMAT, "%s: offset 10: unknown .vmt codec %u", in->path, codec);
    if (flags != 0)
        return vs_fail(err, VS_E_FORMAT, "%s: offset 12: unknown .vmt flags 0x%x", in->path,
                       (unsigned)flags);
#ifndef VS_HAVE_ZSTD
    if (codec == TCODEC_ZSTD)
        return vs_fail(err, VS_E_USAGE, "%s: .vmt uses zstd, but zstd support not built", in->path);
#endif
    in->pos += VMT_HDR;
    vmt_rd *s = vs_calloc(1, sizeof *s);
    s->codec = (trace_codec)codec;
    s->win = vs_malloc(VMT_WIN);
    r->st = s;
    r->ops = &VMT_OPS;
    if (codec == TCODEC_ZLIB) {
#ifdef VS_HAVE_ISAL
        s->igz = vs_malloc(sizeof *s->igz);
        isal_inflate_init(s->igz);
        s->igz->crc_flag = ISAL_ZLIB; /* parse the zlib header, check the Adler-32 at the end */
#else
        if (inflateInit(&s->z) != Z_OK)
            vs_oom(sizeof s->z);
        s->z_live = true;
#endif
    }
#ifdef VS_HAVE_ZSTD
    if (codec == TCODEC_ZSTD && !(s->zs = ZSTD_createDCtx()))
        vs_oom(sizeof s->zs);
#endif
    return VS_OK;
}

/* ================================ writer ================================ */

typedef struct vmt_wr {
    trace_codec codec;
    z_stream z;
    bool z_live;
#ifdef VS_HAVE_ZSTD
    ZSTD_CCtx *zc;
#endif
    unsigned char *enc, *out; /* encoded records; compressed bytes */
    size_t elen;
    uint32_t crc;
    uint64_t nrec;
    vmt_pred pr;
} vmt_wr;

/* Compresses enc[0, elen) and writes what the compressor emits. */
static int wr_flush(trace_writer *w, bool last, vs_err *err)
{
    vmt_wr *s = w->st;
    if (s->codec == TCODEC_NONE) {
        int rc = tw_put(w, s->enc, s->elen, err);
        s->elen = 0;
        return rc;
    }
    if (s->codec == TCODEC_ZLIB) {
        s->z.next_in = s->enc;
        s->z.avail_in = (uInt)s->elen;
        int zr;
        do {
            s->z.next_out = s->out;
            s->z.avail_out = VMT_WIN;
            zr = deflate(&s->z, last ? Z_FINISH : Z_NO_FLUSH);
            assert(zr != Z_STREAM_ERROR);
            int rc = tw_put(w, s->out, VMT_WIN - s->z.avail_out, err);
            if (rc < 0)
                return rc;
        } while (s->z.avail_out == 0 || (last && zr != Z_STREAM_END));
    }
#ifdef VS_HAVE_ZSTD
    if (s->codec == TCODEC_ZSTD) {
        ZSTD_inBuffer zin = {s->enc, s->elen, 0};
        size_t left;
        do {
            ZSTD_outBuffer zout = {s->out, VMT_WIN, 0};
            left = ZSTD_compressStream2(s->zc, &zout, &zin, last ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(left))
                return vs_fail(err, VS_E_IO, "%s: zstd: %s", w->tmp, ZSTD_getErrorName(left));
            int rc = tw_put(w, s->out, zout.pos, err);
            if (rc < 0)
                return rc;
        } while (zin.pos < zin.size || (last && left != 0));
    }
#endif
    s->elen = 0;
    return VS_OK;
}

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* Does the record carry only the fields its kind's compact form stores? */
static bool compact_ok(const trace_rec *t)
{
    switch (t->kind) {
    case TREC_IFETCH: case TREC_LOAD: case TREC_STORE: case TREC_RMW:
        return t->id == 0 && t->len == 0;
    case TREC_INVLPG:
        return t->id == 0 && t->len == 0 && t->size == 0;
    case TREC_CDA:
        return t->size == 0;
    default:
        /* kinds from 14 on have no tag of their own (14 and 15 are the escape and end tags, and the tag
         * has 4 bits): their records are always escaped */
        return t->kind < TAG_ESCAPE && t->addr == 0 && t->len == 0 && t->size == 0;
    }
}

static unsigned char *encode(vmt_pred *pr, const trace_rec *t, unsigned char *p)
{
    unsigned kind = t->kind;
    if (!compact_ok(t)) {
        *p++ = TAG_ESCAPE;
        *p++ = (unsigned char)kind;
        p = put_varint(p, t->addr);
        p = put_varint(p, t->len);
        p = put_varint(p, t->id);
        p = put_varint(p, t->size);
        if (trace_kind_is_mem(kind))
            pred_update(pr, kind, t->addr, t->size);
        return p;
    }
    if (trace_kind_is_mem(kind)) {
        uint64_t ref = kind == TREC_IFETCH ? pr->next_i : pr->last_d;
        unsigned sc = size_class(t->size);
        *p++ = (unsigned char)(kind | sc << TAG_SC_SHIFT | (t->addr == ref ? TAG_PRED : 0));
        if (t->addr != ref)
            p = put_varint(p, zigzag((int64_t)(t->addr - ref)));
        if (sc == SC_VARINT)
            p = put_varint(p, t->size);
        pred_update(pr, kind, t->addr, t->size);
        return p;
    }
    *p++ = (unsigned char)kind;
    if (kind == TREC_INVLPG || kind == TREC_CDA)
        p = put_varint(p, t->addr);
    if (kind == TREC_CDA)
        p = put_varint(p, t->len);
    if (kind != TREC_INVLPG)
        p = put_varint(p, t->id);
    return p;
}

static int vmt_write(trace_writer *w, const trace_rec *recs, size_t n, vs_err *err)
{
    vmt_wr *s = w->st;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].kind >= TREC_KIND_COUNT)
            return vs_fail(err, VS_E_USAGE, "%s: record %llu has invalid kind %u", w->path,
                           (unsigned long long)s->nrec, recs[i].kind);
        if (VS_UNLIKELY(s->elen > VMT_WIN - VMT_MAX_REC)) {
            s->crc = vmt_crc(s->crc, s->enc, s->elen);
            int rc = wr_flush(w, false, err);
            if (rc < 0)
                return rc;
        }
        s->elen = (size_t)(encode(&s->pr, &recs[i], s->enc + s->elen) - s->enc);
        s->nrec++;
    }
    return VS_OK;
}

static int vmt_finish(trace_writer *w, vs_err *err)
{
    vmt_wr *s = w->st;
    s->crc = vmt_crc(s->crc, s->enc, s->elen);
    unsigned char *p = s->enc + s->elen;
    *p++ = TAG_END;
    p = put_varint(p, s->nrec);
    for (int i = 0; i < 4; i++)
        *p++ = (unsigned char)(s->crc >> (8 * i));
    s->elen = (size_t)(p - s->enc);
    return wr_flush(w, true, err);
}

static void vmt_wr_free(void *state)
{
    vmt_wr *s = state;
    if (!s)
        return;
    if (s->z_live)
        deflateEnd(&s->z);
#ifdef VS_HAVE_ZSTD
    ZSTD_freeCCtx(s->zc);
#endif
    free(s->enc);
    free(s->out);
    free(s);
}

static const writer_ops VMT_WRITER = {vmt_write, vmt_finish, vmt_wr_free};

int tr_vmt_writer_init(trace_writer *w, trace_codec codec, vs_err *err)
{
#ifndef VS_HAVE_ZSTD
    if (codec == TCODEC_ZSTD)
        return vs_fail(err, VS_E_USAGE, "%s: zstd support not built", w->path);
#endif
    if ((unsigned)codec > TCODEC_ZSTD)
        return vs_fail(err, VS_E_USAGE, "%s: unknown codec %d", w->path, (int)codec);
    vmt_wr *s = vs_calloc(1, sizeof *s);
    s->codec = codec;
    s->enc = vs_malloc(VMT_WIN);
    s->out = vs_malloc(VMT_WIN);
    w->st = s;
    w->ops = &VMT_WRITER;
    if (codec == TCODEC_ZLIB) {
        if (deflateInit(&s->z, VMT_ZLIB_LEVEL) != Z_OK)
            vs_oom(sizeof s->z);
        s->z_live = true;
    }
#ifdef VS_HAVE_ZSTD
    if (codec == TCODEC_ZSTD) {
        if (!(s->zc = ZSTD_createCCtx()))
            vs_oom(sizeof s->zc);
        ZSTD_CCtx_setParameter(s->zc, ZSTD_c_compressionLevel, VMT_ZSTD_LEVEL);
    }
#endif
    unsigned char h[VMT_HDR] = {0};
    memcpy(h, VMT_MAGIC, sizeof VMT_MAGIC);
    h[8] = VMT_VERSION;
    h[10] = (unsigned char)codec;
    return tw_put(w, h, sizeof h, err);
}
