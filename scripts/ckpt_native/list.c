/* list.c: Weiss's list.c (Figures 3.6-3.14): struct Node {Element; Next}, a header cell from MakeEmpty, Insert
 * mallocing the cell and linking it after position P; testlist.c's driver, P = Advance(P) after each insert. */
#include "weiss.h"

typedef struct Node *Position;
struct Node {
    int Element;
    Position Next;
};

static void Insert(int x, Position p)
{
    Position cell = weiss_malloc(sizeof *cell);
    cell->Element = x;
    cell->Next = p->Next;
    p->Next = cell;
}

int main(void)
{
    weiss_begin();
    Position L = weiss_malloc(sizeof *L); /* MakeEmpty(NULL) */
    L->Next = NULL;
    Position P = L;
    for (int i = 0; i < NUM_ITEMS; i++) {
        txn_mark = (unsigned long)i;
        Insert(i, P);
        P = P->Next; /* Advance */
    }
    return weiss_end();
}
