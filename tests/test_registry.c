/*
 * test_registry.c: keeps the registries and the checklists of
 * docs/architecture.md honest.  Every registered mode appears in
 * `run --help-config` (the machine.mode choices and the mode list, with its
 * config section, which must exist) and has a share-cost classification that
 * follows its tables; every registered trace format appears in `run --help`,
 * round-trips its name, and is detected from content in its small sample,
 * tests/fixtures/formats/NAME.sample (a name that hints at no format); every
 * generator appears in `gen --list`; and docs/architecture.md's checklists
 * name lists and files that exist.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmu/mode.h"
#include "share/share.h"
#include "trace/trace.h"
#include "vs_test.h"
#include "workloads/workloads.h"

/* stdout of `vmemsim ARGS` (exit status 0 required); g_free it. */
static char *cli_out(const char *const *args)
{
    char *out = NULL, *err = NULL;
    int status = vt_cli(args, &out, &err);
    if (status != 0)
        fail_msg("vmemsim %s exited %d: %s", args[0], status, err);
    g_free(err);
    return out;
}

/* Does text hold a line that starts with `prefix` then `word` then a space? */
static bool has_line(const char *text, const char *prefix, const char *word)
{
    char *needle = g_strdup_printf("\n%s%s ", prefix, word);
    bool found = strstr(text, needle) != NULL;
    g_free(needle);
    return found;
}

static void every_mode_is_listed_and_classified(void **state)
{
    (void)state;
    char *help = cli_out(VT_OPTS("run", "--help-config"));
    const char *choices = strstr(help, "\n  mode ");
    assert_non_null(choices);
    for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
        const mode_info *info = mode_get(m);
        assert_non_null(info);
        assert_int_equal(mode_find(info->name), m);
        assert_string_equal(mode_names[m], info->name);
        assert_string_equal(cfg_mode_name(m), info->name);
        /* the last choice ends the column: a space follows it, or the line ends (a long list wraps) */
        char *choice = g_strdup_printf("%s|", info->name), *last = g_strdup_printf("|%s ", info->name),
             *wrapped = g_strdup_printf("|%s\n", info->name);
        if (!strstr(choices, choice) && !strstr(choices, last) && !strstr(choices, wrapped))
            fail_msg("mode %s is not among the machine.mode choices of run --help-config", info->name);
        g_free(choice);
        g_free(last);
        g_free(wrapped);
        if (!has_line(help, "  ", info->name))
            fail_msg("mode %s has no line in run --help-config's list of modes", info->name);
        if (info->section) {
            char *sec = g_strdup_printf("\n[%s]\n", info->section);
            if (!strstr(help, sec))
                fail_msg("mode %s names config section [%s], which run --help-config does not list", info->name,
                         info->section);
            g_free(sec);
        }
        assert_non_null(info->ops);
        assert_non_null(info->ops->create);
        assert_non_null(info->ops->translate);
        assert_true(info->help && *info->help);
        if (info->tables != MODE_TABLES_HARDWARE && info->tables != MODE_TABLES_SHADOW)
            fail_msg("mode %s declares no tables (MODE_TABLES_*): its share cost would be a guess", info->name);
        share_mode_class want = info->tables == MODE_TABLES_SHADOW ? SHARE_MC_SHADOW : SHARE_MC_NESTED;
        assert_int_equal(share_mode_class_of(m), want);
    }
    /* vmm.shadow_variants: registered shadow-table modes, in registry order,
     * every one of them on by default (the option's choices and default). */
    vs_config cfg;
    cfg_defaults(&cfg);
    int prev = -1;
    for (int i = 0; mode_shadow_variant_names[i]; i++) {
        int m = mode_find(mode_shadow_variant_names[i]);
        if (m <= prev || mode_get(m)->tables != MODE_TABLES_SHADOW)
            fail_msg("shadow variant %s: not a shadow-table mode after %d", mode_shadow_variant_names[i], prev);
        assert_true(cfg.vmm_shadow_variants & (1u << i));
        prev = m;
    }
    assert_true(prev >= 0);
    assert_null(mode_get((vs_mode)mode_count()));
    assert_null(mode_get(-1));
    assert_int_equal(mode_find("no-such-mode"), -1);
    g_free(help);
}

static void every_format_is_listed_and_detected(void **state)
{
    (void)state;
    char *help = cli_out(VT_OPTS("run", "--help"));
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++) {
        const char *name = trace_fmt_name((trace_fmt)f);
        assert_int_equal(trace_fmt_from_name(name), f);
        if (!has_line(help, "  ", name))
            fail_msg("format %s is not listed by run --help", name);
        char *sample = g_strdup_printf("%s/tests/fixtures/formats/%s.sample", VS_SOURCE_DIR, name);
        trace_reader *r = NULL;
        vs_err err = {0};
        if (trace_open(sample, TFMT_AUTO, &r, &err) != VS_OK)
            fail_msg("format %s: its sample does not open: %s", name, err.msg);
        if (trace_reader_fmt(r) != (trace_fmt)f)
            fail_msg("format %s: its sample %s is detected as %s", name, sample, trace_fmt_name(trace_reader_fmt(r)));
        trace_rec rec[16];
        long n = trace_read(r, rec, VS_ARRAY_LEN(rec), &err);
        if (n <= 0)
            fail_msg("format %s: its sample gave no record (%ld: %s)", name, n, err.msg);
        trace_close(r);
        g_free(sample);
    }
    g_free(help);
}

static void every_generator_is_listed(void **state)
{
    (void)state;
    char *list = cli_out(VT_OPTS("gen", "--list"));
    char *text = g_strdup_printf("\n%s", list); /* has_line looks for a line start */
    for (size_t i = 0; i < wl_count(); i++)
        if (!has_line(text, "", wl_get(i)->name))
            fail_msg("generator %s is not listed by gen --list", wl_get(i)->name);
    assert_null(wl_get(wl_count()));
    g_free(text);
    g_free(list);
}

/* The WRITES rows: trace_fmt_writable, the TRACE_WRITABLE_FORMATS list the
 * messages print, and the output suffixes trace convert accepts agree. */
static void writable_formats_follow_their_rows(void **state)
{
    (void)state;
    const char *list = " " TRACE_WRITABLE_FORMATS " ";
    unsigned writable = 0;
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++) {
        char *word = g_strdup_printf(" %s ", trace_fmt_name((trace_fmt)f));
        if (trace_fmt_writable((trace_fmt)f) != (strstr(list, word) != NULL))
            fail_msg("format %s: trace_fmt_writable and TRACE_WRITABLE_FORMATS disagree", trace_fmt_name((trace_fmt)f));
        writable += trace_fmt_writable((trace_fmt)f);
        g_free(word);
    }
    assert_true(writable >= 1);
    assert_false(trace_fmt_writable(TFMT_AUTO));
    assert_false(trace_fmt_writable(TFMT_LACKEY));
    assert_int_equal(trace_out_fmt_from_name("out.vmt"), TFMT_VMT);
    assert_int_equal(trace_out_fmt_from_name("out.champsimtrace"), TFMT_CHAMPSIM);
    assert_int_equal(trace_out_fmt_from_name("out.lackey"), TFMT_AUTO); /* readable, not writable */
    assert_int_equal(trace_out_fmt_from_name("out.vmt.gz"), TFMT_AUTO);  /* the writers compress inside */
}

/* The contents of SOURCE_DIR/rel; g_free it. */
static char *source_file(const char *rel)
{
    char *path = g_strdup_printf("%s/%s", VS_SOURCE_DIR, rel), *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        fail_msg("cannot read %s", path);
    g_free(path);
    return text;
}

static void architecture_checklists_point_at_real_things(void **state)
{
    (void)state;
    char *doc = source_file("docs/architecture.md");
    static const char *const headings[] = {"## How to add a translation mode", "## How to add a trace format",
                                           "## TLB hierarchy and its policies", "## Flow of a fault",
                                           "## The registries"};
    for (size_t i = 0; i < VS_ARRAY_LEN(headings); i++)
        if (!strstr(doc, headings[i]))
            fail_msg("docs/architecture.md lacks '%s'", headings[i]);
    /* Each list the doc names is defined where it says. */
    static const struct { const char *list, *file; } lists[] = {
        {"#define MODE_ROWS", "sim/mmu/mode.c"},
        {"#define TRACE_FORMATS", "sim/trace/trace_formats.h"},
        {"#define WL_GENERATORS", "workloads/wl_gen.c"},
        {"#define CPF_ROWS", "sim/cpf/cpf.c"},
        {"#define WL_DS_ROWS", "workloads/workloads.h"},
        {"#define PLACE_POLICY_ROWS", "sim/place/place.h"},
        {"#define SHARE_POLICY_ROWS", "sim/share/share.h"},
        {"usage: golden_run.sh", "tests/golden_run.sh"},
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(lists); i++) {
        if (!strstr(doc, lists[i].file))
            fail_msg("docs/architecture.md does not name %s", lists[i].file);
        char *text = source_file(lists[i].file);
        if (!strstr(text, lists[i].list))
            fail_msg("%s no longer holds '%s', which docs/architecture.md points to", lists[i].file, lists[i].list);
        g_free(text);
    }
    g_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_mode_is_listed_and_classified),
        cmocka_unit_test(every_format_is_listed_and_detected),
        cmocka_unit_test(every_generator_is_listed),
        cmocka_unit_test(writable_formats_follow_their_rows),
        cmocka_unit_test(architecture_checklists_point_at_real_things),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
