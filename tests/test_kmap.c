/*
 * test_kmap.c: the kmap record (docs/trace-format.md), 32-bit Linux's
 * kmap_atomic of a high-memory page-cache page (arch/i386/mm/highmem.c of
 * 2.6.x: set_pte of a present fixmap PTE, then __flush_tlb_one).
 *
 * Checked: the record round-trips through .vmt (always escaped: kind 16 has
 * no tag of its own) and prints as `kmap ADDR PAGE` in the text form; the OS
 * model maps a page-cache page's one frame at every kmap of it, frees what
 * the slot mapped before and never frees a cached frame (a naive count of
 * resident frames, through fork and exit); in the engine each kmap is one
 * guest page-table write and one INVLPG, whose exits per page are those the
 * mechanism predicts (docs/figures.md, tpch): none under nested paging, two
 * under plain shadow (the INVLPG, then a hidden fault at the next load), three
 * under the write-protecting variants (the write to the shadowed fixmap
 * table as well).  Bad input -- a slot not mapped, a large leaf, an
 * unaligned address, a length or a size -- stops `run` (and `trace info`
 * for what it can see) with an error naming the file and the record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mmu/os.h"
#include "vs_test.h"

#define CODE 0x08048000ull /* i386 text */
#define SLOT 0xfff00000ull /* a fixmap slot: the top 4 MiB of a 32-bit address space */
#define PAGE 4096ull
#define PAGES 8u           /* page-cache pages the traces kmap */

static trace_rec kmap_rec(uint32_t page) { return (trace_rec){.kind = TREC_KMAP, .addr = SLOT, .id = page}; }

static void vmt_and_text_round_trip(void **state)
{
    (void)state;
    const trace_rec recs[] = {
        {.kind = TREC_IFETCH, .addr = CODE, .size = 4},
        {.kind = TREC_STORE, .addr = SLOT, .size = 8},
        kmap_rec(0),
        {.kind = TREC_LOAD, .addr = SLOT + 8, .size = 8},
        kmap_rec(UINT32_MAX),
        {.kind = TREC_KMAP, .addr = SLOT, .len = PAGE, .size = 8, .id = 3}, /* malformed: still round-trips */
    };
    char *path = vt_write_vmt("kmap_rt.vmt", recs, VS_ARRAY_LEN(recs));
    trace_reader *r;
    vs_err err = {0};
    assert_int_equal(trace_open(path, TFMT_AUTO, &r, &err), VS_OK);
    trace_rec back[VS_ARRAY_LEN(recs) + 1];
    assert_int_equal(trace_read(r, back, VS_ARRAY_LEN(back), &err), (long)VS_ARRAY_LEN(recs));
    for (size_t i = 0; i < VS_ARRAY_LEN(recs); i++)
        assert_memory_equal(&back[i], &recs[i], sizeof recs[i]);
    trace_close(r);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(trace_head(path, VS_ARRAY_LEN(recs), f, &err), VS_OK);
    fclose(f);
    assert_non_null(strstr(text, "\nkmap 0xfff00000 0\n"));
    assert_non_null(strstr(text, "\nkmap 0xfff00000 4294967295\n"));
    assert_non_null(strstr(text, "\nkmap 0xfff00000 3 len=4096 size=8\n"));
    free(text);
    g_free(path);
}

/* The escape carries the kind as a byte: 14 (escape), then 16. */
static void kmap_is_always_escaped(void **state)
{
    (void)state;
    const trace_rec recs[] = {kmap_rec(5)};
    char *path = vt_path("kmap_esc.vmt");
    trace_writer *w;
    vs_err err = {0};
    assert_int_equal(trace_writer_open(path, TFMT_VMT, TCODEC_NONE, &w, &err), VS_OK);
    assert_int_equal(trace_write(w, recs, 1, &err), VS_OK);
    assert_int_equal(trace_writer_close(w, &err), VS_OK);
    gchar *bytes;
    gsize n;
    assert_true(g_file_get_contents(path, &bytes, &n, NULL));
    assert_true(n > 18);
    assert_int_equal((unsigned char)bytes[16], 14);
    assert_int_equal((unsigned char)bytes[17], TREC_KMAP);
    g_free(bytes);
    g_free(path);
}

/* ---- the OS model against a naive count of resident frames ---- */

static os *os32(void)
{
    os_params p = {.levels = 2, .policy = OS_PAGES_4K, .mem_bytes = 16ull << 20, .max_order = 18};
    os *o;
    vs_err err = {0};
    assert_int_equal(os_new(&p, NULL, &o, &err), VS_OK);
    return o;
}

static uint64_t frame_at(os_proc *p, uint64_t va)
{
    uint64_t pa;
    assert_true(pt_lookup(os_proc_tree(p), va, &pa, NULL, NULL));
    return pa;
}

static void page_cache_frames(void **state)
{
    (void)state;
    os *o = os32();
    os_proc *p, *c;
    os_fault_info fi;
    vs_err err = {0};
    assert_int_equal(os_proc_get(o, 1, &p, &err), VS_OK);
    assert_int_equal(os_fault(o, p, SLOT, true, &fi, &err), VS_OK);
    uint64_t anon = frame_at(p, SLOT), resident = 1; /* the naive count: data frames in use */
    assert_int_equal(os_get_counters(o)->pages_resident, resident);
    uint64_t frame[PAGES];
    for (uint32_t i = 0; i < PAGES; i++) {
        uint64_t writes = os_get_counters(o)->ptes_written;
        assert_int_equal(os_kmap(o, p, SLOT, i, &err), VS_OK);
        assert_int_equal(os_get_counters(o)->ptes_written, writes + 1); /* one set_pte */
        frame[i] = frame_at(p, SLOT);
        resident += i == 0 ? 0 : 1; /* the first kmap frees the slot's anonymous frame */
        assert_int_equal(os_get_counters(o)->pages_resident, resident);
        for (uint32_t j = 0; j < i; j++)
            assert_true(frame[j] != frame[i]);
    }
    assert_true(frame[0] != anon); /* the cache's frame is taken before the slot's is released */
    for (uint32_t i = 0; i < PAGES; i++) { /* a page kmapped again is the same frame, no new one */
        assert_int_equal(os_kmap(o, p, SLOT, i, &err), VS_OK);
        assert_int_equal(frame_at(p, SLOT), frame[i]);
        assert_int_equal(os_get_counters(o)->pages_resident, resident);
    }
    /* a fork shares the cached frame; neither exit frees it */
    assert_int_equal(os_fork(o, p, 2, &err), VS_OK);
    assert_int_equal(os_proc_get(o, 2, &c, &err), VS_OK);
    assert_int_equal(frame_at(c, SLOT), frame[PAGES - 1]);
    os_exit(o, c);
    os_exit(o, p);
    assert_int_equal(os_get_counters(o)->pages_resident, PAGES);
    assert_int_equal(os_proc_get(o, 3, &p, &err), VS_OK);
    assert_int_equal(os_fault(o, p, SLOT, true, &fi, &err), VS_OK);
    assert_int_equal(os_kmap(o, p, SLOT, 2, &err), VS_OK);
    assert_int_equal(frame_at(p, SLOT), frame[2]);
    assert_int_equal(os_get_counters(o)->pages_resident, PAGES);
    os_free(o);
}

static void os_refuses_what_is_not_a_slot(void **state)
{
    (void)state;
    os *o = os32();
    os_proc *p;
    vs_err err = {0};
    assert_int_equal(os_proc_get(o, 1, &p, &err), VS_OK);
    assert_int_equal(os_kmap(o, p, SLOT, 0, &err), VS_E_USAGE); /* not mapped */
    assert_non_null(strstr(err.msg, "not mapped"));
    os_free(o);
    /* a 2 MiB leaf is no fixmap slot */
    os_params p64 = {.levels = 4, .policy = OS_PAGES_2M, .mem_bytes = 64ull << 20, .max_order = 18};
    os_fault_info fi;
    assert_int_equal(os_new(&p64, NULL, &o, &err), VS_OK);
    assert_int_equal(os_proc_get(o, 1, &p, &err), VS_OK);
    assert_int_equal(os_fault(o, p, 0x40000000ull, true, &fi, &err), VS_OK);
    assert_int_equal(fi.size, VS_PG_2M);
    assert_int_equal(os_kmap(o, p, 0x40000000ull, 0, &err), VS_E_USAGE);
    assert_non_null(strstr(err.msg, "2m page"));
    os_free(o);
}

/* ---- the engine: exits per kmap'd page ---- */

/* The slot mapped, PAGES pages kmapped and read once (the warm-up: page
 * cache allocated and backed), then each kmapped again and read. */
static char *copy_trace(void)
{
    trace_rec recs[2 + 2 * 3 * PAGES];
    size_t n = 0;
    recs[n++] = (trace_rec){.kind = TREC_IFETCH, .addr = CODE, .size = 4};
    recs[n++] = (trace_rec){.kind = TREC_STORE, .addr = SLOT, .size = 8};
    for (unsigned pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < PAGES; i++) {
            recs[n++] = (trace_rec){.kind = TREC_IFETCH, .addr = CODE + 4, .size = 4};
            recs[n++] = kmap_rec(i);
            recs[n++] = (trace_rec){.kind = TREC_LOAD, .addr = SLOT + 64 * i, .size = 8};
        }
    return vt_write_vmt("kmap_copy.vmt", recs, n);
}

/* Palacios's profile where it matters here (configs/vmm/palacios.ini): the 32-bit guest, no ASIDs. */
#define PALACIOS "guest.mem=256m", "host.mem=1g", "guest.levels=2", "vmm.exit_flushes_tlb=true", "tlb.vpid=false", "shadow.update_pte=off"

static void exits_per_page(void **state)
{
    (void)state;
    char *path = copy_trace();
    char *warm = g_strdup_printf("sim.warmup_instructions=%u", 1 + PAGES);
    const struct { const char *mode; uint64_t exits, pt_writes; } want[] = {
        {"nested", 0, 0},
        {"shadow", 2 * PAGES, 0},
        {"shadow-cache", 3 * PAGES, PAGES},
        {"shadow-prefetch", 3 * PAGES, PAGES},
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(want); i++) {
        GHashTable *r = vt_run(want[i].mode, VT_OPTS(path), 1, VT_OPTS(PALACIOS), VT_OPTS(warm));
        if (vt_u64(r, "exits.total") != want[i].exits)
            fail_msg("%s: %llu exits for %u kmaps, expected %llu", want[i].mode,
                     (unsigned long long)vt_u64(r, "exits.total"), PAGES, (unsigned long long)want[i].exits);
        assert_int_equal(vt_u64(r, "exits.pt_write"), want[i].pt_writes);
        assert_int_equal(vt_u64(r, "events.invlpg"), PAGES);
        if (want[i].exits) { /* one INVLPG exit and one refill per page */
            assert_int_equal(vt_u64(r, "exits.invlpg"), PAGES);
            assert_int_equal(vt_u64(r, "exits.hidden_fault"), PAGES);
        }
        assert_int_equal(vt_u64(r, "faults.page"), 0); /* a kmap maps: no guest fault after it */
        g_hash_table_destroy(r);
    }
    g_free(warm);
    g_free(path);
}

/* ---- bad input ---- */

/* Each refusal exits 1 (bad input) naming the file and record 3. */
static void bad_kmaps_are_refused(void **state)
{
    (void)state;
    const struct { trace_rec before, k; const char *what; bool info; } bad[] = {
        {{.kind = TREC_LOAD, .addr = CODE, .size = 8}, kmap_rec(0), "an unmapped slot", false},
        {{.kind = TREC_STORE, .addr = SLOT, .size = 8}, {.kind = TREC_KMAP, .addr = SLOT + 8}, "unaligned", true},
        {{.kind = TREC_STORE, .addr = SLOT, .size = 8}, {.kind = TREC_KMAP, .addr = SLOT, .len = PAGE}, "a length",
         true},
        {{.kind = TREC_STORE, .addr = SLOT, .size = 8}, {.kind = TREC_KMAP, .addr = SLOT, .size = 8}, "a size", true},
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(bad); i++) {
        const trace_rec recs[] = {{.kind = TREC_IFETCH, .addr = CODE, .size = 4}, bad[i].before, bad[i].k};
        char *path = vt_write_vmt("bad_kmap.vmt", recs, VS_ARRAY_LEN(recs));
        for (const char *const *m = (const char *const[]){"nested", "shadow", "shadow-cache", NULL}; *m; m++) {
            char *mode = g_strdup_printf("machine.mode=%s", *m);
            vt_cli_refuses(VT_OPTS("run", "-q", "-o", "guest.mem=256m", "-o", "host.mem=1g", "-o", "guest.levels=2",
                                   "-o", mode, path),
                           path, 3, 1, 1, bad[i].what);
            g_free(mode);
        }
        if (bad[i].info)
            vt_cli_refuses(VT_OPTS("trace", "info", path), path, 3, 1, 1, bad[i].what);
        g_free(path);
    }
}

/* A kmap's address is checked where loads' are: above 4 GiB in a 32-bit
 * guest it is refused as theirs is, not reported as an unmapped slot. */
static void kmap_above_4gib_is_named(void **state)
{
    (void)state;
    const trace_rec recs[] = {{.kind = TREC_IFETCH, .addr = CODE, .size = 4},
                              {.kind = TREC_STORE, .addr = SLOT, .size = 8},
                              {.kind = TREC_KMAP, .addr = 0x100000000ull}};
    char *path = vt_write_vmt("kmap_high.vmt", recs, VS_ARRAY_LEN(recs));
    char *out, *err;
    int rc = vt_cli(VT_OPTS("run", "-q", "-o", "guest.mem=256m", "-o", "host.mem=1g", "-o", "guest.levels=2", path),
                    &out, &err);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "record 3: "));
    assert_non_null(strstr(err, "above 4 GiB"));
    g_free(out);
    g_free(err);
    g_free(path);
}

/* trace info counts a kmap's INVLPG in its rate, as run counts it in
 * events.invlpg: one instruction and one kmap are a million a million. */
static void trace_info_counts_the_kmap_invlpg(void **state)
{
    (void)state;
    const trace_rec recs[] = {{.kind = TREC_IFETCH, .addr = CODE, .size = 4},
                              {.kind = TREC_STORE, .addr = SLOT, .size = 8}, kmap_rec(0)};
    char *path = vt_write_vmt("kmap_info.vmt", recs, VS_ARRAY_LEN(recs));
    char *out, *err;
    assert_int_equal(vt_cli(VT_OPTS("trace", "info", "--json", "-", path), &out, &err), 0);
    assert_non_null(strstr(out, "\"invlpg_per_minstr\": 1000000"));
    g_free(out);
    g_free(err);
    g_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vmt_and_text_round_trip), cmocka_unit_test(kmap_is_always_escaped),
        cmocka_unit_test(page_cache_frames),       cmocka_unit_test(os_refuses_what_is_not_a_slot),
        cmocka_unit_test(exits_per_page),          cmocka_unit_test(bad_kmaps_are_refused),
        cmocka_unit_test(kmap_above_4gib_is_named), cmocka_unit_test(trace_info_counts_the_kmap_invlpg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
