/*
 * weiss.h: what every program of scripts/ckpt_native/ shares.  Each program
 * is one structure of Weiss, "Data Structures and Algorithm Analysis in C",
 * 2nd ed. (the seeds' reference [25]), written after the book's C code
 * (node layout, field order, every store its functions make, malloc per
 * node) and driven in the order of the book's test program, as native code
 * on this machine's compiler and glibc.  scripts/ckpt_native_check.sh runs
 * them under Valgrind's lackey and compares their stores with the `ds`
 * generator's traces.
 *
 * Transactions: the driver stores the operation's index to txn_mark before
 * each operation (and N after the last), so the store trace splits into
 * operations at those stores.  The checkpointed area is the malloc heap,
 * [sbrk(0) before the first malloc, sbrk(0) after the last operation), as
 * in the generator's layout=glibc; main's locals and function statics are
 * outside it.
 */
#ifndef WEISS_H
#define WEISS_H
#define _DEFAULT_SOURCE /* sbrk */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NUM_ITEMS 10000 /* the seeds' 10,000 operations (seed 000, "Workload Evaluation") */
#define TREE_STRIDE 7   /* testtree.c, testavl.c, testsplay.c, testaatree.c: j = (j + 7) % N */
#define HEAP_STRIDE 71  /* testheap.c: j = (j + 71) % N from N / 2 */

volatile unsigned long txn_mark;
static void *heap_lo;

static void *weiss_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fputs("Out of space!!!\n", stderr); /* Weiss's FatalError */
        exit(1);
    }
    return p;
}

static void weiss_begin(void) { heap_lo = sbrk(0); }

/* The line scripts/ckpt_native_check.sh reads: the marker's address and the heap's range. */
static int weiss_end(void)
{
    txn_mark = NUM_ITEMS;
    fprintf(stderr, "MARK %p HEAP %p %p\n", (void *)&txn_mark, heap_lo, sbrk(0));
    return 0;
}
#endif
