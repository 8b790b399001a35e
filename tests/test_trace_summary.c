/*
 * test_trace_summary.c: `trace info`'s transaction statistics against a naive
 * model.  The summary keeps its critical data areas merged in a balanced tree
 * (issue 12: the sorted array it replaced was O(n^2)); the model keeps every
 * declared area as given in a flat list and tests each write against all of
 * them.  Random streams of overlapping, touching and nested areas with
 * transactions of writes around them must give the same write and page
 * totals.  A seeded fault (a model that forgets the last area) proves the
 * comparison can fail.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

#define AREAS_MAX 2000u
#define ROUNDS 40u
#define SLOTS 64u /* bases from a small range: areas collide, touch and nest often */

typedef struct model {
    uint64_t lo[AREAS_MAX], hi[AREAS_MAX];
    size_t n;
    uint64_t writes;
} model;

static bool model_hits(const model *m, uint64_t lo, uint64_t hi, bool forget_last)
{
    size_t n = forget_last && m->n ? m->n - 1 : m->n;
    for (size_t i = 0; i < n; i++)
        if (m->lo[i] < hi && lo < m->hi[i])
            return true;
    return false;
}

/* The summary's "total_writes" from its JSON line. */
static uint64_t summary_writes(const trace_summary *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    trace_summary_print(s, "t", true, f);
    fclose(f);
    const char *at = strstr(text, "\"total_writes\": ");
    assert_non_null(at);
    uint64_t v = strtoull(at + strlen("\"total_writes\": "), NULL, 10);
    free(text);
    return v;
}

/* One random stream; returns whether summary and model (with the fault if
 * asked) agree on the writes that fall in declared areas. */
static bool agree(uint64_t seed, bool fault)
{
    static model m;
    m.n = 0;
    m.writes = 0;
    uint64_t rng = seed;
    trace_summary *s = trace_summary_new();
    bool any_area = false;
    for (unsigned i = 0; i < AREAS_MAX / 2; i++) {
        uint64_t x = vs_rng_next(&rng);
        trace_rec r[4];
        size_t k = 0;
        if (x % 3 == 0 && m.n < AREAS_MAX) {
            uint64_t lo = 0x1000 * (x >> 8 & (SLOTS - 1)), len = 0x800 * (1 + (x >> 16) % 5);
            r[k++] = (trace_rec){.kind = TREC_CDA, .addr = lo, .len = len};
            m.lo[m.n] = lo;
            m.hi[m.n++] = lo + len;
            any_area = true;
        }
        uint64_t a = 0x400 * (x >> 24 & (4 * SLOTS - 1));
        r[k++] = (trace_rec){.kind = TREC_TXN_BEGIN, .id = i};
        r[k++] = (trace_rec){.kind = TREC_STORE, .addr = a, .size = 8};
        r[k++] = (trace_rec){.kind = TREC_TXN_END, .id = i};
        /* Before any area is declared every write counts (summary.c's rule). */
        m.writes += !any_area || model_hits(&m, a, a + 8, fault && x % 7 == 0);
        trace_summary_add(s, r, k);
    }
    bool same = summary_writes(s) == m.writes;
    trace_summary_free(s);
    return same;
}

static void matches_the_naive_model(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= ROUNDS; seed++)
        if (!agree(seed, false))
            fail_msg("seed %llu: the CDA tree and the flat list disagree", (unsigned long long)seed);
}

static void a_seeded_fault_is_caught(void **state)
{
    (void)state;
    bool caught = false;
    for (uint64_t seed = 1; seed <= ROUNDS && !caught; seed++)
        caught = !agree(seed, true);
    assert_true(caught);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_the_naive_model),
        cmocka_unit_test(a_seeded_fault_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
