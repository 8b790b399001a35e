/*
 * engine_int.h: the engine's private state, shared by engine.c (setup and the
 * run loop), engine_events.c (guest control events) and report.c (results).
 * Nothing outside the engine includes it.
 */
#ifndef VS_ENGINE_INT_H
#define VS_ENGINE_INT_H

#include "engine.h"
#include "memhier.h"
#include "mmu/hv.h"
#include "mmu/mode.h"
#include "mmu/os.h"
#include "tlb/tlb.h"
#include "prefetch.h"
#include "trace/trace.h"

#include <glib.h>

#define SIM_MAX_TLB_LEVELS 8 /* matches the config's level range */
#define SIM_TAG_LIMIT 65536  /* 16-bit TLB tags; wrapping flushes every TLB */

enum { CLS_DATA = 0, CLS_INST = 1, CLS_COUNT = 2 };

typedef struct sim_vm sim_vm;

typedef struct sim_proc {
    mode_space sp;
    sim_vm *vm;
    uint64_t instructions, refs;
} sim_proc;

struct sim_vm {
    struct vs_sim *sim;
    uint32_t id;
    os *os;
    hv_vm *hv;            /* NULL in native mode */
    uint16_t tag;         /* VM tag when processes share one (no PCID) */
    GHashTable *procs;    /* os pid -> sim_proc* */
    uint32_t next_pid;
};

typedef struct sim_stream {
    prefetch *pf;         /* the trace, read ahead in its own thread */
    trace_fmt fmt;
    char *path;
    const trace_rec *buf; /* the batch being simulated, owned by pf */
    long n, pos;
    uint64_t before;      /* records of the batches before buf: names a failing record */
    bool done;
    bool started;         /* it has had a process (a later lack of one is an exit) */
    sim_vm *vm;
    sim_proc *cur;
    GHashTable *pids;     /* trace pid -> os pid, per VM of this stream */
    trace_digest digest;  /* set when the stream ends */
} sim_stream;

typedef struct tlb_level {
    tlb *t[CFG_MAX_TLBS];
    unsigned n;
    uint32_t latency;
    uint64_t hits, misses;
} sim_tlb_level;

/* The last access of a class that hit in a first-level TLB.  Until any TLB
 * changes (a fill, flush or invalidation clears it), an access to the same
 * page under the same tag repeats that lookup exactly: the probes before the
 * hit miss, the hit re-touches the entry already most recent in its set. */
typedef struct sim_memo {
    uint64_t vpage; /* va >> 12 */
    tlb_entry e;
    uint16_t tag;
    uint8_t hit_idx; /* structure of level 1 that hit */
    bool valid;
} sim_memo;

typedef struct sim_interval {
    uint64_t instructions, refs, tlb_misses, walks, walk_refs, exits, faults;
    uint64_t cycles;
} sim_interval;

struct vs_sim {
    vs_config cfg;
    mh *mem;
    tlb *tlbs[CFG_MAX_TLBS];
    unsigned n_tlbs;
    sim_tlb_level levels[CLS_COUNT][SIM_MAX_TLB_LEVELS];
    unsigned n_levels[CLS_COUNT];
    uint32_t l1_latency[CLS_COUNT]; /* latency of the first cache level per side */
    sim_memo memo[CLS_COUNT];
    bool memo_allowed[CLS_COUNT];   /* no first-level TLB of the class serves the other class */

    hv *hv;
    sim_vm *vms;
    uint32_t n_vms;
    const mode_ops *ops;
    void *mode;
    mode_env env;
    xlate_stats st;
    uint32_t next_tag;

    GPtrArray *streams;
    unsigned cur_stream;
    sim_vm *running_vm;
    sim_proc *running;
    uint64_t quantum_left;

    /* counters */
    uint64_t refs_by_kind[TREC_KIND_COUNT];
    uint64_t instructions, refs;
    uint64_t tlb_cycles, data_cycles;
    uint64_t cr3_writes, vm_switches, sched_switches, tlb_flushes, invlpgs;
    uint64_t transactions, cdas;
    uint64_t next_interval, next_tick;
    GArray *intervals; /* sim_interval deltas */
    sim_interval last;
    double wall_seconds;
    sim_observer_fn observer; /* NULL unless a test or debugger is watching */
    void *observer_ctx;
    bool have_native; /* a native run of the same traces was recorded */
    uint64_t native_cycles, native_translation_cycles, native_walk_refs, native_walks;
};

/* engine_events.c */
int sim_control(vs_sim *s, sim_stream *st, const trace_rec *r, vs_err *err);
int sim_switch_to(vs_sim *s, sim_vm *vm, sim_proc *p, vs_err *err);
int sim_proc_for(vs_sim *s, sim_vm *vm, uint32_t os_pid, sim_proc **out, vs_err *err);
void sim_tlb_flush_tag(void *eng, uint16_t tag);
void sim_tlb_invlpg(void *eng, uint16_t tag, uint64_t va);
void sim_tlb_flush_all(vs_sim *s);
static inline void sim_memo_reset(vs_sim *s)
{
    s->memo[CLS_DATA].valid = false;
    s->memo[CLS_INST].valid = false;
}
extern const os_hooks sim_os_hooks_template;

/* engine.c */
uint64_t sim_total_cycles(const vs_sim *s);
uint64_t sim_last_level_misses(const vs_sim *s);

#endif
