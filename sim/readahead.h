/*
 * readahead.h: reads a trace ahead of the simulation in a thread of its own,
 * so decompression and decoding overlap the simulation on a second core.
 *
 * A worker thread fills a ring of batches with trace_read (which digests them);
 * the engine takes batches in order.  The records, their order and the digest
 * are exactly those of reading the trace directly, so results do not depend on
 * thread timing.
 *
 * The consumer may hold up to `lend` batches at once (ra_take, ra_release):
 * a fan-out (tee.h) hands the same batches to several machines without
 * copying them.
 *
 * Invariants: batches are consumed in the order they were read, and given
 * back in that order; a batch is never refilled while the consumer holds it;
 * after an error or the end, the consumer sees it once per later call, and
 * the worker has stopped.
 */
#ifndef VS_READAHEAD_H
#define VS_READAHEAD_H

#include "trace/trace.h"

typedef struct readahead readahead;

/* Takes ownership of r; lend >= 1 is how many batches the consumer may hold
 * at once.  The worker starts at once. */
readahead *ra_start(trace_reader *r, unsigned lend);
/* The next batch: returns its record count (> 0), 0 at the end, or a negative
 * VS_E_* code with err filled.  A batch (> 0) is lent: *recs stays valid
 * until the consumer gives it back with ra_release, oldest first; at most
 * `lend` at once. */
long ra_take(readahead *p, const trace_rec **recs, vs_err *err);
void ra_release(readahead *p);
/* ra_take after giving back the batch held, if any: for a consumer that
 * holds one batch at a time (*recs valid until the next call). */
long ra_next(readahead *p, const trace_rec **recs, vs_err *err);
/* Digest of every record read so far (all of them once ra_next returned 0). */
trace_digest ra_digest(readahead *p);
/* Fraction of the input read, for progress bars (-1 when unknown). */
double ra_fraction(readahead *p);
/* Stops the worker (if running) and closes the reader. */
void ra_stop(readahead *p);

#endif
