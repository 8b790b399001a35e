/*
 * digest.c: a content digest of a trace for result provenance -- FNV-1a 64
 * (Fowler/Noll/Vo) applied to 64-bit words rather than bytes: per record,
 * word 0 = kind | size << 8 | id << 32, then addr, then len.  It hashes the
 * decoded records, so the same references give the same digest whatever
 * the file format or compression.
 *
 * The value is part of every result, so it never changes; only its cost
 * does.  The multiplies form one dependency chain, and len is 0 on every
 * memory record: (h ^ 0) * P * P = h * P^2 mod 2^64, so such records take
 * two multiplies in the chain instead of three (tr_digest_rec in
 * trace_int.h).  A reader whose ops say it `digests` (.vmt, lackey) folds each
 * record in as it decodes it, so that chain runs beside the decoder's own
 * instead of in a second pass over the batch; trace_read digests the
 * batches of the others.
 */
#include "trace_int.h"

#define FNV64_OFFSET 0xcbf29ce484222325ull /* FNV-1a 64 offset basis */

void trace_digest_init(trace_digest *d)
{
    d->h = FNV64_OFFSET;
    d->records = 0;
}

void trace_digest_add(trace_digest *d, const trace_rec *recs, size_t n)
{
    uint64_t h = d->h;
    for (size_t i = 0; i < n; i++)
        h = tr_digest_rec(h, &recs[i]);
    d->h = h;
    d->records += n;
}
