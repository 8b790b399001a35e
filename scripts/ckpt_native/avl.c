/* avl.c: Weiss's avltree.c (Figures 4.40-4.44): struct AvlNode {Element; Left; Right; Height}, a leaf malloc'd with
 * Element, Height = 0, Left = Right = NULL, and Insert's last statement T->Height = Max(...) + 1 run for every node
 * it returns, the new leaf's too; testavl.c's driver. */
#include "weiss.h"

typedef struct AvlNode *AvlTree;
struct AvlNode {
    int Element;
    AvlTree Left;
    AvlTree Right;
    int Height;
};

static int Height(AvlTree p) { return p ? p->Height : -1; }
static int Max(int a, int b) { return a > b ? a : b; }

static AvlTree SingleRotateWithLeft(AvlTree k2)
{
    AvlTree k1 = k2->Left;
    k2->Left = k1->Right;
    k1->Right = k2;
    k2->Height = Max(Height(k2->Left), Height(k2->Right)) + 1;
    k1->Height = Max(Height(k1->Left), k2->Height) + 1;
    return k1;
}

static AvlTree SingleRotateWithRight(AvlTree k1)
{
    AvlTree k2 = k1->Right;
    k1->Right = k2->Left;
    k2->Left = k1;
    k1->Height = Max(Height(k1->Left), Height(k1->Right)) + 1;
    k2->Height = Max(Height(k2->Right), k1->Height) + 1;
    return k2;
}

static AvlTree DoubleRotateWithLeft(AvlTree k3)
{
    k3->Left = SingleRotateWithRight(k3->Left);
    return SingleRotateWithLeft(k3);
}

static AvlTree DoubleRotateWithRight(AvlTree k1)
{
    k1->Right = SingleRotateWithLeft(k1->Right);
    return SingleRotateWithRight(k1);
}

static AvlTree Insert(int x, AvlTree t)
{
    if (t == NULL) {
        t = weiss_malloc(sizeof *t);
        t->Element = x;
        t->Height = 0;
        t->Left = t->Right = NULL;
    } else if (x < t->Element) {
        t->Left = Insert(x, t->Left);
        if (Height(t->Left) - Height(t->Right) == 2)
            t = x < t->Left->Element ? SingleRotateWithLeft(t) : DoubleRotateWithLeft(t);
    } else if (x > t->Element) {
        t->Right = Insert(x, t->Right);
        if (Height(t->Right) - Height(t->Left) == 2)
            t = x > t->Right->Element ? SingleRotateWithRight(t) : DoubleRotateWithRight(t);
    }
    t->Height = Max(Height(t->Left), Height(t->Right)) + 1;
    return t;
}

WEISS_TREE_MAIN(AvlTree, NULL)
