/*
 * test_sweep.c: the sweep core (sim/sweep/).  Expansion against a naive
 * nested-loop model (cross product and zip, every point's identity round-
 * trips through sweep_find_point), load errors naming the file and key, the
 * CSV columns (trace, parameters, the flattened statistics), CSV quoting
 * against random strings, table write -> read -> write byte identity, rejects
 * of foreign, torn and conflicting rows, and the runner: -j 1 and -j 3 give
 * the same bytes, and a resumed table (any subset done) the same again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep/sweep.h"

static char *tmpdir;

static char *tpath(const char *name) { return g_build_filename(tmpdir, name, NULL); }

static sweep *load(const char *text)
{
    sweep *s = NULL;
    vs_err err = {0};
    if (sweep_load_data(text, strlen(text), "t.ini", tmpdir, &s, &err) != VS_OK)
        fail_msg("load: %s", err.msg);
    return s;
}

static void load_fails(const char *text, const char *want)
{
    sweep *s = NULL;
    vs_err err = {0};
    assert_int_not_equal(sweep_load_data(text, strlen(text), "t.ini", tmpdir, &s, &err), VS_OK);
    assert_null(s);
    if (!strstr(err.msg, want) || !strstr(err.msg, "t.ini"))
        fail_msg("error '%s' lacks '%s' or the file name", err.msg, want);
}

/* text with every "FP" replaced by the sweep's fingerprint. */
static char *with_fp(const sweep *s, const char *text)
{
    char **parts = g_strsplit(text, "FP", -1);
    char *out = g_strjoinv(sweep_fingerprint(s), parts);
    g_strfreev(parts);
    return out;
}

static char *slurp(const char *path)
{
    char *b = NULL;
    assert_true(g_file_get_contents(path, &b, NULL, NULL));
    return b;
}

/* ---- expansion ---- */

static void test_cross_product(void **state)
{
    (void)state;
    sweep *s = load("[sweep]\ntraces = a.vmt, b.vmt\n[params]\nmachine.mode = native, nested, shadow\n"
                    "pwc.enabled = true, false\ntlb.pcid = false\n");
    assert_int_equal(sweep_n_traces(s), 2);
    assert_int_equal(sweep_n_params(s), 3);
    assert_int_equal(sweep_n_points(s), 2 * 3 * 2 * 1);
    const char *tr[] = {"a.vmt", "b.vmt"}, *mode[] = {"native", "nested", "shadow"}, *pwc[] = {"true", "false"};
    size_t k = 0; /* the naive model: nested loops, trace outermost, last key fastest */
    for (int t = 0; t < 2; t++)
        for (int m = 0; m < 3; m++)
            for (int p = 0; p < 2; p++, k++) {
                assert_string_equal(sweep_trace_label(s, sweep_point_trace(s, k)), tr[t]);
                assert_string_equal(sweep_point_value(s, k, 0), mode[m]);
                assert_string_equal(sweep_point_value(s, k, 1), pwc[p]);
                assert_string_equal(sweep_point_value(s, k, 2), "false");
                const char *v[] = {mode[m], pwc[p], "false"};
                assert_int_equal(sweep_find_point(s, tr[t], v), (long)k);
            }
    const char *bad[] = {"native", "maybe", "false"};
    assert_int_equal(sweep_find_point(s, "a.vmt", bad), -1);
    const char *ok[] = {"native", "true", "false"};
    assert_int_equal(sweep_find_point(s, "c.vmt", ok), -1);
    char *p = sweep_trace_path(s, 1, 0, "/nowhere");
    char *want = tpath("b.vmt"); /* files resolve against the sweep file's directory */
    assert_string_equal(p, want);
    g_free(p);
    g_free(want);
    sweep_free(s);
}

static void test_zip(void **state)
{
    (void)state;
    /* a and c zipped, b crossed: dimensions in order of first key (a/c, b). */
    sweep *s = load("[sweep]\nworkloads = vpr refs=1000 ;  worst   refs=1000\nseed = 3\n[params]\n"
                    "tlb.stlb.entries = 1536, 768, 384\npwc.enabled = true, false\n"
                    "tlb.stlb.ways = 12, 6, 3\nzip = tlb.stlb.entries, tlb.stlb.ways\n");
    assert_int_equal(sweep_n_points(s), 2 * 3 * 2);
    assert_string_equal(sweep_trace_label(s, 1), "worst refs=1000");
    assert_true(sweep_trace_is_workload(s, 0));
    const char *ent[] = {"1536", "768", "384"}, *ways[] = {"12", "6", "3"}, *pwc[] = {"true", "false"};
    size_t k = 0;
    for (int t = 0; t < 2; t++)
        for (int z = 0; z < 3; z++)
            for (int p = 0; p < 2; p++, k++) {
                assert_string_equal(sweep_point_value(s, k, 0), ent[z]);
                assert_string_equal(sweep_point_value(s, k, 1), pwc[p]);
                assert_string_equal(sweep_point_value(s, k, 2), ways[z]);
                const char *v[] = {ent[z], pwc[p], ways[z]};
                assert_int_equal(sweep_find_point(s, sweep_trace_label(s, (size_t)t), v), (long)k);
            }
    const char *unpaired[] = {"1536", "true", "6"}; /* both values exist, never together */
    assert_int_equal(sweep_find_point(s, "vpr refs=1000", unpaired), -1);
    char *p = sweep_trace_path(s, 1, 0, "/tr");
    assert_string_equal(p, "/tr/worst_refs-1000_s3.vmt");
    g_free(p);
    sweep_free(s);
}

static void test_load_errors(void **state)
{
    (void)state;
    load_fails("[sweep]\n[params]\nmachine.mode = native\n", "traces");
    load_fails("[sweep]\ntraces = a\n[params]\nmachine.mode = native, warp\n", "machine.mode");
    load_fails("[sweep]\ntraces = a\n[params]\nmachine.mode = native, native\n", "twice");
    load_fails("[sweep]\ntraces = a\n[params]\nmode = native\n", "section.key");
    load_fails("[sweep]\ntraces = a\n[params]\nmachine.mode =\n", "list of values");
    load_fails("[sweep]\ntraces = a\n[params]\nmachine.mode = native\nzip = machine.mode, pwc.enabled\n",
               "pwc.enabled");
    load_fails("[sweep]\ntraces = a\n[params]\nmachine.mode = native, nested\npwc.enabled = true\n"
               "zip = machine.mode, pwc.enabled\n", "equal lengths");
    load_fails("[sweep]\ntraces = a\nbogus = 1\n", "bogus");
    load_fails("[sweep]\ntraces = a\n[other]\n", "[other]");
    load_fails("[sweep]\ntraces = a, a\n", "twice");
    load_fails("[sweep]\ntraces = a\nseed = -1\n", "seed");
    load_fails("[sweep\n", "t.ini:1: expected a [section] header or key = value, got '[sweep'");
    sweep *s = NULL;
    vs_err err = {0};
    /* Issue 12: the config rules hold for sweep files too. */
    load_fails("[sweep]\ntraces = a\n[params]\ntlb.sltb.entries = 1536\n", "tlb.sltb.add=true");
    load_fails("[sweep]\ntraces = a\n[params]\ncost.vmexit = 1500, 01500\n", "01500");
    load_fails("[sweep]\ntraces = a\ntraces = b\n", "t.ini:3");
    load_fails("[sweep]\nworkloads = worst refs=1099511627776\n", "limit of 1073741824");
    load_fails("[sweep]\nworkloads = worst refs=2g\n", "limit");
    static const char nul[] = "[sweep]\ntraces = a\0b\n";
    assert_int_not_equal(sweep_load_data(nul, sizeof nul - 1, "t.ini", tmpdir, &s, &err), VS_OK);
    assert_non_null(strstr(err.msg, "t.ini:2"));
    /* Parameters apply together: entries and ways that only fit as a pair. */
    sweep *pair = load("[sweep]\ntraces = a\n[params]\ntlb.stlb.entries = 2048\ntlb.stlb.ways = 16\n"
                       "tlb.l2x.add = true\ntlb.l2x.entries = 8, 16\n");
    vs_config cfg;
    assert_int_equal(sweep_point_config(pair, 1, &cfg, &err), VS_OK);
    assert_int_equal(cfg.tlbs[4].entries, 2048);
    assert_int_equal(cfg.tlbs[6].entries, 16);
    sweep_free(pair);
    load_fails("[sweep]\ntraces = a\n[params]\ntlb.stlb.entries = 1536, 2048\n", "the point tlb.stlb.entries=2048");
    assert_int_equal(sweep_load("/nonexistent/s.ini", &s, &err), VS_E_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/s.ini"));
}

/* ---- CSV ---- */

/* Random fields with commas, quotes and newlines survive write -> read. */
static void test_csv_quoting(void **state)
{
    (void)state;
    sweep *s = load("[sweep]\ntraces = t.vmt\n[params]\nsched.quantum = 1, 2, 3, 4, 5, 6, 7, 8\n");
    const char alphabet[] = "ab,\"\n\r x";
    uint64_t rng = 42;
    sweep_table *t = sweep_table_new(s);
    char *vals[8][4];
    for (size_t k = 0; k < 8; k++) {
        sweep_row *r = sweep_row_new();
        for (int c = 0; c < 4; c++) {
            size_t n = 1 + vs_rng_next(&rng) % 12;
            char *v = g_malloc(n + 1);
            for (size_t i = 0; i < n; i++)
                v[i] = alphabet[vs_rng_next(&rng) % (sizeof alphabet - 1)];
            v[n] = 0;
            v[0] = 'v'; /* never empty, never starting with a quote run by chance */
            vals[k][c] = v;
            char name[16];
            snprintf(name, sizeof name, "s.c%d", c);
            sweep_row_add(r, name, v);
        }
        sweep_table_put(t, k, r);
    }
    char *out = tpath("q.csv");
    vs_err err = {0};
    assert_int_equal(sweep_table_write(t, out, &err), VS_OK);
    sweep_table *u = sweep_table_new(s);
    if (sweep_table_read(u, out, false, &err) != VS_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(sweep_table_count(u), 8);
    for (size_t k = 0; k < 8; k++)
        for (int c = 0; c < 4; c++) {
            char name[16];
            snprintf(name, sizeof name, "s.c%d", c);
            assert_string_equal(sweep_row_get(sweep_table_row(u, k), name), vals[k][c]);
            g_free(vals[k][c]);
        }
    GString *g = g_string_new("");
    sweep_csv_field(g, true, "plain");
    sweep_csv_field(g, false, "");
    sweep_csv_field(g, false, "a,\"b\"");
    assert_string_equal(g->str, "plain,,\"a,\"\"b\"\"\"");
    g_string_free(g, TRUE);
    sweep_table_free(t);
    sweep_table_free(u);
    sweep_free(s);
    g_free(out);
}

/* Rows of different column sets (modes): union in first-appearance order,
 * absent cells empty; write -> read -> write is byte-identical. */
static void test_table_roundtrip(void **state)
{
    (void)state;
    sweep *s = load("[sweep]\ntraces = x.vmt, y.vmt\n[params]\nmachine.mode = native, nested\n");
    sweep_table *t = sweep_table_new(s);
    const char *cols[4][3] = {{"cycles.total", "walks", NULL}, {"cycles.total", "ntlb.hits", "walks"},
                              {"cycles.total", "walks", NULL}, {"cycles.total", "ntlb.hits", "walks"}};
    for (size_t k = 4; k-- > 0;) { /* out of order on purpose */
        if (k == 2)
            continue;
        sweep_row *r = sweep_row_new();
        for (int c = 0; c < 3 && cols[k][c]; c++) {
            char v[32];
            snprintf(v, sizeof v, "%zu%d", k, c);
            sweep_row_add(r, cols[k][c], v);
        }
        sweep_table_put(t, k, r);
    }
    char *a = tpath("rt_a.csv"), *b = tpath("rt_b.csv");
    vs_err err = {0};
    assert_int_equal(sweep_table_write(t, a, &err), VS_OK);
    char *text = slurp(a);
    char *expect = with_fp(s, "trace,machine.mode,fingerprint,cycles.total,walks,ntlb.hits\n"
                              "x.vmt,native,FP,00,01,\n"
                              "x.vmt,nested,FP,10,12,11\n"
                              "y.vmt,nested,FP,30,32,31\n");
    assert_string_equal(text, expect);
    g_free(expect);
    sweep_table *u = sweep_table_new(s);
    assert_int_equal(sweep_table_read(u, a, false, &err), VS_OK);
    assert_int_equal(sweep_table_read(u, a, false, &err), VS_OK); /* the same rows from another file: ignored */
    assert_int_equal(sweep_table_write(u, b, &err), VS_OK);
    char *again = slurp(b);
    assert_string_equal(text, again);
    g_free(text);
    g_free(again);
    sweep_table_free(t);
    sweep_table_free(u);
    sweep_free(s);
    g_free(a);
    g_free(b);
}

static void read_fails(const sweep *s, const char *csv_fp, const char *want)
{
    char *p = tpath("bad.csv"), *csv = with_fp(s, csv_fp);
    assert_true(g_file_set_contents(p, csv, -1, NULL));
    g_free(csv);
    sweep_table *t = sweep_table_new(s);
    vs_err err = {0};
    assert_int_not_equal(sweep_table_read(t, p, false, &err), VS_OK);
    if (!strstr(err.msg, want) || !strstr(err.msg, "bad.csv"))
        fail_msg("error '%s' lacks '%s' or the file name", err.msg, want);
    sweep_table_free(t);
    g_free(p);
}

static void test_table_rejects(void **state)
{
    (void)state;
    sweep *s = load("[sweep]\ntraces = x.vmt\n[params]\nmachine.mode = native, nested\n");
    read_fails(s, "trace,pwc.enabled,fingerprint,walks\nx.vmt,true,FP,1\n", "line 1");
    read_fails(s, "trace,machine.mode,fingerprint,walks\nx.vmt,shadow,FP,1\n", "line 2");
    read_fails(s, "trace,machine.mode,fingerprint,walks\nz.vmt,native,FP,1\n", "no point");
    read_fails(s, "trace,machine.mode,fingerprint,walks\nx.vmt,native,FP,1,2\n", "fields");
    read_fails(s, "trace,machine.mode,fingerprint,walks\nx.vmt,native,FP,1\nx.vmt,nested,FP,2", "cut short");
    read_fails(s, "trace,machine.mode,fingerprint,walks\nx.vmt,native,FP,\"1\n", "cut short");
    read_fails(s, "", "header");
    /* Issue 12: a point twice in one file (even with equal values), a row of
     * another setup, and a file without fingerprints are refused. */
    read_fails(s, "trace,machine.mode,fingerprint,walks\nx.vmt,native,FP,1\nx.vmt,native,FP,2\n", "repeated");
    read_fails(s, "trace,machine.mode,fingerprint,walks\nx.vmt,native,FP,1\nx.vmt,native,FP,1\n", "first at line 2");
    read_fails(s, "trace,machine.mode,fingerprint,walks\nx.vmt,native,0123456789abcdef,1\n", "--force");
    read_fails(s, "trace,machine.mode,walks\nx.vmt,native,1\n", "fingerprint");
    /* --force keeps a foreign row, and writes it back with its own fingerprint. */
    char *p = tpath("foreign.csv"), *q = tpath("foreign2.csv");
    const char *foreign = "trace,machine.mode,fingerprint,walks\nx.vmt,native,0123456789abcdef,1\n";
    assert_true(g_file_set_contents(p, foreign, -1, NULL));
    sweep_table *t = sweep_table_new(s);
    vs_err err = {0};
    assert_int_equal(sweep_table_read(t, p, true, &err), VS_OK);
    assert_int_equal(sweep_table_write(t, q, &err), VS_OK);
    char *back = slurp(q);
    assert_string_equal(back, foreign);
    g_free(back);
    sweep_table_free(t);
    g_free(p);
    g_free(q);
    sweep_free(s);
}

/* ---- running ---- */

static const char *RUN_SWEEP = "[sweep]\nworkloads = vpr refs=3000; hpcc refs=3000\n[params]\n"
                               "machine.mode = native, nested\npwc.enabled = true, false\n"
                               "tlb.pcid = true, false\nzip = pwc.enabled, tlb.pcid\n";

static char *run_to(const sweep *s, sweep_table *t, unsigned jobs, const char *name)
{
    char *out = tpath(name), *tr = tpath("traces");
    sweep_opts o = {.jobs = jobs, .per_pass = jobs, .trace_dir = tr, .out_path = out}; /* passes vary too */
    vs_err err = {0};
    if (sweep_run(s, t, &o, &err) != VS_OK)
        fail_msg("sweep_run: %s", err.msg);
    assert_int_equal(sweep_table_count(t), sweep_n_points(s));
    char *text = slurp(out);
    g_free(out);
    g_free(tr);
    return text;
}

static void test_run_columns_and_jobs(void **state)
{
    (void)state;
    sweep *s = load(RUN_SWEEP);
    sweep_table *t1 = sweep_table_new(s), *t3 = sweep_table_new(s);
    char *a = run_to(s, t1, 1, "j1.csv"), *b = run_to(s, t3, 3, "j3.csv");
    assert_string_equal(a, b);
    /* Columns: trace, the parameters, then the statistics in report order. */
    assert_true(g_str_has_prefix(a, "trace,machine.mode,pwc.enabled,tlb.pcid,"));
    char *nl = strchr(a, '\n');
    *nl = 0;
    char **head = g_strsplit(a, ",", -1);
    bool total = false, walks = false, cfg = false;
    for (char **h = head; *h; h++) {
        total |= !strcmp(*h, "cycles.total");
        walks |= !strcmp(*h, "walk_refs");
        cfg |= !strcmp(*h, "config.machine.mode");
    }
    assert_true(total && walks && cfg);
    g_strfreev(head);
    const sweep_row *r = sweep_table_row(t1, 2); /* vpr, nested, caches on */
    assert_string_equal(sweep_row_get(r, "config.machine.mode"), "nested");
    assert_string_equal(sweep_row_get(r, "mode"), "nested");
    assert_true(strtoull(sweep_row_get(r, "cycles.total"), NULL, 10) > 0);
    g_free(a);
    g_free(b);
    sweep_table_free(t1);
    sweep_table_free(t3);
    sweep_free(s);
}

/* Resume from every subset pattern of done points gives the same file. */
static void test_resume(void **state)
{
    (void)state;
    sweep *s = load(RUN_SWEEP);
    sweep_table *full = sweep_table_new(s);
    char *want = run_to(s, full, 2, "full.csv");
    size_t n = sweep_n_points(s);
    uint64_t rng = 7;
    for (int trial = 0; trial < 4; trial++) {
        sweep_table *part = sweep_table_new(s);
        /* The partial file: the full table's CSV with some rows dropped. */
        char **lines = g_strsplit(want, "\n", -1);
        GString *g = g_string_new(lines[0]);
        g_string_append_c(g, '\n');
        for (size_t k = 0; k < n; k++)
            if (vs_rng_next(&rng) & 1)
                g_string_append_printf(g, "%s\n", lines[1 + k]);
        g_strfreev(lines);
        char *p = tpath("part.csv");
        assert_true(g_file_set_contents(p, g->str, (gssize)g->len, NULL));
        g_string_free(g, TRUE);
        vs_err err = {0};
        assert_int_equal(sweep_table_read(part, p, false, &err), VS_OK);
        size_t before = sweep_table_count(part);
        char *got = run_to(s, part, 2, "part.csv");
        assert_string_equal(got, want);
        assert_true(before <= n);
        g_free(got);
        g_free(p);
        sweep_table_free(part);
    }
    g_free(want);
    sweep_table_free(full);
    sweep_free(s);
}

static void test_run_failure_names_point(void **state)
{
    (void)state;
    sweep *s = load("[sweep]\ntraces = missing.vmt\n[params]\nmachine.mode = native, nested\n");
    sweep_table *t = sweep_table_new(s);
    char *tr = tpath("traces");
    sweep_opts o = {.jobs = 2, .per_pass = 2, .trace_dir = tr};
    vs_err err = {0};
    assert_int_not_equal(sweep_run(s, t, &o, &err), VS_OK);
    assert_non_null(strstr(err.msg, "point "));
    assert_non_null(strstr(err.msg, "missing.vmt"));
    sweep_table_free(t);
    sweep_free(s);
    g_free(tr);
    s = load("[sweep]\nworkloads = nosuchgen\n");
    t = sweep_table_new(s);
    tr = tpath("traces");
    o.trace_dir = tr;
    assert_int_not_equal(sweep_run(s, t, &o, &err), VS_OK);
    assert_non_null(strstr(err.msg, "nosuchgen"));
    sweep_table_free(t);
    sweep_free(s);
    g_free(tr);
}

static int cleanup(void)
{
    char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    int rc = system(cmd);
    g_free(cmd);
    g_free(tmpdir);
    return rc;
}

/* fuzz_sweep's finding (session 11): a base path near the message bound
 * pushed the sweep file's name out of "cannot read the [sweep] base of FILE". */
static void test_unreadable_long_base_names_the_sweep(void **state)
{
    (void)state;
    char name[VS_ERR_MSG_MAX + 64];
    memset(name, 'b', sizeof name - 1);
    name[sizeof name - 1] = 0;
    char *text = g_strdup_printf("[sweep]\nbase = %s\ntraces = x.vmt\n[params]\nmachine.mode = native\n", name);
    load_fails(text, "[sweep] base: ");
    g_free(text);
}

int main(void)
{
    tmpdir = g_dir_make_tmp("sweep-XXXXXX", NULL);
    if (!tmpdir)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cross_product),  cmocka_unit_test(test_zip),
        cmocka_unit_test(test_load_errors),    cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_table_roundtrip), cmocka_unit_test(test_table_rejects),
        cmocka_unit_test(test_run_columns_and_jobs), cmocka_unit_test(test_resume),
        cmocka_unit_test(test_run_failure_names_point), cmocka_unit_test(test_unreadable_long_base_names_the_sweep),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    cleanup();
    return failed;
}
