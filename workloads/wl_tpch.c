/*
 * wl_tpch.c: TPC-H query 1 (pricing summary report) as seed 003 runs it
 * (section 4.5): a table scan at low concurrency -- a low TLB-miss rate.
 *
 * The executor (process 0) scans lineitem rows of row= bytes in order.  Its
 * work per row is a measured engine's: the paper does not name its
 * database, so the engine is SQLite (scripts/tpch_q1_measure.sh runs Q1 on
 * a lineitem-shaped table under cachegrind; docs/workloads.md gives the
 * numbers), which spends row_instr= instructions on each row of row=
 * bytes.  The accesses of a row are the paper's rate times those
 * instructions (api=, seed 003 Figure 7, stays the target): the record's
 * words are read once each, one of the query's four aggregate groups is
 * updated (a load and a store), and every other access is the engine's own
 * state (its stack, registers and cursor: state= bytes, a small region that
 * stays in the L1 cache and the TLB), stored to at the engine's measured
 * store share.
 * A second process (the buffer writer behind the "read and write system
 * operations") copies buffers, a load and a store per word.
 *
 * copy=call instead puts that copy inside the executor, as a read() or
 * write() system call runs: in the calling process's context, on its page
 * tables, with no CR3 write (Linux's system-call entry keeps the current mm;
 * seed 003 section 4.5 says Q1 "is dominated by read and write system
 * operations", its source [18] measured them as kernel-user copies of a DB2
 * server).  Which of the two the paper's database did, neither says: DB2 of
 * that time read ahead in prefetcher processes of their own, an engine that
 * reads its table itself (SQLite, measured below) does it in the call.  The
 * instruction stream is the same: the copy alternates with the engine's work
 * every quantum= instructions, as the second process's quanta did, and its
 * buffers lie after the executor's own pages; only the switches (and the
 * second address space) are gone.
 *
 * The query runs against a loaded database (TPC-H runs its queries after the
 * load; seed 003 section 4.5 runs Q1 on a populated database), so each
 * process first populates its region: one store per 4 KiB page, in order,
 * which maps the page as the load's writes did (the bytes the load writes are
 * not modelled: 64 M stores, longer than any warm-up).  The load runs inside
 * each process's own quanta, so the accesses and switches per instruction
 * are those of the query; at the default 512 MiB it ends before instruction
 * 620,000, inside the 2,000,000-instruction warm-up of the figure sweeps
 * (configs/sweeps/seed003_*.ini), and the measured region is the query in
 * steady state.
 *
 * free_rate=F (default 0: no release, the trace the figures use) makes the
 * copier's buffers heap memory that goes back to the OS: each time it has
 * written a whole BUF_BYTES destination buffer, with probability F it frees
 * it and the C library unmaps it (an `unmap` record), so the next pass over
 * it faults it in again.  BUF_BYTES is glibc's default M_MMAP_THRESHOLD,
 * 128 KiB (mallopt(3)): a malloc of at least that size is its own mmap and
 * its free a munmap.  F itself is the user's estimate; nothing here fits it.
 * kmap=1 (with copy=call and va_bits=32 only; default 0) makes the guest a
 * 32-bit Linux whose page cache lies in high memory, where read() reaches
 * each page-cache page through kmap_atomic (file_read_actor ->
 * kmap_atomic(page, KM_USER0), arch/i386/mm/highmem.c of 2.6.x): the
 * copy's source half is the page cache, and before the copy's first load
 * from each source page a `kmap` record points the fixmap slot FIXMAP_SLOT_32
 * at that page (its number is the record's id); the loads then read the
 * slot.  A 64-bit guest reaches every page through its direct map, with no
 * PTE write, so kmap=1 is refused under va_bits=48.  The load phase
 * maps the slot (one store) and reads each source page once through it,
 * as the database file was read in before the query, so the page cache is
 * allocated (and backed) inside the warm-up.  How many pages the copy reads
 * per instruction stays the copy's estimate (quantum=); whether the paper's
 * Palacios guest had high memory (more than 896 MiB) it does not say.
 *
 * Invariants: a process touches no page of its region in its query before
 * its load has stored to every one; each process's table or buffer accesses
 * advance sequentially through its region and wrap at its end; a row's
 * accesses number round(api x row_instr), at least its words plus two.
 */
#include "wl_int.h"

#include <stdlib.h>

#define GROUPS 4u     /* Q1 groups by (returnflag, linestatus): four groups */
/* The engine's cost of a row, measured by scripts/tpch_q1_measure.sh (SQLite 3.40.1 on this machine): */
#define ROW_BYTES 77u        /* table bytes per row (the database file's growth per row) */
#define ROW_INSTR 10366u     /* instructions per row (cachegrind I refs) */
#define ENGINE_WRITES 0.2998 /* stores among its data accesses (cachegrind D refs: wr / (rd + wr)) */
/* The engine's own state (state=): an estimate, 4 pages; the measurement bounds it: the VDBE's own D1 misses are
 * 0.11 a row, so its state fits in the 48 KiB D1 cachegrind simulates. */
#define ENGINE_BYTES (16u << 10)
#define BUF_BYTES WL_MMAP_THRESHOLD /* a buffer this size is its own mmap: its free is a munmap */
#define ROLES 2u /* the executor and the copy, as two processes (copy=process) or one (copy=call) */
/* kmap=1: the fixmap slot of the copy's kmap_atomic, in the fixmap's page table (the top 4 MiB of a 32-bit
 * address space, below 2.6.x i386's FIXADDR_TOP 0xfffff000, above PAGE_OFFSET).  Its index in enum
 * fixed_addresses depends on the kernel's configuration, so the value is illustrative: what the model sees is a
 * 4 KiB leaf in a page table of its own, apart from the process's data. */
#define FIXMAP_SLOT_32 0xfff00000ull

enum { COPY_PROCESS, COPY_CALL };
static const char *const COPY_NAMES[] = {"process", "call", NULL};

/* kmap=1: a load of the page-cache byte at off, through the slot; the page's kmap comes before its first load. */
static void kmap_read(wl_synth *s, uint64_t off)
{
    const uint64_t page = 1ull << VS_PAGE_SHIFT_4K;
    if (off % page == 0)
        wl_emit(s->out, TREC_KMAP, FIXMAP_SLOT_32, 0, (uint32_t)(off / page), 0);
    wl_emit(s->out, TREC_LOAD, FIXMAP_SLOT_32 + off % page, WL_WORD, 0, 0);
}

/* kmap=1, the copy's load phase, step i of pages + 1: the slot is mapped (as the kernel's fixmap is, before any
 * kmap), then the source half's pages are read once through it, then the destination half is mapped. */
static void kmap_load(wl_synth *s, uint64_t i, uint64_t pages, uint64_t copy_base)
{
    const uint64_t page = 1ull << VS_PAGE_SHIFT_4K;
    if (i == 0)
        wl_emit(s->out, TREC_STORE, FIXMAP_SLOT_32, WL_WORD, 0, 0);
    else if (i <= pages / 2)
        kmap_read(s, (i - 1) * page);
    else
        wl_synth_access(s, copy_base + (i - 1) * page, true);
}

static int tpch_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    static const wl_synth_defaults D = {.api = 0.60, .writes = -1, .footprint = 512ull << 20,
                                        .processes = 2, .quantum = 200000, .code = 16384};
    wl_synth s;
    uint64_t row, row_instr, state;
    double free_rate;
    int rc = wl_synth_init(&s, a, &D, seed, out, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "row", ROW_BYTES, WL_WORD, 1u << 20, &row, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "row_instr", ROW_INSTR, 1, 1u << 30, &row_instr, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "state", ENGINE_BYTES, WL_WORD, 1u << 30, &state, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "free_rate", 0, 0, 1, &free_rate, err);
    int copy_by = COPY_PROCESS;
    if (rc == VS_OK)
        rc = wl_arg_choice(a, "copy", COPY_NAMES, COPY_PROCESS, &copy_by, err);
    uint64_t kmap = 0;
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "kmap", 0, 0, 1, &kmap, err);
    const char *cr3_pmi = NULL; /* read again: wl_synth_init took its value already */
    if (rc == VS_OK)
        rc = wl_arg_str(a, "cr3_pmi", NULL, &cr3_pmi, err);
    if (rc == VS_OK && copy_by == COPY_CALL && cr3_pmi)
        return vs_fail(err, VS_E_USAGE,
                       "gen tpch: cr3_pmi=%s with copy=call, which writes no CR3 (the copy runs in the executor); "
                       "expected quantum= for the copy's alternation",
                       cr3_pmi);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    const bool call = copy_by == COPY_CALL;
    if (kmap && (!call || !s.va32))
        return vs_fail(err, VS_E_USAGE,
                       "gen tpch: kmap=1 is the read() of a 32-bit guest with high memory; expected copy=call and "
                       "va_bits=32 (got copy=%s, va_bits=%s)",
                       COPY_NAMES[copy_by], s.va32 ? "32" : "48");
    if (call && s.processes != ROLES)
        return vs_fail(err, VS_E_USAGE,
                       "gen tpch: copy=call runs the executor and its copy in one process; got processes=%u, "
                       "expected the default %u (the two roles)",
                       s.processes, ROLES);
    if (call)
        s.processes = 1; /* the roles alternate by quantum= inside one address space: no CR3 write */
    /* the row's words, then the aggregate's load and store, then the engine's state */
    const uint64_t words = (row + WL_WORD - 1) / WL_WORD, per_row = (uint64_t)(s.api * (double)row_instr + 0.5);
    if (row > s.footprint)
        return vs_fail(err, VS_E_USAGE, "gen tpch: row=%llu is larger than footprint=%llu; expected a table of rows",
                       (unsigned long long)row, (unsigned long long)s.footprint);
    if (per_row < words + 2)
        return vs_fail(err, VS_E_USAGE,
                       "gen tpch: row_instr=%llu at api=%g makes %llu accesses a row; expected at least %llu (the "
                       "%llu-byte row's %llu words and the aggregate's load and store)",
                       (unsigned long long)row_instr, s.api, (unsigned long long)per_row,
                       (unsigned long long)(words + 2), (unsigned long long)row, (unsigned long long)words);
    if (free_rate > 0 && s.footprint % (2 * BUF_BYTES))
        return vs_fail(err, VS_E_USAGE,
                       "gen tpch: free_rate= needs a footprint= that is a multiple of %u KiB (the copier's two "
                       "halves in whole %u KiB buffers); got %llu bytes",
                       2 * BUF_BYTES >> 10, BUF_BYTES >> 10, (unsigned long long)s.footprint);
    const uint64_t page = 1ull << VS_PAGE_SHIFT_4K, pages = (s.footprint + page - 1) / page;
    if (kmap && s.footprint % (2 * page))
        return vs_fail(err, VS_E_USAGE,
                       "gen tpch: kmap=1 needs a footprint= that is a multiple of %llu KiB (the copy's source half "
                       "in whole page-cache pages); got %llu bytes",
                       (unsigned long long)(2 * page >> 10), (unsigned long long)s.footprint);
    /* after the table, the page of the aggregates, then the engine's state */
    const uint64_t groups = WL_DATA_BASE + pages * page, engine = groups + page;
    const uint64_t extra = 1 + (state + page - 1) / page; /* the executor's pages beyond the table */
    /* the copy's buffers: a process of their own at the same addresses, or after the executor's pages */
    const uint64_t copy_base = call ? groups + extra * page : WL_DATA_BASE;
    uint64_t rows = s.footprint / row, r = 0, group = 0, copy = 0;
    /* Pages each process populates: its region, and the executor's its extra pages too. */
    const uint32_t roles = call ? ROLES : s.processes;
    uint64_t *loaded = vs_calloc(roles, sizeof *loaded); /* pages each role has populated so far */
    uint64_t step = 0;
    wl_synth_start(&s);
    for (uint64_t i = 0; i < s.instructions; i++) {
        unsigned k = wl_synth_instr(&s, i);
        /* copy=call alternates the roles as the scheduler alternates the processes */
        const uint32_t role = call ? (uint32_t)(i / s.quantum % ROLES) : s.pid;
        for (; k > 0; k--) {
            uint64_t *load = &loaded[role];
            if (*load < pages + (role == 0 ? extra : kmap)) { /* the load: one store maps each page */
                if (role != 0 && kmap) /* the slot, then the page cache read in through it, then the copies */
                    kmap_load(&s, *load, pages, copy_base);
                else
                    wl_synth_access(&s, (role == 0 ? WL_DATA_BASE : copy_base) + *load * page, true);
                ++*load;
                continue;
            }
            if (role != 0) { /* the writer: load a source word, store it to the copy */
                uint64_t w = copy / 2 % (s.footprint / WL_WORD / 2);
                bool store = copy % 2;
                uint64_t dst = copy_base + s.footprint / 2;
                if (kmap && !store)
                    kmap_read(&s, w * WL_WORD);
                else
                    wl_synth_access(&s, copy_base + w * WL_WORD + (store ? s.footprint / 2 : 0), store);
                copy++;
                uint64_t done = (w + 1) * WL_WORD; /* destination bytes written this pass */
                if (store && free_rate > 0 && done % BUF_BYTES == 0 && wl_chance(&s, free_rate))
                    wl_synth_unmap(&s, dst + done - BUF_BYTES, BUF_BYTES);
                continue;
            }
            if (step < words) {
                wl_synth_access(&s, WL_DATA_BASE + r * row + step * WL_WORD, false);
            } else if (step < words + 2) {
                if (step == words)
                    group = wl_rand(&s, GROUPS);
                wl_synth_access(&s, groups + group * WL_LINE, step == words + 1);
            } else {
                uint64_t w = wl_rand(&s, state / WL_WORD);
                wl_synth_access(&s, engine + w * WL_WORD, wl_chance(&s, ENGINE_WRITES));
            }
            if (++step == per_row) {
                step = 0;
                r = (r + 1) % rows;
            }
        }
    }
    free(loaded);
    return VS_OK;
}

const wl_gen wl_gen_tpch = {
    {"tpch", "TPC-H Q1: sequential table scan at a measured engine's cost per row, plus a buffer copier (003 4.5)",
     "footprint=512m row=77 row_instr=10366 (SQLite's, measured) state=16k (the engine's own state, estimated) api=0.60 processes=2 quantum=200000 (= cr3_pmi=5) code=16384;"
     " each process first populates its region (one store per page), then queries;"
     " free_rate=0 (fraction of the copier's 128 KiB buffers unmapped when freed);"
     " copy=process (the copier is a process of its own) or call (the executor's own read() calls: no CR3 write);"
     " kmap=0 (1: copy=call in a 32-bit guest with high memory, va_bits=32: each page read() copies is kmap'd first)"},
    tpch_run};
