/*
 * server.c: one physical server -- its cores and a host buddy heap over its
 * RAM (Xen's heap, seed 004 sec. 9.0.1; Knuth's binary buddy) -- the VMs it
 * hosts, and the memory its host software takes from the same heap.  A VM's
 * memory is real buddy blocks: one run from buddy_alloc_exact when a free
 * block of order ceil(log2 frames) exists (the modified Xen allocator of the
 * paper's Algorithm 4), otherwise the largest blocks that fit, greedily
 * (Xen's default extent-by-extent path).  Such a VM is contiguous only if its
 * blocks happen to abut.
 *
 * Non-VM memory (place_host; sizes and sources in docs/placement.md):
 *   reserved    dom0 / the host kernel, taken at switch-on (lowest addresses);
 *   paging pool per VM, libxl's shadow/HAP allocation, taken as 4 KiB pages
 *               before the VM's memory and freed with it; unmovable;
 *   page cache  filled by each VM creation after its memory, as 4 KiB pages
 *               (off in the Xen configs: dom0 caches in its own memory);
 *               freed after cache_life seconds, or earlier, oldest first,
 *               when a VM needs the frames (LRU reclaim).
 * 4 KiB pages come from the smallest free blocks first, lowest address
 * first (buddy_alloc order 0); take_pages does n such allocations at once.
 * The pool and cache pages land in the holes VMs leave and keep those holes
 * from merging back into large blocks: that is the fragmentation.
 *
 * Compaction (seed 004 sec. 6.1; Corbet, "Memory compaction", LWN 2010) is
 * modelled as a re-pack of the resident VMs, largest first, into a fresh
 * heap around the unmovable reserved and pool pages, with the page cache
 * dropped; its cost is the pages of every VM whose frames change.  It is
 * refused (and the server left untouched) if a VM that was contiguous would
 * lose its contiguity, or if it does not free the run asked for.
 *
 * Invariants: free_cores + sum of resident cores == cores; buddy free frames
 * + reserved + sum of resident frames and pools + cache == total frames; a
 * resident marked contiguous has exactly one extent; cache entries are in
 * creation order, so expiry and LRU reclaim both pop from the head.
 */
#include "place_int.h"
#include "mmu/buddy.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define KIB_PER_MIB 1024
#define KIB_PER_GIB (1024 * 1024)

typedef struct extent {
    uint64_t pfn, n;
} extent;

/* A growable list of extents. */
typedef struct extents {
    extent *e;
    uint32_t n, cap;
} extents;

typedef struct resident {
    uint32_t vm, cores;
    uint64_t frames;
    bool contig;
    extents mem, pool;
} resident;

typedef struct cache_entry {
    int64_t expires;
    uint64_t frames;
    extents ext;
} cache_entry;

struct place_server {
    buddy *heap;
    uint32_t cores, free_cores;
    uint32_t page_kib;
    place_host host;
    int64_t now;
    extents reserved;
    resident *res;
    size_t n, cap;
    cache_entry *cache; /* [cache_head, n_cache): live, oldest first */
    size_t cache_head, n_cache, cap_cache;
    uint64_t cache_frames;
};

static uint64_t kib_to_frames(uint64_t kib, uint32_t page_kib) { return (kib + page_kib - 1) / page_kib; }

static void ext_push(extents *x, uint64_t pfn, uint64_t n)
{
    if (x->n && x->e[x->n - 1].pfn + x->e[x->n - 1].n == pfn) {
        x->e[x->n - 1].n += n; /* keep abutting pieces as one run */
        return;
    }
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 4;
        x->e = vs_realloc(x->e, x->cap * sizeof *x->e);
    }
    x->e[x->n++] = (extent){pfn, n};
}

static void ext_clear(extents *x)
{
    free(x->e);
    *x = (extents){0};
}

static void ext_release(buddy *b, const extents *x)
{
    for (uint32_t i = 0; i < x->n; i++)
        buddy_free_exact(b, x->e[i].pfn, x->e[i].n);
}

/* Re-takes the same frames in another heap (unmovable memory in a re-pack). */
static void ext_retake(buddy *b, const extents *x)
{
    for (uint32_t i = 0; i < x->n; i++)
        for (uint64_t p = x->e[i].pfn, end = p + x->e[i].n; p < end;) {
            unsigned k = p ? (unsigned)__builtin_ctzll(p) : buddy_max_order(b);
            if (k > buddy_max_order(b))
                k = buddy_max_order(b);
            while ((1ull << k) > end - p)
                k--;
            bool ok = buddy_alloc_at(b, p, k);
            assert(ok);
            (void)ok;
            p += 1ull << k;
        }
}

/* n order-0 allocations at once: buddy_alloc takes the smallest free block
 * first, lowest address first, and drains it from its low end; so n calls of
 * buddy_alloc(b, 0) return the same frames as taking, from the smallest free
 * block, min(block, 2^floor(log2 n)) frames at a time -- one call per piece. */
static void take_pages(buddy *b, uint64_t n, extents *out)
{
    assert(n <= buddy_free_frames(b));
    uint64_t counts[BUDDY_MAX_ORDER_LIMIT + 1];
    while (n) {
        buddy_free_counts(b, counts);
        unsigned k = 0;
        while (!counts[k])
            k++;
        unsigned j = place_floor_log2(n);
        if (j > k)
            j = k;
        uint64_t p;
        bool ok = buddy_alloc(b, j, &p);
        assert(ok);
        (void)ok;
        ext_push(out, p, 1ull << j);
        n -= 1ull << j;
    }
}

place_server *place_server_new(const place_gen *g, uint32_t page_kib, unsigned max_order, const place_host *host,
                               vs_err *err)
{
    uint64_t frames = g->ram_mib * KIB_PER_MIB / page_kib;
    if (!frames) {
        vs_fail(err, VS_E_CONFIG, "datacenter: generation %s has less RAM than one %u KiB page", g->name, page_kib);
        return NULL;
    }
    uint64_t reserved = host ? kib_to_frames(host->reserved_kib, page_kib) : 0;
    if (reserved >= frames) {
        vs_fail(err, VS_E_CONFIG, "datacenter: [host] reserved leaves no memory for VMs on generation %s", g->name);
        return NULL;
    }
    buddy *b = buddy_new(0, frames, max_order, err);
    if (!b)
        return NULL;
    place_server *s = vs_calloc(1, sizeof *s);
    s->heap = b;
    s->cores = s->free_cores = g->cores;
    s->page_kib = page_kib;
    if (host)
        s->host = *host;
    if (reserved)
        take_pages(b, reserved, &s->reserved);
    return s;
}

static void free_resident(resident *r)
{
    ext_clear(&r->mem);
    ext_clear(&r->pool);
}

void place_server_free(place_server *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free_resident(&s->res[i]);
    for (size_t i = s->cache_head; i < s->n_cache; i++)
        ext_clear(&s->cache[i].ext);
    free(s->res);
    free(s->cache);
    ext_clear(&s->reserved);
    buddy_free_all(s->heap);
    free(s);
}

/* Frees the oldest live page cache entry. */
static void cache_pop(place_server *s)
{
    cache_entry *c = &s->cache[s->cache_head++];
    ext_release(s->heap, &c->ext);
    ext_clear(&c->ext);
    s->cache_frames -= c->frames;
    if (s->cache_head == s->n_cache)
        s->cache_head = s->n_cache = 0;
}

void place_server_advance(place_server *s, int64_t now)
{
    if (now > s->now)
        s->now = now;
    while (s->cache_head < s->n_cache && s->cache[s->cache_head].expires <= s->now)
        cache_pop(s);
}

uint32_t place_server_free_cores(const place_server *s) { return s->free_cores; }
uint32_t place_server_total_cores(const place_server *s) { return s->cores; }
uint64_t place_server_free_frames(const place_server *s) { return buddy_free_frames(s->heap); }
uint64_t place_server_avail_frames(const place_server *s) { return buddy_free_frames(s->heap) + s->cache_frames; }
uint64_t place_server_total_frames(const place_server *s) { return buddy_total_frames(s->heap); }
uint32_t place_server_vms(const place_server *s) { return (uint32_t)s->n; }
unsigned place_server_max_order(const place_server *s) { return buddy_max_order(s->heap); }
void place_server_counts(const place_server *s, uint64_t *counts) { buddy_free_counts(s->heap, counts); }

static uint64_t pool_frames(const place_server *s, uint32_t cores, uint64_t frames)
{
    uint64_t gib_milli = frames * s->page_kib * 1000 / KIB_PER_GIB; /* thousandths of a GiB, so small VMs count */
    uint64_t kib = s->host.pool_kib_per_vcpu * cores + s->host.pool_kib_per_gib * gib_milli / 1000;
    return kib_to_frames(kib, s->page_kib);
}

uint64_t place_server_vm_need(const place_server *s, uint32_t cores, uint64_t frames)
{
    return frames + pool_frames(s, cores, frames);
}

bool place_server_fits(const place_server *s, uint32_t cores, uint64_t frames)
{
    return cores <= s->free_cores && place_server_vm_need(s, cores, frames) <= place_server_avail_frames(s);
}

static bool contig_possible(const buddy *b, uint64_t frames)
{
    unsigned k = place_ceil_log2(frames);
    return k <= buddy_max_order(b) && buddy_largest_free_order(b) >= (int)k;
}

/* Whether a free block of order >= k survives taking n pages the way
 * take_pages does: whole blocks, smallest first, then the low end of one
 * block, whose largest remaining piece is then all that is left of it. */
static bool block_survives(uint64_t *counts, unsigned max_order, uint64_t n, unsigned k)
{
    int piece = -1; /* order of the largest free piece of a partly taken block */
    for (unsigned o = 0; o <= max_order && n; o++) {
        uint64_t size = 1ull << o, whole = n / size < counts[o] ? n / size : counts[o];
        n -= whole * size;
        counts[o] -= whole;
        if (n && counts[o]) { /* n < size: the pages end inside one block of this order */
            counts[o]--;
            for (unsigned cur = o; cur > 0 && piece < 0; cur--) {
                uint64_t half = 1ull << (cur - 1);
                if (n <= half)
                    piece = (int)cur - 1; /* the upper half is untouched */
                else
                    n -= half;
            }
            n = 0;
        }
    }
    for (unsigned o = k; o <= max_order; o++)
        if (counts[o])
            return true;
    return piece >= (int)k;
}

bool place_server_has_contig(const place_server *s, uint32_t cores, uint64_t frames)
{
    if (!contig_possible(s->heap, frames))
        return false;
    uint64_t pool = pool_frames(s, cores, frames); /* taken before the VM's memory */
    if (!pool)
        return true;
    uint64_t counts[BUDDY_MAX_ORDER_LIMIT + 1];
    buddy_free_counts(s->heap, counts);
    return block_survives(counts, buddy_max_order(s->heap), pool, place_ceil_log2(frames));
}

static int cmp_extent(const void *a, const void *b)
{
    const extent *x = a, *y = b;
    return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/* Greedy largest-blocks allocation; returns whether the blocks form one run. */
static bool alloc_scattered(buddy *b, uint64_t frames, extents *x)
{
    assert(frames <= buddy_free_frames(b));
    for (uint64_t left = frames; left;) {
        int top = buddy_largest_free_order(b);
        assert(top >= 0);
        unsigned k = place_floor_log2(left);
        if ((int)k > top)
            k = (unsigned)top;
        uint64_t pfn;
        bool ok = buddy_alloc(b, k, &pfn);
        assert(ok);
        (void)ok;
        if (x->n == x->cap) {
            x->cap = x->cap ? 2 * x->cap : 8;
            x->e = vs_realloc(x->e, x->cap * sizeof *x->e);
        }
        x->e[x->n++] = (extent){pfn, 1ull << k};
        left -= 1ull << k;
    }
    qsort(x->e, x->n, sizeof *x->e, cmp_extent);
    for (uint32_t i = 1; i < x->n; i++)
        if (x->e[i].pfn != x->e[i - 1].pfn + x->e[i - 1].n)
            return false;
    x->e[0].n = frames; /* one run: keep it as one extent */
    x->n = 1;
    return true;
}

static bool alloc_contig(buddy *b, uint64_t frames, extents *x)
{
    uint64_t pfn;
    if (!contig_possible(b, frames) || !buddy_alloc_exact(b, frames, &pfn))
        return false;
    ext_push(x, pfn, frames);
    return true;
}

static resident *push(place_server *s, uint32_t vm, uint32_t cores, uint64_t frames)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->res = vs_realloc(s->res, s->cap * sizeof *s->res);
    }
    resident *r = &s->res[s->n++];
    *r = (resident){.vm = vm, .cores = cores, .frames = frames};
    s->free_cores -= cores;
    return r;
}

/* LRU reclaim until need frames are free. */
static void reclaim(place_server *s, uint64_t need)
{
    while (buddy_free_frames(s->heap) < need && s->cache_head < s->n_cache)
        cache_pop(s);
}

/* The page cache a VM's creation fills: what is left of cache_per_vm once
 * free memory runs out (the kernel does not evict to grow the cache here). */
static void fill_cache(place_server *s)
{
    uint64_t n = kib_to_frames(s->host.cache_kib_per_vm, s->page_kib);
    if (n > buddy_free_frames(s->heap))
        n = buddy_free_frames(s->heap);
    if (!n || !s->host.cache_life_s)
        return;
    if (s->n_cache == s->cap_cache) {
        if (s->cache_head) { /* slide the live entries down before growing */
            memmove(s->cache, s->cache + s->cache_head, (s->n_cache - s->cache_head) * sizeof *s->cache);
            s->n_cache -= s->cache_head;
            s->cache_head = 0;
        }
        if (s->n_cache == s->cap_cache) {
            s->cap_cache = s->cap_cache ? 2 * s->cap_cache : 16;
            s->cache = vs_realloc(s->cache, s->cap_cache * sizeof *s->cache);
        }
    }
    cache_entry *c = &s->cache[s->n_cache++];
    *c = (cache_entry){.expires = s->now + (int64_t)s->host.cache_life_s, .frames = n};
    take_pages(s->heap, n, &c->ext);
    s->cache_frames += n;
}

bool place_server_host(place_server *s, uint32_t vm, uint32_t cores, uint64_t frames)
{
    assert(place_server_fits(s, cores, frames) && frames > 0);
    reclaim(s, place_server_vm_need(s, cores, frames));
    resident *r = push(s, vm, cores, frames);
    uint64_t pool = pool_frames(s, cores, frames);
    if (pool)
        take_pages(s->heap, pool, &r->pool);
    r->contig = alloc_contig(s->heap, frames, &r->mem) || alloc_scattered(s->heap, frames, &r->mem);
    fill_cache(s);
    return r->contig;
}

bool place_server_host_contig(place_server *s, uint32_t vm, uint32_t cores, uint64_t frames)
{
    if (cores > s->free_cores || place_server_vm_need(s, cores, frames) > buddy_free_frames(s->heap) ||
        !place_server_has_contig(s, cores, frames))
        return false;
    resident *r = push(s, vm, cores, frames);
    uint64_t pool = pool_frames(s, cores, frames);
    if (pool)
        take_pages(s->heap, pool, &r->pool);
    r->contig = alloc_contig(s->heap, frames, &r->mem);
    assert(r->contig); /* has_contig accounted for the pool */
    fill_cache(s);
    return true;
}

void place_server_evict(place_server *s, uint32_t vm)
{
    size_t i = 0;
    while (i < s->n && s->res[i].vm != vm)
        i++;
    assert(i < s->n);
    ext_release(s->heap, &s->res[i].mem);
    ext_release(s->heap, &s->res[i].pool);
    s->free_cores += s->res[i].cores;
    free_resident(&s->res[i]);
    s->res[i] = s->res[--s->n];
}

/* Largest first; contiguous VMs before scattered ones of the same size; then by VM. */
static int cmp_repack(const void *a, const void *b)
{
    const resident *x = *(resident *const *)a, *y = *(resident *const *)b;
    if (x->frames != y->frames)
        return x->frames > y->frames ? -1 : 1;
    if (x->contig != y->contig)
        return x->contig ? -1 : 1;
    return x->vm < y->vm ? -1 : x->vm > y->vm;
}

static bool same_extents(const extents *a, const extents *b)
{
    return a->n == b->n && !memcmp(a->e, b->e, a->n * sizeof *a->e);
}

uint64_t place_server_compact(place_server *s, uint64_t need, bool *accepted)
{
    *accepted = false;
    buddy *fresh = buddy_new(0, buddy_total_frames(s->heap), buddy_max_order(s->heap), NULL);
    assert(fresh);
    ext_retake(fresh, &s->reserved);
    resident **order = vs_malloc((s->n + 1) * sizeof *order);
    extents *moved = vs_calloc(s->n + 1, sizeof *moved);
    for (size_t i = 0; i < s->n; i++) {
        order[i] = &s->res[i];
        ext_retake(fresh, &s->res[i].pool);
    }
    qsort(order, s->n, sizeof *order, cmp_repack);
    bool ok = true;
    for (size_t i = 0; i < s->n && ok; i++) {
        resident *r = order[i];
        if (alloc_contig(fresh, r->frames, &moved[i]))
            continue;
        ok = !r->contig; /* a contiguous VM must stay so */
        if (ok)
            alloc_scattered(fresh, r->frames, &moved[i]);
    }
    if (ok && need)
        ok = contig_possible(fresh, need);
    uint64_t pages = 0;
    if (ok) {
        for (size_t i = 0; i < s->n; i++) {
            resident *r = order[i];
            if (!same_extents(&r->mem, &moved[i]))
                pages += r->frames;
            ext_clear(&r->mem);
            r->mem = moved[i];
        }
        while (s->cache_head < s->n_cache) /* the cache is dropped, not moved */
            cache_pop(s);
        buddy_free_all(s->heap);
        s->heap = fresh;
        *accepted = true;
    } else {
        for (size_t i = 0; i < s->n; i++)
            ext_clear(&moved[i]);
        buddy_free_all(fresh);
    }
    free(order);
    free(moved);
    return pages;
}
