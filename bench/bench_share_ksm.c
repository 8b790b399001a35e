/*
 * bench_share_ksm.c: the model's ksm policy against the real Linux KSM on
 * the same page contents (run as root; see scripts/share_ksm_compare.sh).
 *
 * Loads the pages of the snapshots given (ELF cores, raw:BASE:PATH) and,
 * with --golden, the reference report's mix (1,024 pages each of 0xAA, 0xBB,
 * zero and random), into one private anonymous region, marks it
 * MADV_MERGEABLE, lets ksmd scan until its counters hold still over two full
 * scans, and prints real and modelled counters side by side.  The KSM
 * settings it changes are restored on exit (run=2 unmerges first).
 *
 * Usage: bench_share_ksm [--golden] [--zero] SNAPSHOT...
 */
#include "share/share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define KSM "/sys/kernel/mm/ksm/"
#define GOLDEN 1024 /* pages per kind in the golden mix */

static long rd(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, KSM "%s", name);
    FILE *f = fopen(path, "r");
    long v = -1;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

static void wr(const char *name, long v)
{
    char path[256];
    snprintf(path, sizeof path, KSM "%s", name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "%ld\n", v);
    fclose(f);
}

static const char *const saved_keys[] = {"run", "pages_to_scan", "sleep_millisecs", "use_zero_pages", "max_page_sharing"};
static long saved[5];

static void restore(void)
{
    wr("run", 2); /* unmerge everything we merged */
    wr("run", 0);
    for (size_t i = 1; i < 5; i++)
        wr(saved_keys[i], saved[i]);
    wr("run", saved[0] == 2 ? 0 : saved[0]);
}

int main(int argc, char **argv)
{
    bool golden = false, zero = false;
    share_image *img = share_image_new("region");
    vs_err err = {0};
    size_t n_src = 0;
    share_image *src[64];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--golden")) {
            golden = true;
            continue;
        }
        if (!strcmp(argv[i], "--zero")) {
            zero = true;
            continue;
        }
        int rc = strncmp(argv[i], "raw:", 4) ? share_image_open_elf(argv[i], &src[n_src], &err)
                                              : share_image_open_raw(strchr(argv[i] + 4, ':') + 1,
                                                                     strtoull(argv[i] + 4, NULL, 0), &src[n_src], &err);
        if (rc != VS_OK || n_src == 63) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        n_src++;
    }
    size_t pages = golden ? 4 * GOLDEN : 0;
    for (size_t s = 0; s < n_src; s++)
        pages += share_image_pages(src[s]);
    if (!pages || rd("run") < 0) {
        fprintf(stderr, "nothing to load, or no %s\n", KSM);
        return 1;
    }
    uint8_t *region = mmap(NULL, pages * SHARE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t at = 0;
    uint64_t rng = 1;
    for (size_t i = 0; golden && i < 4 * GOLDEN; i++, at++) {
        uint8_t *p = region + at * SHARE_PAGE_SIZE;
        if (i < GOLDEN)
            memset(p, 0xAA, SHARE_PAGE_SIZE);
        else if (i < 2 * GOLDEN)
            memset(p, 0xBB, SHARE_PAGE_SIZE);
        else if (i < 3 * GOLDEN)
            p[0] = 0, memset(p, 0, SHARE_PAGE_SIZE);
        else
            for (size_t j = 0; j < SHARE_PAGE_SIZE; j += 8) {
                uint64_t v = vs_rng_next(&rng);
                memcpy(p + j, &v, 8);
            }
    }
    for (size_t s = 0; s < n_src; s++)
        for (size_t i = 0; i < share_image_pages(src[s]); i++, at++)
            memcpy(region + at * SHARE_PAGE_SIZE, share_image_data(src[s], i), SHARE_PAGE_SIZE);
    for (size_t i = 0; i < pages; i++)
        share_image_add(img, i, region + i * SHARE_PAGE_SIZE, NULL);

    for (size_t i = 0; i < 5; i++)
        saved[i] = rd(saved_keys[i]);
    if (rd("pages_shared") > 0)
        fprintf(stderr, "warning: KSM already has %ld shared pages from other processes\n", rd("pages_shared"));
    wr("run", 0);
    wr("pages_to_scan", 5000);
    wr("sleep_millisecs", 5);
    wr("use_zero_pages", zero);
    wr("max_page_sharing", 256);
    atexit(restore);
    if (madvise(region, pages * SHARE_PAGE_SIZE, MADV_MERGEABLE)) {
        perror("madvise(MADV_MERGEABLE)");
        return 1;
    }
    wr("run", 1);
    long last = -1, stable = 0, fs = rd("full_scans");
    for (int tries = 0; tries < 600 && stable < 2; tries++) { /* at most about 60 s */
        usleep(100000);
        long now = rd("full_scans");
        if (now == fs)
            continue;
        fs = now;
        long s = rd("pages_sharing") * 1000003 + rd("pages_shared") + rd("ksm_zero_pages") * 7;
        stable = s == last ? stable + 1 : 0;
        last = s;
    }
    long real[5] = {rd("pages_shared"), rd("pages_sharing"), rd("pages_unshared"), rd("pages_volatile"),
                    rd("ksm_zero_pages")};

    share_params p;
    share_params_defaults(&p, SHARE_KSM);
    p.zero_pages = zero;
    p.pages_to_scan = 5000;
    p.sleep_millisecs = 5;
    share_model *m = share_model_new(&p);
    share_model_set_vm(m, share_model_add_vm(m, "region"), img);
    share_model_converge(m);
    share_counters c;
    share_model_counters(m, &c);
    printf("{\"pages\": %zu, \"use_zero_pages\": %d,\n", pages, zero);
    printf(" \"kernel\": {\"pages_shared\": %ld, \"pages_sharing\": %ld, \"pages_unshared\": %ld, "
           "\"pages_volatile\": %ld, \"ksm_zero_pages\": %ld},\n",
           real[0], real[1], real[2], real[3], real[4]);
    printf(" \"model\":  {\"pages_shared\": %llu, \"pages_sharing\": %llu, \"pages_unshared\": %llu, "
           "\"pages_volatile\": %llu, \"ksm_zero_pages\": %llu}}\n",
           (unsigned long long)c.pages_shared, (unsigned long long)c.pages_sharing,
           (unsigned long long)c.pages_unshared, (unsigned long long)c.pages_volatile,
           (unsigned long long)c.pages_zero);
    share_model_free(m);
    share_image_free(img);
    for (size_t s = 0; s < n_src; s++)
        share_image_free(src[s]);
    return 0;
}
