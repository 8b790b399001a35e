/*
 * test_tlb_registry.c: keeps the checklists of docs/architecture.md
 * honest.  Every registered replacement policy and TLB prefetcher has its
 * own source file, is accepted by the config where the docs say, is listed
 * by `vmemsim run --help-config`, builds a machine, and has its row in
 * docs/model.md; the registry rows the checklists name exist.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "tlb/repl.h"
#include "tlb/tpf.h"
#include "vs_test.h"

static char *slurp(const char *rel)
{
    char *path = g_build_filename(VS_SOURCE_DIR, rel, NULL), *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        fail_msg("cannot read %s", path);
    g_free(path);
    return text;
}

/* The choices --help-config shows for key, as "a|b|c". */
static void help_lists(const char *help, const char *key, const char *const *names)
{
    GString *want = g_string_new("");
    for (unsigned i = 0; names[i]; i++)
        g_string_append_printf(want, "%s%s", i ? "|" : "", names[i]);
    bool found = false;
    gchar **lines = g_strsplit(help, "\n", -1);
    for (gchar **l = lines; *l; l++) {
        gchar **w = g_strsplit_set(g_strstrip(*l), " ", -1);
        unsigned k = 0;
        const char *words[3] = {0};
        for (gchar **x = w; *x && k < 3; x++)
            if (**x)
                words[k++] = *x;
        if (k == 3 && !strcmp(words[0], key) && !strcmp(words[2], want->str))
            found = true;
        g_strfreev(w);
    }
    g_strfreev(lines);
    if (!found)
        fail_msg("run --help-config: no '%s' line listing %s", key, want->str);
    g_string_free(want, TRUE);
}

/* The member is accepted by the config key and builds a machine. */
static void accepted(const char *key, const char *name)
{
    vs_config c;
    vs_err err = {0};
    char set[96];
    cfg_defaults(&c);
    snprintf(set, sizeof set, "%s=%s", key, name);
    if (cfg_override(&c, set, &err) != VS_OK)
        fail_msg("-o %s rejected: %s", set, err.msg);
    vs_sim *s = NULL;
    if (sim_new(&c, &s, &err) != VS_OK)
        fail_msg("-o %s: no machine: %s", set, err.msg);
    sim_free(s);
}

static void member_checks(const char *prefix, const char *name, const char *doc)
{
    char file[96], row[64];
    snprintf(file, sizeof file, "sim/tlb/%s_%s.c", prefix, name);
    char *src = slurp(file);
    char def[96];
    snprintf(def, sizeof def, "%s_%s = {", prefix, name);
    if (!strstr(src, def))
        fail_msg("%s does not define %s_%s", file, prefix, name);
    g_free(src);
    snprintf(row, sizeof row, "| `%s`", name);
    if (!strstr(doc, row))
        fail_msg("docs/model.md has no table row for `%s`", name);
}

/* One registry: the --help-config key listing its names, the names, the
 * first real member (after "none"), the file prefix and the keys that take
 * its names. */
typedef struct family {
    const char *help_key;
    const char *const *names;
    unsigned first;
    const char *prefix;
    const char *keys[2];
} family;

static void check_family(const family *f)
{
    char *help, *err, *doc = slurp("docs/model.md");
    assert_int_equal(vt_cli((const char *const[]){"run", "--help-config", NULL}, &help, &err), 0);
    help_lists(help, f->help_key, f->names);
    for (unsigned i = f->first; f->names[i]; i++) {
        for (size_t k = 0; k < VS_ARRAY_LEN(f->keys); k++)
            accepted(f->keys[k], f->names[i]);
        member_checks(f->prefix, f->names[i], doc);
    }
    g_free(help);
    g_free(err);
    g_free(doc);
}

static void test_policies(void **s)
{
    (void)s;
    check_family(&(family){"replacement", repl_names, 0, "repl", {"tlb.stlb.replacement", "cache.l2.replacement"}});
    for (unsigned i = 0; repl_names[i]; i++)
        assert_non_null(repl_at(i));
}

static void test_prefetchers(void **s)
{
    (void)s;
    assert_string_equal(tpf_names[0], "none");
    assert_null(tpf_at(0));
    check_family(&(family){"prefetcher", tpf_names, 1, "tpf", {"tlb.stlb.prefetcher", "tlb.l1d.prefetcher"}});
    for (unsigned i = 1; tpf_names[i]; i++)
        assert_non_null(tpf_at(i));
}

/* The rows the checklists tell a newcomer to edit are where they say. */
static void test_checklists_name_real_rows(void **s)
{
    (void)s;
    char *arch = slurp("docs/architecture.md"), *repl = slurp("sim/tlb/repl.c"), *tpf = slurp("sim/tlb/tpf.c");
    assert_non_null(strstr(arch, "`REPL_ROWS` in `sim/tlb/repl.c`"));
    assert_non_null(strstr(repl, "#define REPL_ROWS(X)"));
    assert_non_null(strstr(arch, "`TPF_ROWS` in `sim/tlb/tpf.c`"));
    assert_non_null(strstr(tpf, "#define TPF_ROWS(X)"));
    g_free(arch);
    g_free(repl);
    g_free(tpf);
}

/* An unknown name is a config error that lists every registered one. */
static void rejected(const char *set, const char *const *names)
{
    vs_config c;
    vs_err err = {0};
    cfg_defaults(&c);
    assert_int_equal(cfg_override(&c, set, &err), VS_E_CONFIG);
    GString *want = g_string_new("");
    for (unsigned i = 0; names[i]; i++)
        g_string_append_printf(want, "%s%s", i ? " " : "", names[i]);
    if (!strstr(err.msg, want->str))
        fail_msg("-o %s: the error does not list %s: %s", set, want->str, err.msg);
    g_string_free(want, TRUE);
}

static void test_unknown_names_rejected(void **s)
{
    (void)s;
    rejected("tlb.stlb.prefetcher=markov", tpf_names);
    rejected("tlb.stlb.replacement=plru", repl_names);
    rejected("cache.llc.replacement=plru", repl_names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_prefetchers),
        cmocka_unit_test(test_checklists_name_real_rows),
        cmocka_unit_test(test_unknown_names_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
