/*
 * repl.c: the one list of replacement policies (see repl.h).  A row X(NAME)
 * names the config's choice NAME and the policy object repl_NAME defined in
 * repl_NAME.c; both tables below are generated from the one list, so they
 * cannot drift apart.
 */
#include "repl.h"

#define REPL_ROWS(X) X(lru) X(random) X(srrip)

#define REPL_DECLARE(n) extern const assoc_policy repl_##n;
REPL_ROWS(REPL_DECLARE)
#define REPL_POLICY(n) &repl_##n,
#define REPL_NAME(n) #n,

static const assoc_policy *const registry[] = {REPL_ROWS(REPL_POLICY)};
const char *const repl_names[] = {REPL_ROWS(REPL_NAME) NULL};

const assoc_policy *repl_at(unsigned i)
{
    return i < VS_ARRAY_LEN(registry) ? registry[i] : NULL;
}
