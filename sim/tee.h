/*
 * tee.h: one trace, decoded once, read by several machines.  A tee sits on a
 * read-ahead (readahead.h) and hands the same batches, in the same order, to
 * each of its consumers -- the streams of the machines of a multi-machine run
 * (`vmemsim run --modes`, sweep points sharing a trace) -- each at its own
 * pace, in threads of their own or not.
 *
 * With one consumer a tee is the read-ahead itself (no copy).  With several
 * it keeps a ring of TEE_SLOTS copied batches; a batch is refilled only when
 * every consumer still reading has moved past it, so the fastest consumer
 * waits for the slowest, and memory stays TEE_SLOTS batches whatever the
 * number of machines.
 *
 * Invariants: each consumer sees exactly the records of reading the trace
 * directly, in order, then the end (or the reader's error) on every later
 * call; a consumer that leaves (tee_leave) holds nobody back; the digest is
 * that of every record once any consumer has seen the end.
 */
#ifndef VS_TEE_H
#define VS_TEE_H

#include "readahead.h"

typedef struct tee tee;

/* Takes ownership of ra; consumers >= 1.  The tee starts with one reference
 * per consumer: each drops its own with tee_unref. */
tee *tee_new(readahead *ra, unsigned consumers);
/* Consumer c's next batch, as ra_next: its record count (> 0), 0 at the end
 * or a negative VS_E_* code with err filled.  *recs stays valid until c's
 * next call (or tee_leave). */
long tee_next(tee *t, unsigned c, const trace_rec **recs, vs_err *err);
/* Consumer c reads no more. */
void tee_leave(tee *t, unsigned c);
/* Consumer c, which stops early, leaves and waits until the trace has been
 * read to its end (reading it itself once nobody else does), so the digest
 * covers the whole input: 0, or the reader's error code with err filled. */
int tee_drain(tee *t, unsigned c, vs_err *err);
trace_digest tee_digest(tee *t);
double tee_fraction(tee *t);
/* Drops one consumer's reference (leaving, if it had not); the last one
 * stops the reader and frees the tee. */
void tee_unref(tee *t, unsigned c);

#endif
