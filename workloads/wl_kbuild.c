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
 * free_rate=F (default 0: no release, the trace the figures use) lets a
 * compiler give heap back while it runs, as GCC's collector returns free
 * pages to the OS (ggc-page.c, release_pages: munmap or MADV_DONTNEED):
 * each time its sequential cursor leaves a whole WL_MMAP_THRESHOLD chunk of
 * its heap, with probability F the chunk is unmapped, so its next visit
 * faults it in again.  F is the user's estimate; nothing here fits it.
 * Invariant: a process never exits while running, and every child runs
 * only after its FORK and EXEC.
 */
#include "wl_int.h"

#include <stdlib.h>

#define STACK (16u << 10) /* the hot top of a compiler's stack */
#define MAKE_HEAP (1u << 20) /* make's own data: its dependency graph */
#define P_STACK 0.25      /* share of a compiler's accesses that hit its stack */
#define P_JUMP 0.05       /* share that jumps anywhere in its heap */

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
    double free_rate;
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
        /* the cursor just left the chunk below it: the collector may release it */
        if (k->free_rate > 0 && c->pos % WL_MMAP_THRESHOLD == 0 && c->pos > 0 && wl_chance(s, k->free_rate))
            wl_synth_unmap(s, WL_DATA_BASE + c->pos - WL_MMAP_THRESHOLD, WL_MMAP_THRESHOLD);
    }
    return WL_DATA_BASE + c->pos;
}

/* The defaults each profile= gives. */
typedef struct kb_profile {
    uint64_t footprint; /* bytes each compiler touches */
    uint64_t jobs, life, burst;
} kb_profile;

static const char *const PROFILE_NAMES[] = {"measured", "estimate", NULL};
static const kb_profile PROFILES[] = {
    /* scripts/kbuild_measure.sh at commit ab3d3c8 (docs/workloads.md, "kbuild, measured"):
     * 38 processes, 2,466,261,140 instructions, 30,976 minor faults.  make -j1's one job
     * slot; the mean instructions of the 37 processes make's build ran (gcc drivers, cc1,
     * as, ar); make's 5,881,315 instructions per process it ran; the mean minor faults per
     * process (815 pages), as the bytes each touches. */
    {.footprint = 815ull << VS_PAGE_SHIFT_4K, .jobs = 1, .life = 66496752, .burst = 158954},
    /* the estimates of the generator's first version (no source) */
    {.footprint = 8ull << 20, .jobs = 2, .life = 300000, .burst = 20000},
};

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
        rc = wl_arg_f64(a, "free_rate", 0, 0, 1, &k.free_rate, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    if (k.s.processes != 1)
        return vs_fail(err, VS_E_USAGE, "gen kbuild: processes= does not apply; use jobs=");
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
     "profile=measured|estimate; measured: footprint=3260k (per process) jobs=1 life=66496752 make_burst=158954;"
     " estimate: footprint=8m jobs=2 life=300000 make_burst=20000; api=0.52 writes=0.3 quantum=50000 code=65536;"
     " free_rate=0 (fraction of 128 KiB heap chunks a compiler unmaps as its cursor leaves them)"},
    kbuild_run};
