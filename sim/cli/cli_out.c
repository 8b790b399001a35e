/*
 * cli_out.c: the command-line side of result files -- the checks every
 * subcommand runs on --json / --csv before it simulates, where the human
 * summary goes, the long CSV of `run`, and deprecation warnings for renamed
 * options.
 */
#include "cli.h"
#include "sim.h"
#include "sweep/sweep.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* An existing --json target must look like a JSON result: a typo such as
 * `--json trace.lackey` (or the old flag form `share --json snapshot`) must
 * never replace a trace or a dump. */
static int check_json_target(const char *path, vs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return VS_OK;
    int c;
    while ((c = fgetc(f)) == ' ' || c == '\n' || c == '\t' || c == '\r')
        ;
    fclose(f);
    if (c == EOF || c == '{' || c == '[')
        return VS_OK;
    return vs_fail(err, VS_E_USAGE,
                   "--json %s: the file exists and is not a JSON result; refusing to replace it (--json takes "
                   "FILE or - for stdout)", path);
}

int cli_check_outputs(const char *json, const char *csv, const char *const *inputs, size_t n_inputs, vs_err *err)
{
    if (json && csv && of_same_path(json, csv))
        return vs_fail(err, VS_E_USAGE, "--json %s and --csv %s name the same %s: give two different files", json,
                       csv, strcmp(json, "-") ? "file" : "stdout");
    int rc = VS_OK;
    if (json)
        rc = of_check("--json", json, inputs, n_inputs, err);
    if (rc == VS_OK && json && strcmp(json, "-"))
        rc = check_json_target(json, err);
    if (rc == VS_OK && csv)
        rc = of_check("--csv", csv, inputs, n_inputs, err);
    return rc;
}

FILE *cli_text_stream(const char *json, const char *csv)
{
    bool taken = (json && !strcmp(json, "-")) || (csv && !strcmp(csv, "-"));
    return taken ? stderr : stdout;
}

void cli_deprecated(const char *cmd, const char *old, const char *now)
{
    fprintf(stderr, "vmemsim %s: warning: %s is deprecated and will be removed in the next release; use %s\n", cmd,
            old, now);
}

/* Copies the finished file at tmp to stdout. */
static int copy_to_stdout(const char *tmp, vs_err *err)
{
    FILE *in = fopen(tmp, "rb");
    if (!in)
        return vs_fail(err, VS_E_IO, "%s: cannot reopen: %s", tmp, g_strerror(errno));
    char buf[1 << 16];
    size_t n;
    int rc = VS_OK;
    while (rc == VS_OK && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            rc = vs_fail(err, VS_E_IO, "stdout: write failed: %s", g_strerror(errno));
    if (rc == VS_OK && (ferror(in) || fflush(stdout) != 0))
        rc = vs_fail(err, VS_E_IO, "stdout: write failed: %s", g_strerror(errno));
    fclose(in);
    return rc;
}

/* A writer's error names the file it wrote, the temporary: the user knows the
 * file as out, and the one they may have had there is untouched. */
static void name_output(vs_err *err, const char *tmp, const char *out)
{
    const char *at = strstr(err->msg, tmp);
    if (!at)
        return;
    const char *rest = at + strlen(tmp);
    if (g_str_has_prefix(rest, OF_WRITER_SUFFIX))
        rest += strlen(OF_WRITER_SUFFIX);
    char *msg = g_strdup_printf("%.*s%s%s (the previous file, if any, is kept)", (int)(at - err->msg), err->msg, out,
                                rest);
    g_strlcpy(err->msg, msg, sizeof err->msg);
    g_free(msg);
}

int cli_produce_file(const char *what, const char *out, const char *const *inputs, size_t n_inputs,
                     int (*make)(void *ctx, const char *tmp, vs_err *err), void *ctx, vs_err *err)
{
    bool to_stdout = !strcmp(out, "-");
    if (to_stdout && isatty(STDOUT_FILENO))
        return vs_fail(err, VS_E_USAGE, "%s -: stdout is a terminal; redirect it to a file or a pipe", what);
    int rc = of_check(what, out, inputs, n_inputs, err);
    if (rc != VS_OK)
        return rc;
    /* For stdout the file is made in the temporary directory first: the trace
     * writers need a file, and a failure then sends nothing half-made. */
    char *where = to_stdout ? g_build_filename(g_get_tmp_dir(), "stdout", NULL) : g_strdup(out);
    char *tmp = of_temp_path(where);
    rc = make(ctx, tmp, err);
    if (rc != VS_OK && !to_stdout)
        name_output(err, tmp, out);
    if (rc == VS_OK && to_stdout)
        rc = copy_to_stdout(tmp, err);
    if (rc == VS_OK && !to_stdout)
        rc = of_rename(tmp, out, err);
    else
        unlink(tmp);
    of_untrack(tmp);
    g_free(tmp);
    g_free(where);
    return rc;
}

/* The table sim_report_rows describes, gathered before it is written: a
 * row's columns are known only once every row has been seen. */
typedef struct csv_table {
    const char *machine; /* with several machines, its index, the first cell of each of its rows */
    GPtrArray *columns;  /* names, in order of first appearance */
    GHashTable *index;   /* name -> 1 + its position in columns */
    GPtrArray *rows;     /* GPtrArray of values (owned), indexed by column; NULL = empty */
} csv_table;

static void csv_cell(void *ctx, const char *path, const char *value);

static void csv_begin(void *ctx)
{
    csv_table *t = ctx;
    g_ptr_array_add(t->rows, g_ptr_array_new_with_free_func(g_free));
    if (t->machine)
        csv_cell(t, "machine", t->machine);
}

static void csv_cell(void *ctx, const char *path, const char *value)
{
    csv_table *t = ctx;
    guint col = GPOINTER_TO_UINT(g_hash_table_lookup(t->index, path));
    if (!col) {
        g_ptr_array_add(t->columns, g_strdup(path));
        col = t->columns->len;
        g_hash_table_insert(t->index, g_ptr_array_index(t->columns, col - 1), GUINT_TO_POINTER(col));
    }
    GPtrArray *row = g_ptr_array_index(t->rows, t->rows->len - 1);
    if (row->len < col)
        g_ptr_array_set_size(row, col);
    g_free(g_ptr_array_index(row, col - 1));
    g_ptr_array_index(row, col - 1) = g_strdup(value);
}

int cli_write_csv(vs_sim *const *sims, unsigned n, const char *path, vs_err *err)
{
    csv_table t = {NULL, g_ptr_array_new_with_free_func(g_free), g_hash_table_new(g_str_hash, g_str_equal),
                   g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref)};
    char id[16];
    for (unsigned i = 0; i < n; i++) {
        /* One machine keeps the single-run layout, byte for byte. */
        snprintf(id, sizeof id, "%u", i);
        t.machine = n > 1 ? id : NULL;
        sim_report_rows(sims[i], csv_begin, csv_cell, &t);
    }
    GString *out = g_string_new("");
    for (guint c = 0; c < t.columns->len; c++)
        sweep_csv_field(out, c == 0, g_ptr_array_index(t.columns, c));
    g_string_append_c(out, '\n');
    for (guint r = 0; r < t.rows->len; r++) {
        GPtrArray *row = g_ptr_array_index(t.rows, r);
        for (guint c = 0; c < t.columns->len; c++) {
            const char *v = c < row->len ? g_ptr_array_index(row, c) : NULL;
            sweep_csv_field(out, c == 0, v ? v : "");
        }
        g_string_append_c(out, '\n');
    }
    int rc = of_write_text(path, out->str, out->len, err);
    g_string_free(out, TRUE);
    g_ptr_array_unref(t.rows);
    g_hash_table_destroy(t.index);
    g_ptr_array_unref(t.columns);
    return rc;
}
