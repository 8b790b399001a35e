/* splay.c: Weiss's splay.c (top-down splay, Figures 12.5-12.8): struct SplayNode {Element; Left; Right}, NullNode
 * malloc'd by Initialize and keyed with the item on every Splay, the static Header outside the heap, and Insert's
 * static NewNode malloc'd when the last one was used; testsplay.c's driver. */
#include "weiss.h"

typedef struct SplayNode *SplayTree;
struct SplayNode {
    int Element;
    SplayTree Left;
    SplayTree Right;
};

static SplayTree NullNode = NULL;

static SplayTree Initialize(void)
{
    if (NullNode == NULL) {
        NullNode = weiss_malloc(sizeof *NullNode);
        NullNode->Left = NullNode->Right = NullNode;
    }
    return NullNode;
}

WEISS_ROTATIONS(SplayTree)

static SplayTree Splay(int item, SplayTree x)
{
    static struct SplayNode Header;
    SplayTree left_max, right_min;
    Header.Left = Header.Right = NullNode;
    left_max = right_min = &Header;
    NullNode->Element = item;
    while (item != x->Element) {
        if (item < x->Element) {
            if (item < x->Left->Element)
                x = SingleRotateWithLeft(x);
            if (x->Left == NullNode)
                break;
            right_min->Left = x; /* link right */
            right_min = x;
            x = x->Left;
        } else {
            if (item > x->Right->Element)
                x = SingleRotateWithRight(x);
            if (x->Right == NullNode)
                break;
            left_max->Right = x; /* link left */
            left_max = x;
            x = x->Right;
        }
    }
    left_max->Right = x->Left; /* reassemble */
    right_min->Left = x->Right;
    x->Left = Header.Right;
    x->Right = Header.Left;
    return x;
}

static SplayTree Insert(int item, SplayTree t)
{
    static SplayTree NewNode = NULL;
    if (NewNode == NULL)
        NewNode = weiss_malloc(sizeof *NewNode);
    NewNode->Element = item;
    if (t == NullNode) {
        NewNode->Left = NewNode->Right = NullNode;
        t = NewNode;
    } else {
        t = Splay(item, t);
        if (item < t->Element) {
            NewNode->Left = t->Left;
            NewNode->Right = t;
            t->Left = NullNode;
            t = NewNode;
        } else if (t->Element < item) {
            NewNode->Right = t->Right;
            NewNode->Left = t;
            t->Right = NullNode;
            t = NewNode;
        } else {
            return t; /* already there: NewNode is kept */
        }
    }
    NewNode = NULL; /* so the next insert mallocs */
    return t;
}

WEISS_TREE_MAIN(SplayTree, Initialize())
