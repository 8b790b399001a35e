/*
 * tpf.c: the one list of TLB prefetchers (see tpf.h).  A row X(NAME) names
 * the config's choice NAME and the module object tpf_NAME of tpf_NAME.c;
 * both tables below come from the one list.
 */
#include "tpf.h"

#define TPF_ROWS(X) X(distance) X(asp)

#define TPF_DECLARE(n) extern const tpf_ops tpf_##n;
TPF_ROWS(TPF_DECLARE)
#define TPF_OPS(n) &tpf_##n,
#define TPF_NAME(n) #n,

static const tpf_ops *const registry[] = {TPF_ROWS(TPF_OPS)};
const char *const tpf_names[] = {"none", TPF_ROWS(TPF_NAME) NULL};

const tpf_ops *tpf_at(unsigned i)
{
    return i >= 1 && i <= VS_ARRAY_LEN(registry) ? registry[i - 1] : NULL;
}
