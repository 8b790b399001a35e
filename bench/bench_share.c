/*
 * bench_share.c: throughput of the sharing model's hot path -- hashing
 * 4 KiB pages plus inserting them into the content index -- with XXH64 and
 * SuperFastHash, and the per-operation costs that configs/share/current.ini
 * records for this machine (hash, compare, zero check).  The copy-on-write
 * break's parts (the fault, the allocation, the cold copy, the reuse) and
 * the PTE protection change come from bench_cow.
 *
 * Usage: bench_share [MiB]   (default 256; the buffer exceeds the caches)
 * Prints one line per measurement and, last, an INI fragment in TSC cycles.
 */
#include "bench_clock.h"
#include "share/share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#define PG SHARE_PAGE_SIZE
#define OP_REPS 20000 /* repetitions of each single-page operation */

static volatile uint64_t sink;

/* Hash every page and insert it in an index sized for them all. */
static double hash_index(share_hash_kind k, const uint8_t *buf, size_t pages)
{
    share_index *ix = share_index_new(share_sizing_slots(pages));
    double t0 = bench_now();
    for (size_t i = 0; i < pages; i++) {
        uint64_t h = share_hash(k, buf + i * PG, PG), v;
        if (!share_index_find(ix, h, &v))
            share_index_insert(ix, h, i);
    }
    double dt = bench_now() - t0;
    share_index_free(ix);
    return (double)pages * PG / dt / 1e9;
}

static double hash_only(share_hash_kind k, const uint8_t *buf, size_t pages)
{
    double t0 = bench_now();
    uint64_t acc = 0;
    for (size_t i = 0; i < pages; i++)
        acc += share_hash(k, buf + i * PG, PG);
    sink = acc;
    return (double)pages * PG / (bench_now() - t0) / 1e9;
}

/* Median-free mean cycles of one operation over OP_REPS runs on cache-warm pages. */
#define TIME_OP(expr)                                                                                              \
    ({                                                                                                             \
        uint64_t c0 = __rdtsc();                                                                                   \
        for (int r_ = 0; r_ < OP_REPS; r_++) {                                                                     \
            expr;                                                                                                  \
        }                                                                                                          \
        (double)(__rdtsc() - c0) / OP_REPS;                                                                        \
    })

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    size_t pages = mib * 256;
    uint8_t *buf = malloc(pages * PG);
    uint64_t rng = 1;
    for (size_t i = 0; i < pages * PG / 8; i++) {
        uint64_t v = vs_rng_next(&rng);
        memcpy(buf + 8 * i, &v, 8);
    }
    for (size_t i = 0; i < pages; i += 4) /* one page in four duplicates an earlier one */
        if (i >= 4)
            memcpy(buf + i * PG, buf + (i / 2) * PG, PG);
    double ghz = bench_tsc_ghz();
    printf("buffer %zu MiB (%zu pages), TSC %.3f GHz\n", mib, pages, ghz);
    for (int k = 0; k < SHARE_HASH_COUNT; k++) {
#ifndef VS_HAVE_XXHASH
        if (k == SHARE_HASH_XXH64)
            continue;
#endif
        double h = hash_only((share_hash_kind)k, buf, pages);
        double hi = hash_index((share_hash_kind)k, buf, pages);
        printf("%-6s hash only %6.2f GB/s   hash+index %6.2f GB/s\n", share_hash_name((share_hash_kind)k), h, hi);
    }

    /* whole model: converge ksm over the buffer */
    share_image *img = share_image_new("bench");
    for (size_t i = 0; i < pages && i < 65536; i++)
        share_image_add(img, i, buf + i * PG, NULL);
    share_params p;
    share_params_defaults(&p, SHARE_KSM);
    share_model *m = share_model_new(&p);
    share_model_set_vm(m, share_model_add_vm(m, "a"), img);
    double t0 = bench_now();
    uint64_t visits = share_model_converge(m);
    double dt = bench_now() - t0;
    printf("ksm model: %llu page visits in %.3f s (%.2f M visits/s)\n", (unsigned long long)visits, dt,
           visits / dt / 1e6);
    share_model_free(m);
    share_image_free(img);

    uint8_t *a = aligned_alloc(PG, PG), *b = aligned_alloc(PG, PG), *z = aligned_alloc(PG, PG);
    memcpy(a, buf, PG);
    memcpy(b, buf, PG);
    memset(z, 0, PG);
    double c_sfh = TIME_OP(sink += share_sfh(a, PG));
    double c_xxh = TIME_OP(sink += share_hash(SHARE_HASH_XXH64, a, PG));
    uint8_t *volatile vb = b; /* reloaded each time: memcmp cannot be hoisted out of the loop */
    double c_cmp = TIME_OP(sink += (uint64_t)memcmp(a, vb, PG));
    double c_cpy = TIME_OP(memcpy(b, a, PG); __asm__ volatile("" ::: "memory"));
    double c_zero = TIME_OP(sink += (uint64_t)(z[0] == 0 && !memcmp(z, z + 1, PG - 1)); __asm__ volatile("" ::: "memory"));
    /* cache-cold: the duplicate pairs (i, i/2) spread over the whole buffer */
    uint64_t c1 = __rdtsc(), pairs = 0;
    for (size_t i = 4; i < pages; i += 4, pairs++)
        sink += (uint64_t)memcmp(buf + i * PG, buf + (i / 2) * PG, PG);
    double c_cmp_cold = (double)(__rdtsc() - c1) / (double)pairs;
    printf("memcmp of identical cache-cold pages: %.0f (%.0f ns)\n", c_cmp_cold, c_cmp_cold / ghz);
    printf("per 4 KiB page, TSC cycles (ns): sfh %.0f (%.0f)  xxh64 %.0f (%.0f)  memcmp %.0f (%.0f)  memcpy %.0f (%.0f)"
           "  zero check %.0f (%.0f)\n",
           c_sfh, c_sfh / ghz, c_xxh, c_xxh / ghz, c_cmp, c_cmp / ghz, c_cpy, c_cpy / ghz, c_zero, c_zero / ghz);
    printf("\n[share]\nfreq_mhz = %.0f\nhash_sfh = %.0f\nhash_xxh64 = %.0f\ncompare = %.0f\n# compare_hot = %.0f\n"
           "zero_check = %.0f\n",
           ghz * 1000, c_sfh, c_xxh, c_cmp_cold, c_cmp, c_zero);
    free(a);
    free(b);
    free(z);
    free(buf);
    return 0;
}
