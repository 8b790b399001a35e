/*
 * cpf.c: the one list of data-cache prefetchers (see cpf.h).  A row X(NAME)
 * names the config's choice NAME and the module object cpf_NAME of
 * cpf_NAME.c; both tables below come from the one list.
 */
#include "cpf.h"

#define CPF_ROWS(X) X(next_line) X(stream)

#define CPF_DECLARE(n) extern const cpf_ops cpf_##n;
CPF_ROWS(CPF_DECLARE)
#define CPF_OPS(n) &cpf_##n,
#define CPF_NAME(n) #n,

static const cpf_ops *const registry[] = {CPF_ROWS(CPF_OPS)};
const char *const cpf_names[] = {"none", CPF_ROWS(CPF_NAME) NULL};

const cpf_ops *cpf_at(unsigned i)
{
    return i >= 1 && i <= VS_ARRAY_LEN(registry) ? registry[i - 1] : NULL;
}
