/*
 * test_trace_vmt.c: the .vmt writer and reader -- exact round trips of every
 * record kind and field under each codec against the input array (the naive
 * model; address deltas of every varint length), random batch sizes,
 * truncation at every byte, every single-byte corruption, the
 * write-to-temporary-then-rename contract, and gzip transparency of the
 * byte source.
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
        cmocka_unit_test(test_gzip_transparent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
