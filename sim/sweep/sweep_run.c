/*
 * sweep_run.c: runs sweep points.  One point = the base config, its parameter
 * values applied as overrides (`section.key=value`, all together), its
 * trace(s) as the processes, one independent vs_sim; its report flattened by
 * jw_new_flat is the row.
 *
 * Passes: the points of one trace run up to opts->per_pass at a time as the
 * machines of one pass (sweep_run_points): the trace is read and decoded once
 * and every batch of records is simulated on each machine.  Points of a trace
 * of several parts share a pass only when they share sched.quantum and
 * vm.count, so their machines switch streams at the same records and none
 * waits for another (sim.h).
 *
 * Parallelism: a GThreadPool of opts->jobs workers first generates the
 * workload traces still needed, then runs the passes; finished rows come back
 * through a queue to the calling thread, which alone touches the table and
 * the output file.  The engine keeps no mutable global state (every structure
 * hangs off its vs_sim; the read-ahead thread is per trace), so points never
 * interfere and a row does not depend on -j, on the passes or on finishing
 * order.
 */
#include "sweep.h"
#include "sim.h"

#include <assert.h>

static void collect(void *ctx, const char *path, const char *value) { sweep_row_add(ctx, path, value); }

/* Prefixes err's message with the point's identity. */
static int name_point(const sweep *s, size_t k, int rc, vs_err *err)
{
    GString *id = g_string_new("");
    g_string_append_printf(id, "point %zu (trace '%s'", k, sweep_trace_label(s, sweep_point_trace(s, k)));
    for (size_t i = 0; i < sweep_n_params(s); i++)
        g_string_append_printf(id, ", %s=%s", sweep_param_name(s, i), sweep_point_value(s, k, i));
    char msg[VS_ERR_MSG_MAX];
    g_strlcpy(msg, err->msg, sizeof msg);
    vs_fail(err, rc, "%s): %s", id->str, msg);
    g_string_free(id, TRUE);
    return rc;
}

size_t sweep_run_points(const sweep *s, const size_t *ks, size_t n, const char *trace_dir, sweep_row **rows,
                        int *rcs, vs_err *errs)
{
    vs_sim **sims = vs_calloc(n, sizeof *sims);
    size_t *point_of = vs_calloc(n, sizeof *point_of); /* machine -> index into ks */
    unsigned m = 0;
    for (size_t i = 0; i < n; i++) {
        assert(ks[i] < sweep_n_points(s) && sweep_point_trace(s, ks[i]) == sweep_point_trace(s, ks[0]));
        rows[i] = NULL;
        vs_config cfg;
        rcs[i] = sweep_point_config(s, ks[i], &cfg, &errs[i]);
        if (rcs[i] == VS_OK)
            rcs[i] = sim_new(&cfg, &sims[m], &errs[i]);
        if (rcs[i] == VS_OK)
            point_of[m++] = i;
    }
    size_t t = sweep_point_trace(s, ks[0]);
    int rc = VS_OK;
    vs_err err = {0};
    for (size_t p = 0; p < sweep_trace_n_parts(s, t) && rc == VS_OK && m > 0; p++) {
        char *path = sweep_trace_path(s, t, p, trace_dir);
        rc = sim_add_trace_shared(sims, m, path, sweep_trace_part_vm(s, t, p), &err);
        g_free(path);
    }
    int *run_rcs = vs_calloc(m ? m : 1, sizeof *run_rcs);
    vs_err *run_errs = vs_calloc(m ? m : 1, sizeof *run_errs);
    if (rc == VS_OK && m > 0)
        sim_run_machines(sims, m, NULL, NULL, run_rcs, run_errs);
    size_t failed = 0;
    for (unsigned j = 0; j < m; j++) {
        size_t i = point_of[j];
        rcs[i] = rc != VS_OK ? rc : run_rcs[j];
        errs[i] = rc != VS_OK ? err : run_errs[j];
        if (rcs[i] == VS_OK) {
            rows[i] = sweep_row_new();
            jw *w = jw_new_flat(collect, rows[i]);
            sim_report(sims[j], w);
            jw_free(w);
        }
        sim_free(sims[j]);
    }
    for (size_t i = 0; i < n; i++)
        if (rcs[i] != VS_OK) {
            name_point(s, ks[i], rcs[i], &errs[i]);
            failed++;
        }
    free(run_rcs);
    free(run_errs);
    free(point_of);
    free(sims);
    return failed;
}

int sweep_run_point(const sweep *s, size_t k, const char *trace_dir, sweep_row **out, vs_err *err)
{
    int rc;
    sweep_run_points(s, &k, 1, trace_dir, out, &rc, err);
    return rc;
}

/* ---- passes ---- */

/* A pass: points[first .. first + n) of the plan, all of one trace. */
typedef struct sweep_pass {
    size_t first, n;
} sweep_pass;

/* Points of a multi-trace item that may share a pass: the same schedule.
 * A point whose config does not apply gets a key of its own (it fails alone). */
static bool same_schedule(const sweep *s, size_t a, size_t b)
{
    vs_config ca, cb;
    vs_err e;
    if (sweep_point_config(s, a, &ca, &e) != VS_OK || sweep_point_config(s, b, &cb, &e) != VS_OK)
        return false;
    return ca.quantum == cb.quantum && ca.vm_count == cb.vm_count;
}

/* The undone points of trace tr, in index order, cut into passes of at most
 * per_pass points that may run together. */
static void plan_trace(const sweep *s, const sweep_table *t, size_t tr, unsigned per_pass, GArray *points,
                       GArray *passes)
{
    size_t per_trace = sweep_n_points(s) / sweep_n_traces(s);
    GArray *left = g_array_new(FALSE, FALSE, sizeof(size_t));
    for (size_t k = tr * per_trace; k < (tr + 1) * per_trace; k++)
        if (!sweep_table_row(t, k))
            g_array_append_val(left, k);
    bool alike_only = sweep_trace_n_parts(s, tr) > 1;
    while (left->len) {
        sweep_pass pass = {points->len, 0};
        size_t lead = g_array_index(left, size_t, 0);
        for (guint i = 0; i < left->len && pass.n < per_pass;) {
            size_t k = g_array_index(left, size_t, i);
            if (pass.n == 0 || !alike_only || same_schedule(s, lead, k)) {
                g_array_append_val(points, k);
                pass.n++;
                g_array_remove_index(left, i);
            } else {
                i++;
            }
        }
        g_array_append_val(passes, pass);
    }
    g_array_free(left, TRUE);
}

/* ---- the pool ---- */

enum { TASK_GEN, TASK_PASS };

typedef struct pool_ctx {
    const sweep *s;
    const char *trace_dir;
    GAsyncQueue *done; /* pool_result* */
    gint stop;         /* set after a failure: later tasks are skipped */
    int kind;          /* what the tasks of this phase do */
    const GArray *points, *passes; /* TASK_PASS: the plan */
} pool_ctx;

typedef struct pool_result {
    size_t k;
    sweep_row *row;
    int rc;
    bool skipped;
    vs_err err;
} pool_result;

/* A task: the trace to generate (TASK_GEN) or the pass to run (TASK_PASS).
 * It queues a result per trace or per point. */
static void worker(gpointer data, gpointer user)
{
    pool_ctx *c = user;
    size_t task = GPOINTER_TO_SIZE(data) - 1;
    bool skip = g_atomic_int_get(&c->stop);
    if (c->kind == TASK_GEN) {
        pool_result *r = g_new0(pool_result, 1);
        r->k = task;
        r->skipped = skip;
        if (!skip)
            r->rc = sweep_prepare_trace(c->s, r->k, c->trace_dir, &r->err);
        if (r->rc != VS_OK)
            g_atomic_int_set(&c->stop, 1);
        g_async_queue_push(c->done, r);
        return;
    }
    const sweep_pass *pass = &g_array_index(c->passes, sweep_pass, task);
    const size_t *ks = &g_array_index(c->points, size_t, pass->first);
    sweep_row **rows = vs_calloc(pass->n, sizeof *rows);
    int *rcs = vs_calloc(pass->n, sizeof *rcs);
    vs_err *errs = vs_calloc(pass->n, sizeof *errs);
    if (!skip && sweep_run_points(c->s, ks, pass->n, c->trace_dir, rows, rcs, errs) > 0)
        g_atomic_int_set(&c->stop, 1);
    for (size_t i = 0; i < pass->n; i++) {
        pool_result *r = g_new0(pool_result, 1);
        *r = (pool_result){.k = ks[i], .row = rows[i], .rc = rcs[i], .skipped = skip, .err = errs[i]};
        g_async_queue_push(c->done, r);
    }
    free(rows);
    free(rcs);
    free(errs);
}

/* Runs the tasks (indices) on the pool, expecting `results` results; each
 * finished batch goes to the table (points) and the output file.  Returns the
 * first failure. */
static int run_phase(GThreadPool *pool, pool_ctx *c, GArray *tasks, size_t results, sweep_table *t,
                     const sweep_opts *o, vs_err *err)
{
    for (guint i = 0; i < tasks->len; i++)
        g_thread_pool_push(pool, GSIZE_TO_POINTER(g_array_index(tasks, size_t, i) + 1), NULL);
    int first = VS_OK;
    sweep_status st = {sweep_table_count(t), sweep_n_points(c->s), 0};
    for (size_t got = 0; got < results;) {
        bool stored = false;
        for (pool_result *r = g_async_queue_pop(c->done); r; r = g_async_queue_try_pop(c->done)) {
            got++;
            if (r->rc != VS_OK) {
                st.failed++;
                if (first == VS_OK) {
                    first = r->rc;
                    *err = r->err;
                }
            } else if (r->row) {
                sweep_table_put(t, r->k, r->row);
                stored = true;
            }
            g_free(r);
            if (got == results)
                break;
        }
        st.done = sweep_table_count(t);
        if (stored && o->out_path) {
            vs_err werr = {0};
            int rc = sweep_table_write(t, o->out_path, &werr);
            if (rc != VS_OK && first == VS_OK) {
                first = rc;
                *err = werr;
                g_atomic_int_set(&c->stop, 1);
            }
        }
        if (o->progress && c->kind == TASK_PASS)
            o->progress(o->progress_ctx, &st);
    }
    return first;
}

int sweep_run(const sweep *s, sweep_table *t, const sweep_opts *o, vs_err *err)
{
    assert(o->jobs >= 1 && o->per_pass >= 1);
    GArray *points = g_array_new(FALSE, FALSE, sizeof(size_t));
    GArray *passes = g_array_new(FALSE, FALSE, sizeof(sweep_pass));
    pool_ctx c = {.s = s, .trace_dir = o->trace_dir, .done = g_async_queue_new(), .points = points, .passes = passes};
    GError *gerr = NULL;
    GThreadPool *pool = g_thread_pool_new(worker, &c, (gint)o->jobs, FALSE, &gerr);
    if (!pool) {
        int rc = vs_fail(err, VS_E_IO, "cannot start %u worker threads: %s", o->jobs, gerr->message);
        g_error_free(gerr);
        g_async_queue_unref(c.done);
        g_array_free(points, TRUE);
        g_array_free(passes, TRUE);
        return rc;
    }
    /* Phase 1: the workload traces that undone points need. */
    GArray *tasks = g_array_new(FALSE, FALSE, sizeof(size_t));
    for (size_t tr = 0; tr < sweep_n_traces(s); tr++)
        plan_trace(s, t, tr, o->per_pass, points, passes);
    bool *needed = vs_calloc(sweep_n_traces(s), sizeof *needed);
    for (guint p = 0; p < passes->len; p++)
        needed[sweep_point_trace(s, g_array_index(points, size_t, g_array_index(passes, sweep_pass, p).first))] = true;
    for (size_t tr = 0; tr < sweep_n_traces(s); tr++)
        if (needed[tr] && sweep_trace_is_workload(s, tr))
            g_array_append_val(tasks, tr);
    free(needed);
    c.kind = TASK_GEN;
    int rc = run_phase(pool, &c, tasks, tasks->len, t, o, err);
    /* Phase 2: the passes over the points not in the table yet, in index order. */
    g_array_set_size(tasks, 0);
    for (size_t p = 0; p < passes->len; p++)
        g_array_append_val(tasks, p);
    if (o->progress) {
        sweep_status st = {sweep_table_count(t), sweep_n_points(s), 0};
        o->progress(o->progress_ctx, &st);
    }
    c.kind = TASK_PASS;
    if (rc == VS_OK)
        rc = run_phase(pool, &c, tasks, points->len, t, o, err);
    g_thread_pool_free(pool, FALSE, TRUE);
    g_array_free(tasks, TRUE);
    g_array_free(points, TRUE);
    g_array_free(passes, TRUE);
    g_async_queue_unref(c.done);
    return rc;
}
