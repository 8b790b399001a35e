/*
 * src.c: a trace byte source -- a file or stdin, decompressed on the fly when
 * its first bytes carry a gzip (RFC 1952), xz (.xz file format 1.0.4) or
 * zstd (RFC 8878) magic.  Readers never see compression.
 *
 * Invariants: out_off counts decompressed bytes handed to the caller (the
 * offset readers put in their messages); raw_off counts compressed bytes
 * consumed.  A stream that ends inside a compressed member, or carries
 * bytes after its last member that are not another member, is an error
 * naming both offsets -- a truncated download is never mistaken for a
 * shorter trace.
 *
 * gzip is inflated by ISA-L's igzip when the build has it (libisal: about
 * 2-3x zlib's speed on x86-64, CRC-32 by carry-less multiply; see
 * docs/performance.md) and by zlib otherwise; both check each member's CRC-32
 * and length, and the code around them -- members, truncation, trailing
 * bytes -- is the same.
 */
#include "trace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef VS_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif
#ifdef VS_HAVE_LZMA
#include <lzma.h>
#endif
#ifdef VS_HAVE_ZSTD
#include <zstd.h>
#endif

#define SRC_RAW_CAP TR_BUF(256u * 1024u, 64u) /* compressed bytes per read(2): few syscalls */
#define SRC_MAGIC_MAX 6u            /* longest magic we test (xz) */
#ifndef VS_HAVE_ISAL
#define GZIP_WINDOW_AUTO (15 + 16)  /* zlib: max window, expect a gzip header */
#endif

typedef enum { SRC_PLAIN, SRC_GZIP, SRC_XZ, SRC_ZSTD } src_codec;

struct trace_src {
    char *path;
    int fd;
    src_codec codec;
    unsigned char *raw;
    size_t rpos, rlen;
    bool raw_eof, done;
    bool out_full; /* the decoder filled the last output buffer: it may hold more */
    uint64_t raw_off; /* compressed bytes consumed */
    uint64_t out_off; /* decompressed bytes delivered */
#ifdef VS_HAVE_ISAL
    struct inflate_state *igz; /* ~100 KiB of tables and history: on the heap */
#else
    z_stream z;
    bool z_live;
#endif
#ifdef VS_HAVE_LZMA
    lzma_stream lz;
    bool lz_live;
    bool lz_between; /* a stream ended: padding, another stream, or the end must follow */
#endif
#ifdef VS_HAVE_ZSTD
    ZSTD_DStream *zs;
    size_t zs_hint; /* last ZSTD_decompressStream result: 0 = between frames */
#endif
};

static const unsigned char GZIP_MAGIC[] = {0x1f, 0x8b};
static const unsigned char XZ_MAGIC[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const unsigned char ZSTD_MAGIC[] = {0x28, 0xb5, 0x2f, 0xfd};
/* A skippable frame's magic is 0x184D2A50..0x184D2A5F (RFC 8878, 3.1.2):
 * little-endian, a first byte 0x5? then these three. */
static const unsigned char ZSTD_SKIPPABLE_TAIL[] = {0x2a, 0x4d, 0x18};
#define ZSTD_SKIPPABLE_HIGH 0x50u /* the first byte's high nibble */

static void gz_init(trace_src *s);

static bool has_magic(const trace_src *s, const unsigned char *m, size_t n)
{
    return s->rlen - s->rpos >= n && memcmp(s->raw + s->rpos, m, n) == 0;
}

/* Tops up the raw buffer; returns bytes added, 0 at end of file, < 0 on error. */
static long raw_fill(trace_src *s, vs_err *err)
{
    if (s->raw_eof)
        return 0;
    if (s->rpos > 0) {
        s->raw_off += s->rpos;
        memmove(s->raw, s->raw + s->rpos, s->rlen - s->rpos);
        s->rlen -= s->rpos;
        s->rpos = 0;
    }
    for (;;) {
        ssize_t got = read(s->fd, s->raw + s->rlen, SRC_RAW_CAP - s->rlen);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return vs_fail(err, VS_E_IO, "%s: read error at offset %llu: %s", s->path,
                           (unsigned long long)(s->raw_off + s->rlen), strerror(errno));
        if (got == 0)
            s->raw_eof = true;
        s->rlen += (size_t)got;
        return got;
    }
}

static int corrupt(trace_src *s, const char *what, const char *detail, vs_err *err)
{
    return vs_fail(err, VS_E_FORMAT, "%s: offset %llu (compressed offset %llu): %s%s%s", s->path,
                   (unsigned long long)s->out_off, (unsigned long long)(s->raw_off + s->rpos), what,
                   detail ? ": " : "", detail ? detail : "");
}

int trace_src_open(const char *path, trace_src **out, vs_err *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vs_fail(err, VS_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return vs_fail(err, VS_E_IO, "%s: is a directory; expected a trace file", path);
    }
    trace_src *s = vs_calloc(1, sizeof *s);
    s->path = vs_strdup(path);
    s->fd = fd;
    s->raw = vs_malloc(SRC_RAW_CAP);
    *out = s;
    while (s->rlen < SRC_MAGIC_MAX && !s->raw_eof) {
        long rc = raw_fill(s, err);
        if (rc < 0) {
            trace_src_close(s);
            *out = NULL;
            return (int)rc;
        }
    }
    if (has_magic(s, GZIP_MAGIC, sizeof GZIP_MAGIC)) {
        s->codec = SRC_GZIP;
        gz_init(s);
    } else if (has_magic(s, XZ_MAGIC, sizeof XZ_MAGIC)) {
        s->codec = SRC_XZ;
#ifdef VS_HAVE_LZMA
        lzma_stream init = LZMA_STREAM_INIT;
        s->lz = init;
        if (lzma_stream_decoder(&s->lz, UINT64_MAX, 0) != LZMA_OK)
            vs_oom(sizeof s->lz);
        s->lz_live = true;
#else
        trace_src_close(s);
        *out = NULL;
        return vs_fail(err, VS_E_USAGE, "%s: xz-compressed, but xz support not built (needs liblzma)",
                       path);
#endif
    } else if (has_magic(s, ZSTD_MAGIC, sizeof ZSTD_MAGIC)) {
        s->codec = SRC_ZSTD;
#ifdef VS_HAVE_ZSTD
        s->zs = ZSTD_createDStream();
        if (!s->zs)
            vs_oom(sizeof s->zs);
        ZSTD_initDStream(s->zs);
#else
        trace_src_close(s);
        *out = NULL;
        return vs_fail(err, VS_E_USAGE,
                       "%s: zstd-compressed, but zstd support not built (needs libzstd)", path);
#endif
    }
    return VS_OK;
}

static long read_plain(trace_src *s, unsigned char *buf, size_t n, vs_err *err)
{
    if (s->rpos < s->rlen) { /* bytes peeked for the magic test */
        size_t k = s->rlen - s->rpos < n ? s->rlen - s->rpos : n;
        memcpy(buf, s->raw + s->rpos, k);
        s->rpos += k;
        return (long)k;
    }
    if (s->raw_eof)
        return 0;
    for (;;) {
        ssize_t got = read(s->fd, buf, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return vs_fail(err, VS_E_IO, "%s: read error at offset %llu: %s", s->path,
                           (unsigned long long)s->out_off, strerror(errno));
        if (got == 0)
            s->raw_eof = true;
        return got;
    }
}

#ifdef VS_HAVE_ISAL
static void gz_member(trace_src *s)
{
    isal_inflate_reset(s->igz);
    s->igz->crc_flag = ISAL_GZIP; /* parse the header, check CRC-32 and length at the end */
}

static void gz_init(trace_src *s)
{
    s->igz = vs_malloc(sizeof *s->igz);
    isal_inflate_init(s->igz);
    gz_member(s);
}

/* What igzip's failure means (isa-l/igzip_lib.h return codes). */
const char *tr_isal_why(int ir)
{
    switch (ir) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate code";
    case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM: return "incorrect data check (CRC-32 or length)";
    case ISAL_NEED_DICT: return "needs a preset dictionary";
    default: return "igzip error";
    }
}

/* One inflate call over the raw bytes into buf[0, n): the bytes made, or
 * < 0 on corrupt data; *end is set when a member's trailer checked out. */
static long gz_step(trace_src *s, unsigned char *buf, size_t n, bool *end, vs_err *err)
{
    struct inflate_state *g = s->igz;
    g->next_in = s->raw + s->rpos;
    g->avail_in = (uint32_t)(s->rlen - s->rpos);
    g->next_out = buf;
    g->avail_out = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
    int ir = isal_inflate(g);
    s->rpos = (size_t)(g->next_in - s->raw);
    if (ir < 0 || ir == ISAL_NEED_DICT)
        return corrupt(s, "corrupt gzip data", tr_isal_why(ir), err);
    *end = g->block_state == ISAL_BLOCK_FINISH;
    s->out_full = g->avail_out == 0;
    return (long)(g->next_out - buf);
}

static void gz_end(trace_src *s) { free(s->igz); }
#else
static void gz_member(trace_src *s) { inflateReset(&s->z); }

static void gz_init(trace_src *s)
{
    if (inflateInit2(&s->z, GZIP_WINDOW_AUTO) != Z_OK)
        vs_oom(sizeof s->z);
    s->z_live = true;
}

static long gz_step(trace_src *s, unsigned char *buf, size_t n, bool *end, vs_err *err)
{
    s->z.next_in = s->raw + s->rpos;
    s->z.avail_in = (uInt)(s->rlen - s->rpos);
    s->z.next_out = buf;
    s->z.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
    int zr = inflate(&s->z, Z_NO_FLUSH);
    if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_STREAM_ERROR || zr == Z_MEM_ERROR)
        return corrupt(s, "corrupt gzip data", s->z.msg ? s->z.msg : "zlib error", err);
    s->rpos = (size_t)(s->z.next_in - s->raw);
    *end = zr == Z_STREAM_END;
    s->out_full = s->z.avail_out == 0;
    return (long)(s->z.next_out - buf);
}

static void gz_end(trace_src *s)
{
    if (s->z_live)
        inflateEnd(&s->z);
}
#endif

/* One inflate step.  Members may be concatenated (gzip -c a >f; gzip -c b >>f). */
static long read_gzip(trace_src *s, unsigned char *buf, size_t n, vs_err *err)
{
    for (;;) {
        if (s->rpos == s->rlen && !s->out_full) {
            long rc = raw_fill(s, err);
            if (rc < 0)
                return rc;
            if (rc == 0)
                return corrupt(s, "gzip data ends early (truncated file?)", NULL, err);
        }
        bool end = false;
        long made = gz_step(s, buf, n, &end, err);
        if (made < 0)
            return made;
        if (end) {
            /* Another member, end of file, or trailing garbage. */
            if (s->rlen - s->rpos < sizeof GZIP_MAGIC && !s->raw_eof) {
                long rc = raw_fill(s, err);
                if (rc < 0)
                    return rc;
            }
            if (s->rpos == s->rlen && s->raw_eof)
                s->done = true;
            else if (has_magic(s, GZIP_MAGIC, sizeof GZIP_MAGIC))
                gz_member(s);
            else {
                /* The error replaces this step's bytes, so the offset it names
                 * (where the garbage starts) must count them. */
                s->out_off += (uint64_t)made;
                return corrupt(s, "trailing bytes after the last gzip member", NULL, err);
            }
        }
        if (made > 0 || s->done)
            return made;
    }
}

#ifdef VS_HAVE_LZMA
/* What liblzma's failure means, in the words of its lzma_ret documentation
 * (lzma/base.h); a check mismatch is LZMA_DATA_ERROR, as for xz(1). */
static const char *xz_why(lzma_ret lr)
{
    switch (lr) {
    case LZMA_FORMAT_ERROR: return "not an xz stream (bad stream header)";
    case LZMA_OPTIONS_ERROR: return "unsupported options (filter chain or header flags this liblzma lacks)";
    case LZMA_DATA_ERROR: return "corrupt data, or an integrity check (CRC32/CRC64/SHA-256) mismatch";
    case LZMA_MEM_ERROR: return "out of memory while decoding";
    case LZMA_MEMLIMIT_ERROR: return "needs more memory than the decoder limit";
    case LZMA_UNSUPPORTED_CHECK: return "unsupported integrity check type";
    default: return "unexpected liblzma error";
    }
}

/* After a stream: streams may be concatenated, with stream padding -- null
 * bytes, a multiple of 4 -- between and after them (.xz file format 1.0.4,
 * 2.2).  So the end of the file, or another stream (its decoder started);
 * anything else is garbage, named as such (liblzma's own concatenation mode
 * would call a short tail a truncated stream).  Returns 0 or an error. */
static int xz_next_stream(trace_src *s, vs_err *err)
{
    uint64_t pad = 0;
    for (;;) {
        while (s->rpos < s->rlen && s->raw[s->rpos] == 0) {
            s->rpos++;
            pad++;
        }
        if (s->rlen - s->rpos >= sizeof XZ_MAGIC || s->raw_eof)
            break;
        long rc = raw_fill(s, err);
        if (rc < 0)
            return (int)rc;
    }
    if (pad % 4 != 0)
        return corrupt(s, "xz stream padding is not a multiple of 4 bytes", NULL, err);
    if (s->rpos == s->rlen) {
        s->done = true;
        return 0;
    }
    if (!has_magic(s, XZ_MAGIC, sizeof XZ_MAGIC))
        return corrupt(s, "trailing bytes after the last xz stream", NULL, err);
    if (lzma_stream_decoder(&s->lz, UINT64_MAX, 0) != LZMA_OK)
        vs_oom(sizeof s->lz);
    return 0;
}

static long read_xz(trace_src *s, unsigned char *buf, size_t n, vs_err *err)
{
    for (;;) {
        if (s->lz_between) {
            int rc = xz_next_stream(s, err);
            if (rc < 0)
                return rc;
            s->lz_between = false;
            if (s->done)
                return 0;
        }
        if (s->rpos == s->rlen && !s->raw_eof && !s->out_full) {
            long rc = raw_fill(s, err);
            if (rc < 0)
                return rc;
        }
        s->lz.next_in = s->raw + s->rpos;
        s->lz.avail_in = s->rlen - s->rpos;
        s->lz.next_out = buf;
        s->lz.avail_out = n;
        lzma_ret lr = lzma_code(&s->lz, s->raw_eof ? LZMA_FINISH : LZMA_RUN);
        s->rpos = (size_t)(s->lz.next_in - s->raw);
        size_t made = (size_t)(s->lz.next_out - buf);
        s->out_full = s->lz.avail_out == 0;
        if (lr == LZMA_STREAM_END)
            s->lz_between = true;
        else if (lr == LZMA_BUF_ERROR)
            return corrupt(s, "xz data ends early (truncated file?)", NULL, err);
        else if (lr != LZMA_OK)
            return corrupt(s, "xz data", xz_why(lr), err);
        if (made > 0 || s->done)
            return (long)made;
    }
}
#endif

#ifdef VS_HAVE_ZSTD
/* Between frames (zs_hint 0): the next bytes must start a frame -- a zstd
 * or a skippable one -- or the file must end; anything else is garbage,
 * named as such. */
static bool zstd_frame_next(trace_src *s)
{
    const unsigned char *p = s->raw + s->rpos;
    return has_magic(s, ZSTD_MAGIC, sizeof ZSTD_MAGIC) ||
           (s->rlen - s->rpos >= 1 + sizeof ZSTD_SKIPPABLE_TAIL && (p[0] & 0xf0) == ZSTD_SKIPPABLE_HIGH &&
            memcmp(p + 1, ZSTD_SKIPPABLE_TAIL, sizeof ZSTD_SKIPPABLE_TAIL) == 0);
}

static long read_zstd(trace_src *s, unsigned char *buf, size_t n, vs_err *err)
{
    for (;;) {
        while (s->zs_hint == 0 && s->rlen - s->rpos < sizeof ZSTD_MAGIC && !s->raw_eof) {
            long rc = raw_fill(s, err);
            if (rc < 0)
                return rc;
        }
        if (s->zs_hint == 0 && s->rpos < s->rlen && !zstd_frame_next(s))
            return corrupt(s, "trailing bytes after the last zstd frame", NULL, err);
        if (s->rpos == s->rlen && !s->out_full) {
            long rc = raw_fill(s, err);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                if (s->zs_hint != 0)
                    return corrupt(s, "zstd data ends early (truncated file?)", NULL, err);
                s->done = true;
                return 0;
            }
        }
        ZSTD_inBuffer zin = {s->raw, s->rlen, s->rpos};
        ZSTD_outBuffer zout = {buf, n, 0};
        size_t zr = ZSTD_decompressStream(s->zs, &zout, &zin);
        if (ZSTD_isError(zr))
            return corrupt(s, "corrupt zstd data", ZSTD_getErrorName(zr), err);
        s->rpos = zin.pos;
        s->zs_hint = zr;
        s->out_full = zout.pos == zout.size;
        if (zout.pos > 0)
            return (long)zout.pos;
    }
}
#endif

long trace_src_read(trace_src *s, void *buf, size_t n, vs_err *err)
{
    if (n == 0 || s->done)
        return 0;
    long got;
    switch (s->codec) {
    case SRC_GZIP: got = read_gzip(s, buf, n, err); break;
#ifdef VS_HAVE_LZMA
    case SRC_XZ: got = read_xz(s, buf, n, err); break;
#endif
#ifdef VS_HAVE_ZSTD
    case SRC_ZSTD: got = read_zstd(s, buf, n, err); break;
#endif
    default: got = read_plain(s, buf, n, err); break;
    }
    if (got > 0)
        s->out_off += (uint64_t)got;
    return got;
}

double trace_src_fraction(const trace_src *s)
{
    struct stat st;
    if (fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
        return -1;
    double f = (double)(s->raw_off + s->rpos) / (double)st.st_size;
    return f > 1.0 ? 1.0 : f;
}
const char *trace_src_path(const trace_src *s) { return s->path; }

const char *trace_src_codec(const trace_src *s)
{
    static const char *names[] = {"none", "gzip", "xz", "zstd"};
    return names[s->codec];
}

void trace_src_close(trace_src *s)
{
    if (!s)
        return;
    gz_end(s);
#ifdef VS_HAVE_LZMA
    if (s->lz_live)
        lzma_end(&s->lz);
#endif
#ifdef VS_HAVE_ZSTD
    ZSTD_freeDStream(s->zs);
#endif
    if (s->fd != STDIN_FILENO)
        close(s->fd);
    free(s->raw);
    free(s->path);
    free(s);
}
