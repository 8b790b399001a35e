/*
 * repl_lru.h: the state of true LRU replacement (repl_lru.c), open to the
 * set-associative store so that its default policy is updated inline, with
 * no call through the policy table on every hit and fill (assoc.c).
 *
 * Narrow sets (ways <= LRU_AGE_WAYS) keep one byte per way: its recency rank
 * (0 = most recent).  The ranks of a set are a permutation of 0..ways-1; a
 * use moves the way to rank 0 and ages by one every way that was more recent
 * (Mattson et al.'s recency stack, 1970).  A set is full only after each of
 * its ways was filled, so the way of rank ways-1 is the least recently used
 * one.  Ranks sit LRU_AGE_STRIDE_MIN or 2x that bytes apart per set, padded
 * with LRU_AGE_PAD, which no rank ever reaches, so a use updates a whole set
 * with one or two vector operations and a set's ranks share one host cache
 * line.  The store may keep the ranks itself, next to a set's tags, so that
 * one host line serves a whole lookup and fill (lru_age_move, assoc.c): a
 * set's ranks are then `step` bytes from the last set's, not `stride`.
 *
 * Wide sets keep a 64-bit use stamp per way; the victim is the smallest.
 *
 * Invariant: within a set, a more recently used way has a smaller rank (a
 * larger stamp).
 */
#ifndef VS_TLB_REPL_LRU_H
#define VS_TLB_REPL_LRU_H

#include "../common.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define LRU_AGE_WAYS 32       /* the widest set whose ranks fit two 16-byte vectors */
#define LRU_AGE_STRIDE_MIN 16 /* one 16-byte vector: a set of up to 16 ways */
#define LRU_AGE_PAD 0xff      /* above every rank: padding never ages and is never the victim */

typedef uint8_t lru_age_vec __attribute__((vector_size(LRU_AGE_STRIDE_MIN)));

typedef struct lru {
    uint32_t sets, ways;
    uint32_t stride;  /* bytes of ranks per set (narrow sets) */
    size_t step;      /* bytes from one set's ranks to the next's: stride, or the store's set block */
    uint8_t *age;     /* narrow sets: rank of each way; NULL for wide sets */
    bool age_lent;    /* age lies in the store's memory (lru_age_move): not ours to free */
    uint64_t clock;   /* wide sets: uses so far */
    uint64_t *stamp;  /* wide sets: clock at each way's last use, slot = set * ways + way */
} lru;

static inline void lru_age_use(lru *l, uint32_t set, uint32_t way)
{
    uint8_t *p = l->age + set * l->step;
    uint8_t r = p[way];
    for (uint32_t off = 0; off < l->stride; off += LRU_AGE_STRIDE_MIN) {
        lru_age_vec v;
        memcpy(&v, p + off, sizeof v);
        v -= (lru_age_vec)(v < r); /* true is all ones: subtracting it adds one */
        memcpy(p + off, &v, sizeof v);
    }
    p[way] = 0;
}

/* The way of rank ways - 1.  Ranks are a permutation, so exactly one way
 * has it; the set's ranks are compared at once, a vector at a time (the
 * padding is never ways - 1), instead of a loop over the ways. */
static inline uint32_t lru_age_victim(const lru *l, uint32_t set)
{
    const uint8_t *p = l->age + set * l->step;
    uint8_t last = (uint8_t)(l->ways - 1);
    uint32_t m = 0;
    for (uint32_t off = 0; off < l->stride; off += LRU_AGE_STRIDE_MIN) {
        lru_age_vec v, eq;
        memcpy(&v, p + off, sizeof v);
        eq = (lru_age_vec)(v == last);
#ifdef __SSE2__
        m |= (uint32_t)_mm_movemask_epi8((__m128i)eq) << off;
#else
        for (uint32_t i = 0; i < LRU_AGE_STRIDE_MIN; i++)
            m |= (uint32_t)(eq[i] & 1) << (off + i);
#endif
    }
    return m ? 31u - (uint32_t)__builtin_clz(m) : 0;
}

/* Moves every set's ranks (narrow sets) to `to`, one set every `step` bytes
 * (at least stride), in memory the caller owns and frees after the policy;
 * to NULL: back into an array of the policy's own.  No rank changes. */
void lru_age_move(lru *l, uint8_t *to, size_t step);

#endif
