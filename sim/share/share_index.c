/*
 * share_index.c: the content index -- an open-addressing hash table from a
 * page hash to a page or frame reference (thesis section 6.7: entry = hash +
 * machine address, slot = hash mod index size, linear probing), and the
 * thesis's sizing function (Tables 6.1 and 6.2).
 *
 * Invariants: used <= capacity; every stored hash is reachable from its home
 * slot h mod capacity through occupied slots (no deletions, only clears).
 */
#include "share_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct share_index {
    uint64_t *h, *v;
    uint8_t *used;
    share_index_stats st;
};

share_index *share_index_new(uint64_t capacity)
{
    assert(capacity > 0);
    share_index *ix = vs_calloc(1, sizeof *ix);
    ix->h = vs_malloc(capacity * sizeof *ix->h);
    ix->v = vs_malloc(capacity * sizeof *ix->v);
    ix->used = vs_calloc(capacity, 1);
    ix->st.capacity = capacity;
    return ix;
}

/* The slot holding h, or the empty slot where it would go; SIZE_MAX when full. */
static uint64_t probe(share_index *ix, uint64_t h)
{
    uint64_t cap = ix->st.capacity, s = h % cap;
    for (uint64_t i = 0; i < cap; i++, s = s + 1 == cap ? 0 : s + 1) {
        ix->st.probes++;
        if (!ix->used[s] || ix->h[s] == h)
            return s;
        ix->st.slot_collisions++;
    }
    return UINT64_MAX;
}

bool share_index_find(share_index *ix, uint64_t h, uint64_t *value)
{
    ix->st.lookups++;
    uint64_t s = probe(ix, h);
    if (s == UINT64_MAX || !ix->used[s])
        return false;
    *value = ix->v[s];
    return true;
}

bool share_index_insert(share_index *ix, uint64_t h, uint64_t value)
{
    uint64_t s = probe(ix, h);
    if (s == UINT64_MAX) {
        ix->st.overflows++;
        return false;
    }
    if (ix->used[s])
        return false; /* already present */
    ix->used[s] = 1;
    ix->h[s] = h;
    ix->v[s] = value;
    ix->st.used++;
    ix->st.inserts++;
    return true;
}

void share_index_set(share_index *ix, uint64_t h, uint64_t value)
{
    uint64_t s = probe(ix, h);
    assert(s != UINT64_MAX && ix->used[s]);
    ix->v[s] = value;
}

void share_index_clear(share_index *ix)
{
    memset(ix->used, 0, ix->st.capacity);
    ix->st.used = 0;
}

void share_index_stats_get(const share_index *ix, share_index_stats *out) { *out = ix->st; }

void share_index_free(share_index *ix)
{
    if (!ix)
        return;
    free(ix->h);
    free(ix->v);
    free(ix->used);
    free(ix);
}

/* ---- sizing (thesis section 6.7) ---- */
#define ENTRY_BYTES 8 /* 32-bit SuperFastHash + 32-bit machine address */
#define SLACK_TENTHS 11 /* Table 6.1's "entries+10%": slots are 11 tenths of the entries */

uint64_t share_sizing_entries(uint64_t total_pages, uint32_t scans)
{
    assert(scans > 0);
    return (total_pages + scans / 2) / scans; /* 1,048,576/6 = 174,762.7 is printed 174,763 */
}

uint64_t share_sizing_slots(uint64_t entries)
{
    return (entries * SLACK_TENTHS + 9) / 10; /* rounded up: 262,144 -> 288,359 */
}

uint32_t share_sizing_mib10(uint64_t total_pages, uint32_t scans, bool with_overhead)
{
    /* Table 6.1 divides the whole-memory size by the scans (8 MiB/5 = 1.6, not
     * 209,715 x 8 B = 1.59999 MiB) and truncates to a tenth. */
    uint64_t tenths_num = total_pages * ENTRY_BYTES * (with_overhead ? SLACK_TENTHS : 10);
    return (uint32_t)(tenths_num / ((uint64_t)scans << 20));
}

uint32_t share_sizing_scans(uint64_t total_pages, uint64_t entries)
{
    assert(entries > 0);
    uint32_t x = 1;
    while (share_sizing_entries(total_pages, x) > entries)
        x++;
    return x;
}

void sh_index_json(jw *w, const share_counters *c)
{
    jw_u64(w, "capacity", c->index.capacity);
    jw_u64(w, "bytes", c->index.capacity * 8); /* 32-bit hash + 32-bit frame, as in the thesis */
    jw_u64(w, "used", c->index.used);
    jw_u64(w, "inserts", c->index.inserts);
    jw_u64(w, "lookups", c->index.lookups);
    jw_u64(w, "probes", c->index.probes);
    jw_u64(w, "slot_collisions", c->index.slot_collisions);
    jw_u64(w, "overflows", c->index.overflows);
}

void sh_index_print(FILE *out, const share_counters *c)
{
    fprintf(out, "  index: %llu slots (%llu bytes), %llu lookups, %llu slot collisions, %llu overflows\n",
            (unsigned long long)c->index.capacity, (unsigned long long)c->index.capacity * 8,
            (unsigned long long)c->index.lookups, (unsigned long long)c->index.slot_collisions,
            (unsigned long long)c->index.overflows);
}

void sh_no_json(jw *w, const share_counters *c)
{
    (void)w;
    (void)c;
}
