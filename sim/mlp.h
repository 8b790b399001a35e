/*
 * mlp.h: memory-level parallelism of an out-of-order core -- which part of
 * its data misses' latency the core waits for.
 *
 * The model is the first-order superscalar model of Karkhanis and Smith
 * (ISCA 2004) and the interval model after it (Eyerman, Eeckhout, Karkhanis
 * and Smith, ACM TOCS 2009): a long data miss does not stall the core when
 * it is issued; the core goes on fetching and executing the instructions
 * after it until the reorder buffer is full, and only then waits for the
 * miss's data.  Independent misses issued meanwhile overlap with it, up to
 * the number of misses the load-store unit can have outstanding.  A
 * serialising instruction or an exception (MOV to CR3, INVLPG, a page fault,
 * a VM exit) waits until every earlier instruction has retired, so it waits
 * for every outstanding miss.
 *
 * A trace carries no register dependences, so every data miss is taken as
 * independent of the misses in flight (the overlap is an upper bound for a
 * pointer chase); page walks, instruction fetches and the VMM's work are
 * not deferred here: the caller charges them serially, and the misses in
 * flight complete during them.
 *
 * Times are cycles of the caller's clock, instructions its instruction
 * count; both only grow between two mlp_clear calls.  Invariants: at most
 * `buffers` misses are outstanding; they are kept in issue order, so the
 * first is the oldest instruction waiting for data.
 */
#ifndef VS_MLP_H
#define VS_MLP_H

#include "common.h"

typedef struct mlp mlp;

/* rob: instructions in flight after an unfinished miss before the core stops
 * (>= 1); buffers: misses outstanding at once (>= 1). */
mlp *mlp_new(uint32_t rob, uint32_t buffers);
void mlp_free(mlp *m);

/* Instruction number instr is about to be fetched at cycle now: the cycles
 * the core stalls first because the reorder buffer is full of instructions
 * behind an unfinished miss. */
uint64_t mlp_fetch(mlp *m, uint64_t instr, uint64_t now);
/* Instruction instr's data reference misses at cycle now and needs latency
 * cycles: the cycles the core stalls before it can issue (every miss buffer
 * busy); the miss is then outstanding. */
uint64_t mlp_miss(mlp *m, uint64_t instr, uint64_t now, uint64_t latency);
/* A serialising event at cycle now: the cycles until every miss is done;
 * none is outstanding after it. */
uint64_t mlp_drain(mlp *m, uint64_t now);
/* The first instruction whose fetch may stall (UINT64_MAX: none). */
uint64_t mlp_stall_at(const mlp *m);
/* Forgets every outstanding miss (the clock restarts). */
void mlp_clear(mlp *m);

#endif
