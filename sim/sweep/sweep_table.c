/*
 * sweep_table.c: the results of a sweep -- one row of statistics per point --
 * and their CSV form (RFC 4180: fields quoted when they hold a comma, a quote
 * or a newline; quotes doubled).
 *
 * Columns: `trace`, the parameters in sweep order, then every statistic
 * column in order of first appearance scanning the rows in point order (all
 * rows of one mode share one order; other modes add their own statistics at
 * the end).  A row lacking a column leaves it empty, and an empty cell reads
 * back as absent, so write -> read -> write gives the same bytes.
 *
 * Column `fingerprint` (after the parameters) is sweep_fingerprint of the
 * setup that made the row; a resumed row of another setup is refused unless
 * forced, and one point twice in a file is refused.
 *
 * Atomicity: the whole table is written through outfile.h (a temporary in
 * the same directory, fsync'ed, renamed over PATH).  A reader (or a resumed sweep) therefore sees either the old or
 * the new complete file, never a torn row; a sweep killed at any instant keeps
 * every row of its last rename.
 */
#include "sweep.h"
#include "outfile.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct sweep_row {
    GPtrArray *names, *values; /* statistics in report order */
    GHashTable *by_name;       /* name -> value (borrowed strings) */
    char *fingerprint;         /* read from a CSV; NULL for a row run now (the sweep's own) */
};

#define FINGERPRINT_COLUMN "fingerprint" /* after the parameters: which setup made the row */

struct sweep_table {
    const sweep *s;
    sweep_row **rows; /* by point index */
    size_t count;
};

sweep_row *sweep_row_new(void)
{
    sweep_row *r = g_new0(sweep_row, 1);
    r->names = g_ptr_array_new_with_free_func(g_free);
    r->values = g_ptr_array_new_with_free_func(g_free);
    r->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    return r;
}

void sweep_row_add(sweep_row *r, const char *name, const char *value)
{
    char *n = g_strdup(name), *v = g_strdup(value);
    g_ptr_array_add(r->names, n);
    g_ptr_array_add(r->values, v);
    g_hash_table_insert(r->by_name, n, v);
}

void sweep_row_free(sweep_row *r)
{
    if (!r)
        return;
    g_hash_table_destroy(r->by_name);
    g_free(r->fingerprint);
    g_ptr_array_free(r->names, TRUE);
    g_ptr_array_free(r->values, TRUE);
    g_free(r);
}

const char *sweep_row_get(const sweep_row *r, const char *name) { return g_hash_table_lookup(r->by_name, name); }

static bool rows_equal(const sweep_row *a, const sweep_row *b)
{
    if (a->names->len != b->names->len)
        return false;
    for (size_t i = 0; i < a->names->len; i++) {
        const char *v = sweep_row_get(b, a->names->pdata[i]);
        if (!v || strcmp(v, a->values->pdata[i]))
            return false;
    }
    return true;
}

sweep_table *sweep_table_new(const sweep *s)
{
    sweep_table *t = g_new0(sweep_table, 1);
    t->s = s;
    t->rows = g_new0(sweep_row *, sweep_n_points(s) ? sweep_n_points(s) : 1);
    return t;
}

void sweep_table_free(sweep_table *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < sweep_n_points(t->s); k++)
        sweep_row_free(t->rows[k]);
    g_free(t->rows);
    g_free(t);
}

size_t sweep_table_count(const sweep_table *t) { return t->count; }

const sweep_row *sweep_table_row(const sweep_table *t, size_t k)
{
    assert(k < sweep_n_points(t->s));
    return t->rows[k];
}

void sweep_table_put(sweep_table *t, size_t k, sweep_row *r)
{
    assert(k < sweep_n_points(t->s) && !t->rows[k]);
    t->rows[k] = r;
    t->count++;
}

void sweep_csv_field(GString *s, bool first, const char *text)
{
    if (!first)
        g_string_append_c(s, ',');
    if (!strpbrk(text, ",\"\n\r")) {
        g_string_append(s, text);
        return;
    }
    g_string_append_c(s, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            g_string_append_c(s, '"');
        g_string_append_c(s, *p);
    }
    g_string_append_c(s, '"');
}

/* The statistic columns: first appearance over the rows in point order. */
static GPtrArray *stat_columns(const sweep_table *t)
{
    GPtrArray *cols = g_ptr_array_new();
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t k = 0; k < sweep_n_points(t->s); k++) {
        const sweep_row *r = t->rows[k];
        for (size_t i = 0; r && i < r->names->len; i++)
            if (g_hash_table_add(seen, r->names->pdata[i]))
                g_ptr_array_add(cols, r->names->pdata[i]);
    }
    g_hash_table_destroy(seen);
    return cols;
}

static GString *table_text(const sweep_table *t)
{
    const sweep *s = t->s;
    GPtrArray *cols = stat_columns(t);
    GString *out = g_string_new("");
    sweep_csv_field(out, true, "trace");
    for (size_t i = 0; i < sweep_n_params(s); i++)
        sweep_csv_field(out, false, sweep_param_name(s, i));
    sweep_csv_field(out, false, FINGERPRINT_COLUMN);
    for (size_t c = 0; c < cols->len; c++)
        sweep_csv_field(out, false, cols->pdata[c]);
    g_string_append_c(out, '\n');
    for (size_t k = 0; k < sweep_n_points(s); k++) {
        const sweep_row *r = t->rows[k];
        if (!r)
            continue;
        sweep_csv_field(out, true, sweep_trace_label(s, sweep_point_trace(s, k)));
        for (size_t i = 0; i < sweep_n_params(s); i++)
            sweep_csv_field(out, false, sweep_point_value(s, k, i));
        sweep_csv_field(out, false, r->fingerprint ? r->fingerprint : sweep_fingerprint(s));
        for (size_t c = 0; c < cols->len; c++) {
            const char *v = sweep_row_get(r, cols->pdata[c]);
            sweep_csv_field(out, false, v ? v : "");
        }
        g_string_append_c(out, '\n');
    }
    g_ptr_array_free(cols, TRUE);
    return out;
}

int sweep_table_write(const sweep_table *t, const char *csv_path, vs_err *err)
{
    GString *text = table_text(t);
    int rc = of_write_text(csv_path, text->str, text->len, err);
    g_string_free(text, TRUE);
    return rc;
}

/* ---- reading ---- */

typedef struct csv_reader {
    const char *p, *end;
    size_t line; /* of the record being read, 1-based */
} csv_reader;

/* Reads one record into fields; false at the end of the text.  *bad is set
 * for an unterminated quote or a record without its final newline. */
static bool csv_record(csv_reader *r, GPtrArray *fields, bool *bad)
{
    g_ptr_array_set_size(fields, 0);
    if (r->p >= r->end)
        return false;
    GString *f = g_string_new("");
    for (;;) {
        if (r->p >= r->end) {
            *bad = true; /* the last record lacks its newline: cut short */
            break;
        }
        char c = *r->p++;
        if (c == '"' && f->len == 0) {
            for (;;) {
                if (r->p >= r->end) {
                    *bad = true;
                    break;
                }
                char q = *r->p++;
                if (q == '"' && r->p < r->end && *r->p == '"')
                    g_string_append_c(f, *r->p++);
                else if (q == '"')
                    break;
                else
                    g_string_append_c(f, q);
            }
            if (*bad)
                break;
            continue;
        }
        if (c == ',' || c == '\n') {
            g_ptr_array_add(fields, g_string_free(f, FALSE));
            if (c == '\n')
                return true;
            f = g_string_new("");
            continue;
        }
        if (c != '\r')
            g_string_append_c(f, c);
    }
    g_string_free(f, TRUE);
    return true;
}

static int check_header(const sweep_table *t, const char *path, GPtrArray *h, vs_err *err)
{
    const sweep *s = t->s;
    size_t np = sweep_n_params(s);
    bool ok = h->len >= 2 + np && !strcmp(h->pdata[0], "trace");
    for (size_t i = 0; ok && i < np; i++)
        ok = !strcmp(h->pdata[1 + i], sweep_param_name(s, i));
    if (ok && strcmp(h->pdata[1 + np], FINGERPRINT_COLUMN))
        return vs_fail(err, VS_E_FORMAT,
                       "%s: line 1: no %s column after the parameters: made by an older vmemsim, whose rows cannot "
                       "be told apart from this setup's; start a new --out", path, FINGERPRINT_COLUMN);
    if (ok)
        return VS_OK;
    GString *want = g_string_new("trace");
    for (size_t i = 0; i < np; i++)
        g_string_append_printf(want, ",%s", sweep_param_name(s, i));
    g_string_append(want, "," FINGERPRINT_COLUMN);
    int rc = vs_fail(err, VS_E_FORMAT,
                     "%s: line 1: expected the columns %s first (this file is from another sweep?)", path,
                     want->str);
    g_string_free(want, TRUE);
    return rc;
}

static int read_rows(sweep_table *t, const char *path, csv_reader *r, GPtrArray *head, bool force, vs_err *err)
{
    const sweep *s = t->s;
    size_t np = sweep_n_params(s);
    GPtrArray *f = g_ptr_array_new_with_free_func(g_free);
    GHashTable *line_of = g_hash_table_new(g_direct_hash, g_direct_equal); /* point + 1 -> its line here */
    bool bad = false;
    int rc = VS_OK;
    for (r->line = 2; rc == VS_OK && csv_record(r, f, &bad); r->line++) {
        if (bad || f->len != head->len) {
            rc = vs_fail(err, VS_E_FORMAT, "%s: line %zu: %s (%u fields, header has %u)", path, r->line,
                         bad ? "record cut short" : "wrong number of fields", f->len, head->len);
            break;
        }
        long k = sweep_find_point(s, f->pdata[0], (const char *const *)f->pdata + 1);
        if (k < 0) {
            rc = vs_fail(err, VS_E_FORMAT, "%s: line %zu: trace '%s' with these parameter values is no point of %s",
                         path, r->line, (char *)f->pdata[0], "this sweep");
            break;
        }
        gpointer seen = g_hash_table_lookup(line_of, GSIZE_TO_POINTER((size_t)k + 1));
        if (seen) {
            rc = vs_fail(err, VS_E_FORMAT, "%s: line %zu: point %ld (trace '%s') is repeated (first at line %zu); "
                         "a results file holds each point once", path, r->line, k, (char *)f->pdata[0],
                         (size_t)GPOINTER_TO_SIZE(seen));
            break;
        }
        g_hash_table_insert(line_of, GSIZE_TO_POINTER((size_t)k + 1), GSIZE_TO_POINTER(r->line));
        const char *fp = f->pdata[1 + np];
        if (strcmp(fp, sweep_fingerprint(s)) && !force) {
            rc = vs_fail(err, VS_E_FORMAT,
                         "%s: line %zu: made with fingerprint %s, this sweep's is %s: another vmemsim build, sweep "
                         "file, base config or seed; mixing them would give a table of two setups.  Start a new "
                         "--out, or pass --force to keep those rows anyway", path, r->line, fp, sweep_fingerprint(s));
            break;
        }
        sweep_row *row = sweep_row_new();
        row->fingerprint = strcmp(fp, sweep_fingerprint(s)) ? g_strdup(fp) : NULL;
        for (size_t c = 2 + np; c < f->len; c++)
            if (*(char *)f->pdata[c])
                sweep_row_add(row, head->pdata[c], f->pdata[c]);
        if (!t->rows[k]) {
            sweep_table_put(t, (size_t)k, row);
        } else {
            if (!rows_equal(t->rows[k], row))
                rc = vs_fail(err, VS_E_FORMAT, "%s: line %zu: point %ld (trace '%s') is already in the table "
                             "with other results", path, r->line, k, (char *)f->pdata[0]);
            sweep_row_free(row);
        }
    }
    g_hash_table_destroy(line_of);
    g_ptr_array_free(f, TRUE);
    return rc;
}

int sweep_table_read(sweep_table *t, const char *csv_path, bool force, vs_err *err)
{
    char *data;
    size_t len;
    int rc = vs_read_file(csv_path, "results", &data, &len, err);
    if (rc != VS_OK)
        return rc;
    csv_reader r = {data, data + len, 1};
    GPtrArray *head = g_ptr_array_new_with_free_func(g_free);
    bool bad = false;
    if (!csv_record(&r, head, &bad) || bad)
        rc = vs_fail(err, VS_E_FORMAT, "%s: line 1: expected a CSV header line", csv_path);
    else
        rc = check_header(t, csv_path, head, err);
    if (rc == VS_OK)
        rc = read_rows(t, csv_path, &r, head, force, err);
    g_ptr_array_free(head, TRUE);
    g_free(data);
    return rc;
}
