/*
 * sim.h: the simulator proper.  It wires one configuration into a machine
 * (memory hierarchy, TLBs, the translation mode, the guest OSes and, when
 * virtualized, the hypervisor), schedules the traces given to it as processes
 * of one or more VMs, and drives every record through
 *     reader -> scheduler -> TLB -> mode's walk -> stats.
 *
 * Scheduling: each trace is a stream; streams run round-robin, each for
 * sched.quantum instructions, and every change of stream is a guest CR3
 * write (and a VM switch when the VMs differ).  A trace's own control records
 * (context switches, fork/exec/exit, INVLPG, VM switches) act within its
 * stream; pids are private to each trace.
 *
 * Invariants the interface keeps: a vs_sim is configured once (sim_new) and
 * its traces added before it runs; a run is deterministic -- the same
 * configuration and traces give the same report bytes, wall time aside
 * (sim_print_summary omits it); machines that share a reader see the same
 * records in the same order as each would alone, so their results are those
 * of separate runs.
 */
#ifndef VS_SIM_H
#define VS_SIM_H

#include "config.h"
#include "json.h"

typedef struct vs_sim vs_sim;

int sim_new(const vs_config *cfg, vs_sim **out, vs_err *err);
void sim_free(vs_sim *s);

/* Adds a trace as a stream of VM `vm` (vm < cfg->vm_count, or -1 to deal the
 * streams to the VMs in turn). */
int sim_add_trace(vs_sim *s, const char *path, int vm, vs_err *err);
/* The same for n machines at once, which then share one reader: the trace is
 * decoded once and every machine sees the same records (tee.h).  The
 * machines must then run together (sim_run_machines), and each must schedule
 * its streams alike (the same traces in the same order and the same
 * sched.quantum; a machine that stops early leaves at once) -- otherwise one
 * could wait forever for another to catch up in a trace it no longer reads. */
int sim_add_trace_shared(vs_sim *const *sims, unsigned n, const char *path, int vm, vs_err *err);

typedef struct sim_progress {
    uint64_t refs;
    double fraction; /* of the input consumed, or < 0 when unknown */
    double seconds;  /* wall time so far */
} sim_progress;
typedef void (*sim_progress_fn)(void *ctx, const sim_progress *p);

/* Runs every stream to its end.  progress (may be NULL) is called about
 * every million references. */
int sim_run(vs_sim *s, sim_progress_fn progress, void *ctx, vs_err *err);

/* Runs n machines over the traces they share, each on a thread of its own
 * (n = 1: on the caller's), so each batch of records, decoded once, is
 * simulated on every machine; results are those of running each alone.
 * progress (may be NULL) follows machine 0.  rcs[i] and errs[i] get machine
 * i's outcome; returns how many failed (a failed machine stops reading, and
 * holds nobody back). */
unsigned sim_run_machines(vs_sim *const *sims, unsigned n, sim_progress_fn progress, void *ctx, int *rcs,
                          vs_err *errs);

/* Writes the full results: config echo, trace provenance, counters, cycles,
 * TLBs, caches, walks, exits, mode details, interval samples. */
void sim_report(vs_sim *s, jw *w);
/* The results as the rows of one CSV table, one row per block: begin(ctx)
 * opens a row, then cell(ctx, column, value) gives its cells.  Rows: the
 * totals (everything sim_report writes, flattened), then each VM, each
 * process and each interval sample under the totals' column names.  Every
 * row opens with the same identity columns -- scope ("total", "vm",
 * "process", "interval"), vm, stream, pid, interval -- left empty where the
 * block has no such key. */
typedef void (*sim_row_fn)(void *ctx);
void sim_report_rows(vs_sim *s, sim_row_fn begin, jw_flat_fn cell, void *ctx);
/* A short human summary of the headline numbers (deterministic: no wall time). */
void sim_print_summary(vs_sim *s, FILE *out);
double sim_wall_seconds(const vs_sim *s);
/* Records a native run of the same traces, so the report gives this run's
 * overhead against native under "vs_native". */
void sim_set_native_baseline(vs_sim *s, const vs_sim *native);

/* Debugging and differential testing.  The observer (NULL to remove) is
 * called for every memory access with the physical address it reached; pid is
 * the guest OS's pid.  sim_reference_translate computes the same address in
 * software from the OS's page tables and the hypervisor's mapping (segment
 * base + offset, or the host tables), at no simulated cost: VS_OK, or
 * VS_E_USAGE when va (or its guest-physical page) is not mapped. */
typedef void (*sim_observer_fn)(void *ctx, uint32_t vm, uint32_t pid, uint64_t va, uint64_t pa);
void sim_set_observer(vs_sim *s, sim_observer_fn fn, void *ctx);
int sim_reference_translate(vs_sim *s, uint32_t vm, uint32_t pid, uint64_t va, uint64_t *pa);
uint64_t sim_refs(const vs_sim *s);

#endif
