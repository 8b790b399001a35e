/*
 * readahead.h: reads a trace ahead of the simulation in a thread of its own,
 * so decompression and decoding overlap the simulation on a second core, and
 * hands every batch to each of its consumers -- one machine's stream, or the
 * streams of the machines of a multi-machine run (`vmemsim run --modes`,
 * sweep points sharing a trace), which then decode the trace once.  With one
 * CPU, a consumer reads each batch itself when it needs it.
 *
 * A worker thread fills a ring of batches with trace_read (which digests
 * them); each consumer takes every batch in order, at its own pace.  The
 * records, their order and the digest are exactly those of reading the
 * trace directly, so results do not depend on thread timing.
 *
 * Invariants: each consumer sees every batch in read order, then the end (or
 * the reader's error) on every later call; a batch is never refilled while a
 * consumer still holds it or has yet to read it, so the fastest consumer
 * waits for the slowest and memory stays a fixed number of batches whatever
 * the number of consumers; a consumer that leaves (ra_leave) holds nobody
 * back; the digest is that of every record once any consumer has seen the
 * end.
 */
#ifndef VS_READAHEAD_H
#define VS_READAHEAD_H

#include "trace/trace.h"

typedef struct readahead readahead;

/* Whether a worker thread reads ahead: RA_AUTO starts one unless the
 * process may run on one CPU only (then the consumer reads each batch in
 * ra_next); the others force the choice (tests). */
typedef enum ra_thread { RA_AUTO, RA_THREAD, RA_INLINE } ra_thread;

/* Takes ownership of r; consumers >= 1, numbered from 0.  The worker, if
 * any, starts at once.  The read-ahead starts with one reference per
 * consumer: each drops its own with ra_unref. */
readahead *ra_start(trace_reader *r, ra_thread when, unsigned consumers);
/* Consumer c's next batch: returns its record count (> 0), 0 at the end, or
 * a negative VS_E_* code with err filled.  *recs stays valid until c's next
 * call (or ra_leave). */
long ra_next(readahead *p, unsigned c, const trace_rec **recs, vs_err *err);
/* Consumer c reads no more. */
void ra_leave(readahead *p, unsigned c);
/* Consumer c, which stops early, leaves and waits until the trace has been
 * read to its end (reading it itself once nobody else does), so the digest
 * covers the whole input: 0, or the reader's error code with err filled. */
int ra_drain(readahead *p, unsigned c, vs_err *err);
/* Digest of every record read so far (all of them once ra_next returned 0). */
trace_digest ra_digest(readahead *p);
/* Fraction of the input read, for progress bars (-1 when unknown). */
double ra_fraction(readahead *p);
/* Drops consumer c's reference (leaving, if it had not); the last one stops
 * the worker, closes the reader and frees p. */
void ra_unref(readahead *p, unsigned c);

#endif
