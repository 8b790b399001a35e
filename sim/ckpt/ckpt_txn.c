/*
 * ckpt_txn.c: reduces a trace to the per-transaction measures the
 * checkpointing techniques are charged on (seed 000, Table 2): writes to the
 * critical data areas, unique pages written (PPT), unique words written, and
 * unique bytes written -- what an emulating tracker logs: it decodes each
 * trapped store and saves its operand, 4 bytes for an int, 8 for a pointer.
 *
 * A write counts once however many bytes it touches; its bytes inside a CDA
 * are clipped to the CDA and mark every page they cover, and every word with
 * the mask of its bytes written.  Pages and marked words of the open
 * transaction are collected in arrays and counted unique by sorting at its
 * end (a word's masks OR-ed, their bits the unique bytes) -- exact,
 * deterministic, and O(W log W) per transaction.
 *
 * Invariants: transactions do not nest; an END matches the open BEGIN's id;
 * CDAs of different ids never overlap (a repeated id redeclares its area).
 */
#include "ckpt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define WORD_SHIFT 3  /* log2(CKPT_WORD_BYTES) */
#define READ_BATCH 4096 /* records per trace_read call */

typedef struct cda_area {
    uint64_t base, end; /* [base, end) */
    uint32_t id;
} cda_area;

typedef struct u64_vec {
    uint64_t *v;
    size_t n, cap;
} u64_vec;

typedef struct word_mark {
    uint64_t word;  /* address >> WORD_SHIFT */
    uint8_t bytes;  /* bit i: byte i of the word written */
} word_mark;

typedef struct mark_vec {
    word_mark *v;
    size_t n, cap;
} mark_vec;

struct ckpt_scan {
    cda_area *areas;
    size_t n_areas, cap_areas;
    bool in_txn;
    uint32_t txn_id;
    uint64_t txn_writes;
    u64_vec pages;   /* of the open transaction, with repeats */
    mark_vec words;  /* likewise */
    ckpt_txn *txns;
    size_t n_txns, cap_txns;
    uint64_t records;   /* consumed so far; the one being read is record records + 1, as the engine counts */
    const char *origin; /* names the trace in errors */
    ckpt_trace_stats stats;
};

static void vec_push(u64_vec *a, uint64_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 256;
        a->v = vs_realloc(a->v, a->cap * sizeof(*a->v));
    }
    a->v[a->n++] = x;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void mark_push(mark_vec *a, uint64_t word, uint8_t bytes)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 256;
        a->v = vs_realloc(a->v, a->cap * sizeof(*a->v));
    }
    a->v[a->n++] = (word_mark){word, bytes};
}

static int cmp_mark(const void *a, const void *b)
{
    uint64_t x = ((const word_mark *)a)->word, y = ((const word_mark *)b)->word;
    return (x > y) - (x < y);
}

/* Unique words of a, and in *bytes the unique bytes they had written. */
static uint64_t marks_unique(mark_vec *a, uint64_t *bytes)
{
    *bytes = 0;
    if (a->n == 0)
        return 0;
    qsort(a->v, a->n, sizeof(*a->v), cmp_mark);
    uint64_t u = 0;
    for (size_t i = 0; i < a->n;) {
        unsigned written = 0;
        size_t j = i;
        for (; j < a->n && a->v[j].word == a->v[i].word; j++)
            written |= a->v[j].bytes;
        *bytes += (uint64_t)__builtin_popcount(written);
        u++;
        i = j;
    }
    return u;
}

static uint64_t vec_unique(u64_vec *a)
{
    if (a->n == 0)
        return 0;
    qsort(a->v, a->n, sizeof(*a->v), cmp_u64);
    uint64_t u = 1;
    for (size_t i = 1; i < a->n; i++)
        u += a->v[i] != a->v[i - 1];
    return u;
}

ckpt_scan *ckpt_scan_new(void)
{
    ckpt_scan *s = vs_calloc(1, sizeof(ckpt_scan));
    s->origin = "trace";
    return s;
}

void ckpt_scan_free(ckpt_scan *s)
{
    if (!s)
        return;
    free(s->areas);
    free(s->pages.v);
    free(s->words.v);
    free(s->txns);
    free(s);
}

static uint64_t cda_total_bytes(const ckpt_scan *s, uint64_t *pages)
{
    uint64_t bytes = 0;
    *pages = 0;
    for (size_t i = 0; i < s->n_areas; i++) {
        bytes += s->areas[i].end - s->areas[i].base;
        *pages += ((s->areas[i].end - 1) >> VS_PAGE_SHIFT_4K) - (s->areas[i].base >> VS_PAGE_SHIFT_4K) + 1;
    }
    return bytes;
}

static int declare_cda(ckpt_scan *s, const trace_rec *r, vs_err *err)
{
    if (r->len == 0 || r->addr + r->len < r->addr)
        return vs_fail(err, VS_E_FORMAT,
                       "%s: record %" PRIu64 ": CDA %u at 0x%" PRIx64 " has length %" PRIu64
                       "; expected 1 or more bytes within the address space",
                       s->origin, s->records + 1, r->id, r->addr, r->len);
    cda_area a = {r->addr, r->addr + r->len, r->id};
    size_t slot = s->n_areas;
    for (size_t i = 0; i < s->n_areas; i++) {
        if (s->areas[i].id == a.id) {
            slot = i;
            continue;
        }
        if (a.base < s->areas[i].end && s->areas[i].base < a.end)
            return vs_fail(err, VS_E_FORMAT,
                           "%s: record %" PRIu64 ": CDA %u [0x%" PRIx64 ", 0x%" PRIx64
                           ") overlaps CDA %u; expected disjoint critical data areas",
                           s->origin, s->records + 1, a.id, a.base, a.end, s->areas[i].id);
    }
    if (slot == s->n_areas) {
        if (s->n_areas == s->cap_areas) {
            s->cap_areas = s->cap_areas ? 2 * s->cap_areas : 4;
            s->areas = vs_realloc(s->areas, s->cap_areas * sizeof(*s->areas));
        }
        s->n_areas++;
        s->stats.cda_areas++;
    }
    s->areas[slot] = a;
    return VS_OK;
}

/* Marks the pages and words (with their bytes) of the bytes lo..last
 * (inclusive). */
static void mark(ckpt_scan *s, uint64_t lo, uint64_t last)
{
    for (uint64_t p = lo >> VS_PAGE_SHIFT_4K; p <= last >> VS_PAGE_SHIFT_4K; p++)
        vec_push(&s->pages, p);
    const unsigned in_word = (1u << WORD_SHIFT) - 1;
    for (uint64_t w = lo >> WORD_SHIFT; w <= last >> WORD_SHIFT; w++) {
        unsigned first = w == lo >> WORD_SHIFT ? (unsigned)(lo & in_word) : 0;
        unsigned end = w == last >> WORD_SHIFT ? (unsigned)(last & in_word) : in_word;
        mark_push(&s->words, w, (uint8_t)((0xffu << first) & (0xffu >> (in_word - end))));
    }
}

static void store(ckpt_scan *s, const trace_rec *r)
{
    s->stats.stores++;
    uint64_t size = r->size ? r->size : 1; /* unknown size: at least its first byte */
    uint64_t last = r->addr + size - 1 < r->addr ? UINT64_MAX : r->addr + size - 1;
    bool hit = false;
    for (size_t i = 0; i < s->n_areas; i++) {
        const cda_area *a = &s->areas[i];
        if (last < a->base || r->addr >= a->end)
            continue;
        hit = true;
        if (s->in_txn)
            mark(s, r->addr > a->base ? r->addr : a->base, last < a->end - 1 ? last : a->end - 1);
    }
    if (!hit)
        s->stats.writes_outside_cda += s->in_txn;
    else if (s->in_txn)
        s->txn_writes++;
    else
        s->stats.writes_outside_txn++;
}

static void end_txn(ckpt_scan *s)
{
    if (s->n_txns == s->cap_txns) {
        s->cap_txns = s->cap_txns ? 2 * s->cap_txns : 1024;
        s->txns = vs_realloc(s->txns, s->cap_txns * sizeof(*s->txns));
    }
    ckpt_txn *t = &s->txns[s->n_txns++];
    t->writes = s->txn_writes;
    t->pages = vec_unique(&s->pages);
    t->words = marks_unique(&s->words, &t->bytes);
    t->cda_bytes = cda_total_bytes(s, &t->cda_pages);
    s->pages.n = s->words.n = 0;
    s->txn_writes = 0;
    s->in_txn = false;
    s->stats.txns++;
}

int ckpt_scan_add(ckpt_scan *s, const trace_rec *recs, size_t n, vs_err *err)
{
    for (size_t i = 0; i < n; i++, s->records++) {
        const trace_rec *r = &recs[i];
        switch (r->kind) {
        case TREC_STORE:
        case TREC_RMW:
            store(s, r);
            break;
        case TREC_CDA: {
            int rc = declare_cda(s, r, err);
            if (rc != VS_OK)
                return rc;
            break;
        }
        case TREC_TXN_BEGIN:
            if (s->in_txn)
                return vs_fail(err, VS_E_FORMAT,
                               "%s: record %" PRIu64 ": transaction %u begins inside open transaction %u; "
                               "expected TXN_END first (transactions do not nest)",
                               s->origin, s->records + 1, r->id, s->txn_id);
            s->in_txn = true;
            s->txn_id = r->id;
            break;
        case TREC_TXN_END:
            if (!s->in_txn || r->id != s->txn_id) {
                if (s->in_txn)
                    return vs_fail(err, VS_E_FORMAT,
                                   "%s: record %" PRIu64 ": TXN_END %u while transaction %u is open; "
                                   "expected TXN_END %u",
                                   s->origin, s->records + 1, r->id, s->txn_id, s->txn_id);
                return vs_fail(err, VS_E_FORMAT,
                               "%s: record %" PRIu64 ": TXN_END %u with no open transaction; expected TXN_BEGIN first",
                               s->origin, s->records + 1, r->id);
            }
            end_txn(s);
            break;
        default:
            break;
        }
    }
    return VS_OK;
}

int ckpt_scan_finish(ckpt_scan *s, const char *origin, vs_err *err)
{
    if (s->in_txn)
        return vs_fail(err, VS_E_FORMAT,
                       "%s: trace ends inside transaction %u (after %" PRIu64 " records); expected TXN_END",
                       origin, s->txn_id, s->records);
    if (s->stats.cda_areas == 0)
        return vs_fail(err, VS_E_FORMAT,
                       "%s: no critical data area declared; expected CDA records (addr = base, len = bytes)",
                       origin);
    if (s->n_txns == 0)
        return vs_fail(err, VS_E_FORMAT,
                       "%s: no transactions; expected TXN_BEGIN/TXN_END markers around the operations", origin);
    return VS_OK;
}

const ckpt_txn *ckpt_scan_txns(const ckpt_scan *s, size_t *n)
{
    *n = s->n_txns;
    return s->txns;
}

const ckpt_trace_stats *ckpt_scan_stats(const ckpt_scan *s)
{
    return &s->stats;
}

int ckpt_scan_file(const char *path, ckpt_scan **out, vs_err *err)
{
    trace_reader *r;
    int rc = trace_open(path, TFMT_AUTO, &r, err);
    if (rc != VS_OK)
        return rc;
    ckpt_scan *s = ckpt_scan_new();
    s->origin = path;
    trace_rec *buf = vs_malloc(READ_BATCH * sizeof(*buf));
    long got = 0;
    while (rc == VS_OK && (got = trace_read(r, buf, READ_BATCH, err)) > 0) {
        rc = ckpt_scan_add(s, buf, (size_t)got, err);
    }
    if (rc == VS_OK && got < 0)
        rc = (int)got;
    if (rc == VS_OK)
        rc = ckpt_scan_finish(s, path, err);
    free(buf);
    trace_close(r);
    if (rc != VS_OK) {
        ckpt_scan_free(s);
        return rc;
    }
    *out = s;
    return VS_OK;
}
