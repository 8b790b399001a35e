/*
 * test_readahead.c: the read-ahead of sim/readahead.h, with its worker
 * thread and without one (the one-CPU path), against the naive model -- the
 * records written, in order, and the reader's own digest of a direct read --
 * on a trace of several batches, and on a truncated one, where both must
 * give the same records before the same error, and that error again on
 * every later call.  With several consumers, each in a thread of its own
 * and one of them stopping early (ra_drain), every consumer that reads on
 * must see exactly what a single one sees, whatever the threads' timing.
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
    readahead *ra = ra_start(r, when, 1);
    size_t n = 0;
    const trace_rec *recs;
    long got;
    while ((got = ra_next(ra, 0, &recs, &e)) > 0) {
        assert_true(n + (size_t)got <= cap);
        memcpy(out + n, recs, (size_t)got * sizeof *recs);
        n += (size_t)got;
    }
    *rc = got;
    msg[0] = '\0';
    if (got < 0)
        snprintf(msg, VS_ERR_MSG_MAX, "%s", e.msg);
    vs_err e2;
    assert_int_equal(ra_next(ra, 0, &recs, &e2), got); /* the end or error again */
    if (got < 0)
        assert_string_equal(e2.msg, msg);
    *dig = ra_digest(ra);
    assert_true(ra_fraction(ra) == 1.0);
    ra_unref(ra, 0);
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

#define N_CONSUMERS 4     /* as many as the modes of `run --modes native,nested,shadow,contig` */
#define N_SHARED 300000u  /* more batches than the ring of several consumers holds (12), so slots are reused */

typedef struct consumer_job {
    readahead *ra;
    unsigned id;
    bool drain; /* stops after its first batch and drains */
    trace_rec *out;
    size_t n;
    long rc;
    vs_err err;
} consumer_job;

static gpointer consume(gpointer data)
{
    consumer_job *j = data;
    const trace_rec *recs;
    long got;
    while ((got = ra_next(j->ra, j->id, &recs, &j->err)) > 0) {
        memcpy(j->out + j->n, recs, (size_t)got * sizeof *recs);
        j->n += (size_t)got;
        if (j->id % 2) /* odd consumers lag, so the others fill the ring and wait */
            g_usleep(200);
        if (j->drain) {
            got = ra_drain(j->ra, j->id, &j->err);
            break;
        }
    }
    j->rc = got;
    return NULL;
}

/* N_CONSUMERS threads read path through one read-ahead started as `when`,
 * the last one draining after its first batch: each of the others sees the
 * records and the end (or error) of a single consumer's read, and the
 * drained digest is the whole trace's. */
static void shared_equal(const char *path, ra_thread when)
{
    trace_rec *want = calloc(N_SHARED, sizeof *want);
    long want_rc;
    char want_msg[VS_ERR_MSG_MAX];
    trace_digest want_dig;
    size_t want_n = read_through(path, RA_INLINE, want, N_SHARED, &want_rc, want_msg, &want_dig);

    trace_reader *r;
    vs_err e;
    assert_int_equal(trace_open(path, TFMT_AUTO, &r, &e), 0);
    readahead *ra = ra_start(r, when, N_CONSUMERS);
    consumer_job jobs[N_CONSUMERS];
    GThread *th[N_CONSUMERS];
    for (unsigned i = 0; i < N_CONSUMERS; i++) {
        jobs[i] = (consumer_job){.ra = ra, .id = i, .drain = i == N_CONSUMERS - 1,
                                 .out = calloc(N_SHARED, sizeof(trace_rec))};
        th[i] = g_thread_new("consumer", consume, &jobs[i]);
    }
    for (unsigned i = 0; i < N_CONSUMERS; i++)
        g_thread_join(th[i]);
    for (unsigned i = 0; i < N_CONSUMERS; i++) {
        consumer_job *j = &jobs[i];
        assert_int_equal(j->rc, want_rc);
        if (want_rc < 0)
            assert_string_equal(j->err.msg, want_msg);
        if (!j->drain) {
            assert_int_equal(j->n, want_n);
            assert_memory_equal(j->out, want, want_n * sizeof *want);
        }
        free(j->out);
    }
    trace_digest d = ra_digest(ra);
    assert_true(d.h == want_dig.h && d.records == want_dig.records);
    for (unsigned i = 0; i < N_CONSUMERS; i++)
        ra_unref(ra, i);
    free(want);
}

static void test_shared_trace(void **state)
{
    (void)state;
    trace_rec *recs = make_recs(N_SHARED);
    char *path = vt_write_vmt("ra_shared.vmt", recs, N_SHARED);
    shared_equal(path, RA_THREAD);
    shared_equal(path, RA_INLINE);
    gchar *bytes;
    gsize len;
    assert_true(g_file_get_contents(path, &bytes, &len, NULL));
    char *cut = vt_write_file("ra_shared_cut.vmt", bytes, len * 2 / 3);
    shared_equal(cut, RA_THREAD);
    shared_equal(cut, RA_INLINE);
    g_free(cut);
    g_free(bytes);
    g_free(path);
    free(recs);
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
        cmocka_unit_test(test_shared_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
