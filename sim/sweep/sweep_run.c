/*
 * sweep_run.c: runs sweep points.  One point = the base config, its parameter
 * values applied as overrides (`section.key=value`, all together), one
 * trace as the only process, one independent vs_sim; its report flattened by
 * jw_new_flat is the row.
 *
 * Parallelism: a GThreadPool of opts->jobs workers first generates the
 * workload traces still needed, then runs the points; finished rows come back
 * through a queue to the calling thread, which alone touches the table and
 * the output file.  The engine keeps no mutable global state (every structure
 * hangs off its vs_sim; the read-ahead thread is per sim), so points never
 * interfere and a row does not depend on -j or on finishing order.
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

int sweep_run_point(const sweep *s, size_t k, const char *trace_dir, sweep_row **out, vs_err *err)
{
    assert(k < sweep_n_points(s));
    *out = NULL;
    vs_config cfg;
    int rc = sweep_point_config(s, k, &cfg, err);
    vs_sim *sim = NULL;
    if (rc == VS_OK)
        rc = sim_new(&cfg, &sim, err);
    char *path = sweep_trace_path(s, sweep_point_trace(s, k), trace_dir);
    if (rc == VS_OK)
        rc = sim_add_trace(sim, path, -1, err);
    g_free(path);
    if (rc == VS_OK)
        rc = sim_run(sim, NULL, NULL, err);
    if (rc == VS_OK) {
        sweep_row *row = sweep_row_new();
        jw *w = jw_new_flat(collect, row);
        sim_report(sim, w);
        jw_free(w);
        *out = row;
    }
    sim_free(sim);
    return rc == VS_OK ? VS_OK : name_point(s, k, rc, err);
}

/* ---- the pool ---- */

enum { TASK_GEN, TASK_POINT };

typedef struct pool_ctx {
    const sweep *s;
    const char *trace_dir;
    GAsyncQueue *done; /* pool_result* */
    gint stop;         /* set after a failure: later tasks are skipped */
    int kind;          /* what the tasks of this phase do */
} pool_ctx;

typedef struct pool_result {
    size_t k;
    sweep_row *row;
    int rc;
    bool skipped;
    vs_err err;
} pool_result;

static void worker(gpointer data, gpointer user)
{
    pool_ctx *c = user;
    pool_result *r = g_new0(pool_result, 1);
    r->k = GPOINTER_TO_SIZE(data) - 1;
    if (g_atomic_int_get(&c->stop))
        r->skipped = true;
    else if (c->kind == TASK_GEN)
        r->rc = sweep_prepare_trace(c->s, r->k, c->trace_dir, &r->err);
    else
        r->rc = sweep_run_point(c->s, r->k, c->trace_dir, &r->row, &r->err);
    if (r->rc != VS_OK)
        g_atomic_int_set(&c->stop, 1);
    g_async_queue_push(c->done, r);
}

/* Runs the tasks (indices) on the pool; each finished batch goes to the
 * table (points) and the output file.  Returns the first failure. */
static int run_phase(GThreadPool *pool, pool_ctx *c, GArray *tasks, sweep_table *t, const sweep_opts *o,
                     vs_err *err)
{
    for (guint i = 0; i < tasks->len; i++)
        g_thread_pool_push(pool, GSIZE_TO_POINTER(g_array_index(tasks, size_t, i) + 1), NULL);
    int first = VS_OK;
    sweep_status st = {sweep_table_count(t), sweep_n_points(c->s), 0};
    for (guint got = 0; got < tasks->len;) {
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
            if (got == tasks->len)
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
        if (o->progress && c->kind == TASK_POINT)
            o->progress(o->progress_ctx, &st);
    }
    return first;
}

int sweep_run(const sweep *s, sweep_table *t, const sweep_opts *o, vs_err *err)
{
    assert(o->jobs >= 1);
    pool_ctx c = {.s = s, .trace_dir = o->trace_dir, .done = g_async_queue_new()};
    GError *gerr = NULL;
    GThreadPool *pool = g_thread_pool_new(worker, &c, (gint)o->jobs, FALSE, &gerr);
    if (!pool) {
        int rc = vs_fail(err, VS_E_IO, "cannot start %u worker threads: %s", o->jobs, gerr->message);
        g_error_free(gerr);
        g_async_queue_unref(c.done);
        return rc;
    }
    /* Phase 1: the workload traces that undone points need. */
    GArray *tasks = g_array_new(FALSE, FALSE, sizeof(size_t));
    size_t per_trace = sweep_n_points(s) / sweep_n_traces(s);
    for (size_t tr = 0; tr < sweep_n_traces(s); tr++) {
        bool needed = false;
        for (size_t k = tr * per_trace; k < (tr + 1) * per_trace && !needed; k++)
            needed = !sweep_table_row(t, k);
        if (needed && sweep_trace_is_workload(s, tr))
            g_array_append_val(tasks, tr);
    }
    c.kind = TASK_GEN;
    int rc = run_phase(pool, &c, tasks, t, o, err);
    /* Phase 2: the points not in the table yet, in index order. */
    g_array_set_size(tasks, 0);
    for (size_t k = 0; k < sweep_n_points(s); k++)
        if (!sweep_table_row(t, k))
            g_array_append_val(tasks, k);
    if (o->progress) {
        sweep_status st = {sweep_table_count(t), sweep_n_points(s), 0};
        o->progress(o->progress_ctx, &st);
    }
    c.kind = TASK_POINT;
    if (rc == VS_OK)
        rc = run_phase(pool, &c, tasks, t, o, err);
    g_thread_pool_free(pool, FALSE, TRUE);
    g_array_free(tasks, TRUE);
    g_async_queue_unref(c.done);
    return rc;
}
