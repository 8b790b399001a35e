/*
 * test_config.c: the option table -- defaults, files, overrides, the echo, and
 * that every bad input is an error naming its origin, section, key and what
 * was expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "config.h"

#include <glib.h>

static int load(vs_config *c, const char *text, vs_err *err)
{
    cfg_defaults(c);
    return cfg_load_data(c, text, strlen(text), "test.ini", err);
}

static void defaults_are_skylake(void **state)
{
    (void)state;
    vs_config c;
    vs_err err = {0};
    cfg_defaults(&c);
    assert_int_equal(cfg_validate(&c, "defaults", &err), VS_OK);
    assert_string_equal(cfg_mode_name(c.mode), "native");
    assert_int_equal(c.guest_levels, 4);
    assert_int_equal(c.n_tlbs, 6);
    assert_string_equal(c.tlbs[4].name, "stlb");
    assert_int_equal(c.tlbs[4].entries, 1536);
    assert_int_equal(c.tlbs[4].ways, 12);
    assert_int_equal(c.tlbs[4].page_sizes, (1u << VS_PG_4K) | (1u << VS_PG_2M));
    assert_int_equal(c.n_caches, 4);
    assert_true(c.pwc_enabled);
}

static void file_values_and_sizes(void **state)
{
    (void)state;
    vs_config c;
    vs_err err = {0};
    assert_int_equal(load(&c, "[machine]\nmode = nested\nbase_cpi = 0.75\n[guest]\nmem = 2g\nlevels=5\n"
                              "[host]\npage_size = 2m\n", &err), VS_OK);
    assert_string_equal(cfg_mode_name(c.mode), "nested");
    assert_true(c.base_cpi == 0.75);
    assert_int_equal(c.guest_mem, 2ull << 30);
    assert_int_equal(c.guest_levels, 5);
    assert_int_equal(c.host_page_size, VS_PG_2M);
    assert_int_equal(c.n_tlbs, 6); /* no [tlb.*] in the file: defaults stand */
}

static void tlb_sections_replace_defaults(void **state)
{
    (void)state;
    vs_config c;
    vs_err err = {0};
    assert_int_equal(load(&c, "[tlb.only]\nentries = 1536\nways = 1536\npage_sizes = 4k, 2m ,1g\n", &err), VS_OK);
    assert_int_equal(c.n_tlbs, 1);
    assert_string_equal(c.tlbs[0].name, "only");
    assert_int_equal(c.tlbs[0].entries, 1536);
    assert_int_equal(c.tlbs[0].page_sizes, 7);
    assert_int_equal(c.tlbs[0].kind, TLB_UNIFIED);
}

static void errors_name_origin_section_key(void **state)
{
    (void)state;
    vs_config c;
    vs_err err = {0};
    assert_int_equal(load(&c, "[machine]\nmoed = native\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "test.ini"));
    assert_non_null(strstr(err.msg, "[machine] moed"));
    assert_non_null(strstr(err.msg, "unknown key"));

    assert_int_equal(load(&c, "[machine]\nmode = warp\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "'warp'"));
    assert_non_null(strstr(err.msg, "nested"));

    assert_int_equal(load(&c, "[tlb.x]\nentries = -5\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "[tlb.x] entries"));

    assert_int_equal(load(&c, "[tlb.x]\nentries = 100\nways = 8\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "multiple of ways"));

    assert_int_equal(load(&c, "[guest]\nlevels = 1\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "out of range"));
    assert_int_equal(load(&c, "[guest]\nlevels = 3\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "PAE"));
    /* 32-bit paging: frames below 4 GiB, 4 KiB pages, and only the modes that model it */
    assert_int_equal(load(&c, "[guest]\nlevels = 2\nmem = 1g\n", &err), VS_OK);
    assert_int_equal(load(&c, "[guest]\nlevels = 2\nmem = 8g\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "at most 4g"));
    assert_int_equal(load(&c, "[guest]\nlevels = 2\nmem = 1g\npage_size = 2m\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "PSE"));
    assert_int_equal(load(&c, "[machine]\nmode = agile\n[guest]\nlevels = 2\nmem = 1g\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "does not model 32-bit guests"));
    assert_int_equal(load(&c, "[machine]\nmode = shadow\n[guest]\nlevels = 2\nmem = 1g\n[host]\nmem = 8g\n", &err),
                     VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "host mem of at most 4g"));
    assert_int_equal(load(&c, "[machine]\nmode = shadow\n[guest]\nlevels = 2\nmem = 1g\n[host]\nmem = 4g\n", &err),
                     VS_OK);

    assert_int_equal(load(&c, "[guest]\nmem = 12q\n", &err), VS_E_CONFIG);
    assert_int_equal(load(&c, "[bogus]\nx = 1\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "unknown section"));
    assert_int_equal(load(&c, "this is not ini\n", &err), VS_E_FORMAT);
    assert_non_null(strstr(err.msg, "test.ini"));
    assert_int_equal(load(&c, "[machine]\nbase_cpi = nan\n", &err), VS_E_CONFIG);
    assert_int_equal(load(&c, "[host]\nmem = 99999999999999999999t\n", &err), VS_E_CONFIG);
}

/* A binary file: the error quotes its first line, but only as printable text. */
static void garbage_error_is_printable(void **state)
{
    (void)state;
    vs_config c;
    vs_err err = {0};
    char junk[300];
    uint64_t rng = 7;
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(vs_rng_next(&rng) % 255 + 1);
    cfg_defaults(&c);
    assert_int_not_equal(cfg_load_data(&c, junk, sizeof junk, "junk.ini", &err), VS_OK);
    assert_non_null(strstr(err.msg, "junk.ini"));
    for (const unsigned char *p = (const unsigned char *)err.msg; *p; p++)
        assert_true(*p >= 0x20 && *p != 0x7f && (*p < 0x80 || g_utf8_validate(err.msg, -1, NULL)));
}

static void overrides(void **state)
{
    (void)state;
    vs_config c;
    vs_err err = {0};
    cfg_defaults(&c);
    assert_int_equal(cfg_override(&c, "tlb.stlb.entries=1536", &err), VS_OK);
    assert_int_equal(cfg_override(&c, "pwc.enabled=false", &err), VS_OK);
    assert_false(c.pwc_enabled);
    /* -o never adds a structure by a typo; an explicit add does, in any order. */
    assert_int_equal(cfg_override(&c, "tlb.extra.entries=8", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "tlb.extra.add=true"));
    assert_int_equal(c.n_tlbs, 6);
    const char *add[] = {"tlb.extra.entries=8", "tlb.extra.ways=8", "tlb.extra.add=true"};
    assert_int_equal(cfg_override_all(&c, add, 3, &err), VS_OK);
    assert_int_equal(c.n_tlbs, 7);
    assert_int_equal(c.tlbs[6].entries, 8);
    cfg_defaults(&c);
    assert_int_equal(cfg_override(&c, "noequals", &err), VS_E_USAGE);
    assert_non_null(strstr(err.msg, "section.key=value"));
    assert_int_equal(cfg_override(&c, "machine.mode=shadow", &err), VS_OK);
    assert_string_equal(cfg_mode_name(c.mode), "shadow");
    assert_int_equal(cfg_override(&c, "tlb.stlb.ways=7", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "-o tlb.stlb.ways=7"));
}

static void count_keys(void *ctx, const char *key, const char *value)
{
    (void)value;
    int *n = ctx;
    if (!strcmp(key, "tlb.stlb.entries"))
        assert_string_equal(value, "1536");
    if (!strcmp(key, "tlb.stlb.page_sizes"))
        assert_string_equal(value, "4k,2m");
    if (!strcmp(key, "machine.mode"))
        assert_string_equal(value, "native");
    (*n)++;
}

static void echo_every_key(void **state)
{
    (void)state;
    vs_config c;
    cfg_defaults(&c);
    int n = 0;
    cfg_each(&c, count_keys, &n);
    assert_true(n > 60 + 6 * 7 + 4 * 7 - 1);
}

static void shipped_configs_load(void **state)
{
    (void)state;
    const char *files[] = {"skylake.ini", "zen3.ini", "barcelona.ini"};
    for (size_t i = 0; i < VS_ARRAY_LEN(files); i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/configs/%s", VS_SOURCE_DIR, files[i]);
        vs_config c;
        vs_err err = {0};
        cfg_defaults(&c);
        int rc = cfg_load(&c, path, &err);
        if (rc != VS_OK)
            fail_msg("%s", err.msg);
    }
}

/* Issue 12: integers are decimal only -- 0100 is never 64 and 0x10 never 16. */
static void integers_are_decimal(void **state)
{
    (void)state;
    vs_config c;
    vs_err err = {0};
    cfg_defaults(&c);
    static const char *const bad[] = {"cost.vmexit=01500", "cost.vmexit=0x10", "tlb.stlb.entries=0100",
                                      "cost.vmexit=+5", "guest.mem=010g"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(cfg_override(&c, bad[i], &err), VS_E_CONFIG);
        assert_non_null(strstr(err.msg, bad[i]));
    }
    assert_int_equal(c.cost_vmexit, 1500);
    assert_int_equal(cfg_override(&c, "cost.vmexit=0", &err), VS_OK);
    assert_int_equal(cfg_override(&c, "cost.vmexit=1500", &err), VS_OK);
    assert_int_equal(c.cost_vmexit, 1500);
    assert_int_equal(load(&c, "[cost]\nvmexit = 01500\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "test.ini"));
}

/* Issue 12: overrides are applied together, then validated: their order never
 * matters, and one key given twice is refused. */
static void overrides_order_free(void **state)
{
    (void)state;
    vs_config a, b;
    vs_err err = {0};
    const char *fwd[] = {"tlb.stlb.entries=2048", "tlb.stlb.ways=16"};
    const char *rev[] = {"tlb.stlb.ways=16", "tlb.stlb.entries=2048"};
    cfg_defaults(&a);
    cfg_defaults(&b);
    assert_int_equal(cfg_override_all(&a, fwd, 2, &err), VS_OK);
    assert_int_equal(cfg_override_all(&b, rev, 2, &err), VS_OK);
    assert_int_equal(a.tlbs[4].entries, 2048);
    assert_memory_equal(&a, &b, sizeof a);
    const char *twice[] = {"machine.mode=nested", "machine.mode=shadow"};
    assert_int_equal(cfg_override_all(&a, twice, 2, &err), VS_E_USAGE);
    assert_non_null(strstr(err.msg, "machine.mode=nested"));
    const char *typo[] = {"tlb.sltb.entries=1536"};
    assert_int_equal(cfg_override_all(&a, typo, 1, &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "tlb.sltb"));
    const char *cache[] = {"cache.l4.size=64m"};
    assert_int_equal(cfg_override_all(&a, cache, 1, &err), VS_E_CONFIG);
    const char *again[] = {"tlb.stlb.add=true"};
    assert_int_equal(cfg_override_all(&a, again, 1, &err), VS_E_CONFIG);
}

/* Issue 12: a NUL byte, or a key set twice, is an error naming file:line. */
static void nul_and_duplicate_keys(void **state)
{
    (void)state;
    vs_config c;
    vs_err err = {0};
    static const char nul[] = "[machine]\nmode = nat\0ive\n";
    cfg_defaults(&c);
    assert_int_equal(cfg_load_data(&c, nul, sizeof nul - 1, "nul.ini", &err), VS_E_FORMAT);
    assert_non_null(strstr(err.msg, "nul.ini:2"));
    assert_int_equal(load(&c, "[machine]\nmode = nested\n\n[cost]\nvmexit=1\nvmexit = 2\n", &err),
                     VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "test.ini:6: [cost] vmexit is set again (first at line 5)"));
    /* the same key in two sections is fine */
    assert_int_equal(load(&c, "[tlb.a]\nentries=4\n[tlb.b]\nentries=4\n", &err), VS_OK);
}

/* A UTF-8 byte-order mark before line 1, as Windows editors write, is skipped
 * like the VM-trace readers skip it: the values load, line numbers do not
 * move, and only a mark at the very start is one (a BOM-like sequence later
 * is an error on its own line). */
static void utf8_bom_is_skipped(void **state)
{
    (void)state;
    vs_config c, plain;
    vs_err err = {0};
    cfg_defaults(&plain);
    assert_int_equal(load(&plain, "[machine]\nmode = nested\n[cost]\nvmexit = 1234\n", &err), VS_OK);
    assert_int_equal(load(&c, "\xef\xbb\xbf[machine]\nmode = nested\n[cost]\nvmexit = 1234\n", &err), VS_OK);
    assert_int_equal(c.mode, plain.mode);
    assert_int_equal(c.cost_vmexit, plain.cost_vmexit);
    assert_int_equal(load(&c, "\xef\xbb\xbf[machine]\nmode = nested\nmode = shadow\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "test.ini:3: [machine] mode is set again (first at line 2)"));
    assert_int_equal(load(&c, "[machine]\n\xef\xbb\xbf[cost]\n", &err), VS_E_FORMAT);
    assert_non_null(strstr(err.msg, "test.ini:2: expected a [section] header"));
    assert_int_equal(cfg_check_ini_text("\xef\xbb\xbf[a]\n", 7, "x.ini", &err), VS_OK);
}

/* A section given twice is an error naming both headers, even if no key repeats
 * (GKeyFile would merge them: two files pasted together); a file with no
 * section and no key (cut to nothing, or comments only) is an error, not the
 * built-in defaults.  A blank or comment line counts for neither.  A line that
 * is neither a header nor key = value is named by its line. */
static void repeated_sections_and_empty_files(void **state)
{
    (void)state;
    vs_config c;
    vs_err err = {0};
    assert_int_equal(load(&c, "[machine]\nmode = nested\n\n[cost]\nvmexit=1\n  [machine] \nlevels_unused=1\n", &err),
                     VS_E_CONFIG);
    assert_string_equal(err.msg, "test.ini:6: [machine] appears again (first at line 1): give each section once");
    assert_int_equal(load(&c, "[tlb.x]\n[tlb.x]\n", &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "test.ini:2: [tlb.x] appears again (first at line 1)"));
    static const char *const nothing[] = {"", "\n\n", "# [machine]\n   \n# mode = nested\n"};
    for (size_t i = 0; i < sizeof nothing / sizeof *nothing; i++) {
        assert_int_equal(load(&c, nothing[i], &err), VS_E_CONFIG);
        assert_string_equal(err.msg, "test.ini: holds no section and no key (empty, or comments only)");
    }
    assert_int_equal(cfg_check_ini_text("#\n[a]\n", 5, "x.ini", &err), VS_OK);
    /* names that differ only in case or inner text are other sections */
    /* lines GKeyFile refuses without a line number are named here, with the line */
    static const struct {
        const char *text, *msg;
    } malformed[] = {
        {"[machine]\nmode\n", "test.ini:2: expected a [section] header or key = value, got 'mode'"},
        {"# x\n[machine\nmode = native\n", "test.ini:2: expected a [section] header or key = value, got '[machine'"},
        {"[a]b]\n", "test.ini:1: expected a [section] header or key = value, got '[a]b]'"},
        {"[]\nx = 1\n", "test.ini:1: expected a [section] header or key = value, got '[]'"},
        {"[machine] mode = native\n", "test.ini:1: expected a [section] header or key = value, got '[machine] mode = nat"},
        {"\nmode = native\n", "test.ini:2: key = value before any [section], got 'mode = native'"},
        {"[machine]\n = native\n", "test.ini:2: a value with no key, got '= native'"},
    };
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
        assert_int_equal(load(&c, malformed[i].text, &err), VS_E_FORMAT);
        assert_non_null(strstr(err.msg, malformed[i].msg));
    }
    static const char others[] = "[tlb.a]\nentries=4\n[tlb.A]\nentries=4\n[tlb.ab]\nentries=4\n";
    assert_int_equal(cfg_check_ini_text(others, sizeof others - 1, "x.ini", &err), VS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_skylake),     cmocka_unit_test(file_values_and_sizes),
        cmocka_unit_test(tlb_sections_replace_defaults), cmocka_unit_test(errors_name_origin_section_key),
        cmocka_unit_test(overrides),                cmocka_unit_test(garbage_error_is_printable),                cmocka_unit_test(echo_every_key),
        cmocka_unit_test(shipped_configs_load),
        cmocka_unit_test(integers_are_decimal),
        cmocka_unit_test(overrides_order_free),
        cmocka_unit_test(nul_and_duplicate_keys),
        cmocka_unit_test(repeated_sections_and_empty_files),
        cmocka_unit_test(utf8_bom_is_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
