/*
 * wl_ckptmicro.c: seeds 000/001's checkpointing microbenchmark (Figures 8-10):
 * transactions whose shape is set directly rather than emerging from a data
 * structure -- exactly `ppt` distinct 4 KiB pages of a declared critical data
 * area (CDA) of `cda` MiB, each written `wpp` times at distinct words.
 *
 * Trace: one TREC_CDA, then per transaction TXN_BEGIN, ppt * wpp 8-byte
 * stores (each preceded by one IFETCH from a small code loop, so the trace is
 * an instruction stream like the other generators'), TXN_END.
 * layout=seq: transaction t writes pages t*ppt .. t*ppt+ppt-1 modulo the CDA
 * (a sweep through the area); layout=random: a uniform ppt-subset of its pages
 * per transaction; both write each page's first wpp words, in order.
 * Invariants: every store lies inside the CDA; within a transaction no two
 * stores share a word and exactly ppt pages are written, so the checkpoint
 * model sees W = U = ppt * wpp and PPT = ppt for every transaction.
 */
#include "wl_int.h"

#include <math.h>
#include <stdlib.h>

#define PAGE 4096ull
#define MIB (1ull << 20)
#define PAGES_PER_MIB (MIB / PAGE)
#define WORDS_PER_PAGE (PAGE / WL_WORD) /* 512: the most distinct words one page holds */
#define CDA_MAX_MIB 1024.0              /* keeps the random layout's page permutation at 1 MiB */
#define TXNS_MAX (1ull << 24) /* transaction ids are 32-bit; 2^24 is already hours of ckpt time */
#define INSN_BYTES 4u  /* a typical x86-64 store: opcode, ModRM and a small displacement */
#define CODE_BYTES 64u /* the loop body: one cache line of code, as in a tight store loop */

enum { LAYOUT_SEQ, LAYOUT_RANDOM };

typedef struct micro {
    uint64_t ppt, wpp, pages;
    uint32_t *perm; /* random layout: a permutation of the CDA's pages */
    uint64_t rng, pc;
} micro;

/* Page index k (< ppt) of transaction t. */
static uint64_t pick_page(micro *m, uint64_t t, uint64_t k)
{
    if (!m->perm)
        return (t * m->ppt + k) % m->pages;
    /* One step of a partial Fisher-Yates shuffle: the first ppt entries end up
     * a uniform ppt-subset whatever order the previous transaction left. */
    uint64_t j = k + vs_rng_next(&m->rng) % (m->pages - k);
    uint32_t p = m->perm[j];
    m->perm[j] = m->perm[k];
    m->perm[k] = p;
    return p;
}

static void store(micro *m, wl_out *out, uint64_t addr)
{
    wl_emit(out, TREC_IFETCH, WL_CODE_BASE + m->pc, INSN_BYTES, 0, 0);
    m->pc = (m->pc + INSN_BYTES) % CODE_BYTES;
    wl_emit(out, TREC_STORE, addr, WL_WORD, 0, 0);
}

static int ckptmicro_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    static const char *const LAYOUTS[] = {"seq", "random", NULL};
    double cda_mib;
    uint64_t ppt, wpp, txns;
    int layout;
    int rc = wl_arg_f64(a, "cda", 1.0, 1.0 / PAGES_PER_MIB, CDA_MAX_MIB, &cda_mib, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "ppt", 1, 1, UINT32_MAX, &ppt, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "wpp", 4, 1, WORDS_PER_PAGE, &wpp, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "txns", 1000, 1, TXNS_MAX, &txns, err);
    if (rc == VS_OK)
        rc = wl_arg_choice(a, "layout", LAYOUTS, LAYOUT_SEQ, &layout, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    double pages_exact = cda_mib * PAGES_PER_MIB;
    if (pages_exact != floor(pages_exact))
        return vs_fail(err, VS_E_USAGE,
                       "gen ckptmicro: cda=%g MiB is not a whole number of 4 KiB pages (use multiples of %g)",
                       cda_mib, 1.0 / PAGES_PER_MIB);
    micro m = {.ppt = ppt, .wpp = wpp, .pages = (uint64_t)pages_exact, .rng = seed};
    if (ppt > m.pages)
        return vs_fail(err, VS_E_USAGE,
                       "gen ckptmicro: ppt=%llu pages (%llu KiB) do not fit in cda=%g MiB (%llu pages)",
                       (unsigned long long)ppt, (unsigned long long)(ppt * PAGE / 1024), cda_mib,
                       (unsigned long long)m.pages);
    if (layout == LAYOUT_RANDOM) {
        m.perm = vs_malloc(m.pages * sizeof *m.perm);
        for (uint64_t i = 0; i < m.pages; i++)
            m.perm[i] = (uint32_t)i;
    }
    wl_emit(out, TREC_CDA, WL_DATA_BASE, 0, 0, m.pages * PAGE);
    for (uint64_t t = 0; t < txns; t++) {
        wl_emit(out, TREC_TXN_BEGIN, 0, 0, (uint32_t)t, 0);
        for (uint64_t k = 0; k < ppt; k++) {
            uint64_t page = WL_DATA_BASE + pick_page(&m, t, k) * PAGE;
            for (uint64_t w = 0; w < wpp; w++)
                store(&m, out, page + w * WL_WORD);
        }
        wl_emit(out, TREC_TXN_END, 0, 0, (uint32_t)t, 0);
    }
    free(m.perm);
    return VS_OK;
}

const wl_gen wl_gen_ckptmicro = {
    {"ckptmicro",
     "checkpointing microbenchmark: ppt pages x wpp writes per transaction in a cda-MiB CDA (000/001 Figs. 8-10)",
     "cda=1 (MiB; multiples of 1/256) ppt=1 wpp=4 (<= 512) txns=1000 layout=seq|random"},
    ckptmicro_run};
