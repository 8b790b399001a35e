/*
 * bench_cow.c: the parts of a copy-on-write break, measured on this machine
 * with a real process, and the whole break measured beside them, so that
 * configs/share/current.ini takes each part from a measurement and the sum
 * can be checked against the break it stands for.
 *
 * Linux breaks a CoW share in do_wp_page (mm/memory.c): by copy in
 * wp_page_copy (the write faults, a page is allocated, the old page copied
 * into it, the PTE cleared and flushed with ptep_clear_flush and set to the
 * new page) or, when the faulting process holds the last reference, by
 * reuse in wp_page_reuse (the PTE is made writable again: the thesis's break
 * by convert, section 6.5).  Real-process measurements, per 4 KiB page:
 *   read fault   first read of fresh anonymous memory: the kernel maps its
 *                shared zero page (do_anonymous_page), so it is the fault's
 *                entry and exit, the handler's walk and a PTE set, with no
 *                allocation and no data touched;
 *   zero fill    first write of fresh anonymous memory: the same plus a page
 *                allocation and its clear_page;
 *   CoW break    the parent's first write to each page after fork(), while
 *                the child still maps them (wp_page_copy);
 *   CoW reuse    the parent's first write to each page after fork(), the
 *                child gone, so each page has one reference again
 *                (wp_page_reuse): the break by convert, whole;
 *   clear, copy  memset and memcpy of one 4 KiB page, cache-cold (pages
 *                visited in a scattered order over a buffer larger than the
 *                last-level cache), the work clear_page and copy_page do;
 *   wrprotect    mprotect(PROT_READ) of the populated fault range, one
 *                page table's 512 PTEs a call: a PTE change per page, the
 *                call and its one flush shared by 512 pages.
 * Derived: allocation = zero fill - read fault - clear.  Predicted break =
 * read fault + allocation + copy; the difference from the measured break is
 * the residual (the old page's side: ptep_clear_flush's local TLB
 * invalidation, the rmap and refcount work, which no part above holds).
 *
 * Timing: every fault and every page's clear or copy is timed alone with
 * rdtscp on both sides, the process pinned to CPU 0, and the median over all
 * ROUNDS x pages samples is the part's price: a sample the machine's other
 * jobs preempted or an interrupt hit lands in the tail, not in the median.
 * The median of an empty rdtscp pair is subtracted from every sample.  The
 * mean of the samples and the thread's CPU time per page over the same loop
 * (how this bench timed the parts before) are printed beside the median, to
 * show how much of a mean is such tails.  The measurements interleave in
 * every round so that the machine's load drifts over all of them alike.
 * Before each fault measurement a same-sized range is touched and unmapped,
 * so that the allocator hands out frames the host has just backed (on a
 * Firecracker guest, free-page reporting otherwise adds the host's fault to
 * a first touch).
 *
 * The INI fragment printed last gives configs/share/current.ini's parts:
 * cow_fault = read fault - wrprotect (the break prices its PTE update
 * apart), alloc, copy, cow_convert = CoW reuse (the whole break by convert:
 * the model adds no fault to it), pte_update = wrprotect, each median's ns
 * converted at the file's clock (MHz; the TSC's rate by default).
 *
 * Usage: bench_cow [MiB] [rounds] [MHz]   (defaults 64 MiB fault ranges,
 * 7 rounds; the cold buffers are 2 x 128 MiB).  Prints TSC cycles and ns.
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
#define DEF_ROUNDS 7     /* docs/performance.md: at least 5 */
#define MAX_ROUNDS 63
#define COLD_PAGES 32768 /* 128 MiB a buffer: above an EPYC Milan CCD's 32 MiB L3 */
#define SCATTER 7919u    /* odd, so i * SCATTER mod a power of two is a permutation */
#define OVERHEAD_REPS 10001 /* empty rdtscp pairs whose median is the timing's own cost */
#define PT_PAGES 512u    /* one x86-64 page table's PTEs: a write-protect call's span */

enum { M_READ, M_ZERO, M_COW, M_REUSE, M_CLEAR, M_COPY, M_WRPROT, M_N };
static const char *const NAMES[M_N] = {"read fault", "zero fill",   "CoW break",   "CoW reuse",
                                       "clear (cold)", "copy (cold)", "wrprotect"};

/* One measurement's samples over all rounds, and the thread CPU time per
 * page of each round's loop (in TSC cycles) for the comparison. */
typedef struct {
    uint64_t *cyc;
    size_t n;
    double cpu[MAX_ROUNDS];
} samples;

static volatile uint64_t sink;
static uint64_t overhead; /* median cycles of an empty rdtscp pair */
static double ghz;        /* TSC GHz */

static uint64_t tsc(void)
{
    unsigned aux;
    return __rdtscp(&aux);
}

static void record(samples *s, uint64_t c) { s->cyc[s->n++] = c > overhead ? c - overhead : 0; }

static double cpu_cycles(void) { return bench_clock_s(CLOCK_THREAD_CPUTIME_ID) * ghz * 1e9; }

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

/* Each page's first access timed alone: a read or a write fault. */
static void touch(samples *s, int round, uint8_t *p, size_t pages, int write)
{
    uint64_t acc = 0;
    double c0 = cpu_cycles();
    for (size_t i = 0; i < pages; i++) {
        uint64_t t0 = tsc();
        if (write)
            p[i * PG] = 1;
        else
            acc += ((volatile uint8_t *)p)[i * PG];
        record(s, tsc() - t0);
    }
    s->cpu[round] = (cpu_cycles() - c0) / (double)pages;
    sink = acc;
}

/* The parent's writes after fork(): with the child blocked on a pipe
 * meanwhile (a break by copy), or after it has exited (a reuse). */
static void after_fork(samples *s, int round, uint8_t *p, size_t pages, int child_alive)
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
        ssize_t r = read(fd[0], &c, 1); /* keeps the pages mapped until the parent lets it go */
        _exit(r < 0);
    }
    close(fd[0]);
    if (!child_alive) {
        close(fd[1]);
        waitpid(pid, NULL, 0);
    }
    touch(s, round, p, pages, 1);
    if (child_alive) {
        close(fd[1]);
        waitpid(pid, NULL, 0);
    }
}

/* Each page's cache-cold clear (src NULL) or copy timed alone. */
static void cold(samples *s, int round, uint8_t *dst, const uint8_t *src)
{
    double c0 = cpu_cycles();
    for (size_t i = 0; i < COLD_PAGES; i++) {
        size_t at = (size_t)((i * SCATTER) % COLD_PAGES) * PG;
        uint64_t t0 = tsc();
        if (src)
            memcpy(dst + at, src + at, PG);
        else
            memset(dst + at, 0, PG);
        __asm__ volatile("" ::: "memory");
        record(s, tsc() - t0);
    }
    s->cpu[round] = (cpu_cycles() - c0) / COLD_PAGES;
}

/* Write-protects a populated range, one page table (PT_PAGES pages) a call,
 * each call timed: the per-page price is a call's time over its pages. */
static void wrprotect(samples *s, int round, uint8_t *p, size_t pages)
{
    double c0 = cpu_cycles();
    for (size_t i = 0; i + PT_PAGES <= pages; i += PT_PAGES) {
        uint64_t t0 = tsc();
        if (mprotect(p + i * PG, PT_PAGES * PG, PROT_READ) != 0) {
            perror("bench_cow: mprotect");
            exit(1);
        }
        s->cyc[s->n++] = (tsc() - t0) / PT_PAGES;
    }
    s->cpu[round] = (cpu_cycles() - c0) / (double)(pages / PT_PAGES * PT_PAGES);
}

static uint64_t timing_overhead(void)
{
    static uint64_t c[OVERHEAD_REPS];
    for (int i = 0; i < OVERHEAD_REPS; i++) {
        uint64_t t0 = tsc();
        c[i] = tsc() - t0;
    }
    qsort(c, OVERHEAD_REPS, sizeof c[0], bench_cmp_u64);
    return c[OVERHEAD_REPS / 2];
}

static uint64_t *alloc_samples(size_t n)
{
    uint64_t *c = malloc(n * sizeof *c);
    if (!c) {
        fprintf(stderr, "bench_cow: out of memory\n");
        exit(1);
    }
    return c;
}

static double pct(const samples *s, double q) { return (double)s->cyc[(size_t)(q * (double)(s->n - 1))]; }

int main(int argc, char **argv)
{
    size_t pages = (argc > 1 ? strtoul(argv[1], NULL, 10) : 64) * 256;
    int rounds = argc > 2 ? atoi(argv[2]) : DEF_ROUNDS;
    double mhz = argc > 3 ? strtod(argv[3], NULL) : 0;
    if (pages < PT_PAGES || rounds < 1 || rounds > MAX_ROUNDS || mhz < 0) {
        fprintf(stderr, "usage: bench_cow [MiB > 0] [rounds 1..%d] [MHz > 0]\n", MAX_ROUNDS);
        return 2;
    }
    bench_pin(0);
    uint8_t *src = map_range(COLD_PAGES), *dst = map_range(COLD_PAGES);
    /* not in the children: else the parent's next writes to them take CoW faults */
    madvise(src, (size_t)COLD_PAGES * PG, MADV_DONTFORK);
    madvise(dst, (size_t)COLD_PAGES * PG, MADV_DONTFORK);
    uint64_t rng = 1;
    for (size_t i = 0; i < (size_t)COLD_PAGES * PG / 8; i++) {
        uint64_t v = vs_rng_next(&rng);
        memcpy(src + 8 * i, &v, 8);
    }
    memset(dst, 1, (size_t)COLD_PAGES * PG);
    ghz = bench_tsc_ghz();
    overhead = timing_overhead();
    samples m[M_N];
    for (int k = 0; k < M_N; k++) {
        size_t per_round = k == M_WRPROT ? pages / PT_PAGES : k == M_CLEAR || k == M_COPY ? COLD_PAGES : pages;
        m[k] = (samples){alloc_samples(per_round * (size_t)rounds), 0, {0}};
    }
    for (int r = 0; r < rounds; r++) {
        warm_frames(pages);
        uint8_t *p = map_range(pages);
        touch(&m[M_READ], r, p, pages, 0);
        munmap(p, pages * PG);
        warm_frames(pages);
        p = map_range(pages);
        touch(&m[M_ZERO], r, p, pages, 1);
        warm_frames(pages);
        after_fork(&m[M_COW], r, p, pages, 1);
        after_fork(&m[M_REUSE], r, p, pages, 0);
        wrprotect(&m[M_WRPROT], r, p, pages);
        munmap(p, pages * PG);
        cold(&m[M_CLEAR], r, dst, NULL);
        cold(&m[M_COPY], r, dst, src);
    }
    printf("TSC %.3f GHz, pinned to CPU 0, %zu pages a fault range, %d rounds, rdtscp pair %llu cycles (subtracted)\n"
           "per 4 KiB page, TSC cycles: median [p10, p90] of every sample; mean of the samples; thread CPU time per\n"
           "page (the median of the rounds' loops); median ns\n",
           ghz, pages, rounds, (unsigned long long)overhead);
    double med[M_N];
    for (int k = 0; k < M_N; k++) {
        samples *s = &m[k];
        double sum = 0;
        for (size_t i = 0; i < s->n; i++)
            sum += (double)s->cyc[i];
        qsort(s->cyc, s->n, sizeof s->cyc[0], bench_cmp_u64);
        qsort(s->cpu, (size_t)rounds, sizeof s->cpu[0], bench_cmp_double);
        med[k] = pct(s, 0.5);
        printf("%-13s %6.0f [%6.0f, %6.0f]  mean %6.0f  cpu %6.0f  (%.0f ns)\n", NAMES[k], med[k], pct(s, 0.1),
               pct(s, 0.9), sum / (double)s->n, s->cpu[rounds / 2], med[k] / ghz);
        free(s->cyc);
    }
    double alloc = med[M_ZERO] - med[M_READ] - med[M_CLEAR], pred = med[M_READ] + alloc + med[M_COPY];
    printf("allocation = zero fill - read fault - clear: %.0f\n", alloc);
    printf("predicted break = read fault + allocation + copy: %.0f; measured %.0f; residual %+.0f (%+.1f%%)\n", pred,
           med[M_COW], med[M_COW] - pred, (med[M_COW] - pred) / pred * 100);
    double to_file = mhz > 0 ? mhz / 1000 / ghz : 1; /* TSC cycles -> cycles at the file's clock */
    printf("\n[share]  # at %.0f MHz\ncow_fault = %.0f\nalloc = %.0f\ncopy = %.0f\ncow_convert = %.0f\npte_update = %.0f\n",
           mhz > 0 ? mhz : ghz * 1000, (med[M_READ] - med[M_WRPROT]) * to_file, alloc * to_file,
           med[M_COPY] * to_file, med[M_REUSE] * to_file, med[M_WRPROT] * to_file);
    munmap(src, (size_t)COLD_PAGES * PG);
    munmap(dst, (size_t)COLD_PAGES * PG);
    return 0;
}
