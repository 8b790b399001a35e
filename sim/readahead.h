/*
 * readahead.h: reads a trace ahead of the simulation in a thread of its own,
 * so decompression and decoding overlap the simulation on a second core;
 * with one CPU, the engine reads each batch itself when it needs it.
 *
 * A worker thread fills a ring of batches with trace_read (which digests them);
 * the engine takes batches in order.  The records, their order and the digest
 * are exactly those of reading the trace directly, so results do not depend on
 * thread timing.
 *
 * Invariants: batches are consumed in the order they were read; a batch is
 * never refilled while the consumer holds it; after an error or the end, the
 * consumer sees it once per later call, and the worker has stopped.
 */
#ifndef VS_READAHEAD_H
#define VS_READAHEAD_H

#include "trace/trace.h"

typedef struct readahead readahead;

/* Whether a worker thread reads ahead: RA_AUTO starts one unless the
 * process may run on one CPU only (then the consumer reads each batch in
 * ra_next); the others force the choice (tests). */
typedef enum ra_thread { RA_AUTO, RA_THREAD, RA_INLINE } ra_thread;

/* Takes ownership of r.  The worker, if any, starts at once. */
readahead *ra_start(trace_reader *r, ra_thread when);
/* The next batch: returns its record count (> 0), 0 at the end, or a negative
 * VS_E_* code with err filled.  *recs stays valid until the next call. */
long ra_next(readahead *p, const trace_rec **recs, vs_err *err);
/* Digest of every record read so far (all of them once ra_next returned 0). */
trace_digest ra_digest(readahead *p);
/* Fraction of the input read, for progress bars (-1 when unknown). */
double ra_fraction(readahead *p);
/* Stops the worker (if running) and closes the reader. */
void ra_stop(readahead *p);

#endif
