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

WEISS_ROTATIONS(AATree)

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

WEISS_TREE_MAIN(AATree, Initialize())
