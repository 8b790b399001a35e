/*
 * replay.c: the placement simulation of seed 004 sec. 7 -- VMs are created
 * and destroyed at their trace times; each creation asks the policy for a
 * server and takes real buddy blocks there; the run notes which VMs got
 * contiguous memory for their whole lifetime, which servers were used, and
 * samples the fragmentation of every running server.
 *
 * Event order: by time; at one time, deletions first (they free room), then
 * creations in trace order, then the deletions of VMs that live no time at
 * all.  Servers are never switched off, so "servers used" is the servers ever
 * switched on (the paper's consolidation rate = used / total).
 *
 * Invariants: a VM is hosted by at most one server, from its creation event
 * to its deletion event; a VM keeps its contiguity flag for life (compaction
 * never breaks a contiguous VM, see server.c).
 */
#include "place_int.h"
#include "mmu/buddy.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EV_DELETE = 0, EV_CREATE = 1, EV_DELETE_INSTANT = 2 };

typedef struct event {
    int64_t t;
    uint32_t kind, vm;
} event;

static int cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->vm < y->vm ? -1 : x->vm > y->vm;
}

static uint64_t frames_of(const place_dc *dc, const place_vm *vm)
{
    return (vm->mem_kib + dc->page_kib - 1) / dc->page_kib;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The order of the median VM's memory, as the default order for the indices. */
static int median_order(const place_dc *dc, const place_trace *t)
{
    uint64_t *f = vs_malloc(t->n * sizeof *f);
    for (size_t i = 0; i < t->n; i++)
        f[i] = frames_of(dc, &t->vm[i]);
    qsort(f, t->n, sizeof *f, cmp_u64);
    unsigned k = place_ceil_log2(f[t->n / 2]);
    free(f);
    return (int)(k > dc->max_order ? dc->max_order : k);
}

typedef struct replay {
    place_fleet fleet;
    place_result *r;
    const place_trace *t;
    uint64_t *counts;
    uint32_t active; /* servers hosting at least one VM */
    bool *dirty;     /* per server: VMs came or went since its last periodic compaction */
    double sum_unusable, sum_frag;
    uint64_t pairs, no_block;
} replay;

static void sample(replay *rp, int64_t t)
{
    place_result *r = rp->r;
    for (uint32_t k = 0; k < rp->fleet.n_on; k++) {
        uint32_t id = rp->fleet.on[k];
        const place_server *s = rp->fleet.srv[id];
        place_server_counts(s, rp->counts);
        unsigned mo = place_server_max_order(s), o = (unsigned)r->tot.frag_order;
        place_sample smp = {t, id, place_server_free_frames(s), buddy_unusable_index(rp->counts, mo, o),
                            buddy_fragmentation_index(rp->counts, mo, o)};
        if (r->n_samples == r->cap_samples) {
            r->cap_samples = r->cap_samples ? 2 * r->cap_samples : 256;
            r->samples = vs_realloc(r->samples, r->cap_samples * sizeof *r->samples);
        }
        r->samples[r->n_samples++] = smp;
        rp->pairs++;
        rp->sum_unusable += smp.unusable;
        if (smp.fragmentation >= 0) {
            rp->no_block++;
            rp->sum_frag += smp.fragmentation;
        }
    }
}

/* Every running server's clock to now: host page cache past its life is freed. */
static void advance(replay *rp, int64_t now)
{
    for (uint32_t k = 0; k < rp->fleet.n_on; k++)
        place_server_advance(rp->fleet.srv[rp->fleet.on[k]], now);
}

static void compact(replay *rp, uint32_t id, uint64_t need)
{
    bool ok;
    rp->r->tot.pages_moved += place_server_compact(rp->fleet.srv[id], need, &ok);
    rp->r->tot.compactions++;
    rp->r->tot.compactions_accepted += ok;
}

/* Compacts the servers that changed since their last look and whose free
 * memory, packed, would make a larger block than the largest they have. */
static void periodic_compaction(replay *rp)
{
    for (uint32_t k = 0; k < rp->fleet.n_on; k++) {
        uint32_t id = rp->fleet.on[k];
        place_server *s = rp->fleet.srv[id];
        if (!rp->dirty[id] || !place_server_vms(s) || !place_server_free_frames(s))
            continue;
        rp->dirty[id] = false;
        place_server_counts(s, rp->counts);
        int largest = (int)place_server_max_order(s);
        while (!rp->counts[largest])
            largest--;
        unsigned packed = place_floor_log2(place_server_free_frames(s));
        if ((int)packed > largest && packed <= place_server_max_order(s))
            compact(rp, id, 0);
    }
}

static int create(replay *rp, uint32_t v)
{
    place_result *r = rp->r;
    const place_vm *vm = &rp->t->vm[v];
    uint64_t frames = frames_of(&r->dc, vm);
    int id = place_policy_choose(r->policy, &rp->fleet, vm->cores, frames);
    if (rp->fleet.failed)
        return rp->fleet.err->code;
    if (id < 0) {
        r->tot.rejected++;
        return VS_OK;
    }
    place_server *s = rp->fleet.srv[id];
    place_server_advance(s, vm->created); /* a server just switched on starts its clock now */
    rp->active += place_server_vms(s) == 0;
    if (rp->active > r->tot.peak_active)
        r->tot.peak_active = rp->active;
    r->server_of[v] = id;
    rp->dirty[id] = true;
    if (r->dc.compact == PLACE_COMPACT_DEMAND && !place_server_has_contig(s, vm->cores, frames))
        compact(rp, (uint32_t)id, frames); /* before the VM, its pool and its page cache arrive */
    r->contig[v] = place_server_host(s, v, vm->cores, frames);
    r->used[id] = true;
    r->tot.placed++;
    r->tot.contiguous += r->contig[v];
    return VS_OK;
}

static void destroy(replay *rp, uint32_t v)
{
    int id = rp->r->server_of[v];
    if (id < 0)
        return;
    place_server *s = rp->fleet.srv[id];
    rp->dirty[id] = true;
    place_server_evict(s, v);
    rp->active -= place_server_vms(s) == 0;
}

static event *build_events(const place_trace *t)
{
    event *ev = vs_malloc(2 * t->n * sizeof *ev);
    for (size_t i = 0; i < t->n; i++) {
        const place_vm *vm = &t->vm[i];
        ev[2 * i] = (event){vm->created, EV_CREATE, (uint32_t)i};
        ev[2 * i + 1] = (event){vm->deleted, vm->deleted == vm->created ? EV_DELETE_INSTANT : EV_DELETE, (uint32_t)i};
    }
    qsort(ev, 2 * t->n, sizeof *ev, cmp_event);
    return ev;
}

static place_result *new_result(const place_dc *dc, const place_trace *t, place_policy p)
{
    place_result *r = vs_calloc(1, sizeof *r);
    r->dc = *dc;
    r->policy = p;
    snprintf(r->format, sizeof r->format, "%s", t->format);
    r->n_vms = t->n;
    r->server_of = vs_malloc(t->n * sizeof *r->server_of);
    for (size_t i = 0; i < t->n; i++)
        r->server_of[i] = -1;
    r->contig = vs_calloc(t->n, sizeof *r->contig);
    r->gen_of = vs_malloc(dc->servers * sizeof *r->gen_of);
    r->used = vs_calloc(dc->servers, sizeof *r->used);
    place_dc_fleet(dc, r->gen_of);
    r->tot.vms = t->n;
    r->tot.servers_total = dc->servers;
    r->tot.frag_order = dc->frag_order >= 0 ? dc->frag_order : median_order(dc, t);
    return r;
}

static void finish(replay *rp)
{
    place_totals *tot = &rp->r->tot;
    for (uint32_t i = 0; i < rp->r->dc.servers; i++)
        tot->servers_used += rp->r->used[i];
    tot->contiguous_pct = tot->placed ? 100.0 * (double)tot->contiguous / (double)tot->placed : 0;
    tot->consolidation_rate = (double)tot->servers_used / (double)tot->servers_total;
    tot->mean_unusable = rp->pairs ? rp->sum_unusable / (double)rp->pairs : 0;
    tot->no_block_share = rp->pairs ? (double)rp->no_block / (double)rp->pairs : 0;
    tot->mean_fragmentation = rp->no_block ? rp->sum_frag / (double)rp->no_block : 0;
}

int place_run(const place_dc *dc, const place_trace *t, place_policy p, place_result **out, vs_err *err)
{
    *out = NULL;
    if (!t->n)
        return vs_fail(err, VS_E_USAGE, "place: the trace holds no VM");
    if (t->n > UINT32_MAX / 2)
        return vs_fail(err, VS_E_LIMIT, "place: at most %u VMs per run", UINT32_MAX / 2);
    replay rp = {.r = new_result(dc, t, p), .t = t};
    rp.fleet = (place_fleet){.dc = &rp.r->dc, .gen_of = rp.r->gen_of, .err = err};
    rp.fleet.srv = vs_calloc(dc->servers, sizeof *rp.fleet.srv);
    rp.fleet.on = vs_malloc(dc->servers * sizeof *rp.fleet.on);
    rp.counts = vs_malloc((BUDDY_MAX_ORDER_LIMIT + 1) * sizeof *rp.counts);
    rp.dirty = vs_calloc(dc->servers, sizeof *rp.dirty);
    event *ev = build_events(t);
    size_t nev = 2 * t->n;
    int64_t t0 = ev[0].t, t1 = ev[nev - 1].t;
    uint32_t next_sample = 0;
    int64_t next_compact = t0 + (int64_t)dc->compact_period;
    int rc = VS_OK;
    for (size_t i = 0; i <= nev && rc == VS_OK; i++) {
        int64_t now = i < nev ? ev[i].t : INT64_MAX;
        /* sample k is taken at t0 + (k+1)/samples of the span, after every event up to it */
        while (next_sample < dc->samples) {
            int64_t ts = t0 + (int64_t)((double)(t1 - t0) * (next_sample + 1) / dc->samples);
            if (ts >= now && i < nev)
                break;
            advance(&rp, ts);
            sample(&rp, ts);
            next_sample++;
        }
        while (dc->compact == PLACE_COMPACT_PERIODIC && i < nev && next_compact <= now) {
            periodic_compaction(&rp);
            next_compact += (int64_t)dc->compact_period;
        }
        if (i == nev)
            break;
        if (i == 0 || ev[i].t != ev[i - 1].t)
            advance(&rp, now);
        if (ev[i].kind == EV_CREATE)
            rc = create(&rp, ev[i].vm);
        else
            destroy(&rp, ev[i].vm);
    }
    finish(&rp);
    free(ev);
    free(rp.counts);
    free(rp.dirty);
    for (uint32_t i = 0; i < dc->servers; i++)
        place_server_free(rp.fleet.srv[i]);
    free(rp.fleet.srv);
    free(rp.fleet.on);
    if (rc != VS_OK) {
        place_result_free(rp.r);
        return rc;
    }
    *out = rp.r;
    return VS_OK;
}

void place_result_free(place_result *r)
{
    if (!r)
        return;
    free(r->server_of);
    free(r->contig);
    free(r->gen_of);
    free(r->used);
    free(r->samples);
    free(r);
}
