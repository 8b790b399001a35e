/*
 * cpf_stream.c: the AMD data-cache stream prefetcher, after AMD's Software
 * Optimization Guide for AMD64 Processors (pub. 25112, rev. 3.06, sec. 5.6,
 * "Hardware Prefetching"): it "prefetches data that is accessed in an
 * ascending or descending order on a cache-line-by-cache-line basis ...
 * when the hardware prefetcher detects an access to cache line l followed
 * by an access to cache line l + 1, it initiates a prefetch of cache line
 * l + 3", and "accessing data in increments larger than 64 bytes may fail to
 * trigger" it.  Family 10h keeps that prefetcher and fills the L1 data cache
 * with it instead of the L2 (AnandTech, "Barcelona architecture", 2007,
 * "New Prefetcher"); docs/model.md gives every source and what was not found.
 *
 * A stream is a 4 KiB page: the prefetcher remembers, for the `streams`
 * pages touched most recently, the last line accessed in each and the
 * stride (in lines) between its last two accesses.  An access to line L of
 * a tracked page at stride d from its last line triggers when |d| <=
 * max_stride and either |d| = 1 (adjacent lines: AMD's l, l + 1 rule) or d
 * repeats the page's previous stride (a confirmed longer stride).  It then
 * proposes L + d * (distance + i) for i < degree: with distance = 2 and
 * degree = 1, l, l + 1 proposes l + 3, as AMD's guide says.  Repeated
 * accesses to the same line change nothing.  A page not tracked replaces the
 * least recently used stream.
 *
 * Invariant: at most `streams` pages are tracked, each once; a stream's
 * stride is the difference of its last two distinct lines, or 0.
 */
#include "cpf.h"

#include <stdlib.h>

typedef struct stream_row {
    uint64_t page;  /* line / page_lines */
    uint64_t last;  /* last line accessed in the page */
    int64_t stride; /* lines between the page's last two distinct accesses; 0 = none yet */
    uint64_t used;  /* recency stamp */
    bool valid;
} stream_row;

typedef struct stream {
    cpf_params p;
    uint64_t clock;
    stream_row row[];
} stream;

static void *st_create(const cpf_params *p)
{
    stream *s = vs_calloc(1, sizeof *s + (size_t)p->streams * sizeof s->row[0]);
    s->p = *p;
    return s;
}

static void st_destroy(void *st) { free(st); }

/* The row tracking page, or the least recently used one (reset) if none. */
static stream_row *row_for(stream *s, uint64_t page, uint64_t line)
{
    stream_row *victim = &s->row[0];
    for (uint32_t i = 0; i < s->p.streams; i++) {
        stream_row *r = &s->row[i];
        if (r->valid && r->page == page)
            return r;
        if (!r->valid || (victim->valid && r->used < victim->used))
            victim = r;
    }
    *victim = (stream_row){.page = page, .last = line, .valid = true};
    return victim;
}

static unsigned st_access(void *st, uint64_t line, bool hit, uint64_t *out)
{
    (void)hit; /* a hit on a prefetched line must keep the stream running */
    stream *s = st;
    stream_row *r = row_for(s, line / s->p.page_lines, line);
    r->used = ++s->clock;
    if (line == r->last)
        return 0;
    int64_t d = (int64_t)(line - r->last);
    uint64_t mag = d < 0 ? (uint64_t)-d : (uint64_t)d;
    bool trigger = mag <= s->p.max_stride && (mag == 1 || d == r->stride);
    r->stride = d;
    r->last = line;
    if (!trigger)
        return 0;
    for (uint32_t i = 0; i < s->p.degree; i++)
        out[i] = line + (uint64_t)(d * (int64_t)(s->p.distance + i));
    return s->p.degree;
}

const cpf_ops cpf_stream = {.create = st_create, .destroy = st_destroy, .access = st_access};
