/*
 * cpf.h: data-cache prefetchers -- the interface each one implements and
 * their one registry (ChampSim style: a prefetcher is a module that plugs
 * into a cache; compare tlb/tpf.h for TLBs).  The prefetch unit (pfu.h)
 * trains a cache's prefetcher on the demand data accesses that reach that
 * cache, and fills the lines it proposes.
 *
 * A prefetcher sees physical line numbers (pa / line) and the number of
 * lines in a 4 KiB page; it knows nothing of caches, timing or translation.
 * It may propose lines outside the trigger's page: the unit drops those, as
 * the hardware does (pfu.h).
 *
 * Adding a prefetcher: write sim/cpf/cpf_NAME.c defining
 * `const cpf_ops cpf_NAME`, and add X(NAME) to CPF_ROWS in cpf.c.  The
 * config's [cache.NAME] prefetcher key, --help-config and the tests read
 * the list.
 */
#ifndef VS_CPF_H
#define VS_CPF_H

#include "../common.h"

#define CPF_MAX_DEGREE 16 /* lines one access may propose; more than any documented degree */

typedef struct cpf_params {
    uint32_t degree;     /* lines proposed per trigger, 1..CPF_MAX_DEGREE */
    uint32_t distance;   /* strides ahead of the trigger for the first line, >= 1 */
    uint32_t streams;    /* entries of the stream table (stream); >= 1 */
    uint32_t max_stride; /* largest |stride| in lines a stream may have (stream); >= 1 */
    uint32_t page_lines; /* lines in a 4 KiB page (set by the unit) */
} cpf_params;

typedef struct cpf_ops {
    void *(*create)(const cpf_params *p);
    void (*destroy)(void *st);
    /* A demand data access to physical line `line` reached the cache (hit
     * says whether it hit there): trains, and writes up to degree lines to
     * prefetch to out.  Returns how many. */
    unsigned (*access)(void *st, uint64_t line, bool hit, uint64_t *out);
} cpf_ops;

/* "none" then the prefetchers in row order, NULL-terminated: the choices of
 * the config's prefetcher key, whose value indexes this list. */
extern const char *const cpf_names[];
/* The prefetcher a config index names; NULL for 0 (none) and past the end. */
const cpf_ops *cpf_at(unsigned i);

#endif
