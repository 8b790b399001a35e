/*
 * test_assoc.c: the set-associative store against a naive model (explicit
 * timestamp LRU, linear scans of every way) under random lookups, accesses
 * (lookup, else fill), inserts, removes, clears and remove_ifs, for narrow, wide, fully associative and
 * non-power-of-two-set geometries, and 16-way sets packed with their ranks
 * into one line, before and after a key unpacks them; every hit, value and victim must agree.
 * Random replacement: same seed same victims, victims always come from a
 * full set, occupancy never exceeds the geometry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sim/assoc.h"

extern const assoc_policy repl_random; /* sim/tlb/repl_random.c */

#define OPS 60000 /* random operations per geometry: enough to cycle every set many times */

typedef struct ref_entry {
    uint64_t key, val, stamp;
    bool valid;
} ref_entry;

/* The naive model: per set, `ways` slots with last-use timestamps. */
typedef struct ref {
    uint32_t ways, sets;
    ref_entry *e;
    uint64_t clock;
} ref;

static ref *ref_new(uint32_t entries, uint32_t ways)
{
    ref *r = calloc(1, sizeof *r);
    r->ways = ways;
    r->sets = entries / ways;
    r->e = calloc(entries, sizeof *r->e);
    return r;
}

static void ref_free(ref *r)
{
    free(r->e);
    free(r);
}

static ref_entry *ref_find(ref *r, uint64_t key, uint64_t index)
{
    ref_entry *s = r->e + (index % r->sets) * r->ways;
    for (uint32_t i = 0; i < r->ways; i++)
        if (s[i].valid && s[i].key == key)
            return &s[i];
    return NULL;
}

static bool ref_lookup(ref *r, uint64_t key, uint64_t index, uint64_t *val)
{
    ref_entry *e = ref_find(r, key, index);
    if (!e)
        return false;
    e->stamp = ++r->clock;
    *val = e->val;
    return true;
}

static bool ref_insert(ref *r, uint64_t key, uint64_t index, uint64_t val, uint64_t *victim)
{
    ref_entry *e = ref_find(r, key, index), *s = r->e + (index % r->sets) * r->ways;
    bool evicted = false;
    if (!e) {
        for (uint32_t i = 0; i < r->ways && !e; i++)
            if (!s[i].valid)
                e = &s[i];
        if (!e) {
            e = &s[0];
            for (uint32_t i = 1; i < r->ways; i++)
                if (s[i].stamp < e->stamp)
                    e = &s[i];
            *victim = e->key;
            evicted = true;
        }
    }
    *e = (ref_entry){.key = key, .val = val, .stamp = ++r->clock, .valid = true};
    return evicted;
}

static uint32_t ref_occupancy(const ref *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->sets * r->ways; i++)
        n += r->e[i].valid;
    return n;
}

static bool divisible_by_3(uint64_t key, uint64_t val, void *ctx)
{
    (void)val;
    (void)ctx;
    return key % 3 == 0;
}

/* The set index a caller would derive from a key (deliberately not the key). */
static uint64_t index_of(uint64_t key) { return key * 7 + (key >> 5); }

/* The index of key at operation op: until op own_until, the key itself (a
 * data cache's line address is its set index, which a 16-way store keeps in
 * packed sets), then index_of (the packed store must unpack and agree on). */
static uint64_t index_at(uint64_t key, int op, int own_until) { return op < own_until ? key : index_of(key); }

/* keys from key_base up: 0 keeps them below 2^32 (4-byte tags), a base of
 * 2^40 or more makes them the 8-byte tags of the TLBs' keys (tlb.c). */
static void run_lru_keys(uint32_t entries, uint32_t ways, uint64_t seed, int own_until, uint64_t key_base)
{
    assoc *a = assoc_new(entries, ways, ASSOC_LRU, 1);
    ref *r = ref_new(entries, ways);
    assert_non_null(a);
    assert_int_equal(assoc_sets(a), entries / ways);
    uint64_t universe = 2ull * entries + 5; /* twice the capacity: hits and evictions both common */
    int evictions = 0;
    for (int op = 0; op < OPS; op++) {
        uint64_t x = vs_rng_next(&seed), key = key_base + (x >> 8) % universe, idx = index_at(key, op, own_until);
        unsigned what = x % 100000; /* per 100000: rare clears and remove_ifs so big stores still fill */
        if (what < 15000) { /* a cache access: a hit, or a fill with the value 0 */
            uint64_t v2 = 0, victim;
            bool h2 = ref_lookup(r, key, idx, &v2);
            if (!h2)
                ref_insert(r, key, idx, 0, &victim);
            assert_int_equal(assoc_access(a, key, idx), h2);
        } else if (what < 45000) {
            uint64_t v1 = 0, v2 = 0;
            uint32_t set = UINT32_MAX;
            /* half the lookups through the variant that reports the set searched */
            bool h1 = x >> 40 & 1 ? assoc_lookup_set(a, key, idx, &v1, &set) : assoc_lookup(a, key, idx, &v1);
            bool h2 = ref_lookup(r, key, idx, &v2);
            if (x >> 40 & 1)
                assert_int_equal(set, idx % (entries / ways));
            assert_int_equal(h1, h2);
            if (h1)
                assert_int_equal(v1, v2);
            /* half the misses filled at once, as a TLB's after its walk (the
             * fill of the key the lookup found absent: assoc.c's absent mark),
             * then rewritten (the mark must be gone: a hit, no eviction) */
            for (int k = 0; !h1 && x >> 41 & 1 && k < 2; k++) {
                uint64_t w1 = ~0ull, w2 = ~0ull, val = (x >> 20) + (uint64_t)k;
                bool e1 = assoc_insert(a, key, idx, val, &w1), e2 = ref_insert(r, key, idx, val, &w2);
                assert_int_equal(e1, e2);
                assert_int_equal(w1, w2);
                evictions += e1;
            }
        } else if (what < 93000) {
            uint64_t v1 = ~0ull, v2 = ~0ull, val = x >> 20;
            bool e1 = assoc_insert(a, key, idx, val, &v1), e2 = ref_insert(r, key, idx, val, &v2);
            assert_int_equal(e1, e2);
            assert_int_equal(v1, v2);
            evictions += e1;
        } else if (what < 99993) {
            ref_entry *e = ref_find(r, key, idx);
            assert_int_equal(assoc_remove(a, key, idx), e != NULL);
            if (e)
                e->valid = false;
        } else if (what < 99997) {
            size_t n = 0;
            for (uint32_t i = 0; i < entries; i++)
                if (r->e[i].valid && divisible_by_3(r->e[i].key, 0, NULL)) {
                    r->e[i].valid = false;
                    n++;
                }
            assert_int_equal(assoc_remove_if(a, divisible_by_3, NULL), n);
        } else {
            assoc_clear(a);
            for (uint32_t i = 0; i < entries; i++)
                r->e[i].valid = false;
        }
        assert_int_equal(assoc_occupancy(a), ref_occupancy(r));
    }
    assert_true(evictions > OPS / 20);
    for (uint64_t key = key_base; key < key_base + universe; key++) {
        uint64_t v1 = 0;
        uint64_t idx = index_at(key, OPS, own_until);
        ref_entry *e = ref_find(r, key, idx);
        assert_int_equal(assoc_probe(a, key, idx, &v1), e != NULL);
        if (e)
            assert_int_equal(v1, e->val);
    }
    assoc_free(a);
    ref_free(r);
}

static void run_lru_phased(uint32_t entries, uint32_t ways, uint64_t seed, int own_until)
{
    run_lru_keys(entries, ways, seed, own_until, 0);
}

static void run_lru(uint32_t entries, uint32_t ways, uint64_t seed) { run_lru_phased(entries, ways, seed, 0); }

/* 8-byte tags from the first insert: the form of the TLBs and paging-structure
 * caches, whose insert compares the set's tags once for the key and the free
 * ways (assoc.c, n_match_free); each way count picks its own match (n_pick_match),
 * 16 ways from the packed form. */
static void test_lru_wide_keys(void **s)
{
    (void)s;
    static const uint32_t geo[][2] = {{1536, 12}, {64, 4}, {32, 8}, {96, 32}, {42, 6}, {256, 16}};
    for (size_t i = 0; i < sizeof geo / sizeof *geo; i++)
        run_lru_keys(geo[i][0], geo[i][1], 30 + i, 0, 1ull << 45);
}

static void test_lru_1536x12(void **s) { (void)s; run_lru(1536, 12, 11); }
static void test_lru_1536_full(void **s) { (void)s; run_lru(1536, 1536, 12); }
static void test_lru_direct_mapped(void **s) { (void)s; run_lru(64, 1, 13); }
static void test_lru_7x7(void **s) { (void)s; run_lru(7, 7, 14); }
static void test_lru_192_sets(void **s) { (void)s; run_lru(1536, 8, 15); }
static void test_lru_64x4(void **s) { (void)s; run_lru(64, 4, 16); }
static void test_lru_wide_sets(void **s) { (void)s; run_lru(1024, 64, 17); }
static void test_lru_wide_3_sets(void **s) { (void)s; run_lru(144, 48, 18); }
static void test_lru_one_entry(void **s) { (void)s; run_lru(1, 1, 19); }
static void test_lru_32_ways(void **s) { (void)s; run_lru(96, 32, 20); }
static void test_lru_16_ways_packed(void **s) { (void)s; run_lru_phased(1024, 16, 21, OPS + 1); }
static void test_lru_16_ways_unpacked(void **s) { (void)s; run_lru_phased(1024, 16, 22, OPS / 2); }

static void test_bad_geometry(void **s)
{
    (void)s;
    assert_null(assoc_new(0, 1, ASSOC_LRU, 0));
    assert_null(assoc_new(8, 0, ASSOC_LRU, 0));
    assert_null(assoc_new(8, 16, ASSOC_LRU, 0));
    assert_null(assoc_new(12, 8, ASSOC_LRU, 0));
}

/* Hit on the MRU entry twice in a row changes nothing; LRU order is exact. */
static void test_lru_order_by_hand(void **s)
{
    (void)s;
    assoc *a = assoc_new(4, 4, ASSOC_LRU, 0);
    uint64_t v, victim;
    for (uint64_t k = 1; k <= 4; k++)
        assert_false(assoc_insert(a, k, 0, k * 10, &victim));
    assert_true(assoc_lookup(a, 1, 0, &v)); /* order now 1 4 3 2 */
    assert_true(assoc_lookup(a, 1, 0, &v));
    assert_int_equal(v, 10);
    assert_true(assoc_lookup(a, 3, 0, &v)); /* 3 1 4 2 */
    assert_true(assoc_insert(a, 5, 0, 50, &victim));
    assert_int_equal(victim, 2);
    assert_true(assoc_insert(a, 6, 0, 60, &victim));
    assert_int_equal(victim, 4);
    assert_false(assoc_probe(a, 2, 0, NULL));
    assert_true(assoc_insert(a, 7, 0, 70, &victim)); /* probe did not refresh 1 */
    assert_int_equal(victim, 1);
    assoc_free(a);
}

/* Runs random inserts and lookups, checking each victim came from a full set
 * of the model; returns a digest of the victim sequence. */
static uint64_t run_random(uint32_t entries, uint32_t ways, uint64_t seed)
{
    assoc *a = assoc_new(entries, ways, &repl_random, seed);
    ref *r = ref_new(entries, ways);
    uint64_t digest = 0, rng = 99, universe = 3ull * entries;
    for (int op = 0; op < OPS / 2; op++) {
        uint64_t x = vs_rng_next(&rng), key = (x >> 8) % universe, idx = index_of(key), v1, v2;
        if (x % 2) {
            assert_int_equal(assoc_lookup(a, key, idx, &v1), ref_lookup(r, key, idx, &v2));
            continue;
        }
        uint64_t victim = 0;
        bool already = ref_find(r, key, idx) != NULL;
        if (assoc_insert(a, key, idx, x, &victim)) {
            assert_false(already);
            ref_entry *e = ref_find(r, victim, index_of(victim));
            assert_non_null(e);
            assert_int_equal(index_of(victim) % r->sets, idx % r->sets);
            e->valid = false;
            digest = digest * 31 + victim + 1;
        }
        assert_false(ref_insert(r, key, idx, x, &v2)); /* a full set must have given a victim */
    }
    assert_true(assoc_occupancy(a) <= entries);
    assert_int_equal(assoc_occupancy(a), ref_occupancy(r));
    assoc_free(a);
    ref_free(r);
    return digest;
}

static void test_random_replacement(void **s)
{
    (void)s;
    static const uint32_t geo[][2] = {{64, 4}, {1536, 12}, {1536, 1536}, {144, 48}, {7, 7}};
    for (size_t i = 0; i < VS_ARRAY_LEN(geo); i++) {
        uint64_t d1 = run_random(geo[i][0], geo[i][1], 5), d2 = run_random(geo[i][0], geo[i][1], 5);
        uint64_t d3 = run_random(geo[i][0], geo[i][1], 6);
        assert_int_equal(d1, d2);
        assert_int_not_equal(d1, d3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_geometry),
        cmocka_unit_test(test_lru_order_by_hand),
        cmocka_unit_test(test_lru_1536x12),
        cmocka_unit_test(test_lru_1536_full),
        cmocka_unit_test(test_lru_direct_mapped),
        cmocka_unit_test(test_lru_7x7),
        cmocka_unit_test(test_lru_192_sets),
        cmocka_unit_test(test_lru_64x4),
        cmocka_unit_test(test_lru_wide_sets),
        cmocka_unit_test(test_lru_wide_3_sets),
        cmocka_unit_test(test_lru_one_entry),
        cmocka_unit_test(test_lru_32_ways),
        cmocka_unit_test(test_lru_wide_keys),
        cmocka_unit_test(test_lru_16_ways_packed),
        cmocka_unit_test(test_lru_16_ways_unpacked),
        cmocka_unit_test(test_random_replacement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
