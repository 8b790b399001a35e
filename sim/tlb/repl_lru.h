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
 * Ranks and padding are below 128, so bytes compare as signed ones (SSE2's
 * one-instruction pcmpgtb; it has no unsigned byte compare), and a set of at
 * most 16 ways -- every set of the usual configs -- is one vector, with no
 * loop.
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
#define LRU_AGE_PAD 0x7f      /* above every rank, positive as a signed byte: padding never ages nor is the victim */

typedef int8_t lru_age_vec __attribute__((vector_size(LRU_AGE_STRIDE_MIN)));

typedef struct lru {
    uint32_t sets, ways;
    uint32_t stride;  /* bytes of ranks per set (narrow sets) */
    size_t step;      /* bytes from one set's ranks to the next's: stride, or the store's set block */
    uint8_t *age;     /* narrow sets: rank of each way; NULL for wide sets */
    bool age_lent;    /* age lies in the store's memory (lru_age_move): not ours to free */
    uint64_t clock;   /* wide sets: uses so far */
    uint64_t *stamp;  /* wide sets: clock at each way's last use, slot = set * ways + way */
} lru;

/* The ranks v after a use of the way of rank r: every rank below r ages by
 * one (true is all ones: subtracting it adds one). */
static inline lru_age_vec lru_age_step(lru_age_vec v, int8_t r) { return v - (lru_age_vec)(v < r); }

/* Bit i set when rank i of v is `rank`. */
static inline uint32_t lru_age_mask(lru_age_vec v, int8_t rank)
{
    lru_age_vec eq = (lru_age_vec)(v == rank);
#ifdef __SSE2__
    return (uint32_t)_mm_movemask_epi8((__m128i)eq);
#else
    uint32_t m = 0;
    for (uint32_t i = 0; i < LRU_AGE_STRIDE_MIN; i++)
        m |= (uint32_t)(eq[i] & 1) << i;
    return m;
#endif
}

static inline void lru_age_use(lru *l, uint32_t set, uint32_t way)
{
    int8_t *p = (int8_t *)l->age + set * l->step;
    int8_t r = p[way];
    lru_age_vec v;
    memcpy(&v, p, sizeof v);
    v = lru_age_step(v, r);
    memcpy(p, &v, sizeof v);
    if (VS_UNLIKELY(l->stride > LRU_AGE_STRIDE_MIN)) { /* 17 to 32 ways: the second vector */
        memcpy(&v, p + LRU_AGE_STRIDE_MIN, sizeof v);
        v = lru_age_step(v, r);
        memcpy(p + LRU_AGE_STRIDE_MIN, &v, sizeof v);
    }
    p[way] = 0;
}

/* The way of rank ways - 1.  Ranks are a permutation, so exactly one way
 * has it; the set's ranks are compared at once, a vector at a time (the
 * padding is never ways - 1), instead of a loop over the ways. */
static inline uint32_t lru_age_victim(const lru *l, uint32_t set)
{
    const int8_t *p = (const int8_t *)l->age + set * l->step;
    int8_t last = (int8_t)(l->ways - 1);
    lru_age_vec v;
    memcpy(&v, p, sizeof v);
    uint32_t m = lru_age_mask(v, last);
    if (VS_UNLIKELY(l->stride > LRU_AGE_STRIDE_MIN)) {
        memcpy(&v, p + LRU_AGE_STRIDE_MIN, sizeof v);
        m |= lru_age_mask(v, last) << LRU_AGE_STRIDE_MIN;
    }
    return m ? 31u - (uint32_t)__builtin_clz(m) : 0;
}

/* Moves every set's ranks (narrow sets) to `to`, one set every `step` bytes
 * (at least stride), in memory the caller owns and frees after the policy;
 * to NULL: back into an array of the policy's own.  No rank changes. */
void lru_age_move(lru *l, uint8_t *to, size_t step);

#endif
