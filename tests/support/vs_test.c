/*
 * vs_test.c: the shared test helpers of vs_test.h.  The scratch directory is
 * made with g_dir_make_tmp on first use and removed, with whatever the tests
 * left in it, by an atexit handler, so a failing test leaves nothing behind
 * and tests need no setup/teardown just for files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vs_test.h"

#include "sim.h"

#include <glib/gstdio.h>
#include <sys/wait.h>

#define VT_VMEMSIM VS_BINARY_DIR "/vmemsim" /* the CLI built beside the tests */

static char *tmp_dir;

/* Removes dir and everything below it (tests make at most a few levels). */
static void remove_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d) {
        for (const char *name; (name = g_dir_read_name(d));) {
            char *p = g_build_filename(dir, name, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                remove_tree(p);
            else
                g_unlink(p);
            g_free(p);
        }
        g_dir_close(d);
    }
    g_rmdir(dir);
}

static void remove_tmpdir(void)
{
    remove_tree(tmp_dir);
    g_free(tmp_dir);
    tmp_dir = NULL;
}

const char *vt_tmpdir(void)
{
    if (!tmp_dir) {
        GError *gerr = NULL;
        tmp_dir = g_dir_make_tmp("vmemsim_test_XXXXXX", &gerr);
        if (!tmp_dir)
            fail_msg("scratch directory: %s", gerr->message);
        atexit(remove_tmpdir);
    }
    return tmp_dir;
}

char *vt_path(const char *name) { return g_build_filename(vt_tmpdir(), name, NULL); }

char *vt_write_vmt(const char *name, const trace_rec *recs, size_t n)
{
    char *path = vt_path(name);
    trace_writer *w;
    vs_err err = {0};
    if (trace_writer_open(path, TFMT_VMT, TCODEC_NONE, &w, &err) != VS_OK)
        fail_msg("%s", err.msg);
    if (trace_write(w, recs, n, &err) != VS_OK || trace_writer_close(w, &err) != VS_OK)
        fail_msg("%s", err.msg);
    return path;
}

char *vt_write_file(const char *name, const void *data, size_t n)
{
    char *path = vt_path(name);
    /* Plain stdio: scratch files need no crash durability, and glib's atomic
     * overwrite costs an fsync per file (thousands in the truncation tests). */
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
        fail_msg("%s: cannot write the scratch file", path);
    return path;
}

static void collect(void *ctx, const char *path, const char *value)
{
    g_hash_table_insert(ctx, g_strdup(path), g_strdup(value));
}

static void apply(vs_config *cfg, const char *const *kv)
{
    vs_err err = {0};
    for (; kv && *kv; kv++)
        if (cfg_override(cfg, *kv, &err) != VS_OK)
            fail_msg("%s", err.msg);
}

GHashTable *vt_run(const char *mode, const char *const *traces, size_t n, const char *const *base,
                   const char *const *extra)
{
    vs_config cfg;
    cfg_defaults(&cfg);
    char m[64];
    snprintf(m, sizeof m, "machine.mode=%s", mode);
    apply(&cfg, mode ? VT_OPTS(m) : NULL);
    apply(&cfg, base);
    apply(&cfg, extra);
    vs_sim *s;
    vs_err err = {0};
    if (sim_new(&cfg, &s, &err) != VS_OK)
        fail_msg("%s: %s", mode ? mode : "default mode", err.msg);
    for (size_t i = 0; i < n; i++)
        if (sim_add_trace(s, traces[i], -1, &err) != VS_OK)
            fail_msg("%s", err.msg);
    if (sim_run(s, NULL, NULL, &err) != VS_OK)
        fail_msg("%s: %s", mode ? mode : "default mode", err.msg);
    GHashTable *r = vt_report_flat(s);
    sim_free(s);
    return r;
}

GHashTable *vt_report_flat(vs_sim *s)
{
    GHashTable *r = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    jw *w = jw_new_flat(collect, r);
    sim_report(s, w);
    jw_free(w);
    return r;
}

char *vt_report_json(vs_sim *s)
{
    char *json;
    size_t len;
    FILE *f = open_memstream(&json, &len);
    jw *w = jw_new_json(f);
    sim_report(s, w);
    jw_free(w);
    fclose(f);
    return json;
}

static const char *lookup(GHashTable *results, const char *key)
{
    const char *v = g_hash_table_lookup(results, key);
    if (!v)
        fail_msg("no result %s", key);
    return v;
}

uint64_t vt_u64(GHashTable *results, const char *key) { return strtoull(lookup(results, key), NULL, 10); }
double vt_double(GHashTable *results, const char *key) { return g_ascii_strtod(lookup(results, key), NULL); }

share_run *vt_share_run(share_policy policy)
{
    share_params p;
    share_params_defaults(&p, policy);
    share_cost cost;
    share_cost_defaults(&cost);
    vs_config cfg;
    cfg_defaults(&cfg);
    return share_run_new(&p, &cost, &cfg);
}

int vt_cli(const char *const *args, char **out, char **err)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)VT_VMEMSIM);
    for (; *args; args++)
        g_ptr_array_add(argv, (char *)*args);
    g_ptr_array_add(argv, NULL);
    int status = -1;
    GError *gerr = NULL;
    gboolean ok = g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                               &gerr);
    g_ptr_array_free(argv, TRUE);
    if (!ok)
        fail_msg("%s: %s", VT_VMEMSIM, gerr->message);
    if (!WIFEXITED(status))
        fail_msg("%s did not exit normally (status %d)", VT_VMEMSIM, status);
    return WEXITSTATUS(status);
}

void vt_cli_refuses(const char *const *args, const char *path, unsigned record, int rc_lo, int rc_hi,
                    const char *what)
{
    char *out, *err;
    int rc = vt_cli(args, &out, &err);
    char *want = g_strdup_printf("%s: record %u: ", path, record);
    if (rc < rc_lo || rc > rc_hi || !strstr(err, want))
        fail_msg("%s %s: rc %d, stderr \"%s\"; wanted rc %d..%d and \"%s\"", args[0], what, rc, err, rc_lo, rc_hi,
                 want);
    g_free(want);
    g_free(out);
    g_free(err);
}

void vt_watch_access(void *watch, uint32_t vm, uint32_t pid, uint64_t va, uint64_t pa)
{
    vt_watch *w = watch;
    uint64_t ref = 0;
    int rc = sim_reference_translate(w->s, vm, pid, va, &ref);
    w->checked++;
    if (rc == VS_OK && ref == pa)
        return;
    if (w->mismatches++ == 0)
        snprintf(w->first, sizeof w->first,
                 "access %llu: vm %u pid %u va 0x%llx -> pa 0x%llx, reference %s 0x%llx",
                 (unsigned long long)w->checked, vm, pid, (unsigned long long)va, (unsigned long long)pa,
                 rc == VS_OK ? "" : "(unmapped)", (unsigned long long)ref);
}

void vt_config_mode(vs_config *cfg, vs_mode m)
{
    vs_err err;
    char buf[64];
    cfg_defaults(cfg);
    snprintf(buf, sizeof buf, "machine.mode=%s", cfg_mode_name(m));
    assert_int_equal(cfg_override(cfg, buf, &err), VS_OK);
}
