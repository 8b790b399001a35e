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

/* splay.c's and aatree.c's single rotations, which update no heights. */
#define WEISS_ROTATIONS(Tree)                                                                                          \
    static Tree SingleRotateWithLeft(Tree k2)                                                                          \
    {                                                                                                                  \
        Tree k1 = k2->Left;                                                                                            \
        k2->Left = k1->Right;                                                                                          \
        k1->Right = k2;                                                                                                \
        return k1;                                                                                                     \
    }                                                                                                                  \
    static Tree SingleRotateWithRight(Tree k1)                                                                         \
    {                                                                                                                  \
        Tree k2 = k1->Right;                                                                                           \
        k1->Right = k2->Left;                                                                                          \
        k2->Left = k1;                                                                                                 \
        return k2;                                                                                                     \
    }

/* The trees' test programs (testtree.c, testavl.c, testsplay.c,
 * testaatree.c): T = Insert(j, T), j = (j + 7) % N from 0, on the empty tree
 * `init` gives (NULL, or Initialize()'s NullNode, malloc'd inside the heap). */
#define WEISS_TREE_MAIN(Tree, init)                                                                                    \
    int main(void)                                                                                                     \
    {                                                                                                                  \
        weiss_begin();                                                                                                 \
        Tree T = (init), empty = T;                                                                                    \
        for (int i = 0, j = 0; i < NUM_ITEMS; i++, j = (j + TREE_STRIDE) % NUM_ITEMS) {                                \
            txn_mark = (unsigned long)i;                                                                               \
            T = Insert(j, T);                                                                                          \
        }                                                                                                              \
        return weiss_end() + (T == empty);                                                                             \
    }
#endif
