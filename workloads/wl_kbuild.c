/*
 * wl_kbuild.c: a Linux kernel build as seed 003 runs it (section 4.6): many
 * short-lived processes, moderate in everything else.
 *
 * `make` (pid 0) forks one compiler per job slot (TREC_FORK, then the child
 * runs and TREC_EXEC replaces its image); the children share the CPU
 * round-robin, each for quantum instructions; a child that has run life=
 * instructions ends: the CPU returns to make, which reaps it
 * (TREC_PROC_EXIT), works make_burst= instructions and forks the next.  A
 * compiler's data accesses keep moderate locality: mostly the next word, a
 * quarter on its stack, and a few jumps anywhere in its heap.
 *
 * profile= chooses the defaults of jobs=, life=, make_burst= and footprint=
 * (each key still overrides its own):
 *   measured  (default) a real make-driven C build measured on this project's
 *             build machine by scripts/kbuild_measure.sh (make -j1, gcc -O2,
 *             ar; cachegrind for instructions per process, /usr/bin/time for
 *             minor faults): docs/workloads.md, "kbuild, measured", gives the
 *             command, the numbers and how each default follows from them;
 *   estimate  the estimates the generator had before that measurement (a
 *             compiler every 300,000 instructions, 8 MiB heaps, two jobs),
 *             about 500 times the measured first-touch rate; kept because
 *             seed 004's tables (configs/sweeps/seed004_walkrefs.ini) were
 *             measured on it and name it.
 *
 * Heap release: a compiler gives heap back while it runs (glibc's free
 * trims the break, brk shrink, and unmaps a chunk above M_MMAP_THRESHOLD;
 * GCC's collector would munmap or MADV_DONTNEED its free pages, ggc-page.c
 * release_pages).  Each time the sequential cursor leaves a whole free_size=
 * chunk of the heap, with probability F the chunk is unmapped (TREC_UNMAP),
 * so its next visit faults it in again.  F is given either as free_rate=F,
 * or as free_pmi=R, releases per million compiler instructions: F = R over
 * the chunks the cursor leaves per million instructions, which follows from
 * the access mix (api= times the sequential share, over the words of the
 * footprint, times the chunk boundaries inside it: the cursor's position is
 * uniform, since its jumps are and its steps wrap).  profile=measured
 * defaults to the measured rate and mean release size (strace of the build,
 * docs/workloads.md "kbuild, measured"); profile=estimate releases nothing.
 * Invariant: a process never exits while running, and every child runs
 * only after its FORK and EXEC.
 */
#include "wl_int.h"

#include <stdlib.h>

#define STACK (16u << 10) /* the hot top of a compiler's stack */
#define MAKE_HEAP (1u << 20) /* make's own data: its dependency graph */
#define P_STACK 0.25      /* share of a compiler's accesses that hit its stack */
#define P_JUMP 0.05       /* share that jumps anywhere in its heap */
#define P_SEQ (1 - P_STACK - P_JUMP) /* share that steps the cursor to the next word */
#define PER_MILLION 1e6   /* free_pmi= counts per million instructions */
#define PAGE_4K (1ull << VS_PAGE_SHIFT_4K) /* free_size= releases whole pages */

typedef struct child {
    uint32_t pid;
    uint64_t left; /* instructions still to run */
    uint64_t pos;  /* current heap offset */
    bool execd;
} child;

typedef struct kb {
    wl_synth s;
    child *kids;
    uint32_t nkids, jobs, next_pid, running; /* running: index into kids, or jobs = make */
    uint64_t life, burst, slice, make_left;
    uint64_t free_size; /* bytes of one release, a whole number of pages */
    double free_rate;   /* probability that a chunk the cursor leaves is released */
} kb;

static void run_make(kb *k) /* make is running: it reaps nothing, just works */
{
    k->running = k->jobs;
    k->make_left = k->burst;
    wl_emit(k->s.out, TREC_SWITCH, 0, 0, 0, 0);
}

/* Make (running) forks children until every job slot is full. */
static void fork_children(kb *k)
{
    while (k->nkids < k->jobs) {
        child *c = &k->kids[k->nkids++];
        *c = (child){.pid = k->next_pid++, .left = k->life};
        wl_emit(k->s.out, TREC_FORK, 0, 0, c->pid, 0);
    }
}

static void run_child(kb *k, uint32_t idx)
{
    child *c = &k->kids[idx];
    k->running = idx;
    k->slice = 0;
    wl_emit(k->s.out, TREC_SWITCH, 0, 0, c->pid, 0);
    if (!c->execd) {
        wl_emit(k->s.out, TREC_EXEC, 0, 0, c->pid, 0);
        c->execd = true;
    }
}

/* Scheduling before each instruction. */
static void schedule(kb *k)
{
    if (k->running == k->jobs) {
        if (k->make_left > 0)
            return;
        fork_children(k);
        run_child(k, 0);
        return;
    }
    child *c = &k->kids[k->running];
    if (c->left == 0) {
        uint32_t pid = c->pid;
        *c = k->kids[--k->nkids];
        run_make(k);
        wl_emit(k->s.out, TREC_PROC_EXIT, 0, 0, pid, 0);
        return;
    }
    if (k->slice >= k->s.quantum && k->nkids > 1)
        run_child(k, (k->running + 1) % k->nkids);
}

static uint64_t child_addr(kb *k, child *c)
{
    wl_synth *s = &k->s;
    if (wl_chance(s, P_STACK))
        return WL_DATA_BASE + s->footprint + wl_rand(s, STACK / WL_WORD) * WL_WORD;
    if (wl_chance(s, P_JUMP / (1 - P_STACK))) {
        c->pos = wl_rand(s, s->footprint / WL_WORD) * WL_WORD;
    } else {
        c->pos = (c->pos + WL_WORD) % s->footprint;
        /* the cursor just left the chunk below it: the allocator may release it */
        if (k->free_rate > 0 && c->pos % k->free_size == 0 && c->pos > 0 && wl_chance(s, k->free_rate))
            wl_synth_unmap(s, WL_DATA_BASE + c->pos - k->free_size, k->free_size);
    }
    return WL_DATA_BASE + c->pos;
}

/* The defaults each profile= gives. */
typedef struct kb_profile {
    uint64_t footprint; /* bytes each compiler touches */
    uint64_t jobs, life, burst;
    uint64_t free_size; /* bytes of one heap release */
    double free_pmi;    /* heap releases per million compiler instructions */
} kb_profile;

static const char *const PROFILE_NAMES[] = {"measured", "estimate", NULL};
static const kb_profile PROFILES[] = {
    /* scripts/kbuild_measure.sh at commit ab3d3c8 (docs/workloads.md, "kbuild, measured"):
     * 38 processes, 2,466,261,140 instructions, 30,976 minor faults.  make -j1's one job
     * slot; the mean instructions of the 37 processes make's build ran (gcc drivers, cc1,
     * as, ar); make's 5,881,315 instructions per process it ran; the mean minor faults per
     * process (815 pages), as the bytes each touches.  Its strace -ff -e trace=memory at
     * commit a883f73: the 37 processes released heap while they ran (2 anonymous munmaps by
     * one cc1, 86 brk shrinks by the cc1s; no madvise, no mremap) in 88 calls of 2,494,464
     * bytes over their 2,583,527,599 instructions: 0.03406 per million instructions, 28,346
     * bytes each on average, 7 pages. */
    {.footprint = 815ull << VS_PAGE_SHIFT_4K, .jobs = 1, .life = 66496752, .burst = 158954,
     .free_size = 7ull << VS_PAGE_SHIFT_4K, .free_pmi = 0.03406},
    /* the estimates of the generator's first version (no source); no release, and the
     * chunk free_rate= releases is glibc's default M_MMAP_THRESHOLD (mallopt(3)) */
    {.footprint = 8ull << 20, .jobs = 2, .life = 300000, .burst = 20000, .free_size = WL_MMAP_THRESHOLD,
     .free_pmi = 0},
};

/* Sets k->free_rate from free_rate= (already in it, or negative: not given),
 * else from free_pmi (negative: not given, the profile's default_pmi). */
static int set_free_rate(kb *k, double free_pmi, double default_pmi, vs_err *err)
{
    if (k->free_size % PAGE_4K)
        return vs_fail(err, VS_E_USAGE, "gen kbuild: free_size=%llu: expected a whole number of 4 KiB pages",
                       (unsigned long long)k->free_size);
    if (k->free_rate >= 0 && free_pmi >= 0)
        return vs_fail(err, VS_E_USAGE, "gen kbuild: free_rate= and free_pmi= both given; expected one");
    uint64_t words = k->s.footprint / WL_WORD;            /* the cursor's positions */
    uint64_t bounds = (k->s.footprint - 1) / k->free_size; /* chunk ends inside the heap */
    double leaves_pmi = PER_MILLION * k->s.api * P_SEQ * (double)bounds / (double)words;
    if (k->free_rate < 0) {
        double pmi = free_pmi >= 0 ? free_pmi : default_pmi;
        if (pmi > leaves_pmi)
            return vs_fail(err, VS_E_USAGE,
                           "gen kbuild: free_pmi=%g: the cursor leaves only %.4g chunks of free_size=%llu per "
                           "million instructions in footprint=%llu; expected a smaller rate or free_size=",
                           pmi, leaves_pmi, (unsigned long long)k->free_size,
                           (unsigned long long)k->s.footprint);
        k->free_rate = pmi > 0 ? pmi / leaves_pmi : 0;
    }
    if (k->free_rate > 0 && bounds == 0)
        return vs_fail(err, VS_E_USAGE, "gen kbuild: free_size=%llu leaves no whole chunk in footprint=%llu",
                       (unsigned long long)k->free_size, (unsigned long long)k->s.footprint);
    return VS_OK;
}

static int kbuild_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    int profile;
    int rc = wl_arg_choice(a, "profile", PROFILE_NAMES, 0, &profile, err);
    if (rc != VS_OK)
        return rc;
    const kb_profile *p = &PROFILES[profile];
    const wl_synth_defaults D = {.api = 0.52, .writes = 0.3, .footprint = p->footprint,
                                 .processes = 1, .quantum = 50000, .code = 65536};
    kb k = {.next_pid = 1};
    uint64_t jobs;
    rc = wl_synth_init(&k.s, a, &D, seed, out, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "jobs", p->jobs, 1, 256, &jobs, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "life", p->life, 1000, 1ull << 40, &k.life, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "make_burst", p->burst, 1, 1ull << 40, &k.burst, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "free_size", p->free_size, PAGE_4K, 1ull << 30, &k.free_size, err);
    double free_pmi = -1; /* negative: not given */
    if (rc == VS_OK)      /* free_rate= likewise: negative when not given */
        rc = wl_arg_f64(a, "free_rate", -1, 0, 1, &k.free_rate, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "free_pmi", -1, 0, PER_MILLION, &free_pmi, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    if (k.s.processes != 1)
        return vs_fail(err, VS_E_USAGE, "gen kbuild: processes= does not apply; use jobs=");
    rc = set_free_rate(&k, free_pmi, p->free_pmi, err);
    if (rc != VS_OK)
        return rc;
    k.jobs = (uint32_t)jobs;
    k.kids = vs_calloc(k.jobs, sizeof *k.kids);
    wl_emit(out, TREC_PROC_START, 0, 0, 0, 0);
    run_make(&k);
    for (uint64_t i = 0; i < k.s.instructions; i++) {
        schedule(&k);
        unsigned n = wl_synth_instr(&k.s, i);
        if (k.running == k.jobs) {
            k.make_left--;
            for (; n > 0; n--)
                wl_synth_data(&k.s, WL_DATA_BASE + wl_rand(&k.s, MAKE_HEAP / WL_WORD) * WL_WORD);
        } else {
            child *c = &k.kids[k.running];
            c->left--;
            k.slice++;
            for (; n > 0; n--)
                wl_synth_data(&k.s, child_addr(&k, c));
        }
    }
    free(k.kids);
    return VS_OK;
}

const wl_gen wl_gen_kbuild = {
    {"kbuild", "make forking short-lived compilers (fork, exec, exit), moderate locality (003 4.6)",
     "profile=measured|estimate; measured: footprint=3260k (per process) jobs=1 life=66496752 make_burst=158954"
     " free_size=28k free_pmi=0.03406; estimate: footprint=8m jobs=2 life=300000 make_burst=20000 free_size=128k"
     " free_pmi=0; api=0.52 writes=0.3 quantum=50000 code=65536; free_rate=F instead of free_pmi= (fraction of the"
     " free_size= heap chunks a compiler's cursor leaves that it unmaps)"},
    kbuild_run};
