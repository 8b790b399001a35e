/*
 * test_trace_vmt.c: the .vmt writer and reader -- exact round trips of every
 * record kind and field under each codec against the input array (the naive
 * model; address deltas of every varint length), random batch sizes,
 * truncation at every byte, every single-byte corruption, the
 * write-to-temporary-then-rename contract, and gzip transparency of the
 * byte source; varints at and past 64 bits and cut at every byte near the
 * file's end, records of every length across the decoded window's end, and
 * trailing bytes the inflater read ahead before the call that ended its
 * stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "trace/trace.h"
#include "vs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Random records of every kind; some carry fields outside the compact forms. */
static void random_recs(trace_rec *r, size_t n, uint64_t seed)
{
    uint64_t rng = seed, pc = 0x401000, d = 0x7ffd00000000ull;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = vs_rng_next(&rng), y = vs_rng_next(&rng);
        unsigned kind = (unsigned)(x % 100) < 70 ? (unsigned)(x % 4) : (unsigned)(x % TREC_KIND_COUNT);
        trace_rec t = {.kind = (uint8_t)kind};
        if (trace_kind_is_mem(kind)) {
            static const uint16_t SZ[] = {0, 1, 2, 4, 8, 16, 32, 64, 3, 4096, 65535};
            t.size = SZ[(x >> 8) % VS_ARRAY_LEN(SZ)];
            if (kind == TREC_IFETCH)
                t.addr = (x >> 20) % 4 ? (pc += t.size) : (pc = y);
            else
                t.addr = (x >> 20) % 3 ? d + (y % 4096) : y >> (x >> 44) % 64; /* deltas of every varint length */
            if ((x >> 30) % 50 == 0)
                t.id = (uint32_t)y; /* non-canonical: escape */
        } else if (kind == TREC_INVLPG) {
            t.addr = y;
        } else if (kind == TREC_CDA) {
            t.addr = y;
            t.len = x >> 40;
            t.id = (uint32_t)x;
        } else {
            t.id = (uint32_t)y;
            if ((x >> 30) % 50 == 0)
                t.addr = 5; /* non-canonical */
        }
        r[i] = t;
    }
}

static void write_recs(const char *path, trace_codec codec, const trace_rec *r, size_t n)
{
    vs_err e;
    trace_writer *w;
    assert_int_equal(trace_writer_open(path, TFMT_VMT, codec, &w, &e), 0);
    size_t at = 0;
    while (at < n) { /* uneven write batches */
        size_t k = 1 + (at * 7919) % 3000;
        k = k > n - at ? n - at : k;
        assert_int_equal(trace_write(w, r + at, k, &e), 0);
        at += k;
    }
    assert_int_equal(trace_writer_close(w, &e), 0);
}

/* Reads the whole file with varying batch sizes; returns the count or < 0,
 * and (if dig is not NULL) the reader's own digest of what it returned. */
static long read_all(const char *path, trace_fmt fmt, trace_rec *out, size_t cap, vs_err *e, trace_digest *dig)
{
    trace_reader *r;
    int rc = trace_open(path, fmt, &r, e);
    if (rc < 0)
        return rc;
    size_t n = 0;
    long got;
    uint64_t rng = 7;
    trace_rec scratch[1];
    do {
        size_t want = 1 + vs_rng_next(&rng) % 5000;
        if (n + want > cap)
            want = cap - n;
        got = want ? trace_read(r, out + n, want, e) : trace_read(r, scratch, 1, e);
        if (got > 0) {
            assert_true(n + (size_t)got <= cap);
            n += (size_t)got;
        }
    } while (got > 0);
    if (got < 0) { /* sticky error */
        vs_err e2;
        assert_int_equal(trace_read(r, scratch, 1, &e2), got);
        assert_string_equal(e2.msg, e->msg);
    }
    if (dig)
        *dig = trace_reader_digest(r);
    trace_close(r);
    return got < 0 ? got : (long)n;
}

static void roundtrip(trace_codec codec, size_t n, uint64_t seed)
{
    trace_rec *in = calloc(n, sizeof *in), *out = calloc(n + 1, sizeof *out);
    random_recs(in, n, seed);
    char *p = vt_path("rt.vmt");
    write_recs(p, codec, in, n);
    vs_err e;
    trace_digest fused;
    long got = read_all(p, TFMT_AUTO, out, n + 1, &e, &fused);
    g_free(p);
    if (got < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        if (memcmp(&in[i], &out[i], sizeof in[i]) != 0)
            fail_msg("record %zu differs: kind %u/%u addr %llx/%llx", i, in[i].kind, out[i].kind,
                     (unsigned long long)in[i].addr, (unsigned long long)out[i].addr);
    }
    trace_digest a, b;
    trace_digest_init(&a);
    trace_digest_init(&b);
    trace_digest_add(&a, in, n);
    trace_digest_add(&b, out, n);
    assert_true(a.h == b.h && a.records == n);
    /* the .vmt reader folds the digest in as it decodes: the same value as digesting the batches after */
    assert_true(fused.h == a.h && fused.records == n);
    free(in);
    free(out);
}

static void test_roundtrip_zlib(void **s) { (void)s; roundtrip(TCODEC_ZLIB, 200000, 1); roundtrip(TCODEC_ZLIB, 1, 2); }
static void test_roundtrip_none(void **s) { (void)s; roundtrip(TCODEC_NONE, 100000, 3); }
static void test_roundtrip_zstd(void **s)
{
    (void)s;
#ifdef VS_HAVE_ZSTD
    roundtrip(TCODEC_ZSTD, 200000, 4);
#else
    skip();
#endif
}

static void test_empty_trace(void **s)
{
    (void)s;
    char *p = vt_path("empty.vmt");
    write_recs(p, TCODEC_ZLIB, NULL, 0);
    trace_rec out[4];
    vs_err e;
    assert_int_equal(read_all(p, TFMT_AUTO, out, 4, &e, NULL), 0);
    g_free(p);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n + 1);
    assert_int_equal(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

static void expect_error(const char *path, trace_fmt fmt, const char *where)
{
    trace_rec out[256];
    vs_err e = {0};
    long rc = read_all(path, fmt, out, VS_ARRAY_LEN(out), &e, NULL);
    if (rc >= 0)
        fail_msg("%s: expected an error, read %ld records", path, rc);
    if (!strstr(e.msg, path) || (where && !strstr(e.msg, where)))
        fail_msg("message lacks path or '%s': %s", where, e.msg);
}

static void truncate_everywhere(trace_codec codec)
{
    trace_rec in[60];
    random_recs(in, VS_ARRAY_LEN(in), 11);
    char *p = vt_path("whole.vmt");
    write_recs(p, codec, in, VS_ARRAY_LEN(in));
    size_t n;
    unsigned char *b = slurp(p, &n);
    g_free(p);
    for (size_t cut = 0; cut < n; cut++) {
        char *q = vt_write_file("cut.vmt", b, cut);
        expect_error(q, TFMT_VMT, "offset");
        if (cut >= 16)
            expect_error(q, TFMT_AUTO, "offset");
        g_free(q);
    }
    free(b);
}

static void test_truncation(void **s)
{
    (void)s;
    truncate_everywhere(TCODEC_NONE);
    truncate_everywhere(TCODEC_ZLIB);
#ifdef VS_HAVE_ZSTD
    truncate_everywhere(TCODEC_ZSTD);
#endif
}

/* Every single-byte corruption is an error, unless the compressed stream
 * still decodes to exactly the same records (deflate has redundant forms). */
static void corrupt_everywhere(trace_codec codec)
{
    enum { N = 40 };
    trace_rec in[N], out[N + 8];
    random_recs(in, N, 12);
    char *p = vt_path("whole.vmt");
    write_recs(p, codec, in, N);
    size_t n;
    unsigned char *b = slurp(p, &n);
    g_free(p);
    for (size_t i = 0; i < n; i++) {
        for (unsigned flip = 1; flip < 256; flip <<= 3) {
            b[i] ^= (unsigned char)flip;
            char *q = vt_write_file("bad.vmt", b, n);
            vs_err e;
            long rc = read_all(q, TFMT_VMT, out, VS_ARRAY_LEN(out), &e, NULL);
            if (rc >= 0 && (codec == TCODEC_NONE || rc != N || memcmp(in, out, sizeof in) != 0))
                fail_msg("codec %d: flipping byte %zu by 0x%x went unnoticed", codec, i, flip);
            if (rc < 0 && (!strstr(e.msg, q) || !strstr(e.msg, "offset")))
                fail_msg("message lacks path or offset: %s", e.msg);
            g_free(q);
            b[i] ^= (unsigned char)flip;
        }
    }
    /* Trailing garbage after a complete file. */
    b[n] = 0;
    char *q = vt_write_file("bad.vmt", b, n + 1);
    expect_error(q, TFMT_VMT, "offset");
    g_free(q);
    free(b);
}

static void test_corruption(void **s)
{
    (void)s;
    corrupt_everywhere(TCODEC_NONE);
    corrupt_everywhere(TCODEC_ZLIB);
}

/* The decoded-stream window of the normal build (vmt.c's VMT_WIN); the
 * tests below put records and stream ends around its boundary. */
#define VMT_WIN_NORMAL (256u * 1024u)

/* An uncompressed .vmt of the record bytes body[0, n) and an end record
 * counting nrec records, its CRC-32 from zlib (the writer's conventions:
 * docs/trace-format.md).  Returns the file's bytes, *len long. */
static unsigned char *vmt_image(const unsigned char *body, size_t n, uint64_t nrec, size_t *len)
{
    static const unsigned char HDR[16] = {0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n', 1, 0, 0, 0, 0, 0, 0, 0};
    unsigned char *b = malloc(sizeof HDR + n + 1 + 10 + 4);
    memcpy(b, HDR, sizeof HDR);
    memcpy(b + sizeof HDR, body, n);
    size_t at = sizeof HDR + n;
    b[at++] = 0x0f; /* the end record's tag */
    do {
        b[at++] = (unsigned char)((nrec & 0x7f) | (nrec > 0x7f ? 0x80 : 0));
        nrec >>= 7;
    } while (nrec);
    uint32_t crc = (uint32_t)crc32(0, body, (uInt)n);
    for (int i = 0; i < 4; i++)
        b[at++] = (unsigned char)(crc >> (8 * i));
    *len = at;
    return b;
}

/* A load (size class 8 bytes) whose address delta is the varint v[0, n). */
static size_t load_with_delta(unsigned char *out, const unsigned char *v, size_t n)
{
    out[0] = TREC_LOAD | 4u << 4;
    memcpy(out + 1, v, n);
    return 1 + n;
}

/* Varints at the 64-bit limit and beyond it: a 10-byte delta whose last
 * byte carries bit 63 only is read; a 10th byte with more bits, or an 11th
 * byte, is an error naming the record -- read both by the one-load form
 * (eight bytes or more before the stream's end) and byte by byte (fewer),
 * since the load sits right before the end record or alone at the end. */
static void test_varint_limits(void **s)
{
    (void)s;
    static const unsigned char MAX[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const unsigned char WIDE[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    static const unsigned char LONG[11] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00};
    static const unsigned char ZERO9[9] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    unsigned char body[64];
    size_t n, len;
    trace_rec out[4];
    vs_err e;
    /* zigzag(2^64 - 1) = -2^63: the largest delta, from the initial prediction 0 */
    n = load_with_delta(body, MAX, sizeof MAX);
    unsigned char *img = vmt_image(body, n, 1, &len);
    char *p = vt_write_file("max.vmt", img, len);
    assert_int_equal(read_all(p, TFMT_VMT, out, 4, &e, NULL), 1);
    assert_true(out[0].kind == TREC_LOAD && out[0].size == 8 && out[0].addr == 0x8000000000000000ull);
    g_free(p);
    free(img);
    /* an overlong (non-minimal) varint within 64 bits means its value, as LEB128 readers take it */
    n = load_with_delta(body, ZERO9, sizeof ZERO9);
    img = vmt_image(body, n, 1, &len);
    p = vt_write_file("zero9.vmt", img, len);
    assert_int_equal(read_all(p, TFMT_VMT, out, 4, &e, NULL), 1);
    assert_true(out[0].addr == 0 && out[0].size == 8);
    g_free(p);
    free(img);
    const struct { const unsigned char *v; size_t n; } BAD[] = {{WIDE, sizeof WIDE}, {LONG, sizeof LONG}};
    for (size_t i = 0; i < VS_ARRAY_LEN(BAD); i++) {
        n = load_with_delta(body, BAD[i].v, BAD[i].n);
        img = vmt_image(body, n, 1, &len);
        p = vt_write_file("wide.vmt", img, len);
        expect_error(p, TFMT_VMT, "record stream offset 0 (record 1): bad address delta");
        g_free(p);
        /* the same load last in the file, no end record after it: read byte by byte */
        p = vt_write_file("wide.vmt", img, 16 + n);
        expect_error(p, TFMT_VMT, "record stream offset 0 (record 1): bad address delta");
        g_free(p);
        free(img);
    }
}

/* Truncation at every byte of the file's last records, each a load whose
 * delta has 1 to 10 bytes: every cut is an error naming the file and an
 * offset, whether the cut varint is read by the one-load form or byte by
 * byte; the whole file reads exactly. */
static void test_varint_cut_at_end(void **s)
{
    (void)s;
    for (unsigned bytes = 1; bytes <= 10; bytes++) {
        unsigned char body[64], v[10];
        for (unsigned i = 0; i < bytes; i++)
            v[i] = i + 1 < bytes ? 0xaa : 0x01; /* continuation bytes, then a last one */
        size_t n = 0;
        body[n++] = TREC_IFETCH | 3u << 4; /* an instruction at 0 + ... */
        body[n++] = 0x02;                  /* ... delta +1 */
        n += load_with_delta(body + n, v, bytes);
        size_t len;
        unsigned char *img = vmt_image(body, n, 2, &len);
        char *p = vt_write_file("v.vmt", img, len);
        trace_rec out[4];
        vs_err e;
        if (read_all(p, TFMT_VMT, out, 4, &e, NULL) != 2)
            fail_msg("%u-byte delta: %s", bytes, e.msg);
        g_free(p);
        for (size_t cut = 16; cut < len; cut++) {
            p = vt_write_file("v.vmt", img, cut);
            expect_error(p, TFMT_VMT, "offset");
            g_free(p);
        }
        free(img);
    }
}

/* Record i of a run of 4-byte instructions one after another: after the
 * first, each is one byte in a .vmt (its address as predicted). */
static trace_rec filler(size_t i) { return (trace_rec){.addr = 0x1000 + 4 * i, .size = 4, .kind = TREC_IFETCH}; }

/* Records of every length up to the longest (an escape of four 10-byte
 * varints) put across the window's end at every offset: each decodes
 * exactly (the decoder refills before a record that may not fit). */
static void test_records_across_window(void **s)
{
    (void)s;
    enum { FILL = VMT_WIN_NORMAL - 64, TAIL = 8 };
    trace_rec *in = calloc(FILL + 64 + TAIL, sizeof *in), *out = calloc(FILL + 64 + TAIL + 1, sizeof *in);
    for (size_t i = 0; i < FILL + 64; i++)
        in[i] = filler(i);
    char *p = vt_path("win.vmt");
    for (size_t k = 0; k < 64; k++) { /* k more 1-byte records before the long ones */
        size_t n = FILL + k;
        in[n] = (trace_rec){.kind = TREC_CDA, .addr = UINT64_MAX, .len = UINT64_MAX, .id = UINT32_MAX, .size = 0};
        in[n + 1] = (trace_rec){.kind = TREC_UNMAP, .addr = UINT64_MAX, .len = UINT64_MAX, .id = UINT32_MAX,
                                .size = 65535}; /* escaped, every field at its longest: 30 bytes */
        in[n + 2] = (trace_rec){.kind = TREC_LOAD, .addr = 0x8000000000000000ull, .id = UINT32_MAX, .size = 65535};
        in[n + 3] = (trace_rec){.kind = TREC_STORE, .addr = 1, .size = 8};
        in[n + 4] = (trace_rec){.kind = TREC_INVLPG, .addr = UINT64_MAX - 1};
        in[n + 5] = (trace_rec){.kind = TREC_IFETCH, .addr = 0xfffffffffffff000ull, .size = 15};
        in[n + 6] = (trace_rec){.kind = TREC_SWITCH, .id = UINT32_MAX};
        in[n + 7] = (trace_rec){.kind = TREC_RMW, .addr = 0x7fffffffffffffffull, .size = 3};
        write_recs(p, k % 2 ? TCODEC_ZLIB : TCODEC_NONE, in, n + TAIL);
        vs_err e;
        long got = read_all(p, TFMT_VMT, out, n + TAIL + 1, &e, NULL);
        if (got < 0)
            fail_msg("k %zu: %s", k, e.msg);
        assert_int_equal(got, n + TAIL);
        if (memcmp(in + FILL - 8, out + FILL - 8, (k + 8 + TAIL) * sizeof *in) != 0)
            fail_msg("k %zu: the records across the window differ", k);
        for (size_t i = FILL; i < n; i++) /* restore the filler the long records overwrote */
            in[i] = filler(i);
        in[n] = filler(n);
    }
    g_free(p);
    free(in);
    free(out);
}

/* Trailing bytes after a zlib stream that ends just past the window's end:
 * the inflater's first call fills the window, and may already have read
 * the end of the stream and the bytes after it into its bit buffer, which
 * its next call -- the one that ends the stream -- can no longer hand
 * back.  Whichever call read them, the error is the one rd_finish gives
 * any trailing byte, at the same offset: the file's first byte past the
 * stream.  The stream ends at every offset in a range around the window's
 * end, followed by 1 to 4 bytes. */
static void test_zlib_trailing_after_window(void **s)
{
    (void)s;
    enum { SPAN = 24 };
    size_t base = VMT_WIN_NORMAL - 16; /* records: 1 byte each but the first, plus an end record */
    trace_rec *in = calloc(base + SPAN, sizeof *in);
    for (size_t i = 0; i < base + SPAN; i++)
        in[i] = filler(i);
    char *p = vt_path("tail.vmt");
    for (size_t k = 0; k < SPAN; k++) {
        write_recs(p, TCODEC_ZLIB, in, base + k);
        size_t n;
        unsigned char *b = slurp(p, &n);
        b = realloc(b, n + 4);
        memset(b + n, 0xa5, 4);
        /* the same stream with nothing after it reads whole, one record a call */
        {
            trace_rec out[1];
            vs_err e;
            trace_reader *r;
            assert_int_equal(trace_open(p, TFMT_VMT, &r, &e), 0);
            long got;
            size_t recs = 0;
            while ((got = trace_read(r, out, 1, &e)) > 0)
                recs++;
            trace_close(r);
            if (got != 0 || recs != base + k)
                fail_msg("stream end %zu, no trailing bytes: rc %ld after %zu of %zu records: %s", k, got, recs,
                         base + k, got ? e.msg : "");
        }
        for (size_t extra = 1; extra <= 4; extra++) {
            char *q = vt_write_file("tail-bad.vmt", b, n + extra);
            char want[64];
            snprintf(want, sizeof want, ": offset %zu: bytes after the end", n);
            trace_rec out[1];
            vs_err e;
            /* one record a call: many refills, the inflater stops wherever the window fills */
            trace_reader *r;
            assert_int_equal(trace_open(q, TFMT_VMT, &r, &e), 0);
            long got;
            while ((got = trace_read(r, out, 1, &e)) > 0)
                ;
            trace_close(r);
            if (got == 0 || !strstr(e.msg, q) || !strstr(e.msg, want))
                fail_msg("stream end %zu, %zu trailing bytes: rc %ld, wanted '%s' in: %s", k, extra, got, want,
                         got ? e.msg : "");
            g_free(q);
        }
        free(b);
    }
    g_free(p);
    free(in);
}

static void test_bad_header_fields(void **s)
{
    (void)s;
    char *p = vt_path("h.vmt");
    write_recs(p, TCODEC_ZLIB, NULL, 0);
    size_t n;
    unsigned char *b = slurp(p, &n);
    g_free(p);
    static const struct { size_t at; unsigned char v; const char *msg; } CASES[] = {
        {8, 2, "version"}, {10, 9, "codec"}, {12, 1, "flags"}, {0, 'x', "magic"}};
    for (size_t i = 0; i < VS_ARRAY_LEN(CASES); i++) {
        unsigned char old = b[CASES[i].at];
        b[CASES[i].at] = CASES[i].v;
        p = vt_write_file("h.vmt", b, n);
        expect_error(p, TFMT_VMT, CASES[i].msg);
        g_free(p);
        b[CASES[i].at] = old;
    }
    free(b);
}

static void test_tmp_then_rename(void **s)
{
    (void)s;
    char *p = vt_path("commit.vmt"), *tmp = vt_path("commit.vmt.tmp"), *nodir = vt_path("no/such/dir.vmt");
    vs_err e;
    trace_writer *w;
    trace_rec r = {.addr = 0x1000, .size = 8, .kind = TREC_LOAD};
    assert_int_equal(trace_writer_open(p, TFMT_VMT, TCODEC_ZLIB, &w, &e), 0);
    assert_int_equal(trace_write(w, &r, 1, &e), 0);
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(access(tmp, F_OK), 0);
    trace_writer_abort(w);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(trace_writer_open(p, TFMT_VMT, TCODEC_ZLIB, &w, &e), 0);
    assert_int_equal(trace_write(w, &r, 1, &e), 0);
    assert_int_equal(trace_writer_dropped(w), 0);
    assert_int_equal(trace_writer_close(w, &e), 0);
    assert_int_equal(access(p, F_OK), 0);
    assert_int_equal(access(tmp, F_OK), -1);
    /* An invalid kind is refused, not written. */
    trace_rec bad = {.kind = TREC_KIND_COUNT};
    assert_int_equal(trace_writer_open(p, TFMT_VMT, TCODEC_ZLIB, &w, &e), 0);
    assert_true(trace_write(w, &bad, 1, &e) < 0);
    trace_writer_abort(w);
    assert_true(trace_writer_open(nodir, TFMT_VMT, TCODEC_ZLIB, &w, &e) < 0);
    assert_non_null(strstr(e.msg, "no/such/dir.vmt"));
    g_free(p);
    g_free(tmp);
    g_free(nodir);
}

static void test_gzip_transparent(void **s)
{
    (void)s;
    enum { N = 5000 };
    trace_rec in[N], out[N + 1];
    random_recs(in, N, 21);
    char *p = vt_path("g.vmt"), *gz = vt_path("g.vmt.gz");
    write_recs(p, TCODEC_NONE, in, N);
    size_t n;
    unsigned char *b = slurp(p, &n);
    gzFile g = gzopen(gz, "wb");
    gzwrite(g, b, (unsigned)(n / 2));
    gzclose(g);
    g = gzopen(gz, "ab"); /* a second gzip member */
    gzwrite(g, b + n / 2, (unsigned)(n - n / 2));
    gzclose(g);
    free(b);
    vs_err e;
    long got = read_all(gz, TFMT_AUTO, out, N + 1, &e, NULL);
    if (got < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(got, N);
    assert_memory_equal(in, out, sizeof in);
    trace_src *src;
    assert_int_equal(trace_src_open(gz, &src, &e), 0);
    assert_string_equal(trace_src_codec(src), "gzip");
    trace_src_close(src);
    g_free(p);
    g_free(gz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_zlib),    cmocka_unit_test(test_roundtrip_none),
        cmocka_unit_test(test_roundtrip_zstd),    cmocka_unit_test(test_empty_trace),
        cmocka_unit_test(test_truncation),        cmocka_unit_test(test_corruption),
        cmocka_unit_test(test_bad_header_fields), cmocka_unit_test(test_tmp_then_rename),
        cmocka_unit_test(test_gzip_transparent),  cmocka_unit_test(test_varint_limits),
        cmocka_unit_test(test_varint_cut_at_end), cmocka_unit_test(test_records_across_window),
        cmocka_unit_test(test_zlib_trailing_after_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
