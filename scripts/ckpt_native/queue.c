/* queue.c: Weiss's array queue (queue.c, Figures 3.57-3.60): struct QueueRecord {Capacity; Front; Rear; Size;
 * Array}, the array malloc'd after it, Enqueue storing Size, Rear and the element; the trees' driver order. */
#include "weiss.h"

typedef struct QueueRecord *Queue;
struct QueueRecord {
    int Capacity;
    int Front;
    int Rear;
    int Size;
    int *Array;
};

static Queue CreateQueue(int max)
{
    Queue q = weiss_malloc(sizeof *q);
    q->Array = weiss_malloc((size_t)max * sizeof *q->Array);
    q->Capacity = max;
    q->Size = 0; /* MakeEmpty */
    q->Front = 1;
    q->Rear = 0;
    return q;
}

static int Succ(int value, Queue q)
{
    if (++value == q->Capacity)
        value = 0;
    return value;
}

static void Enqueue(int x, Queue q)
{
    if (q->Size == q->Capacity) {
        fputs("Full queue\n", stderr);
        return;
    }
    q->Size++;
    q->Rear = Succ(q->Rear, q);
    q->Array[q->Rear] = x;
}

int main(void)
{
    weiss_begin();
    Queue Q = CreateQueue(NUM_ITEMS);
    for (int i = 0, j = 0; i < NUM_ITEMS; i++, j = (j + TREE_STRIDE) % NUM_ITEMS) {
        txn_mark = (unsigned long)i;
        Enqueue(j, Q);
    }
    return weiss_end();
}
