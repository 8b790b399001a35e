/*
 * server.c: one physical server -- its cores and a host buddy heap over its
 * RAM (Xen's heap, seed 004 sec. 9.0.1; Knuth's binary buddy) -- and the VMs
 * it hosts.  A VM's memory is real buddy blocks: one run from
 * buddy_alloc_exact when a free block of order ceil(log2 frames) exists
 * (the modified Xen allocator of the paper's Algorithm 4), otherwise the
 * largest blocks that fit, greedily (Xen's default extent-by-extent path).
 * Such a VM is contiguous only if its blocks happen to abut.
 *
 * Compaction (seed 004 sec. 6.1; Corbet, "Memory compaction", LWN 2010) is
 * modelled as a re-pack of the resident VMs, largest first, into a fresh
 * heap; its cost is the pages of every VM whose frames change.  It is
 * refused (and the server left untouched) if a VM that was contiguous would
 * lose its contiguity, or if it does not free the run asked for.
 *
 * Invariants: free_cores + sum of resident cores == cores; buddy free frames
 * + sum of resident frames == total frames; a resident marked contiguous has
 * exactly one extent.
 */
#include "place_int.h"
#include "mmu/buddy.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define KIB_PER_MIB 1024

typedef struct extent {
    uint64_t pfn, n;
} extent;

typedef struct resident {
    uint32_t vm, cores;
    uint64_t frames;
    bool contig;
    extent *ext;
    uint32_t n_ext;
} resident;

struct place_server {
    buddy *heap;
    uint32_t cores, free_cores;
    resident *res;
    size_t n, cap;
};

place_server *place_server_new(const place_gen *g, uint32_t page_kib, unsigned max_order, vs_err *err)
{
    uint64_t frames = g->ram_mib * KIB_PER_MIB / page_kib;
    if (!frames) {
        vs_fail(err, VS_E_CONFIG, "datacenter: generation %s has less RAM than one %u KiB page", g->name, page_kib);
        return NULL;
    }
    buddy *b = buddy_new(0, frames, max_order, err);
    if (!b)
        return NULL;
    place_server *s = vs_calloc(1, sizeof *s);
    s->heap = b;
    s->cores = s->free_cores = g->cores;
    return s;
}

static void free_extents(resident *r)
{
    free(r->ext);
    r->ext = NULL;
    r->n_ext = 0;
}

void place_server_free(place_server *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free_extents(&s->res[i]);
    free(s->res);
    buddy_free_all(s->heap);
    free(s);
}

uint32_t place_server_free_cores(const place_server *s) { return s->free_cores; }
uint32_t place_server_total_cores(const place_server *s) { return s->cores; }
uint64_t place_server_free_frames(const place_server *s) { return buddy_free_frames(s->heap); }
uint64_t place_server_total_frames(const place_server *s) { return buddy_total_frames(s->heap); }
uint32_t place_server_vms(const place_server *s) { return (uint32_t)s->n; }
unsigned place_server_max_order(const place_server *s) { return buddy_max_order(s->heap); }
void place_server_counts(const place_server *s, uint64_t *counts) { buddy_free_counts(s->heap, counts); }

bool place_server_fits(const place_server *s, uint32_t cores, uint64_t frames)
{
    return cores <= s->free_cores && frames <= buddy_free_frames(s->heap);
}

static bool contig_possible(const buddy *b, uint64_t frames)
{
    unsigned k = place_ceil_log2(frames);
    return k <= buddy_max_order(b) && buddy_largest_free_order(b) >= (int)k;
}

bool place_server_has_contig(const place_server *s, uint64_t frames) { return contig_possible(s->heap, frames); }

static int cmp_extent(const void *a, const void *b)
{
    const extent *x = a, *y = b;
    return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/* Greedy largest-blocks allocation; returns whether the blocks form one run. */
static bool alloc_scattered(buddy *b, uint64_t frames, resident *r)
{
    assert(frames <= buddy_free_frames(b));
    uint32_t cap = 8;
    r->ext = vs_malloc(cap * sizeof *r->ext);
    r->n_ext = 0;
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
        if (r->n_ext == cap) {
            cap *= 2;
            r->ext = vs_realloc(r->ext, cap * sizeof *r->ext);
        }
        r->ext[r->n_ext++] = (extent){pfn, 1ull << k};
        left -= 1ull << k;
    }
    qsort(r->ext, r->n_ext, sizeof *r->ext, cmp_extent);
    for (uint32_t i = 1; i < r->n_ext; i++)
        if (r->ext[i].pfn != r->ext[i - 1].pfn + r->ext[i - 1].n)
            return false;
    r->ext[0].n = frames; /* one run: keep it as one extent */
    r->n_ext = 1;
    return true;
}

static bool alloc_contig(buddy *b, uint64_t frames, resident *r)
{
    uint64_t pfn;
    if (!contig_possible(b, frames) || !buddy_alloc_exact(b, frames, &pfn))
        return false;
    r->ext = vs_malloc(sizeof *r->ext);
    r->ext[0] = (extent){pfn, frames};
    r->n_ext = 1;
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

bool place_server_host(place_server *s, uint32_t vm, uint32_t cores, uint64_t frames)
{
    assert(place_server_fits(s, cores, frames) && frames > 0);
    resident *r = push(s, vm, cores, frames);
    r->contig = alloc_contig(s->heap, frames, r) || alloc_scattered(s->heap, frames, r);
    return r->contig;
}

bool place_server_host_contig(place_server *s, uint32_t vm, uint32_t cores, uint64_t frames)
{
    if (cores > s->free_cores || !contig_possible(s->heap, frames))
        return false;
    resident *r = push(s, vm, cores, frames);
    bool ok = alloc_contig(s->heap, frames, r);
    assert(ok);
    r->contig = ok;
    return ok;
}

static void release(buddy *b, const resident *r)
{
    for (uint32_t i = 0; i < r->n_ext; i++)
        buddy_free_exact(b, r->ext[i].pfn, r->ext[i].n);
}

void place_server_evict(place_server *s, uint32_t vm)
{
    size_t i = 0;
    while (i < s->n && s->res[i].vm != vm)
        i++;
    assert(i < s->n);
    release(s->heap, &s->res[i]);
    s->free_cores += s->res[i].cores;
    free_extents(&s->res[i]);
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

static bool same_extents(const resident *a, const resident *b)
{
    return a->n_ext == b->n_ext && !memcmp(a->ext, b->ext, a->n_ext * sizeof *a->ext);
}

uint64_t place_server_compact(place_server *s, uint64_t need, bool *accepted)
{
    *accepted = false;
    buddy *fresh = buddy_new(0, buddy_total_frames(s->heap), buddy_max_order(s->heap), NULL);
    assert(fresh);
    resident **order = vs_malloc((s->n + 1) * sizeof *order);
    resident *moved = vs_calloc(s->n + 1, sizeof *moved);
    for (size_t i = 0; i < s->n; i++)
        order[i] = &s->res[i];
    qsort(order, s->n, sizeof *order, cmp_repack);
    bool ok = true;
    for (size_t i = 0; i < s->n && ok; i++) {
        resident *r = order[i];
        moved[i] = *r;
        moved[i].ext = NULL;
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
            if (!same_extents(r, &moved[i]))
                pages += r->frames;
            free(r->ext);
            r->ext = moved[i].ext;
            r->n_ext = moved[i].n_ext;
        }
        buddy_free_all(s->heap);
        s->heap = fresh;
        *accepted = true;
    } else {
        for (size_t i = 0; i < s->n; i++)
            free(moved[i].ext);
        buddy_free_all(fresh);
    }
    free(order);
    free(moved);
    return pages;
}
