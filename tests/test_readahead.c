/*
 * test_readahead.c: the read-ahead of sim/readahead.h, with its worker
 * thread and without one (the one-CPU path), against the naive model -- the
 * records written, in order, and the reader's own digest of a direct read --
 * on a trace of several batches, and on a truncated one, where both must
 * give the same records before the same error, and that error again on
 * every later call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "readahead.h"
#include "vs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_RECS 40000u /* more than two batches of the read-ahead (16384 records) */

/* Memory records on a few pages, and a process switch now and then. */
static trace_rec *make_recs(size_t n)
{
    trace_rec *r = calloc(n, sizeof *r);
    uint64_t rng = 11;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = vs_rng_next(&rng);
        if (x % 997 == 0) {
            r[i] = (trace_rec){.kind = TREC_SWITCH, .id = (uint32_t)(x >> 40) % 4};
            continue;
        }
        r[i] = (trace_rec){.kind = (uint8_t)(x % 4), .size = 8, .addr = 0x400000 + (x >> 16) % (1u << 20)};
    }
    return r;
}

/* Reads path through a read-ahead started as `when`; returns the count of
 * records before the end or error (rc: 0 or the error code, msg its text). */
static size_t read_through(const char *path, ra_thread when, trace_rec *out, size_t cap, long *rc, char *msg,
                           trace_digest *dig)
{
    trace_reader *r;
    vs_err e;
    assert_int_equal(trace_open(path, TFMT_AUTO, &r, &e), 0);
    readahead *ra = ra_start(r, when);
    size_t n = 0;
    const trace_rec *recs;
    long got;
    while ((got = ra_next(ra, &recs, &e)) > 0) {
        assert_true(n + (size_t)got <= cap);
        memcpy(out + n, recs, (size_t)got * sizeof *recs);
        n += (size_t)got;
    }
    *rc = got;
    msg[0] = '\0';
    if (got < 0)
        snprintf(msg, VS_ERR_MSG_MAX, "%s", e.msg);
    vs_err e2;
    assert_int_equal(ra_next(ra, &recs, &e2), got); /* the end or error again */
    if (got < 0)
        assert_string_equal(e2.msg, msg);
    *dig = ra_digest(ra);
    assert_true(ra_fraction(ra) == 1.0);
    ra_stop(ra);
    return n;
}

/* The digest of a direct read of path, batch by batch. */
static trace_digest direct_digest(const char *path)
{
    trace_reader *r;
    vs_err e;
    assert_int_equal(trace_open(path, TFMT_AUTO, &r, &e), 0);
    trace_rec buf[1000];
    while (trace_read(r, buf, VS_ARRAY_LEN(buf), &e) > 0)
        continue;
    trace_digest d = trace_reader_digest(r);
    trace_close(r);
    return d;
}

static void both_ways_equal(const char *path, const trace_rec *want, size_t want_n, bool want_error)
{
    trace_rec *a = calloc(N_RECS, sizeof *a), *b = calloc(N_RECS, sizeof *b);
    long rca, rcb;
    char ma[VS_ERR_MSG_MAX], mb[VS_ERR_MSG_MAX];
    trace_digest da, db;
    size_t na = read_through(path, RA_THREAD, a, N_RECS, &rca, ma, &da);
    size_t nb = read_through(path, RA_INLINE, b, N_RECS, &rcb, mb, &db);
    assert_int_equal(na, nb);
    assert_int_equal(rca, rcb);
    assert_string_equal(ma, mb);
    assert_memory_equal(a, b, na * sizeof *a);
    assert_true(na <= want_n);
    assert_memory_equal(a, want, na * sizeof *a);
    if (want_error) {
        assert_true(rca < 0);
        assert_non_null(strstr(ma, path));
    } else {
        assert_int_equal(rca, 0);
        assert_int_equal(na, want_n);
        trace_digest d = direct_digest(path);
        assert_true(da.h == d.h && da.records == d.records);
        assert_true(db.h == d.h && db.records == d.records);
    }
    free(a);
    free(b);
}

static void test_whole_trace(void **state)
{
    (void)state;
    trace_rec *recs = make_recs(N_RECS);
    char *path = vt_write_vmt("ra.vmt", recs, N_RECS);
    both_ways_equal(path, recs, N_RECS, false);
    g_free(path);
    free(recs);
}

static void test_truncated_trace(void **state)
{
    (void)state;
    trace_rec *recs = make_recs(N_RECS);
    char *path = vt_write_vmt("ra_full.vmt", recs, N_RECS);
    gchar *bytes;
    gsize len;
    assert_true(g_file_get_contents(path, &bytes, &len, NULL));
    char *cut = vt_write_file("ra_cut.vmt", bytes, len * 2 / 3);
    both_ways_equal(cut, recs, N_RECS, true);
    g_free(cut);
    g_free(bytes);
    g_free(path);
    free(recs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_trace),
        cmocka_unit_test(test_truncated_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
