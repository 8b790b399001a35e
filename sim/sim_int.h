/*
 * sim_int.h: the simulator's private state (vs_sim), shared by sim.c (setup and the
 * run loop), sim_events.c (guest control events) and report.c (results).
 * Nothing outside the engine includes it.
 */
#ifndef VS_SIM_INT_H
#define VS_SIM_INT_H

#include "sim.h"
#include "memhier.h"
#include "mlp.h"
#include "mmu/hv.h"
#include "mmu/mode.h"
#include "mmu/os.h"
#include "tlb/hier.h"
#include "tee.h"
#include "trace/trace.h"

#include <glib.h>

#define SIM_TAG_LIMIT 65536  /* 16-bit TLB tags; wrapping flushes every TLB */

typedef struct sim_vm sim_vm;

/* What is kept per process, and summed per VM, under the names of the
 * totals: counts, exits by reason and cycles by term (first_touch: the part
 * of walk + vmm that was first-touch work, xlate_stats.first_touch_cycles). */
typedef struct sim_tally {
    uint64_t refs, instructions, tlb_misses, walks, walk_refs, fault_walk_refs, faults, cow_faults;
    uint64_t exits[EXIT_COUNT];
    uint64_t base, tlb, walk, data, fault, vmm, first_touch;
} sim_tally;

/* One process's account; it outlives the process (exited ones are reported). */
typedef struct sim_account {
    uint32_t vm, stream, pid;
    sim_tally t;
} sim_account;

typedef struct sim_proc {
    mode_space sp;
    sim_vm *vm;
    guint account; /* index in vs_sim.accounts */
} sim_proc;

struct sim_vm {
    struct vs_sim *sim;
    uint32_t id;
    os *os;
    hv_vm *hv;            /* NULL in native mode */
    uint16_t tag;         /* VM tag when processes share one (no PCID) */
    GHashTable *procs;    /* os pid -> sim_proc* */
    uint32_t next_pid;
    uint32_t ran_pid;     /* the process whose root the VM loaded last (0: none yet); pids are never reused */
};

typedef struct sim_stream {
    tee *tee;             /* the trace, read ahead in its own thread, maybe shared with other machines */
    unsigned tee_id;      /* this stream's consumer number in tee */
    trace_fmt fmt;
    char *path;
    const trace_rec *buf; /* the batch being simulated, owned by tee */
    long n, pos;
    uint64_t base;        /* records of the batches before buf: names a failing record */
    bool done;
    bool started;         /* it has had a process (a later lack of one is an exit) */
    sim_vm *vm;
    sim_proc *cur;
    GHashTable *pids;     /* trace pid -> os pid, per VM of this stream */
    trace_digest digest;  /* set when the stream ends */
} sim_stream;

/* Where the run is in its region of interest (config keys sim.*). */
typedef enum sim_phase { SIM_SKIP, SIM_WARMUP, SIM_MEASURE } sim_phase;

struct vs_sim {
    vs_config cfg;
    mh *mem;
    th *tlbs;
    uint32_t l1_latency[TH_CLASSES]; /* latency of the first cache level per side */
    /* Overlapped data misses (memory.rob > 0; else NULL), and the first
     * instruction whose fetch may wait for one (UINT64_MAX: none). */
    mlp *mlp;
    uint64_t mlp_stall_at;

    hv *hv;
    sim_vm *vms;
    uint32_t n_vms;
    const mode_info *info; /* the registry row of cfg.mode */
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
    uint64_t data_cycles;
    uint64_t cr3_writes, vm_switches, sched_switches, invlpgs;
    uint64_t transactions, cdas;
    uint64_t next_interval; /* in instructions read (fetched) */
    uint64_t next_tick;     /* in instructions simulated (fetched - skipped) */
    /* the region of interest: instructions read over every stream and phase,
     * the one where measurement began, and the next position where something
     * happens (a phase ends, an interval is sampled, the run stops) */
    sim_phase phase;
    uint64_t fetched, skipped, measure_start, next_boundary;
    bool stopped; /* sim.max_instructions (or an end marker) reached before the traces ended */
    /* a trace's own region-of-interest markers (TREC_ROI): a begin marker
     * restarted measurement; an end marker ends it at roi_end */
    bool roi_began, roi_ended;
    uint64_t roi_end;
    os_counters os_base; /* event counters of the OSes and the host at the */
    hv_counters hv_base; /* start of measurement, subtracted when reported */
    GArray *intervals; /* sim_tally deltas */
    GArray *events;    /* sim_event: page-table events of the last OS call, not yet delivered */
    bool batch_writes; /* the OS call running batches its entry writes under one flush (sim_events.c) */
    sim_tally last; /* the totals at the last interval sample */
    /* Per-process accounting: whatever the counters gain is charged, at the
     * next change of account, to the process being charged (the running one,
     * or one exiting), so the accounts add up exactly to the totals. */
    GArray *accounts; /* sim_account, in order of creation */
    int charged;      /* index of the account being charged, or -1 */
    sim_tally mark;   /* the totals when it last changed */
    double wall_seconds;
    sim_observer_fn observer; /* NULL unless a test or debugger is watching */
    void *observer_ctx;
    bool have_native; /* a native run of the same traces was recorded */
    uint64_t native_cycles, native_translation_cycles, native_walk_refs, native_walks;
};

/* sim_fault.c */
typedef enum sim_event_kind { SIM_EV_PTE_WRITTEN, SIM_EV_TABLE_FREED, SIM_EV_SPACE_FREED } sim_event_kind;
typedef struct sim_event {
    sim_event_kind kind;
    sim_proc *p;
    uint64_t addr; /* the entry's address (pte_written) or the table's frame (table_freed) */
    unsigned level;
    uint64_t old_pte, new_pte;
    bool batched; /* pte_written: the OS call batches its writes under one flush (mode.h) */
} sim_event;
void sim_queue_event(vs_sim *s, const sim_event *ev);
/* Hands the mode every queued event, in order; the first error stops it (the
 * run loop's at_record names the stream's file and record, once). */
int sim_deliver_events(vs_sim *s, vs_err *err);
/* The TLBs missed: the mode's translation of va for process p, running the
 * OS for its page faults (the run loop names the file and record of an error). */
int sim_translate(vs_sim *s, sim_proc *p, uint64_t va, unsigned access, tlb_entry *out, vs_err *err);

/* sim_events.c */
int sim_control(vs_sim *s, sim_stream *st, const trace_rec *r, vs_err *err);
/* A trace's region-of-interest marker (sim.c): a begin marker starts
 * measurement where it stands, whatever phase the counts had reached
 * (statistics restart; what came before was warm-up, or skipped while the
 * skip lasted) and sim.max_instructions counts from it; an end marker, once
 * measuring, ends the run at the next instruction boundary as
 * sim.max_instructions would. */
void sim_roi_marker(vs_sim *s, bool begin);
int sim_switch_to(vs_sim *s, sim_vm *vm, sim_proc *p, vs_err *err);
int sim_proc_for(vs_sim *s, sim_vm *vm, uint32_t os_pid, sim_proc **out, vs_err *err);
void sim_tlb_flush_tag(void *sim, uint16_t tag);
void sim_tlb_invlpg(void *sim, uint16_t tag, uint64_t va);
void sim_guest_invlpg(vs_sim *s, sim_proc *p, uint64_t va, vs_pgsz size);
void sim_tlb_flush_all(void *sim);
extern const os_hooks sim_os_hooks_template;

/* sim.c */
uint64_t sim_total_cycles(const vs_sim *s);
/* dst += now - since, field by field. */
void sim_tally_accumulate(sim_tally *dst, const sim_tally *now, const sim_tally *since);
/* Charges what the counters gained since the last change of account to the
 * current one; then makes p's account current (p NULL: keep it). */
void sim_charge_to(vs_sim *s, const sim_proc *p);
/* A serialising event (CR3 write, INVLPG, VM switch, exception, VM exit):
 * the core waits for every data miss in flight (mlp.h), charged as data cycles. */
void sim_serialise(vs_sim *s);
/* The OSes' counters summed over the VMs. */
os_counters sim_os_counters(const vs_sim *s);

#endif
