/* aa.c: Weiss's aatree.c (Figures 12.33-12.36): struct AANode {Element; Left; Right; Level}, NullNode of level 0
 * malloc'd by Initialize, a leaf of level 1 returned at once, and Skew then Split on the way up; testaatree.c's
 * driver. */
#include "weiss.h"

typedef struct AANode *AATree;
struct AANode {
    int Element;
    AATree Left;
    AATree Right;
    int Level;
};

static AATree NullNode = NULL;

static AATree Initialize(void)
{
    if (NullNode == NULL) {
        NullNode = weiss_malloc(sizeof *NullNode);
        NullNode->Left = NullNode->Right = NullNode;
        NullNode->Level = 0;
    }
    return NullNode;
}

static AATree SingleRotateWithLeft(AATree k2)
{
    AATree k1 = k2->Left;
    k2->Left = k1->Right;
    k1->Right = k2;
    return k1;
}

static AATree SingleRotateWithRight(AATree k1)
{
    AATree k2 = k1->Right;
    k1->Right = k2->Left;
    k2->Left = k1;
    return k2;
}

static AATree Skew(AATree t)
{
    if (t->Left->Level == t->Level)
        t = SingleRotateWithLeft(t);
    return t;
}

static AATree Split(AATree t)
{
    if (t->Right->Right->Level == t->Level) {
        t = SingleRotateWithRight(t);
        t->Level++;
    }
    return t;
}

static AATree Insert(int item, AATree t)
{
    if (t == NullNode) {
        t = weiss_malloc(sizeof *t);
        t->Element = item;
        t->Level = 1;
        t->Left = t->Right = NullNode;
        return t;
    }
    if (item < t->Element)
        t->Left = Insert(item, t->Left);
    else if (item > t->Element)
        t->Right = Insert(item, t->Right);
    t = Skew(t);
    return Split(t);
}

int main(void)
{
    weiss_begin();
    AATree T = Initialize();
    for (int i = 0, j = 0; i < NUM_ITEMS; i++, j = (j + TREE_STRIDE) % NUM_ITEMS) {
        txn_mark = (unsigned long)i;
        T = Insert(j, T);
    }
    return weiss_end() + (T == NullNode);
}
