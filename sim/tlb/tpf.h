/*
 * tpf.h: TLB prefetchers -- the interface each one implements and their one
 * registry (ChampSim style: a prefetcher is a module that plugs into a TLB
 * structure).  The hierarchy (hier.c) trains a structure's prefetcher on
 * every demand miss of that structure and fetches the pages it proposes.
 *
 * Pages are 4 KiB virtual page numbers; a prefetcher knows nothing of
 * translation, page sizes or the TLB's contents.
 *
 * Adding a prefetcher: write sim/tlb/tpf_NAME.c defining
 * `const tpf_ops tpf_NAME`, and add X(NAME) to TPF_ROWS in tpf.c.  The
 * config's `prefetcher` key, --help-config and the tests read the list.
 */
#ifndef VS_TLB_TPF_H
#define VS_TLB_TPF_H

#include "../common.h"

#define TPF_MAX_CANDIDATES 4 /* pages one miss may propose (KS02's s = 2 slots fit) */

typedef struct tpf_ops {
    /* table_rows: rows of the prediction table (the structure's prefetch_table key). */
    void *(*create)(uint32_t table_rows);
    void (*destroy)(void *st);
    /* A demand miss at page vpn by the instruction at pc (the page itself for
     * an instruction fetch): trains, and writes up to TPF_MAX_CANDIDATES
     * pages to prefetch to out.  Returns how many. */
    unsigned (*miss)(void *st, uint64_t vpn, uint64_t pc, uint64_t *out);
} tpf_ops;

/* "none" then the prefetchers in row order, NULL-terminated: the choices of
 * the config's prefetcher key, whose value indexes this list. */
extern const char *const tpf_names[];
/* The prefetcher a config index names; NULL for 0 (none) and past the end. */
const tpf_ops *tpf_at(unsigned i);

#endif
