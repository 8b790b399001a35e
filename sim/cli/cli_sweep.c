/*
 * cli_sweep.c: `vmemsim sweep FILE` -- run every point of a sweep file on
 * this machine's cores (sim/sweep/sweep.h), or emit a Slurm job array / a GNU
 * parallel job list that runs one point per task (`--point K`), and merge
 * their part files (`--collect DIR`) into the same CSV a local run writes.
 *
 * Paths handed to emitted jobs are absolute, so the jobs run from any
 * directory; the trace directory is made absolute in every mode, so a local
 * run and a collected one record the same trace file names.
 */
#include "cli.h"
#include "sweep/sweep.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Points per pass by default: four machines share a decoded trace (most of
 * the saving: docs/performance.md, perf-modes), while a sweep at -j J holds at
 * most 4 J machines in memory at once. */
#define SWEEP_PER_PASS 4

typedef struct sweep_cli {
    gchar *file, *out, *emit, *collect, *trace_dir, *parts;
    gint jobs, per_pass;
    gint64 point;
    gboolean resume, quiet, list, force;
} sweep_cli;

static char *absolute(const char *path)
{
    char *cwd = g_get_current_dir();
    char *abs = g_canonicalize_filename(path, cwd);
    g_free(cwd);
    return abs;
}

/* FILE's name without directory and .ini: names the default outputs. */
static char *stem(const char *file)
{
    char *base = g_path_get_basename(file);
    if (g_str_has_suffix(base, ".ini"))
        base[strlen(base) - 4] = '\0';
    return base;
}

static void progress_bar(void *ctx, const sweep_status *st)
{
    gint64 *start = ctx;
    const int width = 30; /* characters of bar: leaves room for the counts on 80 columns */
    double frac = st->total ? (double)st->done / (double)st->total : 1;
    int filled = (int)(frac * width + 0.5);
    double secs = (double)(g_get_monotonic_time() - *start) / 1e6;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu points  %.0f s ", filled, "##############################",
            width - filled, "", st->done, st->total, secs);
    if (st->failed)
        fprintf(stderr, " %zu failed ", st->failed);
    if (st->done == st->total)
        fputc('\n', stderr);
    fflush(stderr);
}

static void list_points(const sweep *s)
{
    for (size_t k = 0; k < sweep_n_points(s); k++) {
        printf("%zu\t%s", k, sweep_trace_label(s, sweep_point_trace(s, k)));
        for (size_t i = 0; i < sweep_n_params(s); i++)
            printf("\t%s=%s", sweep_param_name(s, i), sweep_point_value(s, k, i));
        putchar('\n');
    }
}

/* The command one task runs: point k into the parts directory. */
static char *point_command(const sweep_cli *c, const char *k)
{
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *q_exe = g_shell_quote(exe ? exe : "vmemsim");
    char *q_file = g_shell_quote(c->file), *q_tr = g_shell_quote(c->trace_dir), *q_parts = g_shell_quote(c->parts);
    char *cmd = g_strdup_printf("%s sweep %s --point %s --trace-dir %s --out %s/part-%s.csv", q_exe, q_file, k, q_tr,
                                q_parts, k);
    g_free(exe);
    g_free(q_exe);
    g_free(q_file);
    g_free(q_tr);
    g_free(q_parts);
    return cmd;
}

/* Writes the job list or script to stdout; the traces are generated first so
 * the tasks never race to generate them. */
static int emit(const sweep_cli *c, const sweep *s, const sweep_table *done, vs_err *err)
{
    bool slurm = !strcmp(c->emit, "slurm");
    if (!slurm && strcmp(c->emit, "parallel"))
        return vs_fail(err, VS_E_USAGE, "--emit %s: expected slurm or parallel", c->emit);
    if (g_mkdir(c->parts, 0777) != 0 && errno != EEXIST)
        return vs_fail(err, VS_E_IO, "%s: cannot create the parts directory: %s", c->parts, g_strerror(errno));
    for (size_t t = 0; t < sweep_n_traces(s); t++) {
        int rc = sweep_prepare_trace(s, t, c->trace_dir, err);
        if (rc != VS_OK)
            return rc;
    }
    char *q_file = g_shell_quote(c->file);
    if (slurm) {
        size_t n = sweep_n_points(s);
        char *name = stem(c->file);
        char *cmd = point_command(c, "$SLURM_ARRAY_TASK_ID");
        printf("#!/bin/bash\n"
               "# vmemsim sweep %s: %zu points, one per array task.  Submit with sbatch;\n"
               "# then merge: vmemsim sweep %s --collect %s --out %s\n"
               "#SBATCH --job-name=vmemsim-%s\n"
               "#SBATCH --array=0-%zu\n"
               "#SBATCH --cpus-per-task=2\n"
               "#SBATCH --output=%s/slurm-%%A_%%a.log\n"
               "set -eu\n"
               "exec %s\n",
               q_file, n, q_file, c->parts, c->out, name, n - 1, c->parts, cmd);
        g_free(cmd);
        g_free(name);
    } else {
        for (size_t k = 0; k < sweep_n_points(s); k++) {
            if (sweep_table_row(done, k))
                continue;
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", k);
            char *cmd = point_command(c, idx);
            printf("%s\n", cmd);
            g_free(cmd);
        }
    }
    g_free(q_file);
    return fflush(stdout) == 0 ? VS_OK : vs_fail(err, VS_E_IO, "stdout: write failed: %s", g_strerror(errno));
}

static gint by_name(gconstpointer a, gconstpointer b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Merges every *.csv of DIR (in name order) into the table. */
static int collect(const sweep_cli *c, sweep_table *t, vs_err *err)
{
    GError *gerr = NULL;
    GDir *dir = g_dir_open(c->collect, 0, &gerr);
    if (!dir) {
        int rc = vs_fail(err, VS_E_IO, "%s: cannot read directory: %s", c->collect, gerr->message);
        g_error_free(gerr);
        return rc;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n; (n = g_dir_read_name(dir));)
        if (g_str_has_suffix(n, ".csv"))
            g_ptr_array_add(names, g_build_filename(c->collect, n, NULL));
    g_dir_close(dir);
    g_ptr_array_sort(names, by_name);
    int rc = VS_OK;
    for (guint i = 0; i < names->len && rc == VS_OK; i++)
        rc = sweep_table_read(t, names->pdata[i], c->force, err);
    g_ptr_array_free(names, TRUE);
    return rc;
}

/* Points missing from the table: a message and failure, after writing. */
static int report_missing(const sweep *s, const sweep_table *t, const char *out, vs_err *err)
{
    size_t missing = sweep_n_points(s) - sweep_table_count(t);
    if (!missing)
        return VS_OK;
    GString *list = g_string_new("");
    size_t shown = 0;
    for (size_t k = 0; k < sweep_n_points(s) && shown < 10; k++) /* 10: enough to spot a pattern */
        if (!sweep_table_row(t, k))
            g_string_append_printf(list, "%s%zu", shown++ ? ", " : "", k);
    int rc = vs_fail(err, VS_E_FORMAT, "%s: %zu of %zu points missing (%s%s); run them with --resume --out %s",
                     out, missing, sweep_n_points(s), list->str, missing > shown ? ", ..." : "", out);
    g_string_free(list, TRUE);
    return rc;
}

static int run_one_point(const sweep_cli *c, const sweep *s, vs_err *err)
{
    if (c->point < 0 || (guint64)c->point >= sweep_n_points(s))
        return vs_fail(err, VS_E_USAGE, "--point %" G_GINT64_FORMAT ": expected 0 to %zu", c->point,
                       sweep_n_points(s) - 1);
    size_t k = (size_t)c->point;
    int rc = sweep_prepare_trace(s, sweep_point_trace(s, k), c->trace_dir, err);
    sweep_row *row = NULL;
    if (rc == VS_OK)
        rc = sweep_run_point(s, k, c->trace_dir, &row, err);
    if (rc != VS_OK)
        return rc;
    sweep_table *t = sweep_table_new(s);
    sweep_table_put(t, k, row);
    rc = sweep_table_write(t, c->out, err);
    sweep_table_free(t);
    return rc;
}

static int run_all(const sweep_cli *c, const sweep *s, sweep_table *t, vs_err *err)
{
    gint64 start = g_get_monotonic_time();
    sweep_opts o = {.jobs = (unsigned)c->jobs, .per_pass = (unsigned)c->per_pass, .trace_dir = c->trace_dir, .out_path = c->out};
    if (!c->quiet && isatty(STDERR_FILENO)) {
        o.progress = progress_bar;
        o.progress_ctx = &start;
    }
    int rc = sweep_run(s, t, &o, err);
    if (rc == VS_OK && sweep_table_count(t) == sweep_n_points(s) && !g_file_test(c->out, G_FILE_TEST_EXISTS))
        rc = sweep_table_write(t, c->out, err); /* nothing ran (an empty resume): still leave the file */
    return rc;
}

/* Fills the defaults that depend on the sweep file and --out. */
static void defaults(sweep_cli *c)
{
    char *name = stem(c->file);
    if (!c->out)
        c->out = g_strdup_printf("%s.csv", name);
    char *dir = g_path_get_dirname(c->out);
    char *tr = c->trace_dir ? c->trace_dir : g_strdup_printf("%s/%s-traces", dir, name);
    c->trace_dir = absolute(tr);
    g_free(tr);
    char *parts = c->parts ? c->parts : g_strdup_printf("%s.parts", c->out);
    c->parts = absolute(parts);
    g_free(parts);
    char *file = c->file;
    c->file = absolute(file);
    g_free(file);
    g_free(dir);
    g_free(name);
}

/* Before any point runs: --out is a writable place that is no input, and
 * what killed runs left there and in the trace directory is removed. */
static int prepare_out(const sweep_cli *c, const sweep *s, vs_err *err)
{
    GPtrArray *inputs = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(inputs, g_strdup(c->file));
    for (const char *const *b = sweep_base_configs(s); *b; b++)
        g_ptr_array_add(inputs, g_strdup(*b));
    for (size_t t = 0; t < sweep_n_traces(s); t++)
        for (size_t i = 0; i < sweep_trace_n_parts(s, t); i++)
            g_ptr_array_add(inputs, sweep_trace_path(s, t, i, c->trace_dir)); /* a workload's is no input: harmless */
    int rc = of_check("--out", c->out, (const char *const *)inputs->pdata, inputs->len, err);
    g_ptr_array_free(inputs, TRUE);
    if (rc != VS_OK)
        return rc;
    char *dir = g_path_get_dirname(c->out);
    unsigned stale = of_remove_stale(dir) + of_remove_stale(c->trace_dir);
    if (stale && !c->quiet)
        fprintf(stderr, "vmemsim sweep: removed %u temporary file(s) left by killed runs\n", stale);
    g_free(dir);
    return VS_OK;
}

static int dispatch(sweep_cli *c, vs_err *err)
{
    sweep *s = NULL;
    int rc = sweep_load(c->file, &s, err);
    if (rc != VS_OK)
        return rc;
    defaults(c);
    sweep_table *t = sweep_table_new(s);
    bool exists = g_file_test(c->out, G_FILE_TEST_EXISTS);
    if (!c->list && !c->collect && !c->emit) /* emitted jobs may run where the files are */
        rc = sweep_check_trace_files(s, err);
    if (rc == VS_OK && !c->list)
        rc = prepare_out(c, s, err);
    if (rc != VS_OK) {
    } else if (c->list) {
        list_points(s);
    } else if (c->point >= 0) {
        rc = run_one_point(c, s, err);
    } else if (exists && !c->resume && !c->emit && !c->force) {
        rc = vs_fail(err, VS_E_USAGE, "%s exists: pass --resume to continue it, --force to replace it, or remove it",
                     c->out);
    } else {
        if (c->resume && exists)
            rc = sweep_table_read(t, c->out, c->force, err);
        if (rc == VS_OK && c->emit)
            rc = emit(c, s, t, err);
        else if (rc == VS_OK && c->collect) {
            rc = collect(c, t, err);
            if (rc == VS_OK)
                rc = sweep_table_write(t, c->out, err);
            if (rc == VS_OK)
                rc = report_missing(s, t, c->out, err);
        } else if (rc == VS_OK) {
            rc = run_all(c, s, t, err);
        }
    }
    sweep_table_free(t);
    sweep_free(s);
    return rc;
}

int cli_sweep(int argc, char **argv)
{
    sweep_cli c = {.jobs = (gint)g_get_num_processors(), .per_pass = SWEEP_PER_PASS, .point = -1};
    const GOptionEntry entries[] = {
        {"jobs", 'j', 0, G_OPTION_ARG_INT, &c.jobs, "points run in parallel (default: the number of cores)", "N"},
        {"per-pass", 0, 0, G_OPTION_ARG_INT, &c.per_pass,
         "points of one trace simulated in one pass over it, the trace decoded once (default "
         G_STRINGIFY(SWEEP_PER_PASS) "; 1 = a pass per point)", "N"},
        {"out", 0, 0, G_OPTION_ARG_FILENAME, &c.out, "results CSV, one row per point (default FILE's name .csv)", "CSV"},
        {"resume", 0, 0, G_OPTION_ARG_NONE, &c.resume, "keep the points already in --out and run the rest", NULL},
        {"force", 0, 0, G_OPTION_ARG_NONE, &c.force,
         "replace an existing --out; with --resume or --collect, keep rows of another fingerprint", NULL},
        {"point", 0, 0, G_OPTION_ARG_INT64, &c.point, "run only point K (a job of --emit) into --out", "K"},
        {"emit", 0, 0, G_OPTION_ARG_STRING, &c.emit, "print a Slurm job-array script or a GNU parallel job list", "slurm|parallel"},
        {"collect", 0, 0, G_OPTION_ARG_FILENAME, &c.collect, "merge the part files of DIR into --out", "DIR"},
        {"parts", 0, 0, G_OPTION_ARG_FILENAME, &c.parts, "where emitted jobs write their part files (default CSV.parts)", "DIR"},
        {"trace-dir", 0, 0, G_OPTION_ARG_FILENAME, &c.trace_dir, "where workload traces are generated (default OUTDIR/NAME-traces)", "DIR"},
        {"list", 0, 0, G_OPTION_ARG_NONE, &c.list, "print the points (index, trace, values) and exit", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &c.quiet, "no progress bar", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("sweep", "FILE",
                   "Runs every point of a sweep file (INI: [sweep] base, traces, workloads, seed; [params]\n"
                   "section.key = v1, v2, ...; zip = a.b, c.d) and writes one CSV row per point.",
                   entries, &argc, &argv))
        return CLI_USAGE;
    int status = CLI_OK;
    vs_err err = {0};
    if (argc != 2 || c.jobs < 1 || c.per_pass < 1 || (c.emit && c.collect)) {
        fprintf(stderr, "vmemsim sweep: expected one sweep FILE, -j N >= 1, --per-pass N >= 1, and at most one of "
                        "--emit and --collect (see vmemsim sweep --help)\n");
        status = CLI_USAGE;
    } else {
        c.file = g_strdup(argv[1]);
        if (dispatch(&c, &err) != VS_OK)
            status = cli_error(&err);
    }
    g_free(c.file);
    g_free(c.out);
    g_free(c.emit);
    g_free(c.collect);
    g_free(c.trace_dir);
    g_free(c.parts);
    return status;
}
