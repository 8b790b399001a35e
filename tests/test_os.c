/*
 * test_os.c: the OS model -- demand faults, the 2m/1g policies and their
 * fallbacks, fork copy-on-write, exec, exit, the hooks, exhaustion -- plus a
 * random multi-process run checked against a content model: two processes
 * whose views of a page differ must never map the same frame, a frame mapped
 * twice is read-only everywhere, and all memory comes back at the end.
 * Unmap is checked against a naive model (a set of touched 4 KiB pages):
 * after random touches and unmaps the tree maps exactly the touched pages
 * not unmapped since, keeps no empty table page, and loses no frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "mmu/os.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* ---- hook recorder ---- */

typedef struct rec {
    os *o;
    uint64_t pte_writes, unmaps, table_frees, spaces;
    uint32_t last_pid;
    uint64_t last_unmap_va;
    vs_pgsz last_unmap_size;
    uint32_t last_space_pid;
    bool check_entries; /* read each reported entry back */
} rec;

static void h_pte(void *ctx, uint32_t pid, uint64_t pa, unsigned level, uint64_t old, uint64_t new)
{
    rec *r = ctx;
    (void)old;
    assert_true(level >= 1 && level <= 5);
    r->pte_writes++;
    r->last_pid = pid;
    if (r->check_entries)
        assert_int_equal(pt_read_entry(os_mem(r->o), pa), new);
}

static void h_unmapped(void *ctx, uint32_t pid, uint64_t va, vs_pgsz size)
{
    rec *r = ctx;
    r->unmaps++;
    r->last_pid = pid;
    r->last_unmap_va = va;
    r->last_unmap_size = size;
}

static void h_table(void *ctx, uint32_t pid, uint64_t pfn, unsigned level)
{
    rec *r = ctx;
    (void)pfn;
    assert_true(level >= 1 && level <= 5);
    r->table_frees++;
    r->last_pid = pid;
}

static void h_space(void *ctx, uint32_t pid)
{
    rec *r = ctx;
    r->spaces++;
    r->last_space_pid = pid;
}

static os *mk(os_page_policy pol, uint64_t mem, uint64_t reserved, rec *r)
{
    os_params p = {.levels = 4, .policy = pol, .mem_bytes = mem, .max_order = 18, .reserved_frames = reserved};
    os_hooks h = {h_pte, h_unmapped, h_table, h_space, r};
    os *o = NULL;
    memset(r, 0, sizeof *r);
    vs_err err;
    assert_int_equal(os_new(&p, &h, &o, &err), VS_OK);
    r->o = o;
    r->check_entries = true;
    return o;
}

/* Every frame is free, a leaf's data frame or a table page. */
static void check_conservation(os *o)
{
    const os_counters *c = os_get_counters(o);
    buddy *b = os_allocator(o);
    assert_int_equal(buddy_free_frames(b) + c->pages_resident + c->tables_resident, buddy_total_frames(b));
    assert_int_equal(c->tables_resident, pt_mem_pages(os_mem(o)));
}

static uint64_t pa_of(os_proc *p, uint64_t va, uint64_t *pte)
{
    uint64_t pa;
    assert_true(pt_lookup(os_proc_tree(p), va, &pa, NULL, pte));
    return pa;
}

static void test_demand(void **state)
{
    (void)state;
    rec r;
    os *o = mk(OS_PAGES_4K, 64 * MiB, 256, &r);
    uint64_t free0 = buddy_free_frames(os_allocator(o));
    assert_int_equal(free0, 64 * MiB / 4096 - 256);
    os_proc *p;
    assert_int_equal(os_proc_get(o, 7, &p, NULL), VS_OK);
    assert_ptr_equal(os_proc_find(o, 7), p);
    assert_int_equal(os_proc_pid(p), 7);
    assert_int_equal(os_get_counters(o)->tables_resident, 1);
    os_fault_info fi;
    assert_int_equal(os_fault(o, p, 0x12345, false, &fi, NULL), VS_OK);
    assert_int_equal(fi.kind, OS_FAULT_MAP);
    assert_int_equal(fi.size, VS_PG_4K);
    assert_int_equal(fi.tables_added, 3);
    assert_int_equal(fi.ptes_written, 4);
    assert_int_equal(r.pte_writes, 4);
    assert_int_equal(r.last_pid, 7);
    uint64_t pte;
    assert_int_equal(pa_of(p, 0x12345, &pte), fi.pa_base + 0x345);
    assert_int_equal(pte & ~PTE_ADDR_MASK, PTE_P | PTE_RW | PTE_US); /* A and D clear */
    assert_int_equal(os_fault(o, p, 0x12fff, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.kind, OS_FAULT_NONE);
    assert_int_equal(fi.ptes_written, 0);
    assert_int_equal(os_fault(o, p, 0x13000, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.kind, OS_FAULT_MAP);
    assert_int_equal(fi.tables_added, 0);
    assert_int_equal(fi.ptes_written, 1);
    const os_counters *c = os_get_counters(o);
    assert_int_equal(c->faults_map, 2);
    assert_int_equal(c->pages_mapped[VS_PG_4K], 2);
    assert_int_equal(c->pages_resident, 2);
    assert_int_equal(c->tables_resident, 4);
    assert_int_equal(c->procs_created, 1);
    assert_int_equal(c->thp_fallbacks, 0);
    assert_int_equal(buddy_free_frames(os_allocator(o)), free0 - 6);
    check_conservation(o);

    vs_err err;
    assert_int_equal(os_fault(o, p, 1ull << 50, false, &fi, &err), VS_E_USAGE);

    os_exit(o, p);
    assert_null(os_proc_find(o, 7));
    assert_int_equal(r.table_frees, 4);
    assert_int_equal(r.spaces, 1);
    assert_int_equal(r.last_space_pid, 7);
    assert_int_equal(buddy_free_frames(os_allocator(o)), free0);
    assert_int_equal(c->exits, 1);
    check_conservation(o);
    os_free(o);
}

static void test_policy_2m(void **state)
{
    (void)state;
    rec r;
    os *o = mk(OS_PAGES_2M, 64 * MiB, 256, &r);
    buddy *b = os_allocator(o);
    os_proc *p;
    assert_int_equal(os_proc_get(o, 1, &p, NULL), VS_OK);
    os_fault_info fi;
    assert_int_equal(os_fault(o, p, 0x400000 + 0x1234, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.size, VS_PG_2M);
    assert_int_equal(fi.pa_base % (2 * MiB), 0);
    assert_int_equal(fi.tables_added, 2);
    assert_int_equal(pa_of(p, 0x5fffff, NULL), fi.pa_base + 0x1fffff);
    /* take every block of order >= 9: the next fault falls back to 4 KiB */
    uint64_t held[64], pfn;
    unsigned nheld = 0;
    while (buddy_alloc(b, 9, &pfn))
        held[nheld++] = pfn;
    assert_int_equal(os_fault(o, p, 0x800000, false, &fi, NULL), VS_OK);
    assert_int_equal(fi.size, VS_PG_4K);
    assert_int_equal(os_get_counters(o)->thp_fallbacks, 1);
    while (nheld)
        buddy_free(b, held[--nheld], 9);
    /* the region now holds a table: still 4 KiB there, 2 MiB elsewhere */
    assert_int_equal(os_fault(o, p, 0x900000, false, &fi, NULL), VS_OK);
    assert_int_equal(fi.size, VS_PG_4K);
    assert_int_equal(os_get_counters(o)->thp_fallbacks, 2);
    assert_int_equal(os_fault(o, p, 0xa00000, false, &fi, NULL), VS_OK);
    assert_int_equal(fi.size, VS_PG_2M);
    assert_int_equal(os_get_counters(o)->pages_mapped[VS_PG_2M], 2);
    assert_int_equal(os_get_counters(o)->pages_resident, 2 * 512 + 2);
    check_conservation(o);
    os_exit(o, p);
    assert_int_equal(buddy_free_frames(b), buddy_total_frames(b));
    os_free(o);
}

static void test_policy_1g(void **state)
{
    (void)state;
    rec r;
    os *o = mk(OS_PAGES_1G, 2 * GiB, 256, &r); /* one order-18 block: [1 GiB, 2 GiB) */
    buddy *b = os_allocator(o);
    os_proc *p;
    assert_int_equal(os_proc_get(o, 1, &p, NULL), VS_OK);
    os_fault_info fi;
    assert_int_equal(os_fault(o, p, 3 * GiB + 77, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.size, VS_PG_1G);
    assert_int_equal(fi.pa_base, GiB);
    assert_int_equal(fi.tables_added, 1);
    assert_int_equal(os_fault(o, p, 5 * GiB, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.size, VS_PG_2M); /* no 1 GiB block left: the 2m rule */
    assert_int_equal(os_get_counters(o)->thp_fallbacks, 0);
    uint64_t pfn;
    while (buddy_alloc(b, 9, &pfn))
        ;
    assert_int_equal(os_fault(o, p, 7 * GiB, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.size, VS_PG_4K);
    assert_int_equal(os_get_counters(o)->thp_fallbacks, 1);
    os_free(o);
}

static void test_fork_cow(void **state)
{
    (void)state;
    rec r;
    os *o = mk(OS_PAGES_2M, 256 * MiB, 256, &r);
    buddy *b = os_allocator(o);
    uint64_t free0 = buddy_free_frames(b);
    os_proc *par, *ch, *ch2;
    assert_int_equal(os_proc_get(o, 1, &par, NULL), VS_OK);
    os_fault_info fi;
    assert_int_equal(os_fault(o, par, 0x200000, true, &fi, NULL), VS_OK); /* 2 MiB */
    assert_int_equal(fi.size, VS_PG_2M);
    for (uint64_t va = 0x1000; va < 0x6000; va += 0x1000) /* one 2 MiB page at the first touch */
        assert_int_equal(os_fault(o, par, va, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.size, VS_PG_2M);
    uint64_t u0 = r.unmaps;
    assert_int_equal(os_fork(o, par, 2, NULL), VS_OK);
    ch = os_proc_find(o, 2);
    assert_non_null(ch);
    assert_int_equal(r.unmaps - u0, 2); /* both parent leaves lost write permission */
    assert_int_equal(r.last_pid, 1);
    assert_int_equal(r.last_unmap_va, 0x200000);
    vs_err err;
    assert_int_equal(os_fork(o, par, 2, &err), VS_E_USAGE);
    uint64_t pp, pc, pte_p, pte_c;
    pp = pa_of(par, 0x201000, &pte_p);
    pc = pa_of(ch, 0x201000, &pte_c);
    assert_int_equal(pp, pc);
    assert_false(pte_p & PTE_RW);
    assert_false(pte_c & PTE_RW);
    assert_false(pte_c & PTE_A);
    /* a load shares, a store copies */
    assert_int_equal(os_fault(o, ch, 0x201000, false, &fi, NULL), VS_OK);
    assert_int_equal(fi.kind, OS_FAULT_NONE);
    uint64_t res = os_get_counters(o)->pages_resident;
    assert_int_equal(os_fault(o, ch, 0x201000, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.kind, OS_FAULT_COW);
    assert_int_equal(fi.size, VS_PG_2M);
    assert_int_equal(r.last_unmap_va, 0x200000);
    assert_int_equal(r.last_unmap_size, VS_PG_2M);
    assert_int_equal(r.last_pid, 2);
    assert_int_equal(os_get_counters(o)->pages_resident, res + 512);
    pc = pa_of(ch, 0x201000, &pte_c);
    assert_int_not_equal(pc, pp);
    assert_true(pte_c & PTE_RW);
    assert_int_equal(pa_of(par, 0x201000, NULL), pp);
    /* the parent is now the frame's only user: writable again without a copy */
    assert_int_equal(os_fault(o, par, 0x201000, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.kind, OS_FAULT_COW);
    assert_int_equal(fi.pa_base, pp - 0x1000);
    assert_int_equal(os_get_counters(o)->pages_resident, res + 512);
    assert_int_equal(os_get_counters(o)->faults_cow, 2);

    /* three sharers of page 0: copy, copy, then reuse */
    assert_int_equal(os_fork(o, par, 3, NULL), VS_OK);
    ch2 = os_proc_find(o, 3);
    uint64_t shared = pa_of(par, 0, NULL);
    assert_int_equal(pa_of(ch, 0, NULL), shared);
    assert_int_equal(pa_of(ch2, 0, NULL), shared);
    assert_int_equal(os_fault(o, par, 0, true, &fi, NULL), VS_OK);
    assert_int_not_equal(fi.pa_base, shared);
    assert_int_equal(os_fault(o, ch, 0, true, &fi, NULL), VS_OK);
    assert_int_not_equal(fi.pa_base, shared);
    res = os_get_counters(o)->pages_resident;
    assert_int_equal(os_fault(o, ch2, 0, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.kind, OS_FAULT_COW);
    assert_int_equal(fi.pa_base, shared);
    assert_int_equal(os_get_counters(o)->pages_resident, res);
    check_conservation(o);

    /* exit in any order: every frame comes back */
    os_exit(o, par);
    check_conservation(o);
    os_exit(o, ch2);
    os_exit(o, ch);
    assert_int_equal(buddy_free_frames(b), free0);
    assert_int_equal(os_get_counters(o)->pages_resident, 0);
    assert_int_equal(os_get_counters(o)->tables_resident, 0);
    assert_int_equal(os_get_counters(o)->forks, 2);
    os_free(o);
}

static void test_exec(void **state)
{
    (void)state;
    rec r;
    os *o = mk(OS_PAGES_4K, 64 * MiB, 0, &r);
    buddy *b = os_allocator(o);
    os_proc *p;
    assert_int_equal(os_proc_get(o, 5, &p, NULL), VS_OK);
    uint64_t free1 = buddy_free_frames(b); /* with an empty address space */
    os_fault_info fi;
    for (uint64_t va = 0; va < 100 * 4096; va += 4096)
        assert_int_equal(os_fault(o, p, va + (1ull << 40), true, &fi, NULL), VS_OK);
    uint64_t tables = os_get_counters(o)->tables_resident;
    assert_int_equal(tables, 4);
    assert_int_equal(os_exec(o, p, NULL), VS_OK);
    assert_ptr_equal(os_proc_find(o, 5), p);
    assert_int_equal(r.table_frees, tables);
    assert_int_equal(r.spaces, 1);
    assert_int_equal(r.last_space_pid, 5);
    assert_int_equal(buddy_free_frames(b), free1);
    assert_false(pt_lookup(os_proc_tree(p), 1ull << 40, NULL, NULL, NULL));
    assert_int_equal(os_get_counters(o)->execs, 1);
    assert_int_equal(os_fault(o, p, 0, true, &fi, NULL), VS_OK);
    assert_int_equal(fi.kind, OS_FAULT_MAP);
    check_conservation(o);
    os_free(o);
}

static void test_limit(void **state)
{
    (void)state;
    rec r;
    os *o = mk(OS_PAGES_2M, 1 * MiB, 16, &r);
    os_proc *p;
    assert_int_equal(os_proc_get(o, 1, &p, NULL), VS_OK);
    os_fault_info fi;
    vs_err err;
    int rc = VS_OK;
    uint64_t n = 0;
    while ((rc = os_fault(o, p, n * 4096 * 3, true, &fi, &err)) == VS_OK)
        n++;
    assert_int_equal(rc, VS_E_LIMIT);
    assert_non_null(strstr(err.msg, "1 MiB"));
    assert_non_null(strstr(err.msg, "guest.mem"));
    assert_non_null(strstr(err.msg, "host.mem"));
    /* 240 frames, no order-9 block: a root, 3 tables for the first 2 MiB, one
     * more table for the second (page 171 at 12 KiB apart), one page per fault */
    assert_int_equal(n, 240 - 5);
    assert_int_equal(os_get_counters(o)->thp_fallbacks, n);
    check_conservation(o);
    assert_int_equal(os_fork(o, p, 2, &err), VS_E_LIMIT);
    assert_null(os_proc_find(o, 2));
    check_conservation(o);
    os_exit(o, p);
    assert_int_equal(buddy_free_frames(os_allocator(o)), 240);

    os_params bad = {.levels = 3, .policy = OS_PAGES_4K, .mem_bytes = MiB, .max_order = 18};
    os *o2;
    assert_int_equal(os_new(&bad, NULL, &o2, &err), VS_E_CONFIG);
    bad.levels = 5;
    bad.max_order = 17;
    assert_int_equal(os_new(&bad, NULL, &o2, &err), VS_E_CONFIG);
    bad.max_order = 18;
    bad.mem_bytes = MiB + 1;
    assert_int_equal(os_new(&bad, NULL, &o2, &err), VS_E_CONFIG);
    bad.mem_bytes = MiB;
    bad.reserved_frames = 256;
    assert_int_equal(os_new(&bad, NULL, &o2, &err), VS_E_CONFIG);
    bad.reserved_frames = 0;
    assert_int_equal(os_new(&bad, NULL, &o2, &err), VS_OK); /* hooks are optional */
    assert_int_equal(os_proc_get(o2, 1, &p, NULL), VS_OK);
    assert_int_equal(os_fault(o2, p, 0, true, &fi, NULL), VS_OK);
    os_free(o2);
    os_free(o);
}

/* ---- random processes against a content model ---- */

#define PIDS 6
#define PAGES 64 /* 4 KiB pages per process, spread over 4 MiB-apart slots */

static uint64_t page_va(unsigned i) { return (uint64_t)(i / 8) * 4 * MiB + (uint64_t)(i % 8) * 0x41000; }

static void random_procs(os_page_policy pol, uint64_t seed)
{
    rec r;
    os *o = mk(pol, 512 * MiB, 256, &r);
    r.check_entries = false; /* fork writes entries of pages whose reads we do not track */
    buddy *b = os_allocator(o);
    uint64_t free0 = buddy_free_frames(b), rng = seed, next_id = 1;
    uint64_t content[PIDS][PAGES]; /* what the process would read: an id per write or fresh page */
    bool alive[PIDS] = {false};
    memset(content, 0, sizeof content);
    for (int op = 0; op < 6000; op++) {
        uint64_t x = vs_rng_next(&rng);
        unsigned pid = (unsigned)(x % PIDS), pg = (unsigned)((x >> 8) % PAGES);
        unsigned kind = (unsigned)((x >> 20) % 100);
        os_proc *p = os_proc_find(o, pid);
        if (!alive[pid]) {
            assert_null(p);
            assert_int_equal(os_proc_get(o, pid, &p, NULL), VS_OK);
            alive[pid] = true;
            memset(content[pid], 0, sizeof content[pid]);
        }
        os_fault_info fi;
        if (kind < 80) {
            bool write = kind < 40;
            assert_int_equal(os_fault(o, p, page_va(pg), write, &fi, NULL), VS_OK);
            if (fi.kind == OS_FAULT_MAP) { /* a fresh leaf: new contents for all its pages */
                uint64_t mask = ~((1ull << vs_pgsz_shift(fi.size)) - 1);
                for (unsigned q = 0; q < PAGES; q++)
                    if ((page_va(q) & mask) == (page_va(pg) & mask))
                        content[pid][q] = next_id++;
            }
            if (write)
                content[pid][pg] = next_id++;
            uint64_t pte;
            pa_of(p, page_va(pg), &pte);
            if (write)
                assert_true(pte & PTE_RW);
        } else if (kind < 90) {
            unsigned child = (pid + 1 + (unsigned)(x >> 40) % (PIDS - 1)) % PIDS;
            if (alive[child])
                continue;
            assert_int_equal(os_fork(o, p, child, NULL), VS_OK);
            alive[child] = true;
            memcpy(content[child], content[pid], sizeof content[pid]);
        } else if (kind < 95) {
            assert_int_equal(os_exec(o, p, NULL), VS_OK);
            memset(content[pid], 0, sizeof content[pid]);
        } else {
            os_exit(o, p);
            alive[pid] = false;
        }
        check_conservation(o);
        /* different views never share a frame; a shared frame is read-only */
        unsigned q = (unsigned)((x >> 48) % PAGES);
        for (unsigned a = 0; a < PIDS; a++)
            for (unsigned c = a + 1; c < PIDS; c++) {
                if (!alive[a] || !alive[c])
                    continue;
                uint64_t pa_a, pa_c, pte_a, pte_c;
                os_proc *pa = os_proc_find(o, a), *pc = os_proc_find(o, c);
                if (!pt_lookup(os_proc_tree(pa), page_va(q), &pa_a, NULL, &pte_a) ||
                    !pt_lookup(os_proc_tree(pc), page_va(q), &pa_c, NULL, &pte_c))
                    continue;
                if (pa_a == pa_c) {
                    assert_false(pte_a & PTE_RW);
                    assert_false(pte_c & PTE_RW);
                    assert_int_equal(content[a][q], content[c][q]);
                }
            }
    }
    for (unsigned pid = 0; pid < PIDS; pid++)
        if (alive[pid])
            os_exit(o, os_proc_find(o, pid));
    assert_int_equal(buddy_free_frames(b), free0);
    const os_counters *c = os_get_counters(o);
    assert_int_equal(c->pages_resident, 0);
    assert_int_equal(c->tables_resident, 0);
    assert_true(c->faults_cow > 0 && c->forks > 0);
    os_free(o);
}

/* ---- unmap against a naive model ---- */

#define UNMAP_SPAN (8 * MiB) /* four 2 MiB regions: splits, pruned tables, skipped holes */
#define UNMAP_STEPS 4000

typedef struct leaf_check {
    GHashTable *want; /* 4 KiB page numbers touched and not unmapped since */
    uint64_t pages;
} leaf_check;

static void check_leaf(void *ctx, uint64_t va, uint64_t pte, vs_pgsz size)
{
    leaf_check *c = ctx;
    (void)pte;
    for (uint64_t a = va; a < va + (1ull << vs_pgsz_shift(size)); a += 4096, c->pages++)
        assert_true(g_hash_table_contains(c->want, GSIZE_TO_POINTER(a >> 12)));
}

/* Every table page below the root holds at least one entry. */
static void check_no_empty_table(const pt_tree *t, uint64_t pfn, unsigned level)
{
    unsigned idx[PT_ENTRIES_32BIT];
    uint64_t ptes[PT_ENTRIES_32BIT];
    unsigned n = pt_mem_present_in(t->mem, pfn, t->levels, idx, ptes);
    assert_true(n > 0 || pfn == t->root_pfn);
    for (unsigned k = 0; k < n && level > 1; k++)
        if (!(level == 2 && (ptes[k] & PTE_PS)) && !(level == 3 && (ptes[k] & PTE_PS)))
            check_no_empty_table(t, pte_addr(ptes[k]) >> 12, level - 1);
}

static void unmap_vs_model(os_page_policy pol, uint64_t seed)
{
    rec r;
    os *o = mk(pol, 256 * MiB, 16, &r);
    os_proc *p;
    vs_err err;
    assert_int_equal(os_proc_get(o, 1, &p, &err), VS_OK);
    GHashTable *want = g_hash_table_new(g_direct_hash, g_direct_equal);
    uint64_t rng = seed, base = 1ull << 32, cleared = 0, splits_seen = 0;
    for (int i = 0; i < UNMAP_STEPS; i++) {
        uint64_t x = vs_rng_next(&rng), va = base + ((x >> 8) % UNMAP_SPAN & ~4095ull);
        os_fault_info fi;
        if (x % 4) {
            assert_int_equal(os_fault(o, p, va, x & 4, &fi, &err), VS_OK);
            /* a large leaf maps its whole region: the model says so too */
            uint64_t span = 1ull << vs_pgsz_shift(fi.size), lo = va & ~(span - 1);
            for (uint64_t a = lo; a < lo + span; a += 4096)
                g_hash_table_add(want, GSIZE_TO_POINTER(a >> 12));
            continue;
        }
        uint64_t len = (((x >> 40) % 3 == 0 ? (x >> 44) % 1024 : (x >> 44) % 48) + 1) * 4096;
        vs_pgsz size;
        bool split = pt_lookup(os_proc_tree(p), va, NULL, &size, NULL) && size == VS_PG_2M &&
                     ((va & (2 * MiB - 1)) || len < 2 * MiB);
        os_unmap_info u;
        assert_int_equal(os_unmap(o, p, va, len, &u, &err), VS_OK);
        splits_seen += split;
        cleared += u.leaves_cleared;
        for (uint64_t a = va; a < va + len; a += 4096)
            g_hash_table_remove(want, GSIZE_TO_POINTER(a >> 12));
        if (u.leaves_cleared) { /* the span flushed covers exactly what was cleared */
            assert_true(u.lo >= va && u.hi <= va + len && u.lo < u.hi);
            assert_false(pt_lookup(os_proc_tree(p), u.lo, NULL, NULL, NULL));
            assert_false(pt_lookup(os_proc_tree(p), u.hi - 1, NULL, NULL, NULL));
        }
        leaf_check c = {want, 0};
        pt_for_each_leaf(os_proc_tree(p), check_leaf, &c);
        assert_int_equal(c.pages, g_hash_table_size(want));
        assert_int_equal(c.pages, os_get_counters(o)->pages_resident);
        check_no_empty_table(os_proc_tree(p), os_proc_tree(p)->root_pfn, os_proc_tree(p)->levels);
        check_conservation(o);
    }
    assert_true(cleared > 100);
    if (pol == OS_PAGES_2M)
        assert_true(splits_seen > 0);
    /* bad ranges are refused and change nothing */
    os_unmap_info u;
    uint64_t resident = os_get_counters(o)->pages_resident;
    assert_int_equal(os_unmap(o, p, base + 1, 4096, &u, &err), VS_E_USAGE);
    assert_int_equal(os_unmap(o, p, base, 0, &u, &err), VS_E_USAGE);
    assert_int_equal(os_unmap(o, p, 1ull << 47, 4096, &u, &err), VS_E_USAGE);
    assert_int_equal(os_unmap(o, p, (1ull << 47) - 4096, 8192, &u, &err), VS_E_USAGE);
    assert_int_equal(os_get_counters(o)->pages_resident, resident);
    g_hash_table_destroy(want);
    os_exit(o, p);
    check_conservation(o);
    assert_int_equal(os_get_counters(o)->pages_resident, 0);
    os_free(o);
}

static void test_unmap_4k(void **state)
{
    (void)state;
    unmap_vs_model(OS_PAGES_4K, 31);
}

static void test_unmap_2m(void **state)
{
    (void)state;
    unmap_vs_model(OS_PAGES_2M, 32);
}

/* A partly unmapped large page shared copy-on-write is refused, untouched. */
static void test_unmap_shared_large(void **state)
{
    (void)state;
    rec r;
    os *o = mk(OS_PAGES_2M, 256 * MiB, 16, &r);
    os_proc *p;
    vs_err err;
    os_fault_info fi;
    os_unmap_info u;
    assert_int_equal(os_proc_get(o, 1, &p, &err), VS_OK);
    assert_int_equal(os_fault(o, p, 4 * GiB, true, &fi, &err), VS_OK);
    assert_int_equal(fi.size, VS_PG_2M);
    assert_int_equal(os_fork(o, p, 2, &err), VS_OK);
    assert_int_equal(os_unmap(o, p, 4 * GiB, 4096, &u, &err), VS_E_USAGE);
    assert_non_null(strstr(err.msg, "copy-on-write"));
    assert_true(pt_lookup(os_proc_tree(p), 4 * GiB, NULL, NULL, NULL));
    assert_int_equal(os_unmap(o, p, 4 * GiB, 2 * MiB, &u, &err), VS_OK); /* all of it is fine */
    assert_int_equal(u.leaves_cleared, 1);
    assert_int_equal(u.stride, VS_PG_2M);
    os_exit(o, os_proc_find(o, 2));
    os_exit(o, p);
    check_conservation(o);
    os_free(o);
}

static void test_random_4k(void **state)
{
    (void)state;
    random_procs(OS_PAGES_4K, 21);
}

static void test_random_2m(void **state)
{
    (void)state;
    random_procs(OS_PAGES_2M, 22);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demand),    cmocka_unit_test(test_policy_2m), cmocka_unit_test(test_policy_1g),
        cmocka_unit_test(test_fork_cow),  cmocka_unit_test(test_exec),      cmocka_unit_test(test_limit),
        cmocka_unit_test(test_random_4k), cmocka_unit_test(test_random_2m),
        cmocka_unit_test(test_unmap_4k),  cmocka_unit_test(test_unmap_2m),  cmocka_unit_test(test_unmap_shared_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
