/*
 * walk.c: the one-dimensional hardware walker of walk.h.
 *
 * Order of events for each walk, as on Intel cores (SDM 3A 4.10.3.2): probe
 * the split caches for the deepest cached level; then for each remaining
 * level read the entry (a unified-cache hit or one memory reference), stop
 * at a non-present entry or a leaf, and fill the split cache with each
 * non-leaf entry read.  A walk told to stop early (stop_level, stop_bit)
 * ends at the entry that says where the rest of the walk goes.
 *
 * The walker keeps no state of its own between walks; what it keeps true of
 * the caches it fills: a page-walk cache (split or unified) only ever holds
 * present entries that point to a table, never a leaf (a cached leaf would
 * go stale when the OS rewrites it; leaves belong in the TLB), so a PWC hit
 * always continues the walk below it.  Per walk: levels run from the deepest
 * cached one down to a leaf, a non-present entry or stop_level, never above
 * req->levels; tally->refs counts exactly the entries read from memory (not
 * those a unified PWC served), and res->level is the level the walk ended
 * at (a split-PWC hit at or below stop_level ends it without a read).
 */
#include "walk.h"

#include <assert.h>

int walk_1d(const walk_req *req, walk_result *res, walk_tally *tally, vs_err *err)
{
    unsigned level = req->levels;
    uint64_t table = req->root;
    bool from_pwc = false;
    /* the tree's entry format (pt.h): not req->levels, which a walk resumed mid-tree lowers */
    unsigned fmt = req->bits32 ? PT_LEVELS_32BIT : 4;

    if (req->split) {
        uint64_t next;
        unsigned hit = pwc_split_lookup(req->split, req->va, req->tag, &next);
        if (!req->probe_unpriced)
            tally->cycles += req->pwc_latency;
        if (hit && hit <= req->stop_level) { /* the stopping entry (or a deeper one) is cached */
            res->present = true;
            res->level = hit;
            res->next_table = next;
            return VS_OK;
        }
        /* A hit above this tree's top (agile resumes mid-tree) is not ours. */
        if (hit && hit <= req->levels && hit > req->stop_level) {
            level = hit - 1;
            table = next;
            from_pwc = true;
        }
    }
    for (;;) {
        assert(level >= 1 && level <= req->levels);
        uint64_t entry = pt_entry_addr(table, req->va, level, fmt);
        /* Every host miss this level will take is requested before the first
         * is waited for: the index slot of the entry's table page, and (when
         * the entry's address is already the host's) the sets of the caches
         * it goes through; then the entry itself, whose miss overlaps the
         * host-dimension walk and the cache model's. */
        pt_prefetch_index(req->tables, entry);
        if (!req->to_host && req->mem)
            mh_prefetch(req->mem, entry, MH_WALK);
        pt_prefetch_entry(req->tables, entry);
        uint64_t host = entry;
        if (req->to_host) {
            int rc = req->to_host(req->ctx, entry, from_pwc, &host, tally, err);
            if (rc != VS_OK)
                return rc;
        }
        from_pwc = false;
        uint64_t pte;
        bool cached = req->unified && pwc_unified_caches(req->unified, level);
        if (cached && pwc_unified_lookup(req->unified, host, level, &pte)) {
            tally->cycles += req->pwc_latency;
        } else {
            tally->refs++;
            if (req->mem) /* first: the entry's own host miss, prefetched above, overlaps the cache model's */
                tally->cycles += mh_access(req->mem, host, MH_WALK, false, NULL) + (cached ? req->pwc_latency : 0);
            pte = pt_read_entry_in(req->tables, entry, fmt);
            /* Only entries that point to a table are cached: leaves belong in
             * the TLB, and a cached leaf would go stale when the OS rewrites it. */
            if (cached && (pte & PTE_P) && level > 1 && !(pte & PTE_PS))
                pwc_unified_fill(req->unified, host, level, pte);
        }
        res->level = level;
        res->pte = pte;
        if (!(pte & PTE_P)) {
            res->present = false;
            return VS_OK;
        }
        bool leaf = level == 1 || (pte & PTE_PS);
        if (leaf) {
            assert(level <= 3 && (!req->bits32 || level == 1)); /* 32-bit trees hold 4 KiB leaves (pt.h) */
            res->present = true;
            res->size = (vs_pgsz)(level - 1);
            uint64_t offset_mask = (1ull << vs_pgsz_shift(res->size)) - 1;
            res->out_addr = (pte_addr(pte) & ~offset_mask) | (req->va & offset_mask);
            return VS_OK;
        }
        uint64_t next = pte_addr(pte);
        bool stop_bit = req->stop_bit && (pte & req->stop_bit);
        if (req->split && (!stop_bit || level <= req->stop_level))
            pwc_split_fill(req->split, req->va, req->tag, level, next);
        if (level == req->stop_level || stop_bit) {
            res->present = true;
            res->next_table = next;
            return VS_OK;
        }
        table = next;
        level--;
    }
}
