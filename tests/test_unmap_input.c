/*
 * test_unmap_input.c: the unmap record (docs/trace-format.md) from the
 * user's side.  A re-touch after an unmap is a new first touch both for the
 * engine's OS model (faults.page) and for `trace info`'s rate; the flush
 * after it is per-page INVLPGs up to guest.flush_ceiling, a CR3 reload
 * above; and every
 * malformed unmap -- empty, not whole 4 KiB pages, wrapping past the top of
 * memory, outside the canonical halves, or carrying an id or a size the
 * record has no use for -- stops `run` and `trace info` with an error
 * naming the file and the record, never a signal and never rc 0.  The
 * records go through the .vmt writer, so they are escape-encoded as any
 * writer stores them; escape encodings cut short or overflowing their
 * fields are refused by the reader at their offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "vs_test.h"

#define CODE 0x400000ull
#define DATA 0x10000000ull
#define PAGE 4096ull

/* One instruction and a store to DATA, the unmap u, the store again. */
static char *touch_unmap_touch(const char *name, trace_rec u)
{
    u.kind = TREC_UNMAP;
    const trace_rec recs[] = {
        {.kind = TREC_IFETCH, .addr = CODE, .size = 4},
        {.kind = TREC_STORE, .addr = DATA, .size = 8},
        u,
        {.kind = TREC_STORE, .addr = DATA, .size = 8},
    };
    return vt_write_vmt(name, recs, VS_ARRAY_LEN(recs));
}

/* The store after an unmap of its page faults again, and `trace info`
 * counts it as a first touch; an unmap of another page changes neither. */
static void retouch_is_a_first_touch(void **state)
{
    (void)state;
    const struct { uint64_t addr; uint64_t faults, touches; } cases[] = {
        {DATA, 3, 2},        /* code page, data page, data page again */
        {DATA + PAGE, 2, 1}, /* the neighbour: nothing to release */
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(cases); i++) {
        char *path = touch_unmap_touch("retouch.vmt", (trace_rec){.addr = cases[i].addr, .len = PAGE});
        GHashTable *r = vt_run("native", VT_OPTS(path), 1, NULL, NULL);
        assert_int_equal(vt_u64(r, "faults.page"), cases[i].faults);
        g_hash_table_destroy(r);
        trace_summary *s;
        vs_err err = {0};
        assert_int_equal(trace_summarize(path, &s, &err), VS_OK);
        trace_rates rt;
        trace_summary_rates(s, &rt);
        assert_int_equal(rt.instructions, 1);
        assert_true(rt.first_touch_pmi == (double)cases[i].touches * 1e6);
        trace_summary_free(s);
        g_free(path);
    }
}

/* Three pages stored to, unmapped together, then stored to again: up to
 * guest.flush_ceiling pages the flush is one INVLPG per page, above it one
 * CR3 reload (Linux 3.17+'s tlb_single_page_flush_ceiling; 0 is Linux 2.6's
 * whole flush); either way every page's translation is gone. */
static void flush_ceiling_chooses_invlpg_or_reload(void **state)
{
    (void)state;
    const trace_rec recs[] = {
        {.kind = TREC_IFETCH, .addr = CODE, .size = 4},
        {.kind = TREC_STORE, .addr = DATA, .size = 8},
        {.kind = TREC_STORE, .addr = DATA + PAGE, .size = 8},
        {.kind = TREC_STORE, .addr = DATA + 2 * PAGE, .size = 8},
        {.kind = TREC_UNMAP, .addr = DATA, .len = 3 * PAGE},
        {.kind = TREC_STORE, .addr = DATA, .size = 8},
        {.kind = TREC_STORE, .addr = DATA + PAGE, .size = 8},
        {.kind = TREC_STORE, .addr = DATA + 2 * PAGE, .size = 8},
    };
    char *path = vt_write_vmt("ceiling.vmt", recs, VS_ARRAY_LEN(recs));
    const struct { const char *ceiling; uint64_t invlpg, reloads; } want[] = {
        {"guest.flush_ceiling=33", 3, 0},
        {"guest.flush_ceiling=3", 3, 0},
        {"guest.flush_ceiling=2", 0, 1},
        {"guest.flush_ceiling=0", 0, 1},
    };
    GHashTable *none = vt_run("native", VT_OPTS(path), 1, NULL, NULL);
    uint64_t cr3 = vt_u64(none, "events.cr3_writes"); /* the process's first load of its root */
    assert_int_equal(vt_u64(none, "events.invlpg"), 3); /* the default is 33 */
    g_hash_table_destroy(none);
    for (size_t i = 0; i < VS_ARRAY_LEN(want); i++) {
        GHashTable *r = vt_run("native", VT_OPTS(path), 1, VT_OPTS(want[i].ceiling), NULL);
        if (vt_u64(r, "events.invlpg") != want[i].invlpg || vt_u64(r, "events.cr3_writes") != cr3 + want[i].reloads)
            fail_msg("%s: %llu INVLPGs and %llu CR3 writes, expected %llu and %llu", want[i].ceiling,
                     (unsigned long long)vt_u64(r, "events.invlpg"),
                     (unsigned long long)vt_u64(r, "events.cr3_writes"), (unsigned long long)want[i].invlpg,
                     (unsigned long long)(cr3 + want[i].reloads));
        /* code, three data pages, and the three again after the unmap: each
         * re-touch faults only if the flush removed that page's translation
         * (a stale TLB entry would hit), whichever way it flushed */
        assert_int_equal(vt_u64(r, "faults.page"), 7);
        g_hash_table_destroy(r);
    }
    g_free(path);
}

/* The flush after an unmap empties the process's paging-structure caches
 * whatever the address (SDM 3A 4.10.4.1): INVLPG drops every entry of the
 * current PCID, and so does the CR3 reload above the ceiling even with
 * PCIDs on (it is not a no-flush switch).  DATA's neighbour then walks
 * from the root again; without the unmap the cached upper levels serve it.
 * FAR's table keeps a page, so no table is freed (which would flush alone). */
static uint64_t walk_refs(GHashTable *r)
{
    return vt_u64(r, "walk_refs") + vt_u64(r, "fault_walk_refs"); /* the neighbour's first touch walks at its fault */
}

static void flush_empties_the_paging_structure_caches(void **state)
{
    (void)state;
    const uint64_t far = DATA + (1ull << 30); /* another PDPT entry: none of DATA's walk */
    trace_rec recs[] = {
        {.kind = TREC_IFETCH, .addr = CODE, .size = 4},
        {.kind = TREC_STORE, .addr = DATA, .size = 8},
        {.kind = TREC_STORE, .addr = far, .size = 8},
        {.kind = TREC_STORE, .addr = far + PAGE, .size = 8},
        {.kind = TREC_UNMAP, .addr = far, .len = PAGE},
        {.kind = TREC_STORE, .addr = DATA + PAGE, .size = 8},
    };
    char *with = vt_write_vmt("pwcflush.vmt", recs, VS_ARRAY_LEN(recs));
    recs[4] = (trace_rec){.kind = TREC_IFETCH, .addr = CODE, .size = 4};
    char *without = vt_write_vmt("pwckeep.vmt", recs, VS_ARRAY_LEN(recs));
    const char *const modes[] = {"native", "nested"};
    const char *const ceilings[] = {"guest.flush_ceiling=33", "guest.flush_ceiling=0"};
    for (size_t m = 0; m < VS_ARRAY_LEN(modes); m++) {
        GHashTable *keep = vt_run(modes[m], VT_OPTS(without), 1, VT_OPTS("tlb.pcid=true"), NULL);
        for (size_t c = 0; c < VS_ARRAY_LEN(ceilings); c++) {
            GHashTable *r = vt_run(modes[m], VT_OPTS(with), 1, VT_OPTS("tlb.pcid=true"), VT_OPTS(ceilings[c]));
            if (walk_refs(r) <= walk_refs(keep))
                fail_msg("%s, %s: %llu walk references after the flush, %llu without it", modes[m], ceilings[c],
                         (unsigned long long)walk_refs(r), (unsigned long long)walk_refs(keep));
            g_hash_table_destroy(r);
        }
        g_hash_table_destroy(keep);
    }
    g_free(with);
    g_free(without);
}

/* Runs the CLI on path; wants rc in {1, 2} and stderr naming path's file and record 3. */
static void refused(const char *const *args, const char *path, const char *what)
{
    vt_cli_refuses(args, path, 3, 1, 2, what);
}

static void malformed_unmaps_are_refused(void **state)
{
    (void)state;
    const struct { trace_rec u; const char *what; bool info; } bad[] = {
        {{.addr = DATA, .len = 0}, "empty", true},
        {{.addr = DATA + 1, .len = PAGE}, "unaligned start", true},
        {{.addr = DATA, .len = 100}, "partial page", true},
        {{.addr = DATA, .len = PAGE, .id = 7}, "an id", true},
        {{.addr = DATA, .len = PAGE, .size = 8}, "a size", true},
        {{.addr = 0xfffffffffffff000ull, .len = 2 * PAGE}, "wrapping", true},
        /* canonical only for the guest's paging depth, which `trace info` does not know */
        {{.addr = 1ull << 47, .len = PAGE}, "non-canonical", false},
        {{.addr = (1ull << 47) - PAGE, .len = 2 * PAGE}, "across the hole", false},
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(bad); i++) {
        char *path = touch_unmap_touch("bad_unmap.vmt", bad[i].u);
        for (const char *const *m = (const char *const[]){"native", "nested", "shadow", "agile", NULL}; *m; m++) {
            char *mode = g_strdup_printf("machine.mode=%s", *m);
            refused(VT_OPTS("run", "-q", "-o", mode, path), path, bad[i].what);
            g_free(mode);
        }
        if (bad[i].info)
            refused(VT_OPTS("trace", "info", path), path, bad[i].what);
        g_free(path);
    }
    /* The same trace with a well-formed unmap passes both: the refusals above are the fields'. */
    char *path = touch_unmap_touch("good_unmap.vmt", (trace_rec){.addr = DATA, .len = PAGE});
    char *out, *err;
    assert_int_equal(vt_cli(VT_OPTS("run", "-q", path), &out, &err), 0);
    g_free(out);
    g_free(err);
    assert_int_equal(vt_cli(VT_OPTS("trace", "info", path), &out, &err), 0);
    g_free(out);
    g_free(err);
    g_free(path);
}

/* The escape encoding of an unmap (tag 14, kind 15, then varints addr, len,
 * id, size: docs/trace-format.md) cut short or overflowing: the reader
 * refuses it at its offset in the record stream, naming the file. */
static void malformed_escapes_are_refused(void **state)
{
    (void)state;
    static const unsigned char magic[] = {0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n', 1, 0, 0, 0, 0, 0, 0, 0};
    /* an escaped ifetch at 0x400000, size 4: nine bytes, so the unmap starts at offset 9 */
    static const unsigned char ifetch[] = {14, 0, 0x80, 0x80, 0x80, 0x02, 0, 0, 4};
    static const struct { unsigned char rec[24]; size_t n; const char *what; } bad[] = {
        {{14, 15, 0x80, 0x80, 0x80, 0x80, 0x01}, 7, "cut after the address"},
        {{14, 15, 0x80, 0x80, 0x80, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0},
         19, "a length of more than 64 bits"},
        {{14, 15, 0x80, 0x80, 0x80, 0x80, 0x01, 0x80, 0x20, 0, 0x80, 0x80, 0x08}, 13, "a size above 65535"},
        {{14, 15, 0x80, 0x80, 0x80, 0x80, 0x01, 0x80, 0x20, 0x80, 0x80, 0x80, 0x80, 0x20, 0}, 15,
         "an id above 2^32 - 1"},
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(bad); i++) {
        unsigned char file[sizeof magic + sizeof ifetch + sizeof bad[i].rec];
        memcpy(file, magic, sizeof magic);
        memcpy(file + sizeof magic, ifetch, sizeof ifetch);
        memcpy(file + sizeof magic + sizeof ifetch, bad[i].rec, bad[i].n);
        char *path = vt_write_file("bad_escape.vmt", file, sizeof magic + sizeof ifetch + bad[i].n);
        char *want = g_strdup_printf("%s: record stream offset 9 ", path);
        for (const char *const *cmd = (const char *const[]){"run", "trace", NULL}; *cmd; cmd++) {
            char *out, *err;
            int rc = vt_cli(strcmp(*cmd, "run") == 0 ? VT_OPTS("run", "-q", path) : VT_OPTS("trace", "info", path),
                            &out, &err);
            if (rc != 1 || !strstr(err, want))
                fail_msg("%s on an unmap with %s: rc %d, stderr \"%s\"; wanted rc 1 and \"%s\"", *cmd, bad[i].what, rc,
                         err, want);
            g_free(out);
            g_free(err);
        }
        g_free(want);
        g_free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retouch_is_a_first_touch),
        cmocka_unit_test(flush_ceiling_chooses_invlpg_or_reload),
        cmocka_unit_test(flush_empties_the_paging_structure_caches),
        cmocka_unit_test(malformed_unmaps_are_refused),
        cmocka_unit_test(malformed_escapes_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
