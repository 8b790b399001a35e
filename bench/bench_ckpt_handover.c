/*
 * bench_ckpt_handover.c: what copying a dirty page to a checkpoint helper
 * costs the application, with and without a helper reading it on the other
 * core, measured in one run so that the machine's load falls on all alike.
 *
 * Seed 001 ("Data Processing Overhead"): the helper, "a separate thread or
 * helper process", runs "in parallel on an additional CPU core", and "the
 * only additional overhead for the main application is copying the modified
 * data to the helper process": for page tracking, whole 4 KiB pages.  The
 * model costs that copy at configs/ckpt/modern-kvm.ini's [copy], a page
 * copied from a cold source into a private buffer.  What the seeds' hand-over
 * adds to it is the helper's reading of the buffer on another core: the
 * application's next store to a line the helper has read must invalidate the
 * helper's copy first.  Four modes, per page: a byte of a random page of a
 * SRC_BYTES area is dirtied (as a transaction would) and the page copied into
 * the next slot of a RING_PAGES ring, which is
 *   private   the application's own memory (the model's copy);
 *   shared    MAP_SHARED memory, no reader (the mapping alone);
 *   busy      MAP_SHARED memory, no reader, while a forked process on the
 *             other CPU reads a ring of its own as the helper would, and
 *             paces the application the same way (the control: what a busy
 *             other CPU and the waiting cost without sharing);
 *   helper    MAP_SHARED memory a forked helper, pinned to the other CPU,
 *             reads slot by slot as they are published (seed 001's helper).
 * Each page's copy is timed alone with the TSC; between two copies the
 * application does some work of its own, as a transaction would, and waits
 * (untimed) when the helper has fallen LAG_PAGES behind, so that the helper
 * reads every page, as one that saves them must (the fraction it read is
 * printed).  The median over all copies is robust to preemption by the
 * machine's other load.  ROUNDS rounds, the four modes interleaved in each.
 *
 *   usage: bench_ckpt_handover [pages per measurement] [rounds] [work iterations per page]
 */
#include "bench_clock.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096u
#define SRC_BYTES (64u << 20)  /* above this machine's 32 MiB L3: the source pages come in cold */
/* 1 MiB, this machine's whole L2: with the source pages streaming through, part
 * of the ring is evicted in every mode alike; what differs is who owns its lines */
#define RING_PAGES 256u
#define DEF_PAGES 20000u       /* 100,000 timed copies per mode at the default rounds */
#define DEF_ROUNDS 5u          /* docs/performance.md: medians of at least 5 */
#define MAX_ROUNDS 64u
#define LAG_PAGES 8u           /* the helper may be this many pages behind before the application waits */
#define DEF_WORK 5000u         /* dependent multiply-adds between copies: about 7 us on this machine */
#define LCG_MUL 6364136223846793005ull /* Knuth's MMIX LCG: a fixed page order, the same in every mode */

enum { MODE_PRIVATE, MODE_SHARED, MODE_BUSY, MODE_HELPER, MODES };
static const char *const MODE_NAMES[MODES] = {"private", "shared", "busy", "helper"};

struct shared_ctl {
    _Atomic unsigned long published; /* slots written so far */
    _Atomic int stop;
    unsigned long sink;              /* the helper's sum, so its reads are not optimized away */
    unsigned long read;              /* slots the helper read: did it keep up? */
    _Atomic unsigned long consumed;  /* slots the helper has finished, for the application's back-pressure */
};

static void *map(size_t bytes, int shared)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("bench_ckpt_handover: mmap");
        exit(1);
    }
    memset(p, 1, bytes); /* every page backed before timing */
    return p;
}

/* The helper: reads every published slot once, word by word, skipping ahead
 * when it has fallen a whole ring behind (those slots are overwritten). */
static void helper(const unsigned char *ring, struct shared_ctl *ctl)
{
    unsigned long seen = 0, sum = 0, read = 0;
    while (!atomic_load_explicit(&ctl->stop, memory_order_acquire)) {
        unsigned long pub = atomic_load_explicit(&ctl->published, memory_order_acquire);
        if (pub - seen > RING_PAGES)
            seen = pub - RING_PAGES;
        for (; seen < pub; seen++) {
            const unsigned long *w = (const unsigned long *)(ring + (seen % RING_PAGES) * PAGE);
            for (unsigned i = 0; i < PAGE / sizeof *w; i++)
                sum += w[i];
            read++;
            atomic_store_explicit(&ctl->consumed, seen + 1, memory_order_release);
        }
    }
    ctl->sink = sum;
    ctl->read = read;
}

/* Stands for the transaction's own work between two copies (seed 001's
 * helper keeps up because the application does more than copy): `iters`
 * dependent multiply-adds. */
static unsigned long long work(unsigned long long x, unsigned iters)
{
    for (unsigned i = 0; i < iters; i++)
        x = x * LCG_MUL + 1;
    return x;
}

/* One measurement: each page's copy timed alone (TSC ticks, rdtscp on both
 * sides), into cyc[0..pages). */
static void run(int mode, unsigned char *src, unsigned char *ring, const unsigned char *own, struct shared_ctl *ctl,
                unsigned pages, unsigned iters, uint64_t *cyc, unsigned long *helper_read, unsigned long long *sink)
{
    pid_t pid = -1;
    atomic_store(&ctl->published, 0);
    atomic_store(&ctl->consumed, 0);
    atomic_store(&ctl->stop, 0);
    if (mode == MODE_HELPER || mode == MODE_BUSY) {
        pid = fork();
        if (pid < 0) {
            perror("bench_ckpt_handover: fork");
            exit(1);
        }
        if (pid == 0) {
            bench_pin(1);
            helper(mode == MODE_HELPER ? ring : own, ctl);
            _exit(0);
        }
    }
    unsigned long long x = 12345, w = 1;
    unsigned aux;
    for (unsigned i = 0; i < pages; i++) {
        x = x * LCG_MUL + 1;
        unsigned char *pg = src + (x >> 33) % (SRC_BYTES / PAGE) * PAGE;
        pg[(x >> 20) % PAGE]++;
        uint64_t t0 = __rdtscp(&aux);
        memcpy(ring + (i % RING_PAGES) * PAGE, pg, PAGE);
        cyc[i] = __rdtscp(&aux) - t0;
        atomic_store_explicit(&ctl->published, i + 1ul, memory_order_release);
        w = work(w, iters);
        while (pid > 0 && i + 1ul - atomic_load_explicit(&ctl->consumed, memory_order_acquire) > LAG_PAGES)
            sched_yield(); /* back-pressure, untimed: the helper saves every page, so it may not fall behind */
    }
    *sink += w;
    if (pid > 0) {
        atomic_store_explicit(&ctl->stop, 1, memory_order_release);
        waitpid(pid, NULL, 0);
        if (mode == MODE_HELPER)
            *helper_read += ctl->read;
    }
}

int main(int argc, char **argv)
{
    unsigned pages = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : DEF_PAGES;
    unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : DEF_ROUNDS;
    unsigned iters = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : DEF_WORK;
    if (pages == 0 || rounds == 0 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "usage: bench_ckpt_handover [pages > 0] [rounds 1..%u] [work iterations]\n", MAX_ROUNDS);
        return 2;
    }
    bench_pin(0);
    double ghz = bench_tsc_ghz();
    unsigned char *src = map(SRC_BYTES, 0), *priv = map(RING_PAGES * PAGE, 0), *shr = map(RING_PAGES * PAGE, 1);
    struct shared_ctl *ctl = map(sizeof *ctl, 1);
    uint64_t *cyc[MODES];
    for (int m = 0; m < MODES; m++)
        if (!(cyc[m] = malloc(sizeof(uint64_t) * pages * rounds))) {
            fprintf(stderr, "bench_ckpt_handover: out of memory\n");
            return 1;
        }
    unsigned long helper_read = 0;
    unsigned long long sink = 0;
    for (unsigned r = 0; r < rounds; r++)
        for (int m = 0; m < MODES; m++)
            run(m, src, m == MODE_PRIVATE ? priv : shr, priv, ctl, pages, iters,
                            cyc[m] + (size_t)r * pages, &helper_read, &sink);
    printf("mode,copy_ns_median,p25,p75,relative_to_private\n");
    double base = 0;
    for (int m = 0; m < MODES; m++) {
        size_t n = (size_t)pages * rounds;
        qsort(cyc[m], n, sizeof cyc[m][0], bench_cmp_u64);
        double med = cyc[m][n / 2] / ghz, q1 = cyc[m][n / 4] / ghz, q3 = cyc[m][n * 3 / 4] / ghz;
        if (m == MODE_PRIVATE)
            base = med;
        printf("%s,%.0f,%.0f,%.0f,%.2f\n", MODE_NAMES[m], med, q1, q3, med / base);
        free(cyc[m]);
    }
    printf("# the helper read %.1f %% of the published pages (TSC %.3f GHz; work sink %llu)\n",
           100.0 * helper_read / ((double)pages * rounds), ghz, sink & 1);
    return 0;
}
