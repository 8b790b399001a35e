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
 * Invariants: the page sets hash page numbers with a fixed multiplier and
 * only their sizes are reported, so the output is deterministic; the CDAs
 * are kept disjoint (touching areas merge) in a balanced tree by start, so
 * declaring and testing areas is O(log n) however many a trace declares.
 */
#include "trace_int.h"

#include "json.h"

#include <glib.h>
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

static void pset_add(pset *s, uint64_t k)
{
    if (!pset_put_slot(s->keys, s->gen, s->cur, s->bits, k))
        return;
    if (++s->count * 2 <= (size_t)1 << s->bits)
        return;
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
}

typedef struct ival { uint64_t lo, hi; } ival; /* [lo, hi) */

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
};

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
    s->cda = g_tree_new_full(ival_cmp, NULL, free, NULL);
    return s;
}

void trace_summary_free(trace_summary *s)
{
    if (!s)
        return;
    pset_free(&s->pages);
    pset_free(&s->pids);
    pset_free(&s->txn_pages);
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

void trace_summary_add(trace_summary *s, const trace_rec *recs, size_t n)
{
    s->records += n;
    for (size_t i = 0; i < n; i++) {
        const trace_rec *t = &recs[i];
        if (t->kind >= TREC_KIND_COUNT)
            continue;
        s->by_kind[t->kind]++;
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
    fputs("{\"path\": ", out);
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
            "\"unmatched_ends\": %llu, \"cdas\": %llu}}\n",
            (unsigned long long)s->pages.count, (unsigned long long)s->by_kind[TREC_SWITCH],
            (unsigned long long)processes(s), (unsigned long long)s->txns,
            (double)s->total_writes / t, (double)s->total_pages / t,
            s->wpp_n ? s->wpp_sum / (double)s->wpp_n : 0.0, (unsigned long long)s->total_writes,
            (unsigned long long)s->total_pages, (unsigned long long)s->unmatched,
            (unsigned long long)s->by_kind[TREC_CDA]);
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
            (double)s->pages.count * 4096.0 / (1024.0 * 1024.0));
    fprintf(out, "context switches  %llu\nprocesses         %llu\n",
            (unsigned long long)s->by_kind[TREC_SWITCH], (unsigned long long)processes(s));
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
    enum { BATCH = 4096 }; /* records per read: amortises the call, fits in L2 */
    *out = NULL;
    trace_reader *r;
    int rc = trace_open(path, TFMT_AUTO, &r, err);
    if (rc < 0)
        return rc;
    trace_summary *s = trace_summary_new();
    s->fmt = trace_reader_fmt(r);
    trace_rec *buf = vs_malloc(BATCH * sizeof *buf);
    long n;
    while ((n = trace_read(r, buf, BATCH, err)) > 0)
        trace_summary_add(s, buf, (size_t)n);
    free(buf);
    trace_close(r);
    if (n < 0) {
        trace_summary_free(s);
        return (int)n;
    }
    *out = s;
    return VS_OK;
}
