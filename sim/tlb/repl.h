/*
 * repl.h: the registry of replacement policies (ChampSim style: each policy
 * is a module of its own that plugs into the set-associative store of
 * assoc.h).  One row per policy in repl.c; the config's `replacement` keys,
 * `--help-config` and the tests all read the rows from here.
 *
 * Adding a policy: write sim/tlb/repl_NAME.c defining
 * `const assoc_policy repl_NAME`, and add X(NAME) to REPL_ROWS in repl.c.
 * Nothing else changes.
 */
#ifndef VS_TLB_REPL_H
#define VS_TLB_REPL_H

#include "../assoc.h"

/* The policies' names in row order, NULL-terminated; row 0 (lru) is the
 * default of every `replacement` key. */
extern const char *const repl_names[];
/* The policy of row i, NULL past the last. */
const assoc_policy *repl_at(unsigned i);

#endif
