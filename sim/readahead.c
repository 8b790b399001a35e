/*
 * readahead.c: the read-ahead of readahead.h -- a single-producer ring of
 * batches with one or more consumers.  Batches are numbered from 0 in read
 * order; batch b lives in slots[b % nslots].  The worker decodes each batch
 * straight into its slot and publishes it by advancing `published`; every
 * consumer keeps `freed`, the number of batches it is done with, and a slot
 * is refilled only once every consumer has freed the batch in it, and a
 * consumer takes a batch only within RA_SPREAD of the slowest, so the worker
 * can always read RA_AHEAD batches ahead of the fastest.  The records are
 * never copied: with several consumers they all read the one decoded batch.
 *
 * The common path takes no lock: a consumer frees its last batch with an
 * atomic store and finds the next one published with an atomic load; each
 * side sleeps only when it must (a consumer ahead of the reader, the worker
 * with no free slot) and is woken only then -- the flag or count it sets
 * under the lock, and the other side's store, are sequentially consistent,
 * so one of the two always sees the other.  The worker, once asleep, waits
 * for RA_REFILL free slots: on one core, where every wake-up is a task
 * switch, the worker and its consumers take turns every RA_REFILL batches
 * instead of every batch.  Each consumer's `freed` has a cache line of its
 * own, so consumers on different cores do not invalidate each other's.
 *
 * When the process may run on one CPU only (`taskset -c 0`, a cgroup of one
 * CPU), no thread is started: the consumer that first wants a batch not yet
 * read reads it itself, with the same trace_read calls on batches of the
 * same size, so the records, their order, the errors and the digest are
 * those of the threaded reader.  On one CPU the thread overlaps nothing; it
 * costs a task switch and two futex calls per turn, and its batches leave
 * the cache between the two threads' turns.
 */
#ifdef __linux__
#include <sched.h> /* sched_getaffinity, CPU_COUNT (the build defines _GNU_SOURCE) */
#endif
#include "readahead.h"

#include <glib.h>
#include <stdatomic.h>
#include <stdlib.h>

#define RA_BATCH 16384  /* records per batch: amortizes the hand-offs and the wake-ups */
#define RA_AHEAD 4      /* batches the worker may read ahead of the slowest consumer: enough to ride out one
                           slow inflate */
#define RA_SPREAD 8     /* with several consumers, batches more by which the fastest may lead the slowest before
                           it waits: lets machines drift a few batches apart */
#define RA_REFILL 2     /* free slots that wake a full worker: it reads two batches per wake-up, and the
                           consumers still have one ready meanwhile */
#define RA_LINE 64      /* bytes of a host cache line: each consumer's `freed` gets one to itself */
#define RA_LEFT UINT64_MAX /* `freed` of a consumer that has left: it holds no batch back */

typedef struct ra_slot {
    trace_rec *recs; /* RA_BATCH records, allocated when first filled */
    long n;          /* records, 0 = end, < 0 = error code */
    vs_err err;
} ra_slot;

typedef struct ra_consumer {
    _Atomic uint64_t freed; /* batches it is done with (RA_LEFT once it left); written by its thread only */
    uint64_t taken;         /* batches handed to it; private to its thread */
    char pad[RA_LINE - 2 * sizeof(uint64_t)];
} ra_consumer;

struct readahead {
    trace_reader *reader;
    GThread *thread;
    unsigned n;      /* consumers */
    unsigned nslots; /* batches in the ring */
    ra_slot *slots;
    ra_consumer *c;
    gint refs;
    GMutex lock;
    GCond more;                /* consumers sleep on it: a batch was published, or (inline) a slot freed */
    GCond room;                /* the worker sleeps on it: slots were freed, or stop */
    _Atomic unsigned sleepers; /* consumers asleep on more; changed under the lock */
    _Atomic bool worker_waits; /* the worker sleeps on room; changed under the lock */
    _Atomic bool stop;         /* the last reference is gone: the worker quits */
    bool fetching;             /* inline: a consumer is reading batch `published` */
    bool finished;             /* the end or an error is published, as batch published - 1 */
    double fraction;           /* of the input read, as of the last batch */
    trace_digest digest;
    bool inline_read; /* no worker: the consumers read the batches themselves (one CPU) */
    char pad[RA_LINE];
    _Atomic uint64_t published; /* batches readable; on a line away from the consumers' */
};

/* The fewest batches any consumer is done with (RA_LEFT if all have left). */
static uint64_t min_freed(readahead *p)
{
    uint64_t m = RA_LEFT;
    for (unsigned i = 0; i < p->n; i++) {
        uint64_t f = atomic_load(&p->c[i].freed);
        if (f < m)
            m = f;
    }
    return m;
}

/* Whether batches b .. b + need - 1 may be read now: their slots hold no
 * batch some consumer still needs. */
static bool has_room(readahead *p, uint64_t b, unsigned need)
{
    uint64_t m = min_freed(p);
    return m == RA_LEFT || b + need <= m + p->nslots;
}

/* Whether a consumer may take batch b: at most RA_SPREAD batches ahead of
 * the slowest consumer, so the worker always has RA_AHEAD slots to read
 * ahead of the fastest.  Then a slow consumer freeing a slot wakes the
 * fastest directly, not through the worker, which under load would add a
 * scheduling delay to every such wait.  Always true for one consumer. */
static bool within_spread(readahead *p, uint64_t b)
{
    uint64_t m = min_freed(p);
    return m == RA_LEFT || b < m + RA_SPREAD;
}

/* Reads batch b into its slot and publishes it, with the digest and
 * progress after it; wakes the consumers waiting.  Returns true at the end
 * or an error. */
static bool fill(readahead *p, uint64_t b)
{
    ra_slot *s = &p->slots[b % p->nslots];
    if (!s->recs)
        s->recs = vs_malloc(RA_BATCH * sizeof *s->recs);
    s->n = trace_read(p->reader, s->recs, RA_BATCH, &s->err);
    double fraction = trace_progress(p->reader);
    bool done = s->n <= 0;
    g_mutex_lock(&p->lock);
    p->digest = trace_reader_digest(p->reader);
    p->fraction = fraction;
    p->finished = done;
    p->fetching = false;
    atomic_store(&p->published, b + 1);
    if (atomic_load(&p->sleepers))
        g_cond_broadcast(&p->more);
    g_mutex_unlock(&p->lock);
    return done;
}

static gpointer worker(gpointer data)
{
    readahead *p = data;
    for (uint64_t b = 0;; b++) {
        if (!has_room(p, b, 1)) {
            g_mutex_lock(&p->lock);
            atomic_store(&p->worker_waits, true);
            while (!atomic_load(&p->stop) && !has_room(p, b, RA_REFILL))
                g_cond_wait(&p->room, &p->lock);
            atomic_store(&p->worker_waits, false);
            g_mutex_unlock(&p->lock);
        }
        if (atomic_load(&p->stop) || fill(p, b))
            return NULL;
    }
}

/* After a consumer freed slots or left: wakes whoever may be waiting for
 * them -- the worker once RA_REFILL slots are free; consumers, if it was
 * among the slowest (they may be too far ahead, or without a worker want to
 * read the next batch themselves). */
static void wake_for_room(readahead *p, uint64_t freed)
{
    if (atomic_load(&p->worker_waits) && has_room(p, atomic_load(&p->published), RA_REFILL)) {
        g_mutex_lock(&p->lock);
        g_cond_broadcast(&p->room);
        g_mutex_unlock(&p->lock);
    }
    if (atomic_load(&p->sleepers) && min_freed(p) >= freed) {
        g_mutex_lock(&p->lock);
        g_cond_broadcast(&p->more);
        g_mutex_unlock(&p->lock);
    }
}

/* Whether batch b can be handed out: published, and (spread) within
 * RA_SPREAD of the slowest consumer. */
static bool ready(readahead *p, uint64_t b, bool spread)
{
    return atomic_load(&p->published) > b && (!spread || within_spread(p, b));
}

/* Waits until batch b can be handed out (ready); without a worker, reads
 * it (or the batches before it) itself when nobody else is reading and its
 * slot is free. */
static void await_batch(readahead *p, uint64_t b, bool spread)
{
    g_mutex_lock(&p->lock);
    for (;;) {
        uint64_t pub = atomic_load(&p->published); /* moves only under the lock, as does fetching */
        if (ready(p, b, spread))
            break;
        bool may_read = pub <= b && p->inline_read && !p->fetching && !p->finished;
        if (may_read && has_room(p, pub, 1)) {
            p->fetching = true;
            g_mutex_unlock(&p->lock);
            fill(p, pub);
            g_mutex_lock(&p->lock);
            continue;
        }
        atomic_fetch_add(&p->sleepers, 1);
        /* Re-checked once counted: a consumer freeing a slot since then sees
         * the count and wakes it. */
        if (!ready(p, b, spread) && !(may_read && has_room(p, pub, 1)))
            g_cond_wait(&p->more, &p->lock);
        atomic_fetch_sub(&p->sleepers, 1);
    }
    g_mutex_unlock(&p->lock);
}

/* The end or error batch, once published: its code, err filled on an error. */
static long last_batch(readahead *p, vs_err *err)
{
    const ra_slot *s = &p->slots[(atomic_load(&p->published) - 1) % p->nslots];
    if (s->n < 0 && err)
        *err = s->err;
    return s->n;
}

/* True when the process may run on one CPU only.  GLib's
 * g_get_num_processors counts the CPUs online, not the affinity mask that
 * `taskset -c 0` sets, so the mask is asked directly where Linux has it. */
static bool one_cpu(void)
{
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set) == 1;
#endif
    return g_get_num_processors() == 1;
}

readahead *ra_start(trace_reader *r, ra_thread when, unsigned consumers)
{
    readahead *p = vs_calloc(1, sizeof *p);
    p->reader = r;
    p->n = consumers;
    p->nslots = consumers > 1 ? RA_AHEAD + RA_SPREAD : RA_AHEAD;
    p->slots = vs_calloc(p->nslots, sizeof *p->slots);
    p->c = vs_calloc(consumers, sizeof *p->c);
    p->refs = (gint)consumers;
    g_mutex_init(&p->lock);
    g_cond_init(&p->more);
    g_cond_init(&p->room);
    p->digest = trace_reader_digest(r);
    p->inline_read = when == RA_INLINE || (when == RA_AUTO && one_cpu());
    if (!p->inline_read)
        p->thread = g_thread_new("vmemsim-read", worker, p);
    return p;
}

long ra_next(readahead *p, unsigned ci, const trace_rec **recs, vs_err *err)
{
    ra_consumer *c = &p->c[ci];
    uint64_t b = c->taken;
    if (atomic_load_explicit(&c->freed, memory_order_relaxed) != b) { /* it holds batch b - 1 */
        atomic_store(&c->freed, b);
        wake_for_room(p, b);
    }
    if (!ready(p, b, true))
        await_batch(p, b, true);
    const ra_slot *s = &p->slots[b % p->nslots];
    long n = s->n;
    if (n > 0) {
        c->taken = b + 1;
        *recs = s->recs;
    } else if (n < 0 && err) {
        *err = s->err;
    }
    return n;
}

void ra_leave(readahead *p, unsigned ci)
{
    if (atomic_load(&p->c[ci].freed) == RA_LEFT)
        return;
    atomic_store(&p->c[ci].freed, RA_LEFT);
    wake_for_room(p, 0);
}

int ra_drain(readahead *p, unsigned ci, vs_err *err)
{
    ra_leave(p, ci);
    for (;;) {
        g_mutex_lock(&p->lock);
        bool finished = p->finished;
        uint64_t pub = atomic_load(&p->published);
        g_mutex_unlock(&p->lock);
        if (finished)
            return (int)last_batch(p, err);
        await_batch(p, pub, false);
    }
}

trace_digest ra_digest(readahead *p)
{
    g_mutex_lock(&p->lock);
    trace_digest d = p->digest;
    g_mutex_unlock(&p->lock);
    return d;
}

double ra_fraction(readahead *p)
{
    g_mutex_lock(&p->lock);
    double f = p->finished ? 1.0 : p->fraction;
    g_mutex_unlock(&p->lock);
    return f;
}

void ra_unref(readahead *p, unsigned ci)
{
    if (!p)
        return;
    ra_leave(p, ci);
    if (!g_atomic_int_dec_and_test(&p->refs))
        return;
    g_mutex_lock(&p->lock);
    atomic_store(&p->stop, true);
    g_cond_broadcast(&p->room);
    g_mutex_unlock(&p->lock);
    if (p->thread)
        g_thread_join(p->thread);
    trace_close(p->reader);
    for (unsigned i = 0; i < p->nslots; i++)
        free(p->slots[i].recs);
    free(p->slots);
    free(p->c);
    g_mutex_clear(&p->lock);
    g_cond_clear(&p->more);
    g_cond_clear(&p->room);
    free(p);
}
