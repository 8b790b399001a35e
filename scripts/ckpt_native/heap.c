/* heap.c: Weiss's binheap.c (Figures 6.4-6.8): struct HeapStruct {Capacity; Size; Elements}, the element array
 * malloc'd after it with the sentinel MinData in Elements[0], Insert percolating up from ++H->Size; testheap.c's
 * driver. */
#include "weiss.h"

#define MIN_DATA (-32767) /* binheap.c's MinData */

typedef struct HeapStruct *PriorityQueue;
struct HeapStruct {
    int Capacity;
    int Size;
    int *Elements;
};

static PriorityQueue Initialize(int max)
{
    PriorityQueue h = weiss_malloc(sizeof *h);
    h->Elements = weiss_malloc((size_t)(max + 1) * sizeof *h->Elements);
    h->Capacity = max;
    h->Size = 0;
    h->Elements[0] = MIN_DATA;
    return h;
}

static void Insert(int x, PriorityQueue h)
{
    if (h->Size == h->Capacity) {
        fputs("Priority queue is full\n", stderr);
        return;
    }
    int i;
    for (i = ++h->Size; h->Elements[i / 2] > x; i /= 2)
        h->Elements[i] = h->Elements[i / 2];
    h->Elements[i] = x;
}

int main(void)
{
    weiss_begin();
    PriorityQueue H = Initialize(NUM_ITEMS);
    for (int i = 0, j = NUM_ITEMS / 2; i < NUM_ITEMS; i++, j = (j + HEAP_STRIDE) % NUM_ITEMS) {
        txn_mark = (unsigned long)i;
        Insert(j, H);
    }
    return weiss_end();
}
