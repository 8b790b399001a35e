/*
 * bench_cow.c: the parts of a copy-on-write break by copy, measured on this
 * machine with a real process, and the whole break measured beside them, so
 * that configs/share/current.ini takes each part from a measurement and the
 * sum can be checked against the break it stands for.
 *
 * Linux breaks a CoW share in do_wp_page -> wp_page_copy (mm/memory.c): the
 * write faults, a page is allocated, the old page is copied into it, the PTE
 * is cleared and flushed (ptep_clear_flush) and set to the new page.  Four
 * real-process measurements give the parts, per 4 KiB page:
 *   read fault   first read of fresh anonymous memory: the kernel maps its
 *                shared zero page (do_anonymous_page), so it is the fault's
 *                entry and exit, the handler's walk and a PTE set, with no
 *                allocation and no data touched;
 *   zero fill    first write of fresh anonymous memory: the same plus a page
 *                allocation and its clear_page;
 *   clear, copy  memset and memcpy of one 4 KiB page, cache-cold (pages
 *                visited in a scattered order over a buffer larger than the
 *                last-level cache), the work clear_page and copy_page do;
 *   CoW break    the parent's first write to each page after fork(), while
 *                the child still maps them.
 * Derived: allocation = zero fill - read fault - clear.  Predicted break =
 * read fault + allocation + copy; the difference from the measured break is
 * the residual (the local TLB invalidation and the rmap and refcount work of
 * the old page, which no part above holds).
 *
 * Each measurement runs ROUNDS times, the five interleaved in every round so
 * that the machine's load drifts over all of them alike; the medians are
 * printed.  Before each fault measurement a same-sized range is touched and
 * unmapped, so that the allocator hands out frames the host has just backed
 * (on a Firecracker guest, free-page reporting otherwise adds the host's
 * fault to a first touch).
 *
 * Usage: bench_cow [MiB]   (default 64 for the fault ranges; the cold buffers
 * are 2 x 128 MiB).  Prints TSC cycles and ns.
 */
#include "bench_clock.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096u
#define ROUNDS 7         /* odd, for a median */
#define COLD_PAGES 32768 /* 128 MiB a buffer: above an EPYC Milan CCD's 32 MiB L3 */
#define SCATTER 7919u    /* odd, so i * SCATTER mod a power of two is a permutation */

enum { M_READ, M_ZERO, M_COW, M_CLEAR, M_COPY, M_N };
static const char *const NAMES[M_N] = {"read fault", "zero fill", "CoW break", "clear (cold)", "copy (cold)"};

static volatile uint64_t sink;

/* This thread's CPU time, user and kernel: a fault's work counts, time the
 * thread spent preempted by the machine's other jobs does not. */
static double cpu_now(void) { return bench_clock_s(CLOCK_THREAD_CPUTIME_ID); }

static double ghz; /* TSC GHz: CPU time is reported in TSC cycles */

static uint8_t *map_range(size_t pages)
{
    uint8_t *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("bench_cow: mmap");
        exit(1);
    }
    madvise(p, pages * PG, MADV_NOHUGEPAGE); /* 4 KiB faults, as the model prices */
    return p;
}

/* Touches and unmaps a range, so that the next one gets host-backed frames. */
static void warm_frames(size_t pages)
{
    uint8_t *p = map_range(pages);
    for (size_t i = 0; i < pages; i++)
        p[i * PG] = 1;
    munmap(p, pages * PG);
}

static double per_page_touch(uint8_t *p, size_t pages, int write)
{
    uint64_t acc = 0;
    double t0 = cpu_now();
    for (size_t i = 0; i < pages; i++) {
        if (write)
            p[i * PG] = 1;
        else
            acc += ((volatile uint8_t *)p)[i * PG];
    }
    sink = acc;
    return (cpu_now() - t0) * ghz * 1e9 / (double)pages;
}

/* The parent's writes after fork(), the child blocked on a pipe meanwhile. */
static double cow_break(uint8_t *p, size_t pages)
{
    int fd[2];
    if (pipe(fd) != 0) {
        perror("bench_cow: pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_cow: fork");
        exit(1);
    }
    if (pid == 0) {
        char c;
        close(fd[1]);
        ssize_t r = read(fd[0], &c, 1); /* keeps the pages mapped until the parent is done */
        _exit(r < 0);
    }
    close(fd[0]);
    double c = per_page_touch(p, pages, 1);
    close(fd[1]);
    waitpid(pid, NULL, 0);
    return c;
}

static double per_page_cold(uint8_t *dst, const uint8_t *src)
{
    double t0 = cpu_now();
    for (size_t i = 0; i < COLD_PAGES; i++) {
        size_t at = (size_t)((i * SCATTER) % COLD_PAGES) * PG;
        if (src)
            memcpy(dst + at, src + at, PG);
        else
            memset(dst + at, 0, PG);
        __asm__ volatile("" ::: "memory");
    }
    return (cpu_now() - t0) * ghz * 1e9 / COLD_PAGES;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t pages = (argc > 1 ? strtoul(argv[1], NULL, 10) : 64) * 256;
    if (pages == 0) {
        fprintf(stderr, "usage: bench_cow [MiB]\n");
        return 2;
    }
    uint8_t *src = map_range(COLD_PAGES), *dst = map_range(COLD_PAGES);
    /* not in the child: else the parent's next writes to them take CoW faults */
    madvise(src, (size_t)COLD_PAGES * PG, MADV_DONTFORK);
    madvise(dst, (size_t)COLD_PAGES * PG, MADV_DONTFORK);
    uint64_t rng = 1;
    for (size_t i = 0; i < (size_t)COLD_PAGES * PG / 8; i++) {
        uint64_t v = vs_rng_next(&rng);
        memcpy(src + 8 * i, &v, 8);
    }
    memset(dst, 1, (size_t)COLD_PAGES * PG);
    ghz = bench_tsc_ghz();
    double m[M_N][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        warm_frames(pages);
        uint8_t *p = map_range(pages);
        m[M_READ][r] = per_page_touch(p, pages, 0);
        munmap(p, pages * PG);
        warm_frames(pages);
        p = map_range(pages);
        m[M_ZERO][r] = per_page_touch(p, pages, 1);
        warm_frames(pages);
        m[M_COW][r] = cow_break(p, pages);
        munmap(p, pages * PG);
        m[M_CLEAR][r] = per_page_cold(dst, NULL);
        m[M_COPY][r] = per_page_cold(dst, src);
    }
    double med[M_N];
    printf("TSC %.3f GHz, %zu pages a fault range, %d rounds: per 4 KiB page, median [min, max] TSC cycles (ns)\n",
           ghz, pages, ROUNDS);
    for (int k = 0; k < M_N; k++) {
        qsort(m[k], ROUNDS, sizeof m[k][0], cmp_double);
        med[k] = m[k][ROUNDS / 2];
        printf("%-14s %7.0f [%.0f, %.0f] (%.0f ns)\n", NAMES[k], med[k], m[k][0], m[k][ROUNDS - 1], med[k] / ghz);
    }
    double alloc = med[M_ZERO] - med[M_READ] - med[M_CLEAR], pred = med[M_READ] + alloc + med[M_COPY];
    printf("allocation = zero fill - read fault - clear: %.0f\n", alloc);
    printf("predicted break = read fault + allocation + copy: %.0f; measured %.0f; residual %+.0f (%+.1f%%)\n", pred,
           med[M_COW], med[M_COW] - pred, (med[M_COW] - pred) / pred * 100);
    munmap(src, (size_t)COLD_PAGES * PG);
    munmap(dst, (size_t)COLD_PAGES * PG);
    return 0;
}
