/*
 * test_registry.c: keeps the registries and the checklists of
 * docs/architecture.md honest.  Every registered mode appears in
 * `run --help-config` (the machine.mode choices and the mode list, with its
 * config section, which must exist) and has a share-cost classification that
 * follows its tables; every registered trace format appears in `run --help`,
 * round-trips its name, and is detected from content in its small sample,
 * tests/fixtures/formats/NAME.sample (a name that hints at no format); every
 * generator appears in `gen --list`; and docs/architecture.md's checklists
 * name lists and files that exist.  Each check returns its problem rather
 * than failing, so that the seeded faults -- the same check on a help text,
 * list or doc doctored to lack what it looks for, on a mode info that
 * declares no tables, on another format's sample -- show it can fail.
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

/* text with every `cut` replaced by `with`: the doctored help texts and docs
 * of the seeded faults (the cut must be there, or the fault seeds nothing);
 * g_free it. */
static char *doctored(const char *text, const char *cut, const char *with)
{
    if (!strstr(text, cut))
        fail_msg("seeded fault: '%s' is not in the text to doctor", cut);
    char **parts = g_strsplit(text, cut, -1);
    char *out = g_strjoinv(with, parts);
    g_strfreev(parts);
    return out;
}

/* Why mode `info` is not listed in `run --help-config`'s text `help`, or why
 * its share-cost class `cls` (share_mode_class_of) does not follow its
 * tables; NULL when neither.  g_free it. */
static char *mode_problem(const char *help, const mode_info *info, share_mode_class cls)
{
    const char *choices = strstr(help, "\n  mode ");
    if (!choices)
        return g_strdup("run --help-config has no machine.mode line");
    /* the last choice ends the column: a space follows it, or the line ends (a long list wraps) */
    char *choice = g_strdup_printf("%s|", info->name), *last = g_strdup_printf("|%s ", info->name),
         *wrapped = g_strdup_printf("|%s\n", info->name);
    bool chosen = strstr(choices, choice) || strstr(choices, last) || strstr(choices, wrapped);
    g_free(choice);
    g_free(last);
    g_free(wrapped);
    if (!chosen)
        return g_strdup_printf("mode %s is not among the machine.mode choices of run --help-config", info->name);
    if (!has_line(help, "  ", info->name))
        return g_strdup_printf("mode %s has no line in run --help-config's list of modes", info->name);
    if (info->section) {
        char *sec = g_strdup_printf("\n[%s]\n", info->section);
        bool listed = strstr(help, sec) != NULL;
        g_free(sec);
        if (!listed)
            return g_strdup_printf("mode %s names config section [%s], which run --help-config does not list",
                                   info->name, info->section);
    }
    if (info->tables != MODE_TABLES_HARDWARE && info->tables != MODE_TABLES_SHADOW)
        return g_strdup_printf("mode %s declares no tables (MODE_TABLES_*): its share cost would be a guess",
                               info->name);
    share_mode_class want = info->tables == MODE_TABLES_SHADOW ? SHARE_MC_SHADOW : SHARE_MC_NESTED;
    if (cls != want)
        return g_strdup_printf("mode %s: share cost class %d, its tables say %d", info->name, (int)cls, (int)want);
    return NULL;
}

/* The seeded fault `what` must be caught, by the check whose message says `says`. */
static void caught(char *problem, const char *what, const char *says)
{
    if (!problem)
        fail_msg("seeded fault went unnoticed: %s", what);
    if (!strstr(problem, says))
        fail_msg("seeded fault %s: caught for another reason: %s", what, problem);
    g_free(problem);
}

static void every_mode_is_listed_and_classified(void **state)
{
    (void)state;
    char *help = cli_out(VT_OPTS("run", "--help-config"));
    for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
        const mode_info *info = mode_get(m);
        assert_non_null(info);
        assert_int_equal(mode_find(info->name), m);
        assert_string_equal(mode_names[m], info->name);
        assert_string_equal(cfg_mode_name(m), info->name);
        char *problem = mode_problem(help, info, share_mode_class_of(m));
        if (problem)
            fail_msg("%s", problem);
        assert_non_null(info->ops);
        assert_non_null(info->ops->create);
        assert_non_null(info->ops->translate);
        assert_true(info->help && *info->help);
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

/* The seeded faults of the mode checks: a mode's line, its machine.mode
 * choice or its config section gone from the help, a mode that declares no
 * tables, and a shadow mode priced as a nested one. */
static void mode_checks_catch_seeded_faults(void **state)
{
    (void)state;
    char *help = cli_out(VT_OPTS("run", "--help-config"));
    const mode_info *sectioned = NULL, *shadow = NULL;
    for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
        const mode_info *info = mode_get(m);
        sectioned = sectioned ? sectioned : info->section ? info : NULL;
        shadow = shadow ? shadow : info->tables == MODE_TABLES_SHADOW ? info : NULL;
        char *line = g_strdup_printf("\n  %s ", info->name), *choice = g_strdup_printf("|%s", info->name);
        char *no_line = doctored(help, line, "\n  ? "), *no_choice = NULL;
        caught(mode_problem(no_line, info, share_mode_class_of(m)), "a mode without its line", "has no line");
        /* the first choice has no '|' before it: cut it with the one after */
        char *first = g_strdup_printf(" %s|", info->name);
        no_choice = doctored(help, strstr(help, first) ? first : choice, strstr(help, first) ? " " : "");
        caught(mode_problem(no_choice, info, share_mode_class_of(m)), "a mode that is no machine.mode choice", "not among");
        mode_info undeclared = *info;
        undeclared.tables = 0;
        caught(mode_problem(help, &undeclared, share_mode_class_of(m)), "a mode that declares no tables", "declares no tables");
        g_free(line);
        g_free(choice);
        g_free(first);
        g_free(no_line);
        g_free(no_choice);
    }
    assert_non_null(sectioned);
    char *sec = g_strdup_printf("\n[%s]\n", sectioned->section);
    char *no_section = doctored(help, sec, "\n");
    caught(mode_problem(no_section, sectioned, share_mode_class_of(mode_find(sectioned->name))),
           "a mode whose config section is gone", "config section");
    assert_non_null(shadow);
    caught(mode_problem(help, shadow, SHARE_MC_NESTED), "a shadow mode priced as nested", "share cost class");
    g_free(sec);
    g_free(no_section);
    g_free(help);
}

/* Why format f is not listed in `run --help`'s text `help`, or is not
 * detected from the content of `sample`, or reads no record from it; NULL
 * when all is well.  g_free it. */
static char *format_problem(const char *help, trace_fmt f, const char *sample)
{
    const char *name = trace_fmt_name(f);
    if (trace_fmt_from_name(name) != f)
        return g_strdup_printf("format %s does not round-trip its name", name);
    if (!has_line(help, "  ", name))
        return g_strdup_printf("format %s is not listed by run --help", name);
    trace_reader *r = NULL;
    vs_err err = {0};
    if (trace_open(sample, TFMT_AUTO, &r, &err) != VS_OK)
        return g_strdup_printf("format %s: its sample does not open: %s", name, err.msg);
    char *problem = NULL;
    trace_rec rec[16];
    long n;
    if (trace_reader_fmt(r) != f)
        problem = g_strdup_printf("format %s: its sample %s is detected as %s", name, sample,
                                  trace_fmt_name(trace_reader_fmt(r)));
    else if ((n = trace_read(r, rec, VS_ARRAY_LEN(rec), &err)) <= 0)
        problem = g_strdup_printf("format %s: its sample gave no record (%ld: %s)", name, n, err.msg);
    trace_close(r);
    return problem;
}

static char *format_sample(trace_fmt f)
{
    return g_strdup_printf("%s/tests/fixtures/formats/%s.sample", VS_SOURCE_DIR, trace_fmt_name(f));
}

static void every_format_is_listed_and_detected(void **state)
{
    (void)state;
    char *help = cli_out(VT_OPTS("run", "--help"));
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++) {
        char *sample = format_sample((trace_fmt)f), *problem = format_problem(help, (trace_fmt)f, sample);
        if (problem)
            fail_msg("%s", problem);
        g_free(sample);
    }
    g_free(help);
}

/* The seeded faults of the format checks: a format's line gone from the help,
 * and each format given the next format's sample (detected as that one). */
static void format_checks_catch_seeded_faults(void **state)
{
    (void)state;
    char *help = cli_out(VT_OPTS("run", "--help"));
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++) {
        int next = f + 1 < TFMT_COUNT ? f + 1 : TFMT_VMT;
        char *line = g_strdup_printf("\n  %s ", trace_fmt_name((trace_fmt)f)), *no_line = doctored(help, line, "\n  ? ");
        char *own = format_sample((trace_fmt)f), *other = format_sample((trace_fmt)next);
        caught(format_problem(no_line, (trace_fmt)f, own), "a format without its line in run --help", "not listed");
        caught(format_problem(help, (trace_fmt)f, other), "a sample of another format", "is detected as");
        g_free(line);
        g_free(no_line);
        g_free(own);
        g_free(other);
    }
    g_free(help);
}

/* Why generator `name` is not listed in `gen --list`'s text `list`; NULL when
 * it is.  g_free it. */
static char *generator_problem(const char *list, const char *name)
{
    char *text = g_strdup_printf("\n%s", list); /* has_line looks for a line start */
    bool listed = has_line(text, "", name);
    g_free(text);
    return listed ? NULL : g_strdup_printf("generator %s is not listed by gen --list", name);
}

static void every_generator_is_listed(void **state)
{
    (void)state;
    char *list = cli_out(VT_OPTS("gen", "--list"));
    for (size_t i = 0; i < wl_count(); i++) {
        char *problem = generator_problem(list, wl_get(i)->name);
        if (problem)
            fail_msg("%s", problem);
        /* the seeded fault: the same list without the generator's line */
        char *line = g_strdup_printf("%s ", wl_get(i)->name), *no_line = doctored(list, line, "? ");
        caught(generator_problem(no_line, wl_get(i)->name), "a generator without its line in gen --list", "not listed");
        g_free(line);
        g_free(no_line);
    }
    assert_null(wl_get(wl_count()));
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

/* Why docs/architecture.md's text `doc` misleads: a heading missing, or a
 * list it names that is not where it says; NULL when neither.  g_free it. */
static char *checklist_problem(const char *doc)
{
    static const char *const headings[] = {"## How to add a translation mode", "## How to add a trace format",
                                           "## TLB hierarchy and its policies", "## Flow of a fault",
                                           "## The registries"};
    for (size_t i = 0; i < VS_ARRAY_LEN(headings); i++)
        if (!strstr(doc, headings[i]))
            return g_strdup_printf("docs/architecture.md lacks '%s'", headings[i]);
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
            return g_strdup_printf("docs/architecture.md does not name %s", lists[i].file);
        char *text = source_file(lists[i].file);
        bool there = strstr(text, lists[i].list) != NULL;
        g_free(text);
        if (!there)
            return g_strdup_printf("%s no longer holds '%s', which docs/architecture.md points to", lists[i].file,
                                   lists[i].list);
    }
    return NULL;
}

static void architecture_checklists_point_at_real_things(void **state)
{
    (void)state;
    char *doc = source_file("docs/architecture.md"), *problem = checklist_problem(doc);
    if (problem)
        fail_msg("%s", problem);
    /* the seeded faults: the doc without a heading, and without a file it points to */
    char *no_heading = doctored(doc, "## Flow of a fault", "## Flow"), *no_file = doctored(doc, "sim/cpf/cpf.c", "cpf");
    caught(checklist_problem(no_heading), "docs/architecture.md without a heading", "lacks");
    caught(checklist_problem(no_file), "docs/architecture.md without a file it points to", "does not name");
    g_free(no_heading);
    g_free(no_file);
    g_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_mode_is_listed_and_classified),
        cmocka_unit_test(mode_checks_catch_seeded_faults),
        cmocka_unit_test(every_format_is_listed_and_detected),
        cmocka_unit_test(format_checks_catch_seeded_faults),
        cmocka_unit_test(every_generator_is_listed),
        cmocka_unit_test(writable_formats_follow_their_rows),
        cmocka_unit_test(architecture_checklists_point_at_real_things),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
