/*
 * sweep.h: batch parameter sweeps (`vmemsim sweep`).  A sweep file names a
 * base config, the traces (files, or workload generator specs), and lists of
 * values for config keys; each combination with each trace is one *point*, an
 * independent simulation.  Results are one CSV row per point: `trace`, the
 * parameters' section.key names, then every statistic under its dotted JSON
 * path (jw_new_flat), written atomically so a killed sweep loses nothing
 * finished and `--resume` can skip what is done.
 *
 * Sweep file (INI, GKeyFile):
 *   [sweep]
 *   base = ../skylake.ini               ; optional; relative to the sweep file; several
 *                                       ; (';' separated: a machine; a VMM profile) load in order
 *   traces = a.vmt, b.lackey.gz         ; ',' or ';' separated; relative to the sweep file
 *   workloads = worst refs=200000; vpr  ; generator specs (`vmemsim gen` NAME key=value...)
 *   traces = a.vmt + b.vmt              ; '+' joins traces into one point: processes
 *   traces = vm=0 a.vmt + vm=1 b.vmt    ; ... or VMs (vm=K as in `run`: this trace and
 *                                       ; the next ones go to VM K; without, dealt in turn)
 *   seed = 1                            ; generator seed
 *   [params]
 *   machine.mode = native, nested       ; each key a dimension of the cross product
 *   pwc.enabled = true, false
 *   zip = a.b, c.d                      ; these keys' lists are paired, not crossed
 *                                       ; (several groups: "a.b, c.d; e.f, g.h")
 *
 * Point order: trace outermost (files first, then workloads, as listed), then
 * the dimensions in the order their first key appears in [params], the last
 * varying fastest.  A point's identity is its trace label and its parameter
 * values, never its index, so a resumed or collected CSV is matched to the
 * points of the (possibly edited) sweep file by content.
 *
 * A point whose trace is several ('+') runs them as `vmemsim run` runs
 * several traces: streams scheduled round-robin every sched.quantum
 * instructions, in the VMs given by vm=K (or dealt to the vm.count VMs in
 * turn), so consolidation and scheduling-quantum studies are sweeps.  Its
 * `trace` column is the item as written, normalised ("a.vmt + vm=1 b.vmt").
 *
 * Points that share a trace run several at a time in one pass over it
 * (sweep_run_points, sim_run_machines): the trace is decoded once for all of
 * them; a row does not depend on which points shared the pass.
 *
 * Each row also carries the sweep's fingerprint (sweep_fingerprint) so a
 * resumed table never silently mixes setups.  Workloads beyond 2^30
 * references are refused at load (sweep_spec.c says why).
 *
 * Invariants: every point's parameter values apply cleanly, together, to the
 * base config (checked at load); zipped lists have equal lengths; a table holds at most
 * one row per point and writes rows in point order with the same columns
 * whatever order they finished in.
 */
#ifndef VS_SWEEP_H
#define VS_SWEEP_H

#include "common.h"
#include "config.h"
#include <glib.h>

typedef struct sweep sweep;

/* Loads a sweep file; errors name the file, the [section] key and what was expected. */
int sweep_load(const char *path, sweep **out, vs_err *err);
/* The same from text; relative paths resolve against base_dir. */
int sweep_load_data(const char *data, size_t len, const char *origin, const char *base_dir, sweep **out,
                    vs_err *err);
void sweep_free(sweep *s);

size_t sweep_n_points(const sweep *s);
size_t sweep_n_params(const sweep *s);
const char *sweep_param_name(const sweep *s, size_t i);
size_t sweep_n_traces(const sweep *s);
/* The `trace` column: the path as written, or the normalised generator spec. */
const char *sweep_trace_label(const sweep *s, size_t t);
/* Trace t of the sweep is one or more traces run together ('+'): parts. */
size_t sweep_trace_n_parts(const sweep *s, size_t t);
/* Part i's VM (vm=K), or -1: dealt to the VMs in turn. */
int sweep_trace_part_vm(const sweep *s, size_t t, size_t i);
/* Some part of trace t is a workload (to generate). */
bool sweep_trace_is_workload(const sweep *s, size_t t);
/* The resolved base config files in load order, NULL-terminated (empty: the defaults). */
const char *const *sweep_base_configs(const sweep *s);
/* Hex digest of the build, the sweep file, the base config's bytes and the
 * seed: the `fingerprint` column of every row. */
const char *sweep_fingerprint(const sweep *s);
/* The config of point k: the base config (read once, at load) with the
 * point's parameter values applied together (cfg_override_all). */
int sweep_point_config(const sweep *s, size_t k, vs_config *cfg, vs_err *err);

/* Point k (< sweep_n_points): its trace index and the value of parameter i. */
size_t sweep_point_trace(const sweep *s, size_t k);
const char *sweep_point_value(const sweep *s, size_t k, size_t i);
/* The point whose trace label and parameter values (in parameter order) are
 * these, or -1. */
long sweep_find_point(const sweep *s, const char *trace, const char *const *values);

/* The file part i of trace t reads: the resolved path, or for a workload
 * trace_dir/<spec>_s<seed>.vmt.  Free with g_free. */
char *sweep_trace_path(const sweep *s, size_t t, size_t i, const char *trace_dir);
/* Every file trace is there and readable: checked before the first point
 * runs, so a wrong name fails at once rather than hours into a sweep. */
int sweep_check_trace_files(const sweep *s, vs_err *err);
/* Generates the workloads of trace t into trace_dir unless they are already
 * there (written to a temporary name and renamed, so concurrent generators
 * of the same trace are safe).  A no-op for file traces. */
int sweep_prepare_trace(const sweep *s, size_t t, const char *trace_dir, vs_err *err);

/* ---- result rows and tables ---- */

typedef struct sweep_row sweep_row;
/* A row of statistics, in the order added (sweep_run_point fills one from
 * sim_report through jw_new_flat). */
sweep_row *sweep_row_new(void);
void sweep_row_add(sweep_row *r, const char *name, const char *value);
/* Runs point k (its trace must be prepared) and returns its row. */
int sweep_run_point(const sweep *s, size_t k, const char *trace_dir, sweep_row **out, vs_err *err);
/* Runs the n points ks[], which share one trace, in one pass over it (the
 * trace decoded once; a machine per point, sim_run_machines): rows[i] (or
 * NULL), rcs[i] and errs[i] are point ks[i]'s outcome.  Points of a trace
 * of several parts must share sched.quantum and vm.count (their machines
 * schedule alike).  Returns how many failed. */
size_t sweep_run_points(const sweep *s, const size_t *ks, size_t n, const char *trace_dir, sweep_row **rows,
                        int *rcs, vs_err *errs);
void sweep_row_free(sweep_row *r);
/* The value of column `name` in the row, or NULL. */
const char *sweep_row_get(const sweep_row *r, const char *name);

typedef struct sweep_table sweep_table;
sweep_table *sweep_table_new(const sweep *s);
void sweep_table_free(sweep_table *t);
size_t sweep_table_count(const sweep_table *t);
const sweep_row *sweep_table_row(const sweep_table *t, size_t k); /* NULL when point k is not done */
/* Stores the row of point k (taking ownership; k must not be done yet). */
void sweep_table_put(sweep_table *t, size_t k, sweep_row *r);
/* Adds the rows of a results CSV (a resumed file or a part file).  A header
 * whose parameter columns differ from the sweep's or lacks the fingerprint, a
 * row that is no point of the sweep, a malformed row, a point twice in the
 * file, a row whose fingerprint is not the sweep's (unless force), or a row
 * for a point already in the table with other values is an error naming the
 * file and line; a point another file gave with the same values is ignored. */
int sweep_table_read(sweep_table *t, const char *csv_path, bool force, vs_err *err);
/* Writes every stored row in point order, atomically (outfile.h). */
int sweep_table_write(const sweep_table *t, const char *csv_path, vs_err *err);

/* Appends text to s as one CSV field (',' before it unless first; quoted
 * when it holds ',', '"', CR or LF).  Shared with `vmemsim run --csv`. */
void sweep_csv_field(GString *s, bool first, const char *text);

/* ---- running many points ---- */

typedef struct sweep_status {
    size_t done, total; /* points finished (including resumed ones), points in the sweep */
    size_t failed;
} sweep_status;
typedef void (*sweep_progress_fn)(void *ctx, const sweep_status *st);

typedef struct sweep_opts {
    unsigned jobs;          /* worker threads, >= 1 */
    unsigned per_pass;      /* points (machines) at most in one pass over a trace, >= 1 */
    const char *trace_dir;  /* where workload traces are generated */
    const char *out_path;   /* rewritten (atomically) after each batch of finished points; may be NULL */
    sweep_progress_fn progress; /* called on the caller's thread; may be NULL */
    void *progress_ctx;
} sweep_opts;

/* Runs every point not yet in t, jobs passes at a time (GThreadPool), each
 * pass up to per_pass points of one trace, storing each row as it finishes
 * and rewriting out_path.  Stops starting points after the
 * first failure and returns it (naming the point); finished rows stay. */
int sweep_run(const sweep *s, sweep_table *t, const sweep_opts *o, vs_err *err);

#endif
