/*
 * test_importers.c: the DynamoRIO drmemtrace and Sniper SIFT readers on small
 * hand-made files -- plain and compressed, read in one batch and one record
 * at a time -- and on malformed input (truncated, garbage, unknown options),
 * which must fail with a message naming the file and the offset.  SIFT's
 * region-of-interest magic instructions become TREC_ROI markers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "vs_test.h"

typedef struct buf { unsigned char b[4096]; size_t n; } buf;

static void put(buf *b, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        b->b[b->n++] = (unsigned char)(v >> (8 * i));
}

static void dr(buf *b, unsigned type, unsigned size, uint64_t addr)
{
    put(b, type, 2);
    put(b, size, 2);
    put(b, addr, 8);
}

static void write_file(const char *path, const void *data, size_t n, bool gz)
{
    gzFile f = gzopen(path, gz ? "wb" : "wbT"); /* T: written as is, no gzip */
    assert_non_null(f);
    assert_int_equal(gzwrite(f, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(f), Z_OK);
}

/* Reads the whole file cap records at a time; returns the count, or fails. */
static size_t read_all(const char *path, trace_fmt want, size_t cap, trace_rec *out, size_t max)
{
    trace_reader *r;
    vs_err err = {0};
    if (trace_open(path, TFMT_AUTO, &r, &err) != VS_OK)
        fail_msg("open: %s", err.msg);
    assert_int_equal(trace_reader_fmt(r), want);
    size_t n = 0;
    long k;
    while ((k = trace_read(r, out + n, cap < max - n ? cap : max - n, &err)) > 0)
        n += (size_t)k;
    if (k < 0)
        fail_msg("read: %s", err.msg);
    trace_close(r);
    return n;
}

static void expect_error(const char *path, const char *needle)
{
    trace_reader *r;
    vs_err err = {0};
    int rc = trace_open(path, TFMT_AUTO, &r, &err);
    if (rc == VS_OK) {
        trace_rec buf[64];
        long k;
        while ((k = trace_read(r, buf, 64, &err)) > 0)
            ;
        rc = (int)k;
        trace_close(r);
    }
    assert_int_equal(rc, VS_E_FORMAT);
    if (!strstr(err.msg, path) || !strstr(err.msg, needle) || !strstr(err.msg, "offset"))
        fail_msg("message '%s' should name %s, the offset and '%s'", err.msg, path, needle);
}

static void check_recs(const trace_rec *got, size_t n, const trace_rec *want, size_t m)
{
    assert_int_equal(n, m);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got[i].kind, want[i].kind);
        assert_int_equal(got[i].addr, want[i].addr);
        assert_int_equal(got[i].size, want[i].size);
    }
}

/* Reads path in one batch and one record at a time; both must give want. */
static void expect_recs(const char *path, trace_fmt fmt, const trace_rec *want, size_t n)
{
    trace_rec got[64];
    check_recs(got, read_all(path, fmt, 4096, got, 64), want, n);
    check_recs(got, read_all(path, fmt, 1, got, 64), want, n);
}

static void make_dr(buf *b)
{
    b->n = 0;
    dr(b, 25, 0, 5);          /* HEADER, version 5 */
    dr(b, 22, 4, 1234);       /* THREAD */
    dr(b, 24, 4, 1230);       /* PID */
    dr(b, 28, 2, 0x1d0000);   /* MARKER: timestamp */
    dr(b, 10, 3, 0x401000);   /* INSTR */
    dr(b, 0, 8, 0x7ff000);    /* READ */
    dr(b, 1, 4, 0x600010);    /* WRITE */
    dr(b, 28, 23, 0);         /* MARKER: FILTER_ENDPOINT, the warm-up's end */
    dr(b, 3, 64, 0x900000);   /* PREFETCHT0: skipped */
    put(b, 17, 2);            /* INSTR_BUNDLE of 2: lengths 2 and 5 */
    put(b, 2, 2);
    put(b, 2 | 5 << 8, 8);
    dr(b, 48, 2, 0x402000);   /* TAKEN_JUMP */
    dr(b, 26, 0, 0);          /* FOOTER */
}

static const trace_rec DR_WANT[] = {
    {.kind = TREC_IFETCH, .addr = 0x401000, .size = 3}, {.kind = TREC_LOAD, .addr = 0x7ff000, .size = 8},
    {.kind = TREC_STORE, .addr = 0x600010, .size = 4},  {.kind = TREC_ROI, .id = TREC_ROI_BEGIN},
    {.kind = TREC_IFETCH, .addr = 0x401003, .size = 2},
    {.kind = TREC_IFETCH, .addr = 0x401005, .size = 5}, {.kind = TREC_IFETCH, .addr = 0x402000, .size = 2},
};

static void test_drmemtrace(void **state)
{
    (void)state;
    buf b;
    make_dr(&b);
    char *p = vt_path("imp_dr.trace");
    for (int gz = 0; gz < 2; gz++) {
        write_file(p, b.b, b.n, gz);
        expect_recs(p, TFMT_DRMEMTRACE, DR_WANT, VS_ARRAY_LEN(DR_WANT));
    }
    write_file(p, b.b, b.n - 12 - 5, false); /* no footer, last entry cut */
    expect_error(p, "partial drmemtrace entry");
    make_dr(&b);
    dr(&b, 0, 0, 0);
    b.b[12 * 5] = 0xe7; /* the READ becomes type 999 */
    b.b[12 * 5 + 1] = 0x03;
    write_file(p, b.b, b.n, false);
    expect_error(p, "unknown drmemtrace entry type 999");
    g_free(p);
}

/* Other: a magic instruction (type 15) of command cmd, arguments 0. */
static void sift_magic(buf *b, uint64_t cmd)
{
    put(b, 0, 1);
    put(b, 15, 1);
    put(b, 24, 4);
    put(b, cmd, 8);
    put(b, 0, 8);
    put(b, 0, 8);
}

static void make_sift_records(buf *b)
{
    b->n = 0;
    put(b, 4 << 4, 1);        /* InstructionExt: size 4 */
    put(b, 1, 1);             /* one address */
    put(b, 0x400000, 8);
    put(b, 0x7000, 8);
    put(b, 3 | 2 << 4, 1);    /* Instruction: size 3, two addresses */
    put(b, 0x8000, 8);
    put(b, 0x9008, 8);
    put(b, 0, 1);             /* Other: type 1 (output), 3 bytes */
    put(b, 1, 1);
    put(b, 3, 4);
    put(b, 0x414243, 3);
    sift_magic(b, 1);         /* SimRoiStart() */
    put(b, 1, 1);             /* Instruction: size 1, no address */
    sift_magic(b, 4);         /* SimMarker(): no region marker */
    sift_magic(b, 2);         /* SimRoiEnd() */
    put(b, 0, 1);             /* Other: end */
    put(b, 0xff, 1);
    put(b, 0, 4);
}

static const trace_rec SIFT_WANT[] = {
    {.kind = TREC_IFETCH, .addr = 0x400000, .size = 4}, {.kind = TREC_LOAD, .addr = 0x7000},
    {.kind = TREC_IFETCH, .addr = 0x400004, .size = 3}, {.kind = TREC_LOAD, .addr = 0x8000},
    {.kind = TREC_LOAD, .addr = 0x9008},                {.kind = TREC_ROI, .id = TREC_ROI_BEGIN},
    {.kind = TREC_IFETCH, .addr = 0x400007, .size = 1}, {.kind = TREC_ROI, .id = TREC_ROI_END},
};

static void sift_file(const char *path, const buf *recs, uint64_t opts, bool deflate)
{
    buf f = {.n = 0};
    memcpy(f.b, "SIFT", 4);
    f.n = 4;
    put(&f, 0, 4);
    put(&f, opts, 8);
    if (deflate) {
        uLongf len = sizeof f.b - f.n;
        assert_int_equal(compress2(f.b + f.n, &len, recs->b, recs->n, 6), Z_OK);
        f.n += len;
    } else {
        memcpy(f.b + f.n, recs->b, recs->n);
        f.n += recs->n;
    }
    write_file(path, f.b, f.n, false);
}

static void test_sift(void **state)
{
    (void)state;
    buf r;
    make_sift_records(&r);
    char *p = vt_path("imp_t.sift");
    for (int z = 0; z < 2; z++) {
        sift_file(p, &r, z ? 1 : 0, z);
        expect_recs(p, TFMT_SIFT, SIFT_WANT, VS_ARRAY_LEN(SIFT_WANT));
    }
    buf cut = r;
    cut.n = 14; /* inside the second instruction's addresses */
    sift_file(p, &cut, 0, false);
    expect_error(p, "cut short");
    cut = r;
    cut.n = 18 + 17 + 9 + 6 + 10; /* two instructions, the output record, a magic record's header and 10 bytes */
    sift_file(p, &cut, 0, false);
    expect_error(p, "magic instruction cut short");
    sift_file(p, &r, 0x100, false);
    expect_error(p, "unknown SIFT options");
    buf junk = {.n = 0};
    for (int i = 0; i < 40; i++)
        put(&junk, 0x5a ^ (unsigned)i * 37, 1);
    sift_file(p, &junk, 1, false); /* claims zlib, holds garbage */
    expect_error(p, "zlib");
    g_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drmemtrace),
        cmocka_unit_test(test_sift),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
