/*
 * tee.c: the fan-out of tee.h.  Batches are numbered from 0 in read order;
 * batch b lives in slots[b % TEE_SLOTS].  Each consumer keeps the number of
 * the batch it reads next and whether it still holds the one before.  The
 * consumer that first wants a batch not yet read -- the machine furthest
 * ahead, the one that can best spare the time -- fills it, outside the lock
 * (the slot it fills is one nobody holds), so the others keep simulating
 * meanwhile.  When the machines leave no core idle it decodes the batch
 * into the ring itself: no reader thread to preempt a machine, and no copy.
 * When a core would be idle, a read-ahead (readahead.h) decodes on it, and
 * the batch is copied from the read-ahead's ring (a memcpy per batch per
 * trace, not per machine); with one consumer the tee is that read-ahead.
 *
 * Seats (tee_set_seats): with more machines than cores, a thread per
 * machine left to the kernel's scheduler made each machine wait on the ring
 * every few batches -- a futex sleep and a task switch each time, and the
 * machine that ran next on that core found the host's L1/L2 full of the
 * other machine's simulated caches and tables.  So only `seats` consumers
 * simulate at once, each for TEE_TURN batches, then the one furthest behind
 * takes its seat; a consumer gives its seat up before it sleeps on the
 * ring, so a seat never idles while another consumer could go on, and the
 * one furthest behind is the first to get a seat, so the ring keeps moving.
 */
#include "tee.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define TEE_SLOTS 8 /* batches in the ring: lets machines drift a few batches apart before the fastest waits */
#define TEE_TURN 4  /* batches a seated consumer simulates before the one furthest behind gets its seat */

typedef struct tee_slot {
    trace_rec *recs; /* RA_BATCH of them */
    long n;          /* records, 0 = end, < 0 = error code */
    vs_err err;
} tee_slot;

typedef struct tee_consumer {
    uint64_t next;  /* number of the batch it reads next */
    bool holding;   /* it still reads batch next - 1 */
    bool active;    /* it has not left */
    bool seated;    /* it holds one of the seats (it simulates, or may) */
    bool waiting;   /* it waits in tee_next for a seat */
    bool draining;  /* it waits in tee_drain for the end */
    bool sleeping;  /* it sleeps on cond */
    unsigned turn;  /* batches taken since it got its seat */
    GCond cond;     /* its own, so a change wakes only the consumers it lets go on */
} tee_consumer;

struct tee {
    readahead *ra;          /* a reader thread decodes, or */
    trace_reader *reader;   /* the consumers do */
    trace_digest digest;    /* reader's, as of the last batch fetched */
    double fraction;        /* reader's progress, as of the last batch fetched */
    unsigned n;
    gint refs;
    GMutex lock;
    tee_slot slots[TEE_SLOTS];
    uint64_t fetched; /* batches read so far */
    bool fetching;    /* a consumer is reading batch `fetched` */
    bool ended;       /* the end (or an error) is in the ring, as batch fetched - 1 */
    unsigned free_seats; /* seats nobody holds; unused while seating is false */
    bool seating;        /* consumers need a seat to take a batch (tee_set_seats) */
    tee_consumer *c;
};

tee *tee_new(trace_reader *r, unsigned consumers, bool read_ahead)
{
    tee *t = vs_calloc(1, sizeof *t);
    if (consumers == 1 || read_ahead) {
        t->ra = ra_start(r);
    } else {
        t->reader = r;
        t->digest = trace_reader_digest(r);
        t->fraction = trace_progress(r);
    }
    if (consumers > 1)
        for (unsigned i = 0; i < TEE_SLOTS; i++)
            t->slots[i].recs = vs_malloc(RA_BATCH * sizeof(trace_rec));
    t->n = consumers;
    t->refs = (gint)consumers;
    g_mutex_init(&t->lock);
    t->c = vs_calloc(consumers, sizeof *t->c);
    for (unsigned i = 0; i < consumers; i++) {
        t->c[i].active = true;
        g_cond_init(&t->c[i].cond);
    }
    return t;
}

void tee_set_seats(tee *t, unsigned seats)
{
    g_mutex_lock(&t->lock);
    t->seating = seats < t->n;
    t->free_seats = seats;
    g_mutex_unlock(&t->lock);
}

/* The oldest batch some consumer still reads or has yet to read. */
static uint64_t oldest_needed(const tee *t)
{
    uint64_t min = t->fetched;
    for (unsigned i = 0; i < t->n; i++) {
        const tee_consumer *c = &t->c[i];
        uint64_t need = c->next - (c->holding ? 1 : 0);
        if (c->active && need < min)
            min = need;
    }
    return min;
}

/* Batch `fetched` may be read now: nobody is reading it, and its slot is no
 * longer needed. */
static bool can_fetch(const tee *t)
{
    return !t->fetching && !t->ended && t->fetched - oldest_needed(t) < TEE_SLOTS;
}

/* Consumer c could take a batch now without waiting for another. */
static bool can_go_on(const tee *t, const tee_consumer *c)
{
    return c->next < t->fetched || can_fetch(t);
}

/* The waiting consumer that should get the next free seat: of those that
 * can go on, the one furthest behind (the lowest number first on a tie), so
 * the slowest machine holds nobody back for long.  NULL if none can. */
static const tee_consumer *next_seated(const tee *t)
{
    const tee_consumer *best = NULL;
    for (unsigned i = 0; i < t->n; i++) {
        const tee_consumer *c = &t->c[i];
        if (c->waiting && can_go_on(t, c) && (!best || c->next < best->next))
            best = c;
    }
    return best;
}

/* Wakes the sleeping consumers that the last change lets go on: with
 * seats, the one next in line for a free seat; without, every one that can
 * take or fetch a batch; and a drainer once it can fetch or the end is in.
 * Called with the lock held, after every change of the ring or the seats;
 * nobody else is woken (a wake-up is a futex call and a task switch). */
static void wake(tee *t)
{
    const tee_consumer *seat_next = t->seating && t->free_seats > 0 ? next_seated(t) : NULL;
    for (unsigned i = 0; i < t->n; i++) {
        tee_consumer *c = &t->c[i];
        if (!c->sleeping)
            continue;
        bool go = c->draining ? t->ended || can_fetch(t) : t->seating ? c == seat_next : can_go_on(t, c);
        if (go)
            g_cond_signal(&c->cond);
    }
}

static void sleep_on(tee *t, tee_consumer *c)
{
    c->sleeping = true;
    g_cond_wait(&c->cond, &t->lock);
    c->sleeping = false;
}

static void unseat(tee *t, tee_consumer *c)
{
    if (!c->seated)
        return;
    c->seated = false;
    t->free_seats++;
    wake(t);
}

/* Reads batch t->fetched into its slot (one nobody holds) and publishes it.
 * Called with the lock held, which it drops while reading, so the other
 * consumers go on with the batches they have. */
static void fetch(tee *t)
{
    t->fetching = true;
    tee_slot *s = &t->slots[t->fetched % TEE_SLOTS];
    g_mutex_unlock(&t->lock);
    vs_err err = {0};
    long n;
    trace_digest digest;
    double fraction;
    if (t->ra) {
        const trace_rec *recs = NULL;
        n = ra_next(t->ra, &recs, &err);
        if (n > 0)
            memcpy(s->recs, recs, (size_t)n * sizeof *s->recs);
        digest = ra_digest(t->ra);
        fraction = ra_fraction(t->ra);
    } else {
        n = trace_read(t->reader, s->recs, RA_BATCH, &err);
        digest = trace_reader_digest(t->reader);
        fraction = trace_progress(t->reader);
    }
    s->n = n;
    s->err = err;
    g_mutex_lock(&t->lock);
    t->digest = digest;
    t->fraction = fraction;
    t->fetched++;
    t->ended = n <= 0;
    t->fetching = false;
    wake(t);
}

/* With seats: blocks until c holds a seat from which it can go on, giving
 * up the one it holds first when its turn is over and another waits, or
 * when it cannot go on.  Called with the lock held. */
static void take_seat(tee *t, tee_consumer *c)
{
    if (c->seated && c->turn >= TEE_TURN) {
        c->waiting = true; /* counts itself among the candidates */
        const tee_consumer *other = next_seated(t);
        if (other && other != c)
            unseat(t, c);
        else
            c->turn = 0;
    }
    for (;;) {
        if (c->seated) {
            if (can_go_on(t, c))
                break;
            unseat(t, c); /* it would wait for another consumer: someone else may use the core */
        }
        c->waiting = true;
        if (t->free_seats > 0 && next_seated(t) == c) {
            c->seated = true;
            c->turn = 0;
            t->free_seats--;
            c->waiting = false;
            wake(t); /* the next in line, if a seat is still free */
            return;
        }
        sleep_on(t, c);
    }
    c->waiting = false;
}

long tee_next(tee *t, unsigned ci, const trace_rec **recs, vs_err *err)
{
    if (t->n == 1)
        return ra_next(t->ra, recs, err);
    g_mutex_lock(&t->lock);
    tee_consumer *c = &t->c[ci];
    if (c->holding) {
        c->holding = false;
        wake(t);
    }
    for (;;) {
        if (t->seating)
            take_seat(t, c);
        if (c->next < t->fetched) {
            tee_slot *s = &t->slots[c->next % TEE_SLOTS];
            long n = s->n;
            if (n > 0) {
                c->next++;
                c->holding = true;
                c->turn++;
                *recs = s->recs;
            } else if (n < 0 && err) {
                *err = s->err;
            }
            g_mutex_unlock(&t->lock);
            return n;
        }
        if (can_fetch(t)) {
            fetch(t);
            continue;
        }
        sleep_on(t, c);
    }
}

void tee_leave(tee *t, unsigned ci)
{
    if (t->n == 1)
        return;
    g_mutex_lock(&t->lock);
    tee_consumer *c = &t->c[ci];
    c->active = false;
    c->holding = false;
    c->waiting = false;
    if (c->seated) {
        c->seated = false;
        t->free_seats++;
    }
    wake(t);
    g_mutex_unlock(&t->lock);
}

int tee_drain(tee *t, unsigned ci, vs_err *err)
{
    if (t->n == 1) {
        const trace_rec *recs;
        long n;
        while ((n = ra_next(t->ra, &recs, err)) > 0)
            continue;
        return (int)n;
    }
    tee_leave(t, ci);
    g_mutex_lock(&t->lock);
    tee_consumer *c = &t->c[ci];
    c->draining = true;
    for (;;) {
        if (t->ended) {
            const tee_slot *s = &t->slots[(t->fetched - 1) % TEE_SLOTS];
            if (s->n < 0 && err)
                *err = s->err;
            g_mutex_unlock(&t->lock);
            return (int)s->n;
        }
        if (can_fetch(t)) {
            fetch(t);
            continue;
        }
        sleep_on(t, c);
    }
}

trace_digest tee_digest(tee *t)
{
    if (t->n == 1)
        return ra_digest(t->ra);
    g_mutex_lock(&t->lock);
    trace_digest d = t->digest;
    g_mutex_unlock(&t->lock);
    return d;
}

double tee_fraction(tee *t)
{
    if (t->n == 1)
        return ra_fraction(t->ra);
    g_mutex_lock(&t->lock);
    double f = t->ended ? 1.0 : t->fraction;
    g_mutex_unlock(&t->lock);
    return f;
}

void tee_unref(tee *t, unsigned ci)
{
    if (!t)
        return;
    tee_leave(t, ci);
    if (!g_atomic_int_dec_and_test(&t->refs))
        return;
    ra_stop(t->ra);
    if (t->reader)
        trace_close(t->reader);
    for (unsigned i = 0; i < TEE_SLOTS; i++)
        free(t->slots[i].recs);
    for (unsigned i = 0; i < t->n; i++)
        g_cond_clear(&t->c[i].cond);
    free(t->c);
    g_mutex_clear(&t->lock);
    free(t);
}
