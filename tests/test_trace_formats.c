/*
 * test_trace_formats.c: the text and ChampSim readers, format detection,
 * compressed byte sources, the ChampSim writer, trace_head, and the summary
 * statistics -- literal inputs with known records, malformed input for every
 * reader (each must fail with the file name and line/offset, never crash),
 * the real samples in traces/samples, and closed-form transaction statistics.
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
#ifdef VS_HAVE_LZMA
#include <lzma.h>
#endif
#ifdef VS_HAVE_ZSTD
#include <zstd.h>
#endif

#define MAXR 64
typedef struct got { long n; trace_rec r[MAXR]; vs_err e; trace_fmt fmt; } got;

/* Reads a whole file one record at a time (exercises pending state). */
static got read_file(const char *path, trace_fmt fmt)
{
    got g = {0};
    trace_reader *r;
    if ((g.n = trace_open(path, fmt, &r, &g.e)) < 0)
        return g;
    g.fmt = trace_reader_fmt(r);
    long k;
    size_t n = 0;
    while ((k = trace_read(r, g.r + n, 1, &g.e)) > 0 && n < MAXR - 1)
        n++;
    trace_close(r);
    g.n = k < 0 ? k : (long)n;
    return g;
}

/* Writes n bytes as the scratch file `name`, then reads it back. */
static got read_bytes(const char *name, const void *data, size_t n, trace_fmt fmt)
{
    char *path = vt_write_file(name, data, n);
    got g = read_file(path, fmt);
    g_free(path);
    return g;
}

static got read_text(const char *name, const char *text, trace_fmt fmt)
{
    return read_bytes(name, text, strlen(text), fmt);
}

static void expect_recs(const got *g, const trace_rec *want, size_t n)
{
    if (g->n < 0)
        fail_msg("unexpected error: %s", g->e.msg);
    assert_int_equal(g->n, n);
    for (size_t i = 0; i < n; i++)
        if (memcmp(&g->r[i], &want[i], sizeof want[i]) != 0)
            fail_msg("record %zu: kind %u addr 0x%llx size %u, want kind %u addr 0x%llx size %u", i,
                     g->r[i].kind, (unsigned long long)g->r[i].addr, g->r[i].size, want[i].kind,
                     (unsigned long long)want[i].addr, want[i].size);
}

static void expect_fail(const char *name, const char *text, trace_fmt fmt, const char *where)
{
    got g = read_text(name, text, fmt);
    if (g.n >= 0)
        fail_msg("%s: expected an error for %s", name, text);
    if (!strstr(g.e.msg, name) || !strstr(g.e.msg, where))
        fail_msg("message lacks '%s' or '%s': %s", name, where, g.e.msg);
}

#define R(k, a, s) {.addr = (a), .size = (s), .kind = (k)}

static void test_lackey(void **s)
{
    (void)s;
    const char *text = "==123== Lackey, an example Valgrind tool\n"
                       "==123== \n"
                       "I  0401ab70,3\n"
                       " S 1fff000618,8\n"
                       "\n"
                       " L 7ffd4e5f6a70,8\r\n"
                       " M 0025747C,1\n"
                       "I  ffffffffffffffff,15\n"
                       "==123== Exit code:       0";
    const trace_rec want[] = {R(TREC_IFETCH, 0x401ab70, 3), R(TREC_STORE, 0x1fff000618, 8),
                              R(TREC_LOAD, 0x7ffd4e5f6a70, 8), R(TREC_RMW, 0x25747c, 1),
                              R(TREC_IFETCH, UINT64_MAX, 15)};
    got g = read_text("a.lackey", text, TFMT_AUTO);
    assert_int_equal(g.fmt, TFMT_LACKEY);
    expect_recs(&g, want, VS_ARRAY_LEN(want));
    got h = read_text("b.txt", "I  10,4", TFMT_LACKEY); /* no newline at all */
    const trace_rec one[] = {R(TREC_IFETCH, 0x10, 4)};
    expect_recs(&h, one, 1);
}

static void test_lackey_errors(void **s)
{
    (void)s;
    static const struct { const char *text, *where; } BAD[] = {
        {"I  1000,4\nX  1000,4\n", "line 2: expected a lackey record"},
        {"I  1000,4\n L ,4\n", "line 2: bad hex address"},
        {" L 10000000000000000,4\n", "line 1: address wider than 64 bits"},
        {" L 1000 4\n", "line 1: expected ','"},
        {" L 1000,\n", "line 1: expected a decimal size"},
        {" L 1000,4097\n", "line 1: access size larger than 4096"},
        {" L 1000,99999999999\n", "line 1: access size larger"},
        {" L 1000,4 x\n", "line 1: unexpected text"},
        {"I  1000,4\nI 1000,4\n", "line 2"},
        {"I  1000,4\n\x01\x02\n", "line 2"},
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(BAD); i++)
        expect_fail("bad.lackey", BAD[i].text, TFMT_LACKEY, BAD[i].where);
    /* A line longer than the input window is an error, not a split record. */
    size_t big = 600 * 1024;
    char *longline = malloc(big + 16);
    memcpy(longline, "I  1000,4\n==", 12);
    memset(longline + 12, 'x', big);
    strcpy(longline + 12 + big, "\n");
    expect_fail("long.lackey", longline, TFMT_AUTO, "line 2: line longer than");
    free(longline);
    /* Leading zeros beyond 16 digits are fine. */
    got g = read_text("z.lackey", " L 000000000000000001000,4\n", TFMT_LACKEY);
    const trace_rec want[] = {R(TREC_LOAD, 0x1000, 4)};
    expect_recs(&g, want, 1);
}

static void test_pin(void **s)
{
    (void)s;
    const char *text = "0x401000: R 0x7ffd0010\n"
                       "0x401000: W 0x7ffd0018\n"
                       "0x401004: W (nil)\n"
                       "(nil): R 0x10\n"
                       "#eof\n";
    const trace_rec want[] = {R(TREC_IFETCH, 0x401000, 0), R(TREC_LOAD, 0x7ffd0010, 0),
                              R(TREC_STORE, 0x7ffd0018, 0), R(TREC_IFETCH, 0x401004, 0),
                              R(TREC_STORE, 0, 0), R(TREC_IFETCH, 0, 0), R(TREC_LOAD, 0x10, 0)};
    got g = read_text("pinatrace.out", text, TFMT_AUTO);
    assert_int_equal(g.fmt, TFMT_PIN);
    expect_recs(&g, want, VS_ARRAY_LEN(want));
    /* Without #eof the data is kept (with a warning). */
    got h = read_text("x.pin", "0x401000: R 0x7ffd0010\n", TFMT_PIN);
    expect_recs(&h, want, 2);
    expect_fail("after.pin", "0x1: R 0x2\n#eof\n0x1: R 0x2\n", TFMT_PIN, "line 3: expected nothing after '#eof'");
    expect_fail("bad.pin", "0x1: R 0x2\n0x1: X 0x2\n", TFMT_PIN, "line 2: expected a pinatrace line");
    expect_fail("wide.pin", "0x1: R 0x11112222333344445\n", TFMT_PIN, "line 1");
    expect_fail("nohex.pin", "0x: R 0x1\n", TFMT_PIN, "line 1");
}

static void test_simics(void **s)
{
    (void)s;
    const char *text = "inst: [    5] CPU  0 <v:0xfffff148> <p:0x0fff148> 84050004 lwzu r0,4(r5)\n"
                       "data: [    1] CPU  0 <v:0xfffff1b8> <p:0x0fff1b8> Read   1 bytes  0xc0\n"
                       "exce: [    6] CPU  0 exception 14 (Page_Fault)\n"
                       "data: [    7] core[0] <v:0x00007ffd00000000> <p:0x12340> Write 8 bytes 0x0\n"
                       "inst: [ 1] core[0] <v:0x0000000000000000> <p:0x0000000000> 0a 00 00 14 b 0x28\n";
    const trace_rec want[] = {R(TREC_IFETCH, 0xfffff148, 0), R(TREC_LOAD, 0xfffff1b8, 1),
                              R(TREC_STORE, 0x7ffd00000000, 8), R(TREC_IFETCH, 0, 0)};
    got g = read_text("t.simics", text, TFMT_AUTO);
    assert_int_equal(g.fmt, TFMT_SIMICS);
    expect_recs(&g, want, VS_ARRAY_LEN(want));
    expect_fail("bad.simics", "inst: [ 1] CPU 0 <v:0x10> x\nfoo\n", TFMT_SIMICS, "line 2: expected a Simics");
    expect_fail("nova.simics", "data: [ 1] CPU 0 <p:0x10> Read 4 bytes\n", TFMT_SIMICS, "line 1: expected a virtual");
    expect_fail("big.simics", "data: [ 1] CPU 0 <v:0x10> Read 40000 bytes\n", TFMT_SIMICS, "line 1: expected an access size");
    expect_fail("rw.simics", "data: [ 1] CPU 0 <v:0x10> Fetch 4 bytes\n", TFMT_SIMICS, "line 1: expected 'Read'");
    expect_fail("open.simics", "data: [ 1] CPU 0 <v:0x10> <p:0x10 Read 4 bytes\n", TFMT_SIMICS, "line 1");
}

static void test_champsim(void **s)
{
    (void)s;
    const trace_rec in[] = {
        R(TREC_LOAD, 0x900, 8), /* before any ifetch: ip 0 */
        R(TREC_IFETCH, 0x401000, 4), R(TREC_LOAD, 0x10, 8), R(TREC_LOAD, 0x20, 8),
        R(TREC_LOAD, 0x30, 8), R(TREC_LOAD, 0x40, 8), R(TREC_LOAD, 0x50, 8), /* 5th load overflows */
        R(TREC_STORE, 0x60, 8), R(TREC_RMW, 0x70, 4), R(TREC_STORE, 0x80, 4),
        {.kind = TREC_SWITCH, .id = 3}, R(TREC_LOAD, 0, 8), /* dropped */
        R(TREC_IFETCH, 0x401004, 2),
    };
    const trace_rec want[] = {
        R(TREC_IFETCH, 0, 0), R(TREC_LOAD, 0x900, 0),
        R(TREC_IFETCH, 0x401000, 0), R(TREC_LOAD, 0x10, 0), R(TREC_LOAD, 0x20, 0),
        R(TREC_LOAD, 0x30, 0), R(TREC_LOAD, 0x40, 0),
        R(TREC_IFETCH, 0x401000, 0), R(TREC_LOAD, 0x50, 0), R(TREC_LOAD, 0x70, 0), R(TREC_STORE, 0x60, 0),
        R(TREC_STORE, 0x70, 0), R(TREC_IFETCH, 0x401000, 0), R(TREC_STORE, 0x80, 0),
        R(TREC_IFETCH, 0x401004, 0),
    };
    char *p = vt_path("t.champsim");
    vs_err e;
    trace_writer *w;
    assert_int_equal(trace_writer_open(p, TFMT_CHAMPSIM, TCODEC_NONE, &w, &e), 0);
    assert_int_equal(trace_write(w, in, VS_ARRAY_LEN(in), &e), 0);
    assert_int_equal(trace_writer_dropped(w), 2);
    assert_int_equal(trace_writer_close(w, &e), 0);
    got g = read_file(p, TFMT_AUTO);
    g_free(p);
    assert_int_equal(g.fmt, TFMT_CHAMPSIM);
    expect_recs(&g, want, VS_ARRAY_LEN(want));
    /* A partial record is an error at its offset. */
    unsigned char rec[64 + 10] = {0};
    g = read_bytes("part.champsim", rec, sizeof rec, TFMT_CHAMPSIM);
    assert_true(g.n < 0);
    assert_non_null(strstr(g.e.msg, "offset 64"));
    assert_non_null(strstr(g.e.msg, "part.champsim"));
}

static void test_detection(void **s)
{
    (void)s;
    got g = read_text("empty", "", TFMT_AUTO);
    assert_true(g.n < 0);
    assert_non_null(strstr(g.e.msg, "empty"));
    unsigned char junk[100];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 200);
    g = read_bytes("junk.bin", junk, sizeof junk, TFMT_AUTO);
    assert_true(g.n < 0);
    if (!strstr(g.e.msg, "tried vmt") || !strstr(g.e.msg, "lackey, pin, simics, champsim"))
        fail_msg("%s", g.e.msg);
    /* A text file no format accepts: the first bad line is named (issue 12). */
    g = read_text("prose.txt", "hello world\nthis is not a trace\n", TFMT_AUTO);
    assert_true(g.n < 0);
    if (!strstr(g.e.msg, "prose.txt:line 1: not a record") || !strstr(g.e.msg, "'hello world'"))
        fail_msg("%s", g.e.msg);
    /* ... and with a text format's suffix, that format's parser names it. */
    g = read_text("bad.lackey", "hello world\n", TFMT_AUTO);
    assert_true(g.n < 0);
    if (!strstr(g.e.msg, "bad.lackey:line 1: expected a lackey record"))
        fail_msg("%s", g.e.msg);
    assert_int_equal(trace_fmt_from_name("simics"), TFMT_SIMICS);
    assert_int_equal(trace_fmt_from_name("nope"), TFMT_AUTO);
    assert_string_equal(trace_kind_name(TREC_TXN_END), "txn_end");
    /* Missing file. */
    char *missing = vt_path("missing.lackey");
    g = read_file(missing, TFMT_AUTO);
    g_free(missing);
    assert_true(g.n == VS_E_IO && strstr(g.e.msg, "missing.lackey"));
}

/* Garbage for every reader: no crash, and an error naming the file. */
static void test_garbage(void **s)
{
    (void)s;
    uint64_t rng = 99;
    unsigned char b[3000];
    for (int round = 0; round < 50; round++) {
        size_t n = 1 + vs_rng_next(&rng) % sizeof b;
        for (size_t i = 0; i < n; i++)
            b[i] = (unsigned char)vs_rng_next(&rng);
        char *p = vt_write_file("garbage", b, n);
        for (int f = TFMT_AUTO; f < TFMT_COUNT; f++) {
            got g = read_file(p, (trace_fmt)f);
            if (g.n < 0 && !strstr(g.e.msg, "garbage"))
                fail_msg("message lacks the file name: %s", g.e.msg);
            assert_true(g.n < 0 || f == TFMT_CHAMPSIM || f == TFMT_AUTO);
        }
        g_free(p);
    }
}

static void test_compressed_sources(void **s)
{
    (void)s;
    const char *text = "I  1000,4\n L 2000,8\n";
    const trace_rec want[] = {R(TREC_IFETCH, 0x1000, 4), R(TREC_LOAD, 0x2000, 8)};
    /* gzip, two members */
    char *gz = vt_path("t.lackey.gz");
    gzFile g = gzopen(gz, "wb");
    gzputs(g, "I  1000,4\n");
    gzclose(g);
    g = gzopen(gz, "ab");
    gzputs(g, " L 2000,8\n");
    gzclose(g);
    got r = read_file(gz, TFMT_AUTO);
    expect_recs(&r, want, 2);
    /* truncated gzip */
    FILE *f = fopen(gz, "rb");
    unsigned char buf[256];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    g_free(gz);
    r = read_bytes("cut.lackey.gz", buf, n - 5, TFMT_AUTO);
    assert_true(r.n < 0 && strstr(r.e.msg, "cut.lackey.gz") && strstr(r.e.msg, "offset"));
    /* trailing garbage after a member */
    memcpy(buf + n, "xyz", 3);
    r = read_bytes("tail.lackey.gz", buf, n + 3, TFMT_AUTO);
    assert_true(r.n < 0 && strstr(r.e.msg, "trailing"));
#ifdef VS_HAVE_LZMA
    uint8_t xz[512];
    size_t xn = 0;
    assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, (const uint8_t *)text,
                                             strlen(text), xz, &xn, sizeof xz), LZMA_OK);
    r = read_bytes("t.lackey.xz", xz, xn, TFMT_AUTO);
    expect_recs(&r, want, 2);
    r = read_bytes("cut.lackey.xz", xz, xn - 3, TFMT_AUTO);
    assert_true(r.n < 0 && strstr(r.e.msg, "cut.lackey.xz") && strstr(r.e.msg, "offset"));
#endif
#ifdef VS_HAVE_ZSTD
    char zs[512];
    size_t zn = ZSTD_compress(zs, sizeof zs, text, strlen(text), 3);
    assert_false(ZSTD_isError(zn));
    r = read_bytes("t.lackey.zst", zs, zn, TFMT_AUTO);
    expect_recs(&r, want, 2);
    r = read_bytes("cut.lackey.zst", zs, zn - 2, TFMT_AUTO);
    assert_true(r.n < 0 && strstr(r.e.msg, "cut.lackey.zst") && strstr(r.e.msg, "offset"));
#endif
}

static void digest_file(const char *path, trace_digest *d, trace_fmt *fmt)
{
    vs_err e;
    trace_reader *r;
    if (trace_open(path, TFMT_AUTO, &r, &e) < 0)
        fail_msg("%s", e.msg);
    *fmt = trace_reader_fmt(r);
    static trace_rec buf[4096];
    long n;
    trace_digest_init(d);
    while ((n = trace_read(r, buf, 4096, &e)) > 0)
        trace_digest_add(d, buf, (size_t)n);
    if (n < 0)
        fail_msg("%s", e.msg);
    trace_close(r);
}

static void test_samples(void **s)
{
    (void)s;
    static const char *const NAMES[] = {"gzip", "sort", "awk", "python3"};
    for (size_t i = 0; i < VS_ARRAY_LEN(NAMES); i++) {
        char in[512];
        snprintf(in, sizeof in, "%s/traces/samples/%s.lackey.gz", VS_SOURCE_DIR, NAMES[i]);
        trace_digest a, b;
        trace_fmt fa, fb;
        digest_file(in, &a, &fa);
        assert_int_equal(fa, TFMT_LACKEY);
        assert_true(a.records > 100000);
        char *out = vt_path("sample.vmt");
        vs_err e;
        if (trace_convert(in, out, TFMT_AUTO, NULL, &e) < 0)
            fail_msg("%s", e.msg);
        digest_file(out, &b, &fb);
        g_free(out);
        assert_int_equal(fb, TFMT_VMT);
        assert_true(a.h == b.h && a.records == b.records);
    }
}

static void test_head(void **s)
{
    (void)s;
    const trace_rec in[] = {R(TREC_LOAD, 0x7ffd4e5f6a70, 8), {.kind = TREC_SWITCH, .id = 7},
                            {.kind = TREC_INVLPG, .addr = 0x5000},
                            {.kind = TREC_CDA, .addr = 0x1000, .len = 4096, .id = 2}};
    char *p = vt_path("h.vmt");
    vs_err e;
    trace_writer *w;
    assert_int_equal(trace_writer_open(p, TFMT_VMT, TCODEC_ZLIB, &w, &e), 0);
    assert_int_equal(trace_write(w, in, VS_ARRAY_LEN(in), &e), 0);
    assert_int_equal(trace_writer_close(w, &e), 0);
    char out[512] = {0};
    FILE *f = fmemopen(out, sizeof out - 1, "w");
    assert_int_equal(trace_head(p, 10, f, &e), 0);
    fclose(f);
    g_free(p);
    assert_string_equal(out, "load 0x7ffd4e5f6a70 8\nswitch 7\ninvlpg 0x5000\ncda 0x1000 4096 2\n");
}

/* Closed-form transaction statistics: two transactions, a CDA, known pages. */
static void test_summary(void **s)
{
    (void)s;
    const trace_rec in[] = {
        R(TREC_IFETCH, 0x400000, 4),
        {.kind = TREC_SWITCH, .id = 1},
        {.kind = TREC_TXN_BEGIN, .id = 1},
        R(TREC_STORE, 0x10000, 8), R(TREC_STORE, 0x10008, 8), R(TREC_STORE, 0x11000, 8),
        R(TREC_LOAD, 0x12000, 8), R(TREC_RMW, 0x10010, 8),
        {.kind = TREC_TXN_END, .id = 1}, /* 4 writes, 2 pages, wpp 2 */
        R(TREC_STORE, 0x20000, 8),         /* outside any transaction */
        {.kind = TREC_SWITCH, .id = 2},
        {.kind = TREC_CDA, .addr = 0x30000, .len = 0x2000, .id = 1},
        {.kind = TREC_TXN_BEGIN, .id = 2},
        R(TREC_STORE, 0x30ffc, 8),  /* crosses into page 0x31: 1 write, 2 pages */
        R(TREC_STORE, 0x40000, 8),  /* outside the CDA: not counted */
        {.kind = TREC_TXN_END, .id = 2}, /* 1 write, 2 pages, wpp 0.5 */
        {.kind = TREC_TXN_END, .id = 9}, /* unmatched */
    };
    trace_summary *sum = trace_summary_new();
    trace_summary_add(sum, in, VS_ARRAY_LEN(in));
    char out[4096] = {0};
    FILE *f = fmemopen(out, sizeof out - 1, "w");
    trace_summary_print(sum, "x.vmt", true, f);
    fclose(f);
    static const char *const WANT[] = {
        "\"records\": 17", "\"ifetch\": 1", "\"store\": 6", "\"rmw\": 1", "\"instructions\": 1",
        "\"addr_min\": \"0x10000\"", "\"addr_max\": \"0x400000\"", "\"distinct_pages_4k\": 7",
        "\"context_switches\": 2", "\"processes\": 2", "\"count\": 2", "\"mean_writes\": 2.5000",
        "\"mean_ppt\": 2.0000", "\"mean_wpp\": 1.2500", "\"unmatched_ends\": 1"};
    for (size_t i = 0; i < VS_ARRAY_LEN(WANT); i++)
        if (!strstr(out, WANT[i]))
            fail_msg("missing %s in %s", WANT[i], out);
    f = fmemopen(out, sizeof out - 1, "w");
    trace_summary_print(sum, "x.vmt", false, f);
    fclose(f);
    assert_non_null(strstr(out, "transactions      2"));
    trace_summary_free(sum);
}

/* distinct_pages_4k against a naive sorted-array model. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_summary_pages_model(void **s)
{
    (void)s;
    enum { N = 50000 };
    static trace_rec in[N];
    static uint64_t pages[N];
    uint64_t rng = 5;
    for (size_t i = 0; i < N; i++) {
        uint64_t a = vs_rng_next(&rng) % (1u << 26);
        in[i] = (trace_rec){.addr = a, .size = 4, .kind = (uint8_t)(i % 4)};
        pages[i] = a >> 12;
    }
    qsort(pages, N, sizeof *pages, cmp_u64);
    size_t distinct = 0;
    for (size_t i = 0; i < N; i++)
        distinct += i == 0 || pages[i] != pages[i - 1];
    trace_summary *sum = trace_summary_new();
    trace_summary_add(sum, in, N);
    char out[4096] = {0}, want[64];
    FILE *f = fmemopen(out, sizeof out - 1, "w");
    trace_summary_print(sum, NULL, true, f);
    fclose(f);
    snprintf(want, sizeof want, "\"distinct_pages_4k\": %zu,", distinct);
    assert_non_null(strstr(out, want));
    trace_summary_free(sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lackey),        cmocka_unit_test(test_lackey_errors),
        cmocka_unit_test(test_pin),           cmocka_unit_test(test_simics),
        cmocka_unit_test(test_champsim),      cmocka_unit_test(test_detection),
        cmocka_unit_test(test_garbage),       cmocka_unit_test(test_compressed_sources),
        cmocka_unit_test(test_samples),       cmocka_unit_test(test_head),
        cmocka_unit_test(test_summary),       cmocka_unit_test(test_summary_pages_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
