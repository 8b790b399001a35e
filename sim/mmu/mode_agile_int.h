/*
 * mode_agile_int.h: what tests/test_agile_policy.c reads of agile paging's
 * VMM policy (mode_agile.c) to hold it against a naive reference: which
 * guest page-table pages are switched to nested.  Nothing else includes it.
 */
#ifndef VS_MODE_AGILE_INT_H
#define VS_MODE_AGILE_INT_H

#include <stdbool.h>
#include <stdint.h>

/* Whether guest table page gpfn of VM vm is switched to nested (walked by
 * the hardware through a switch entry); state is the mode's. */
bool agile_table_nested(const void *state, uint32_t vm, uint64_t gpfn);
/* How many guest table pages are switched to nested. */
unsigned agile_nested_count(const void *state);

#endif
