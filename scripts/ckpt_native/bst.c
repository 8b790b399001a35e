/* bst.c: Weiss's tree.c: struct TreeNode {Element; Left; Right}, Insert storing the returned subtree into its
 * parent at every level (T->Left = Insert(X, T->Left)); testtree.c's driver. */
#include "weiss.h"

typedef struct TreeNode *SearchTree;
struct TreeNode {
    int Element;
    SearchTree Left;
    SearchTree Right;
};

static SearchTree Insert(int x, SearchTree t)
{
    if (t == NULL) {
        t = weiss_malloc(sizeof *t);
        t->Element = x;
        t->Left = t->Right = NULL;
    } else if (x < t->Element) {
        t->Left = Insert(x, t->Left);
    } else if (x > t->Element) {
        t->Right = Insert(x, t->Right);
    }
    return t;
}

WEISS_TREE_MAIN(SearchTree, NULL)
