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
 * two multiplies in the chain instead of three.
 */
#include "trace.h"

#define FNV64_OFFSET 0xcbf29ce484222325ull /* FNV-1a 64 offset basis */
#define FNV64_PRIME 0x100000001b3ull       /* FNV 64-bit prime */
#define FNV64_PRIME_SQ (FNV64_PRIME * FNV64_PRIME) /* mod 2^64: the step for a zero word folded in */

void trace_digest_init(trace_digest *d)
{
    d->h = FNV64_OFFSET;
    d->records = 0;
}

void trace_digest_add(trace_digest *d, const trace_rec *recs, size_t n)
{
    uint64_t h = d->h;
    for (size_t i = 0; i < n; i++) {
        const trace_rec *t = &recs[i];
        h = (h ^ (t->kind | (uint64_t)t->size << 8 | (uint64_t)t->id << 32)) * FNV64_PRIME;
        if (VS_LIKELY(t->len == 0))
            h = (h ^ t->addr) * FNV64_PRIME_SQ;
        else
            h = ((h ^ t->addr) * FNV64_PRIME ^ t->len) * FNV64_PRIME;
    }
    d->h = h;
    d->records += n;
}
