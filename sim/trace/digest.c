/*
 * digest.c: a content digest of a trace for result provenance -- FNV-1a 64
 * (Fowler/Noll/Vo) applied to 64-bit words rather than bytes: per record,
 * word 0 = kind | size << 8 | id << 32, then addr, then len.  It hashes the
 * decoded records, so the same references give the same digest whatever
 * the file format or compression.  Three multiplies per record keep it off
 * the simulator's critical path.
 */
#include "trace.h"

#define FNV64_OFFSET 0xcbf29ce484222325ull /* FNV-1a 64 offset basis */
#define FNV64_PRIME 0x100000001b3ull       /* FNV 64-bit prime */

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
        h = (h ^ t->addr) * FNV64_PRIME;
        h = (h ^ t->len) * FNV64_PRIME;
    }
    d->h = h;
    d->records += n;
}
