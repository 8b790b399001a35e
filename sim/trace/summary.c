/*
 * summary.c: `vmemsim trace info` -- counts, footprint and per-transaction
 * write statistics of a trace, in one streaming pass.
 *
 * Transaction statistics follow the persistent-memory write studies that
 * characterise a workload by writes per transaction, pages per transaction
 * (PPT) and writes per page (WPP = writes / PPT, averaged per transaction).
 * A write is a STORE or RMW between TXN_BEGIN and TXN_END; once any CDA
 * (critical data area) has been declared, only writes overlapping a declared
 * area count.  CDAs take effect where they appear in the trace.
 *
 * Rates per instruction (trace_rates) are seed 003's workload character
 * (Bae, Lange, Dinda, NWU-EECS-10-07, Figures 7-11), measured so that a
 * generator's targets can be checked: accesses, CR3 writes and INVLPGs per
 * instruction, first touches per address space (the PTEs a demand-paging
 * guest writes), and the misses of the paper's own SIMICS DTLB (Figure 6).
 * The rates may be measured after a warm-up of N instructions, as `run`
 * measures after sim.warmup_instructions: the warm-up's records build the
 * state (pages touched, DTLB contents, address spaces) and only the counts
 * restart, just before the fetch of instruction N + 1, so a generator's
 * load phase stays out of its steady-state rates.
 *
 * Invariants: the page sets hash page numbers with a fixed multiplier and
 * only their sizes are reported, so the output is deterministic; the CDAs
 * are kept disjoint (touching areas merge) in a balanced tree by start, so
 * declaring and testing areas is O(log n) however many a trace declares;
 * the reference DTLB's sets are kept most-recently-used first.
 */
#include "trace_int.h"

#include "json.h"
#include "version.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PSET_MIN_BITS 10                  /* 1024 slots to start: small traces stay small */
#define PSET_HASH_MUL 0x9e3779b97f4a7c15ull /* Fibonacci hashing (Knuth 6.4) */

/* An open-addressing set of u64 keys; clearing bumps a generation, O(1). */
typedef struct pset {
    uint64_t *keys;
    uint32_t *gen; /* slot is live iff gen[i] == cur */
    uint32_t cur;
    unsigned bits;
    size_t count;
} pset;

static void pset_init(pset *s)
{
    s->bits = PSET_MIN_BITS;
    s->keys = vs_malloc(sizeof *s->keys << s->bits);
    s->gen = vs_calloc((size_t)1 << s->bits, sizeof *s->gen);
    s->cur = 1;
    s->count = 0;
}

static void pset_free(pset *s)
{
    free(s->keys);
    free(s->gen);
}

static void pset_clear(pset *s)
{
    s->count = 0;
    if (++s->cur == 0) { /* generation wrapped: really clear once in 2^32 */
        memset(s->gen, 0, sizeof *s->gen << s->bits);
        s->cur = 1;
    }
}

static bool pset_put_slot(uint64_t *keys, uint32_t *gen, uint32_t cur, unsigned bits, uint64_t k)
{
    size_t mask = ((size_t)1 << bits) - 1, i = (size_t)((k * PSET_HASH_MUL) >> (64 - bits));
    for (; gen[i] == cur; i = (i + 1) & mask)
        if (keys[i] == k)
            return false;
    keys[i] = k;
    gen[i] = cur;
    return true;
}

/* True when k is new to the set. */
static bool pset_add(pset *s, uint64_t k)
{
    if (!pset_put_slot(s->keys, s->gen, s->cur, s->bits, k))
        return false;
    if (++s->count * 2 <= (size_t)1 << s->bits)
        return true;
    unsigned bits = s->bits + 1;
    uint64_t *keys = vs_malloc(sizeof *keys << bits);
    uint32_t *gen = vs_calloc((size_t)1 << bits, sizeof *gen);
    for (size_t i = 0; i < (size_t)1 << s->bits; i++)
        if (s->gen[i] == s->cur)
            pset_put_slot(keys, gen, 1, bits, s->keys[i]);
    pset_free(s);
    s->keys = keys;
    s->gen = gen;
    s->bits = bits;
    s->cur = 1;
    return true;
}

typedef struct ival { uint64_t lo, hi; } ival; /* [lo, hi) */

/* Seed 003's SIMICS DTLB (Figure 6): 64 entries, 4-way set associative, LRU. */
#define REF_TLB_SETS 16u
#define REF_TLB_WAYS 4u
#define SPACE_BITS 12u /* a first-touch key is page << SPACE_BITS | address space */
_Static_assert((1u << SPACE_BITS) == TRACE_RATE_MAX_SPACES, "one bit field per address space");

typedef struct ref_tlb {
    uint64_t tag[REF_TLB_SETS][REF_TLB_WAYS]; /* page + 1, most recent first; 0 = empty */
} ref_tlb;

/* What the rates count: from the start, or from the end of the warm-up. */
typedef struct rate_counts {
    uint64_t instructions, loads, stores, switches, invlpgs, first_touches, dtlb_misses;
} rate_counts;

/* Keeps the keys of s for which keep(key, ctx) is true: a rebuild, O(slots). */
static void pset_filter(pset *s, bool (*keep)(uint64_t, const void *), const void *ctx)
{
    pset kept;
    pset_init(&kept);
    for (size_t i = 0; i < (size_t)1 << s->bits; i++)
        if (s->gen[i] == s->cur && keep(s->keys[i], ctx))
            pset_add(&kept, s->keys[i]);
    pset_free(s);
    *s = kept;
}

/* Removes k; true when it was there.  Backward-shift deletion (Knuth 6.4,
 * Algorithm R): every key after the hole up to the next empty slot that
 * would not be found from its home slot moves into the hole, so lookups
 * never need tombstones. */
static bool pset_remove(pset *s, uint64_t k)
{
    size_t mask = ((size_t)1 << s->bits) - 1, i = (size_t)((k * PSET_HASH_MUL) >> (64 - s->bits));
    for (; s->gen[i] == s->cur; i = (i + 1) & mask)
        if (s->keys[i] == k)
            break;
    if (s->gen[i] != s->cur)
        return false;
    for (size_t j = (i + 1) & mask; s->gen[j] == s->cur; j = (j + 1) & mask) {
        size_t home = (size_t)((s->keys[j] * PSET_HASH_MUL) >> (64 - s->bits));
        /* the key at j stays unless its home lies cyclically in (i, j] */
        if ((i <= j) ? (i < home && home <= j) : (i < home || home <= j))
            continue;
        s->keys[i] = s->keys[j];
        i = j;
    }
    s->gen[i] = 0; /* never a current generation: pset_clear skips 0 */
    s->count--;
    return true;
}

/* A live address space: pid until it execs or exits, then the pid gets a new one. */
typedef struct space { uint32_t pid, idx; } space;

struct trace_summary {
    trace_fmt fmt;
    uint64_t records, by_kind[TREC_KIND_COUNT];
    uint64_t addr_min, addr_max;
    pset pages, pids;
    uint64_t last_page;
    bool any_page;
    /* transactions */
    bool in_txn;
    uint32_t txn_id;
    uint64_t txn_writes, txns, total_writes, total_pages, unmatched;
    double wpp_sum;
    uint64_t wpp_n;
    pset txn_pages;
    GTree *cda; /* of ival, by lo: disjoint and non-touching */
    /* rates */
    rate_counts rc;
    uint64_t warmup, fetched; /* warm-up instructions; instructions seen so far */
    ref_tlb dtlb;
    pset touched;       /* first-touch keys */
    space *spaces;      /* live address spaces */
    size_t nspaces, spaces_cap;
    uint32_t next_space, cur_pid, cur_space;
    bool spaces_overflow;
    uint64_t last_touch; /* last first-touch key added, +1 (0 = none) */
    uint64_t bad_at;     /* the first unmap or kmap the engine would refuse: its record number (0 = none) */
    trace_rec bad;       /* and that record */
};

static uint32_t space_of(trace_summary *s, uint32_t pid);

static gint ival_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    uint64_t x = ((const ival *)a)->lo, y = ((const ival *)b)->lo;
    return x < y ? -1 : x > y;
}

trace_summary *trace_summary_new(void)
{
    trace_summary *s = vs_calloc(1, sizeof *s);
    s->addr_min = UINT64_MAX;
    pset_init(&s->pages);
    pset_init(&s->pids);
    pset_init(&s->txn_pages);
    pset_init(&s->touched);
    s->cda = g_tree_new_full(ival_cmp, NULL, free, NULL);
    s->cur_space = space_of(s, 0); /* before any switch, the trace is pid 0 */
    return s;
}

void trace_summary_free(trace_summary *s)
{
    if (!s)
        return;
    pset_free(&s->pages);
    pset_free(&s->pids);
    pset_free(&s->txn_pages);
    pset_free(&s->touched);
    free(s->spaces);
    g_tree_destroy(s->cda);
    free(s);
}

/* The area with the largest lo <= at, or NULL. */
static GTreeNode *cda_at_or_before(const trace_summary *s, uint64_t at)
{
    ival key = {at, at};
    GTreeNode *after = g_tree_upper_bound(s->cda, &key); /* first lo > at */
    return after ? g_tree_node_previous(after) : g_tree_node_last(s->cda);
}

/* The first area that ends after lo (hi > lo), or NULL: areas are disjoint,
 * so it is the one holding lo or else the next one up. */
static GTreeNode *cda_first_after(const trace_summary *s, uint64_t lo)
{
    GTreeNode *n = cda_at_or_before(s, lo);
    if (n && ((const ival *)g_tree_node_key(n))->hi > lo)
        return n;
    return n ? g_tree_node_next(n) : g_tree_node_first(s->cda);
}

/* Adds [lo, hi) to the disjoint CDA set, merging what it touches: O(log n)
 * per area, amortised (each area is merged away at most once). */
static void cda_add(trace_summary *s, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return;
    GTreeNode *n = cda_at_or_before(s, lo);
    if (!n || ((const ival *)g_tree_node_key(n))->hi < lo) /* it does not touch [lo, hi) */
        n = n ? g_tree_node_next(n) : g_tree_node_first(s->cda);
    while (n && ((const ival *)g_tree_node_key(n))->lo <= hi) {
        const ival *v = g_tree_node_key(n);
        lo = v->lo < lo ? v->lo : lo;
        hi = v->hi > hi ? v->hi : hi;
        GTreeNode *next = g_tree_node_next(n);
        g_tree_remove(s->cda, v);
        n = next;
    }
    ival *merged = vs_malloc(sizeof *merged);
    *merged = (ival){lo, hi};
    g_tree_insert(s->cda, merged, merged);
}

static bool cda_overlaps(const trace_summary *s, uint64_t lo, uint64_t hi)
{
    GTreeNode *n = cda_first_after(s, lo);
    return n && ((const ival *)g_tree_node_key(n))->lo < hi;
}

static void txn_close(trace_summary *s)
{
    s->in_txn = false;
    s->txns++;
    s->total_writes += s->txn_writes;
    s->total_pages += s->txn_pages.count;
    if (s->txn_pages.count > 0) {
        s->wpp_sum += (double)s->txn_writes / (double)s->txn_pages.count;
        s->wpp_n++;
    }
}

static void txn_write(trace_summary *s, const trace_rec *t)
{
    uint64_t lo = t->addr, span = t->size ? t->size : 1;
    uint64_t hi = lo + span < lo ? UINT64_MAX : lo + span; /* clamp at the top of memory */
    if (g_tree_nnodes(s->cda) > 0 && !cda_overlaps(s, lo, hi))
        return;
    s->txn_writes++;
    for (uint64_t pg = lo >> VS_PAGE_SHIFT_4K; pg <= (hi - 1) >> VS_PAGE_SHIFT_4K; pg++)
        pset_add(&s->txn_pages, pg);
}

/* True on a miss. */
static bool ref_tlb_access(ref_tlb *t, uint64_t page)
{
    uint64_t *set = t->tag[page % REF_TLB_SETS], key = page + 1;
    unsigned w = 0;
    while (w < REF_TLB_WAYS && set[w] != key)
        w++;
    bool miss = w == REF_TLB_WAYS;
    if (miss) /* the least recently used way goes */
        w = REF_TLB_WAYS - 1;
    memmove(set + 1, set, w * sizeof *set);
    set[0] = key;
    return miss;
}

/* The address space pid runs in, opened on first use. */
static uint32_t space_of(trace_summary *s, uint32_t pid)
{
    for (size_t i = 0; i < s->nspaces; i++)
        if (s->spaces[i].pid == pid)
            return s->spaces[i].idx;
    if (s->next_space == TRACE_RATE_MAX_SPACES) { /* the key has no room for more */
        s->spaces_overflow = true;
        return 0;
    }
    if (s->nspaces == s->spaces_cap) {
        s->spaces_cap = s->spaces_cap ? 2 * s->spaces_cap : 16;
        s->spaces = vs_realloc(s->spaces, s->spaces_cap * sizeof *s->spaces);
    }
    s->spaces[s->nspaces++] = (space){pid, s->next_space};
    return s->next_space++;
}

/* pid's address space ends (exec or exit): its next use opens a new one. */
static void space_end(trace_summary *s, uint32_t pid)
{
    for (size_t i = 0; i < s->nspaces; i++)
        if (s->spaces[i].pid == pid) {
            s->spaces[i] = s->spaces[--s->nspaces];
            break;
        }
    if (pid == s->cur_pid)
        s->cur_space = space_of(s, pid);
}

/* An unmap the engine accepts whatever the machine: whole 4 KiB pages, not
 * empty, not wrapping, and no id or size (docs/trace-format.md).  Whether
 * the range is canonical depends on guest.levels, which `trace info` does
 * not know; the run checks it. */
static bool unmap_ok(const trace_rec *t)
{
    uint64_t page = (uint64_t)1 << VS_PAGE_SHIFT_4K;
    return !((t->addr | t->len) & (page - 1)) && t->len > 0 && t->addr + t->len > t->addr && t->id == 0 &&
           t->size == 0;
}

typedef struct unmapped { uint64_t lo, hi; uint32_t space; } unmapped; /* pages [lo, hi) of a space */

static bool keep_mapped(uint64_t key, const void *ctx)
{
    const unmapped *u = ctx;
    uint64_t page = key >> SPACE_BITS;
    return (key & (TRACE_RATE_MAX_SPACES - 1)) != u->space || page < u->lo || page >= u->hi;
}

/* The running process releases a range: as the OS model clears those PTEs
 * (os_unmap), its next touch of any of the pages is a first touch again.
 * Page by page when the range is smaller than the set, else one pass over
 * the set, so a huge range costs no more than the pages touched so far. */
static void touched_unmap(trace_summary *s, const trace_rec *t)
{
    unmapped u = {t->addr >> VS_PAGE_SHIFT_4K, (t->addr + t->len) >> VS_PAGE_SHIFT_4K, s->cur_space};
    if (s->spaces_overflow)
        return;
    if (u.hi - u.lo <= s->touched.count)
        for (uint64_t p = u.lo; p < u.hi; p++)
            pset_remove(&s->touched, p << SPACE_BITS | u.space);
    else
        pset_filter(&s->touched, keep_mapped, &u);
    s->last_touch = 0;
}

static void rates_add(trace_summary *s, const trace_rec *t)
{
    switch (t->kind) {
    case TREC_IFETCH:
        if (s->fetched++ == s->warmup && s->warmup) /* the warm-up ends before this fetch */
            s->rc = (rate_counts){0};
        s->rc.instructions++;
        break;
    case TREC_LOAD: case TREC_STORE: case TREC_RMW: {
        uint64_t page = t->addr >> VS_PAGE_SHIFT_4K, key = page << SPACE_BITS | s->cur_space;
        *(t->kind == TREC_LOAD ? &s->rc.loads : &s->rc.stores) += 1;
        s->rc.dtlb_misses += ref_tlb_access(&s->dtlb, page);
        if (!s->spaces_overflow && key + 1 != s->last_touch) {
            s->rc.first_touches += pset_add(&s->touched, key);
            s->last_touch = key + 1;
        }
        break;
    }
    case TREC_INVLPG:
    case TREC_KMAP: /* a kmap ends in one INVLPG of its slot (docs/trace-format.md) */
        s->rc.invlpgs++;
        break;
    case TREC_SWITCH: /* a CR3 write: without ASIDs it flushes the TLB, as a VM switch does */
        s->rc.switches++;
        s->cur_pid = t->id;
        s->cur_space = space_of(s, t->id);
        /* fall through */
    case TREC_VM:
        memset(s->dtlb.tag, 0, sizeof s->dtlb.tag);
        break;
    case TREC_EXEC: case TREC_PROC_EXIT:
        space_end(s, t->id);
        break;
    case TREC_UNMAP:
        if (unmap_ok(t))
            touched_unmap(s, t);
        break;
    default:
        break;
    }
}

void trace_summary_set_warmup(trace_summary *s, uint64_t instructions) { s->warmup = instructions; }

void trace_summary_rates(const trace_summary *s, trace_rates *r)
{
    const rate_counts *c = &s->rc;
    double k = c->instructions > 0 ? 1.0 / (double)c->instructions : NAN;
    r->warmup_instructions = s->warmup;
    r->instructions = c->instructions;
    r->loads_pi = (double)c->loads * k;
    r->stores_pi = (double)c->stores * k;
    r->api = r->loads_pi + r->stores_pi;
    r->cr3_pmi = (double)c->switches * k * 1e6;
    r->invlpg_pmi = (double)c->invlpgs * k * 1e6;
    r->first_touch_pmi = s->spaces_overflow ? NAN : (double)c->first_touches * k * 1e6;
    r->ref_dtlb_mpki = (double)c->dtlb_misses * k * 1e3;
}

void trace_summary_add(trace_summary *s, const trace_rec *recs, size_t n)
{
    s->records += n;
    for (size_t i = 0; i < n; i++) {
        const trace_rec *t = &recs[i];
        if (t->kind >= TREC_KIND_COUNT)
            continue;
        s->by_kind[t->kind]++;
        rates_add(s, t);
        switch (t->kind) {
        case TREC_STORE: case TREC_RMW:
            if (s->in_txn)
                txn_write(s, t);
            /* fall through */
        case TREC_IFETCH: case TREC_LOAD: {
            s->addr_min = t->addr < s->addr_min ? t->addr : s->addr_min;
            s->addr_max = t->addr > s->addr_max ? t->addr : s->addr_max;
            uint64_t pg = t->addr >> VS_PAGE_SHIFT_4K;
            if (!s->any_page || pg != s->last_page)
                pset_add(&s->pages, pg);
            s->last_page = pg;
            s->any_page = true;
            break;
        }
        case TREC_SWITCH: case TREC_PROC_START: case TREC_PROC_EXIT: case TREC_FORK: case TREC_EXEC:
            pset_add(&s->pids, t->id);
            break;
        case TREC_TXN_BEGIN:
            if (s->in_txn)
                txn_close(s); /* a BEGIN inside a transaction ends it */
            s->in_txn = true;
            s->txn_id = t->id;
            s->txn_writes = 0;
            pset_clear(&s->txn_pages);
            break;
        case TREC_TXN_END:
            if (!s->in_txn || t->id != s->txn_id)
                s->unmatched++;
            if (s->in_txn)
                txn_close(s);
            break;
        case TREC_CDA:
            cda_add(s, t->addr, t->addr + t->len < t->addr ? UINT64_MAX : t->addr + t->len);
            break;
        case TREC_UNMAP: case TREC_KMAP:
            if (!s->bad_at && !(t->kind == TREC_UNMAP ? unmap_ok(t) : trace_kmap_well_formed(t))) {
                s->bad_at = s->records - n + i + 1;
                s->bad = *t;
            }
            break;
        default:
            break;
        }
    }
}

static uint64_t mem_refs(const trace_summary *s)
{
    uint64_t m = 0;
    for (unsigned k = 0; k < TREC_KIND_COUNT; k++)
        m += trace_kind_is_mem(k) ? s->by_kind[k] : 0;
    return m;
}

/* A trace without process events is one process. */
static uint64_t processes(const trace_summary *s)
{
    return s->pids.count ? s->pids.count : (s->records > 0);
}

/* The JSON form is one line with 4-decimal means, a layout the indented
 * jw_* writer does not produce; only the string escaping is shared. */
static void json_str(FILE *out, const char *str)
{
    if (str)
        jw_put_string(out, str);
    else
        fputs("null", out);
}

static void print_json(const trace_summary *s, const char *path, FILE *out)
{
    double t = s->txns ? (double)s->txns : 1.0;
    fputs("{\"vmemsim\": ", out);
    json_str(out, VS_VERSION);
    fputs(", \"build\": ", out);
    json_str(out, vs_build_id);
    fputs(", \"path\": ", out);
    json_str(out, path);
    fputs(", \"format\": ", out);
    json_str(out, s->fmt == TFMT_AUTO ? NULL : trace_fmt_name(s->fmt));
    fprintf(out, ", \"records\": %llu, \"by_kind\": {", (unsigned long long)s->records);
    for (unsigned k = 0; k < TREC_KIND_COUNT; k++)
        fprintf(out, "%s\"%s\": %llu", k ? ", " : "", trace_kind_name(k),
                (unsigned long long)s->by_kind[k]);
    fprintf(out, "}, \"instructions\": %llu, ", (unsigned long long)s->by_kind[TREC_IFETCH]);
    if (mem_refs(s))
        fprintf(out, "\"addr_min\": \"0x%llx\", \"addr_max\": \"0x%llx\", ",
                (unsigned long long)s->addr_min, (unsigned long long)s->addr_max);
    else
        fputs("\"addr_min\": null, \"addr_max\": null, ", out);
    fprintf(out,
            "\"distinct_pages_4k\": %llu, \"context_switches\": %llu, \"processes\": %llu, "
            "\"transactions\": {\"count\": %llu, \"mean_writes\": %.4f, \"mean_ppt\": %.4f, "
            "\"mean_wpp\": %.4f, \"total_writes\": %llu, \"total_pages\": %llu, "
            "\"unmatched_ends\": %llu, \"cdas\": %llu}",
            (unsigned long long)s->pages.count, (unsigned long long)s->by_kind[TREC_SWITCH],
            (unsigned long long)processes(s), (unsigned long long)s->txns,
            (double)s->total_writes / t, (double)s->total_pages / t,
            s->wpp_n ? s->wpp_sum / (double)s->wpp_n : 0.0, (unsigned long long)s->total_writes,
            (unsigned long long)s->total_pages, (unsigned long long)s->unmatched,
            (unsigned long long)s->by_kind[TREC_CDA]);
    trace_rates r;
    trace_summary_rates(s, &r);
    const double v[] = {r.api, r.loads_pi, r.stores_pi, r.cr3_pmi, r.invlpg_pmi, r.first_touch_pmi,
                        r.ref_dtlb_mpki};
    const char *const names[] = {"accesses_per_instr", "loads_per_instr", "stores_per_instr",
                                 "cr3_writes_per_minstr", "invlpg_per_minstr",
                                 "first_touches_per_minstr", "ref_dtlb_misses_per_kinstr"};
    fputs(", \"rates\": {", out);
    if (r.warmup_instructions) /* absent without a warm-up: those outputs stay as they were */
        fprintf(out, "\"warmup_instructions\": %llu, \"instructions\": %llu, ",
                (unsigned long long)r.warmup_instructions, (unsigned long long)r.instructions);
    for (size_t i = 0; i < VS_ARRAY_LEN(v); i++) {
        fprintf(out, "%s\"%s\": ", i ? ", " : "", names[i]);
        if (isnan(v[i]))
            fputs("null", out);
        else
            fprintf(out, "%.4f", v[i]);
    }
    fputs("}}\n", out);
}

static void print_human(const trace_summary *s, const char *path, FILE *out)
{
    fprintf(out, "trace             %s", path ? path : "-");
    if (s->fmt != TFMT_AUTO)
        fprintf(out, " (%s)", trace_fmt_name(s->fmt));
    fprintf(out, "\nrecords           %llu\n", (unsigned long long)s->records);
    for (unsigned k = 0; k < TREC_KIND_COUNT; k++)
        if (s->by_kind[k])
            fprintf(out, "  %-15s %llu\n", trace_kind_name(k), (unsigned long long)s->by_kind[k]);
    fprintf(out, "instructions      %llu\n", (unsigned long long)s->by_kind[TREC_IFETCH]);
    if (mem_refs(s))
        fprintf(out, "address range     0x%llx - 0x%llx\n", (unsigned long long)s->addr_min,
                (unsigned long long)s->addr_max);
    fprintf(out, "distinct 4K pages %llu (%.1f MiB)\n", (unsigned long long)s->pages.count,
            (double)s->pages.count * (double)(1u << VS_PAGE_SHIFT_4K) / (1024.0 * 1024.0));
    fprintf(out, "context switches  %llu\nprocesses         %llu\n",
            (unsigned long long)s->by_kind[TREC_SWITCH], (unsigned long long)processes(s));
    if (s->by_kind[TREC_IFETCH]) {
        trace_rates r;
        trace_summary_rates(s, &r);
        fprintf(out, "rates (seed 003 Figs. 7-11)");
        if (r.warmup_instructions)
            fprintf(out, " over %llu instructions after a warm-up of %llu", (unsigned long long)r.instructions,
                    (unsigned long long)r.warmup_instructions);
        fputc('\n', out);
        fprintf(out, "  accesses/instr  %.4f (loads %.4f, stores %.4f)\n", r.api, r.loads_pi, r.stores_pi);
        fprintf(out, "  CR3 writes/Minstr %.2f\n  INVLPG/Minstr   %.2f\n", r.cr3_pmi, r.invlpg_pmi);
        if (isnan(r.first_touch_pmi))
            fprintf(out, "  first touches   n/a (more than %u address spaces)\n", TRACE_RATE_MAX_SPACES);
        else
            fprintf(out, "  first touches/Minstr %.2f (pages new to their address space)\n", r.first_touch_pmi);
        fprintf(out, "  ref DTLB misses/kinstr %.3f (Fig. 6 DTLB: 64 entries, 4-way, flushed at switches)\n",
                r.ref_dtlb_mpki);
    }
    if (s->txns || s->by_kind[TREC_TXN_BEGIN]) {
        double t = s->txns ? (double)s->txns : 1.0;
        fprintf(out, "transactions      %llu%s\n", (unsigned long long)s->txns,
                g_tree_nnodes(s->cda) ? " (writes restricted to declared CDAs)" : "");
        fprintf(out, "  writes/txn      %.4f (total %llu)\n", (double)s->total_writes / t,
                (unsigned long long)s->total_writes);
        fprintf(out, "  pages/txn (PPT) %.4f (total %llu)\n", (double)s->total_pages / t,
                (unsigned long long)s->total_pages);
        fprintf(out, "  writes/page WPP %.4f\n", s->wpp_n ? s->wpp_sum / (double)s->wpp_n : 0.0);
        if (s->unmatched)
            fprintf(out, "  unmatched ends  %llu\n", (unsigned long long)s->unmatched);
    }
}

void trace_summary_print(const trace_summary *s, const char *path, bool json, FILE *out)
{
    if (json)
        print_json(s, path, out);
    else
        print_human(s, path, out);
}

int trace_summarize(const char *path, trace_summary **out, vs_err *err)
{
    return trace_summarize_after(path, 0, out, err);
}

int trace_summarize_after(const char *path, uint64_t warmup, trace_summary **out, vs_err *err)
{
    enum { BATCH = 4096 }; /* records per read: amortises the call, fits in L2 */
    *out = NULL;
    trace_reader *r;
    int rc = trace_open(path, TFMT_AUTO, &r, err);
    if (rc < 0)
        return rc;
    trace_summary *s = trace_summary_new();
    s->warmup = warmup;
    s->fmt = trace_reader_fmt(r);
    trace_rec *buf = vs_malloc(BATCH * sizeof *buf);
    long n = 0;
    while (!s->bad_at && (n = trace_read(r, buf, BATCH, err)) > 0)
        trace_summary_add(s, buf, (size_t)n);
    free(buf);
    trace_close(r);
    if (s->bad_at && s->bad.kind == TREC_UNMAP)
        n = vs_fail(err, VS_E_FORMAT,
                    "%s: record %llu: unmap of %llu bytes at 0x%llx (id %u, size %u); expected a non-empty, "
                    "non-wrapping range of whole 4 KiB pages with id 0 and size 0",
                    path, (unsigned long long)s->bad_at, (unsigned long long)s->bad.len,
                    (unsigned long long)s->bad.addr, s->bad.id, (unsigned)s->bad.size);
    else if (s->bad_at)
        n = vs_fail(err, VS_E_FORMAT, "%s: record %llu: kmap at 0x%llx (len %llu, size %u); expected " TREC_KMAP_FORM,
                    path, (unsigned long long)s->bad_at, (unsigned long long)s->bad.addr,
                    (unsigned long long)s->bad.len, (unsigned)s->bad.size);
    if (n < 0) {
        trace_summary_free(s);
        return (int)n;
    }
    if (warmup && s->fetched <= warmup) {
        uint64_t had = s->fetched;
        trace_summary_free(s);
        return vs_fail(err, VS_E_USAGE, "%s: the trace ends within the warm-up: %llu instructions, warm-up %llu",
                       path, (unsigned long long)had, (unsigned long long)warmup);
    }
    *out = s;
    return VS_OK;
}
