/*
 * test_tlb_hier.c: the TLB hierarchy against a naive model -- timestamp-LRU
 * structures probed in level order, each page size probed, found entries
 * filled into the levels above, walks filled into every level, stores on
 * read-only entries handed to the mode -- under random references to a few
 * hot pages: 4 KiB pages that share the first-level sets, and 4 KiB pieces
 * of 2 MiB pages (several pages, one entry), of two address-space tags,
 * with full and per-tag flushes, INVLPGs and a reset of the statistics.
 * Most references re-touch the entry last hit in their set, the case the
 * hierarchy's per-set repeat memo (hier.c) counts without a lookup; the
 * rest evict it or hit another entry of its set.  Every translation,
 * th_cycles, th_last_level_misses and every per-structure and per-level
 * count of th_report must be the model's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/tlb/hier.h"

#define N_TLBS 4
#define MAX_WAYS 4
#define MAX_SETS 16
#define VA_2M 0x40000000ull  /* the 2 MiB-page region; below it, 4 KiB pages */
#define HOT_4K 24u           /* 4 KiB data pages: 6 to each of the l1d's 4 sets */
#define HOT_2M 6u            /* 2 MiB pages, 3 to each of the l1d_2m's 2 sets */
#define HOT_CODE 12u         /* 4 KiB code pages */
#define CODE 0x400000ull
#define OPS 200000

static const tlb_params params[N_TLBS] = {
    {.name = "l1d", .level = 1, .kind = TLB_DATA, .entries = 16, .ways = 4, .page_sizes = 1u << VS_PG_4K,
     .latency = 1, .repl = ASSOC_LRU},
    {.name = "l1d_2m", .level = 1, .kind = TLB_DATA, .entries = 4, .ways = 2, .page_sizes = 1u << VS_PG_2M,
     .latency = 2, .repl = ASSOC_LRU},
    {.name = "l1i", .level = 1, .kind = TLB_INSTRUCTION, .entries = 8, .ways = 2, .page_sizes = 1u << VS_PG_4K,
     .latency = 1, .repl = ASSOC_LRU},
    {.name = "stlb", .level = 2, .kind = TLB_UNIFIED, .entries = 32, .ways = 4,
     .page_sizes = (1u << VS_PG_4K) | (1u << VS_PG_2M), .latency = 9, .repl = ASSOC_LRU},
};

/* ---- naive model ----------------------------------------------------- */

typedef struct nv_entry {
    uint64_t vpn, stamp;
    uint16_t tag;
    tlb_entry e;
    bool valid;
} nv_entry;

typedef struct nv_tlb {
    nv_entry e[MAX_SETS][MAX_WAYS];
    uint64_t hits, misses;
} nv_tlb;

typedef struct nv {
    nv_tlb t[N_TLBS];
    uint64_t level_hits[TH_CLASSES][2], level_misses[TH_CLASSES][2], cycles, clock;
} nv;

static bool serves(unsigned i, th_class cls)
{
    return params[i].kind == TLB_UNIFIED || params[i].kind == (cls == TH_DATA ? TLB_DATA : TLB_INSTRUCTION);
}

static bool supports(unsigned i, vs_pgsz s) { return params[i].page_sizes >> s & 1; }

static uint64_t vpn_of(uint64_t va, vs_pgsz s) { return va >> vs_pgsz_shift(s); }

static nv_entry *nv_find(nv *m, unsigned i, uint64_t va, uint16_t tag, vs_pgsz s)
{
    uint32_t sets = params[i].entries / params[i].ways;
    uint64_t vpn = vpn_of(va, s);
    for (uint32_t w = 0; w < params[i].ways; w++) {
        nv_entry *x = &m->t[i].e[vpn % sets][w];
        if (x->valid && x->vpn == vpn && x->tag == tag && x->e.size == s)
            return x;
    }
    return NULL;
}

/* A lookup of structure i: each of its sizes, smallest first. */
static bool nv_lookup(nv *m, unsigned i, uint64_t va, uint16_t tag, tlb_entry *e)
{
    for (vs_pgsz s = 0; s < VS_PG_COUNT; s++) {
        nv_entry *x = supports(i, s) ? nv_find(m, i, va, tag, s) : NULL;
        if (x) {
            x->stamp = ++m->clock;
            *e = x->e;
            m->t[i].hits++;
            return true;
        }
    }
    m->t[i].misses++;
    return false;
}

/* An insert, or an update of the entry already there; either becomes the
 * set's most recent.  A free way if there is one, else the least recent. */
static void nv_insert(nv *m, unsigned i, uint64_t va, uint16_t tag, const tlb_entry *e)
{
    if (!supports(i, e->size))
        return;
    uint32_t sets = params[i].entries / params[i].ways, ways = params[i].ways;
    uint64_t vpn = vpn_of(va, e->size);
    nv_entry *x = nv_find(m, i, va, tag, e->size), *set = m->t[i].e[vpn % sets];
    for (uint32_t w = 0; !x && w < ways; w++)
        if (!set[w].valid)
            x = &set[w];
    if (!x) {
        x = &set[0];
        for (uint32_t w = 1; w < ways; w++)
            if (set[w].stamp < x->stamp)
                x = &set[w];
    }
    *x = (nv_entry){.vpn = vpn, .tag = tag, .e = *e, .valid = true, .stamp = ++m->clock};
}

static void nv_fill_levels(nv *m, th_class cls, unsigned upto, uint64_t va, uint16_t tag, const tlb_entry *e)
{
    for (unsigned i = 0; i < N_TLBS; i++)
        if (serves(i, cls) && params[i].level <= upto)
            nv_insert(m, i, va, tag, e);
}

/* th_lookup's model. */
static bool nv_th_lookup(nv *m, th_class cls, uint64_t va, uint16_t tag, bool write, tlb_entry *e)
{
    for (unsigned l = 1; l <= 2; l++) {
        uint32_t lat = 0;
        for (unsigned i = 0; i < N_TLBS; i++)
            if (serves(i, cls) && params[i].level == l && params[i].latency > lat)
                lat = params[i].latency;
        m->cycles += lat;
        for (unsigned i = 0; i < N_TLBS; i++) {
            if (!serves(i, cls) || params[i].level != l || !nv_lookup(m, i, va, tag, e))
                continue;
            m->level_hits[cls][l - 1]++;
            if (write && !e->writable)
                return false;
            nv_fill_levels(m, cls, l - 1, va, tag, e);
            return true;
        }
        m->level_misses[cls][l - 1]++;
    }
    return false;
}

static void nv_remove_if(nv *m, bool all, uint16_t tag, bool one_va, uint64_t va)
{
    for (unsigned i = 0; i < N_TLBS; i++)
        for (unsigned s = 0; s < MAX_SETS; s++)
            for (unsigned w = 0; w < MAX_WAYS; w++) {
                nv_entry *x = &m->t[i].e[s][w];
                if (all || (x->tag == tag && (!one_va || x->vpn == vpn_of(va, x->e.size))))
                    x->valid = false;
            }
}

/* ---- the mode's translations ----------------------------------------- */

/* The page of va: 2 MiB above VA_2M, else 4 KiB; writable unless the
 * page's current protection (flipped now and then by the driver) says no. */
static tlb_entry translation(uint64_t va, const bool *read_only)
{
    vs_pgsz s = va >= VA_2M ? VS_PG_2M : VS_PG_4K;
    uint64_t vpn = vpn_of(va, s), pa = ((vpn * 0x9e3779b97f4a7c15ull) >> 24) << vs_pgsz_shift(s);
    return (tlb_entry){.pa_base = pa, .size = s, .writable = !read_only[vpn % 64], .dirty = true};
}

/* ---- th_report's counts ------------------------------------------------ */

typedef struct counts {
    char path[64][48];
    uint64_t v[64];
    unsigned n;
} counts;

static void collect(void *ctx, const char *path, const char *value)
{
    counts *c = ctx;
    assert_true(c->n < 64);
    snprintf(c->path[c->n], sizeof c->path[0], "%s", path);
    c->v[c->n++] = strtoull(value, NULL, 10);
}

static uint64_t count_of(const counts *c, const char *path)
{
    for (unsigned k = 0; k < c->n; k++)
        if (!strcmp(c->path[k], path))
            return c->v[k];
    fail_msg("no %s in th_report", path);
    return 0;
}

static void expect_counts(th *h, const nv *m)
{
    assert_int_equal(th_cycles(h), m->cycles);
    uint64_t last = m->level_misses[TH_DATA][1] + m->level_misses[TH_INST][1];
    assert_int_equal(th_last_level_misses(h), last);
    counts c = {.n = 0};
    jw *w = jw_new_flat(collect, &c);
    jw_object(w, NULL);
    th_report(h, w);
    jw_end(w);
    jw_free(w);
    char path[64];
    for (unsigned i = 0; i < N_TLBS; i++) {
        snprintf(path, sizeof path, "tlb.%s.hits", params[i].name);
        assert_int_equal(count_of(&c, path), m->t[i].hits);
        snprintf(path, sizeof path, "tlb.%s.misses", params[i].name);
        assert_int_equal(count_of(&c, path), m->t[i].misses);
    }
    static const char *const cls_names[TH_CLASSES] = {"data", "instruction"};
    for (int cls = 0; cls < TH_CLASSES; cls++)
        for (unsigned l = 0; l < 2; l++) {
            snprintf(path, sizeof path, "tlb.levels.%s.l%u.hits", cls_names[cls], l + 1);
            assert_int_equal(count_of(&c, path), m->level_hits[cls][l]);
            snprintf(path, sizeof path, "tlb.levels.%s.l%u.misses", cls_names[cls], l + 1);
            assert_int_equal(count_of(&c, path), m->level_misses[cls][l]);
        }
}

static void reset(nv *m)
{
    for (unsigned i = 0; i < N_TLBS; i++)
        m->t[i].hits = m->t[i].misses = 0;
    memset(m->level_hits, 0, sizeof m->level_hits);
    memset(m->level_misses, 0, sizeof m->level_misses);
    m->cycles = 0;
}

/* ---- the test ----------------------------------------------------------- */

static uint64_t pick_va(uint64_t x, th_class cls)
{
    uint64_t off = (x >> 40) & 0xfff;
    if (cls == TH_INST)
        return CODE + ((x >> 8) % HOT_CODE << 12) + off;
    if ((x >> 8) % 4 == 0) /* a 4 KiB piece of a 2 MiB page */
        return VA_2M + ((x >> 12) % HOT_2M << 21) + ((x >> 20) % 8 << 12) + off;
    return ((x >> 12) % HOT_4K << 12) + off;
}

static void test_vs_model(void **s)
{
    (void)s;
    vs_err err = {0};
    th *h = th_new(params, N_TLBS, &err);
    assert_non_null(h);
    nv *m = calloc(1, sizeof *m);
    bool read_only[64] = {false};
    uint64_t rng = 11, last[TH_CLASSES] = {0, CODE}, repeats = 0;
    uint16_t tag = 1;
    for (int op = 0; op < OPS; op++) {
        uint64_t x = vs_rng_next(&rng);
        unsigned what = (unsigned)(x % 1000);
        if (what < 2) {
            th_flush_all(h);
            nv_remove_if(m, true, 0, false, 0);
            continue;
        }
        if (what < 4) {
            th_flush_tag(h, tag);
            nv_remove_if(m, false, tag, false, 0);
            continue;
        }
        if (what < 14) {
            uint64_t va = pick_va(vs_rng_next(&rng), (th_class)(x >> 20 & 1));
            th_invlpg(h, tag, va);
            nv_remove_if(m, false, tag, true, va);
            continue;
        }
        if (what < 16) {
            tag = tag == 1 ? 2 : 1;
            continue;
        }
        if (what < 20) { /* the mode changes a page's protection; the TLBs keep the old entry */
            read_only[x >> 20 & 63] ^= true;
            continue;
        }
        if (op == OPS / 2) {
            th_reset_stats(h);
            reset(m);
        }
        th_class cls = (x >> 10) % 3 == 0 ? TH_INST : TH_DATA;
        /* mostly the class's last page again, else a hot page */
        uint64_t va = (x >> 16) % 8 < 5 ? (last[cls] & ~0xfffull) | ((x >> 40) & 0xfff) : pick_va(x, cls);
        last[cls] = va;
        bool write = cls == TH_DATA && (x >> 24) % 3 == 0;
        tlb_entry want, got;
        uint64_t pa;
        bool nv_hit = nv_th_lookup(m, cls, va, tag, write, &want);
        if (!nv_hit) {
            want = translation(va, read_only);
            nv_fill_levels(m, cls, 2, va, tag, &want);
        }
        uint64_t want_pa = want.pa_base | (va & ((1ull << vs_pgsz_shift(want.size)) - 1));
        bool asked = (x >> 30) % 4 != 0;
        if (asked && th_repeat(h, cls, va, tag, write, &pa)) { /* the engine's path */
            assert_true(nv_hit);
            repeats++;
        } else { /* after a refused repeat the engine's full lookup; else th_lookup, whose first step is the repeat */
            bool hit = asked ? th_lookup_past_repeat(h, cls, va, tag, write, &got)
                             : th_lookup(h, cls, va, tag, write, &got);
            assert_int_equal(hit, nv_hit);
            if (!hit) {
                got = translation(va, read_only);
                th_fill(h, cls, va, tag, &got);
            }
            assert_int_equal(got.size, want.size);
            assert_int_equal(got.writable, want.writable);
            pa = got.pa_base | (va & ((1ull << vs_pgsz_shift(got.size)) - 1));
        }
        assert_int_equal(pa, want_pa);
        if (op % 5000 == 0)
            expect_counts(h, m);
    }
    expect_counts(h, m);
    assert_true(repeats > OPS / 4); /* the memo was exercised */
    free(m);
    th_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vs_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
