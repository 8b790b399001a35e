/*
 * test_outfile.c: result files (sim/outfile.c) -- what of_check refuses, that
 * a commit replaces a file whole, that a failed write keeps the old file and
 * leaves no temporary, and that of_remove_stale removes only the temporaries
 * of dead processes of this host.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "vs_test.h"

static void expect_refused(const char *path, const char *const *inputs, size_t n, const char *want)
{
    vs_err err = {0};
    assert_int_not_equal(of_check("--json", path, inputs, n, &err), VS_OK);
    if (!strstr(err.msg, want) || !strstr(err.msg, path))
        fail_msg("'%s' lacks '%s' or the path", err.msg, want);
}

static int temporaries_in(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    int n = 0;
    for (const char *name; (name = g_dir_read_name(d));)
        n += g_str_has_prefix(name, ".vmemsim-tmp.");
    g_dir_close(d);
    return n;
}

static void check_refuses_what_is_no_result(void **state)
{
    (void)state;
    char *in = vt_write_file("in.txt", "x", 1), *fifo = vt_path("fifo"), *link = vt_path("link"),
         *fresh = vt_path("fresh.json");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(symlink(fresh, link), 0);
    vs_err err = {0};
    const char *inputs[] = {in};
    assert_int_equal(of_check("--json", fresh, inputs, 1, &err), VS_OK);
    assert_int_equal(of_check("--json", "-", inputs, 1, &err), VS_OK);
    expect_refused(fifo, NULL, 0, "FIFO");
    expect_refused(link, NULL, 0, "symbolic link");
    expect_refused("/dev/null", NULL, 0, "device");
    expect_refused(vt_tmpdir(), NULL, 0, "directory");
    expect_refused(in, inputs, 1, "also an input");
    expect_refused("/no/such/dir/x.json", NULL, 0, "does not exist");
    /* the same file under another spelling */
    char *other = g_strdup_printf("%s/./in.txt", vt_tmpdir());
    expect_refused(other, inputs, 1, "also an input");
    assert_true(of_same_path(in, other));
    assert_false(of_same_path(in, fresh));
    assert_true(of_same_path("-", "-"));
    g_free(other);
    g_free(in);
    g_free(fifo);
    g_free(link);
    g_free(fresh);
}

static void commit_replaces_whole_or_not_at_all(void **state)
{
    (void)state;
    char *p = vt_write_file("r.json", "{\"old\": 1}\n", 11);
    vs_err err = {0};
    assert_int_equal(of_write_text(p, "{\"new\": 2}\n", 11, &err), VS_OK);
    char *text = NULL;
    assert_true(g_file_get_contents(p, &text, NULL, NULL));
    assert_string_equal(text, "{\"new\": 2}\n");
    g_free(text);
    /* a write past the file-size limit fails; the old file stays, no temporary is left */
    of_install_cleanup(); /* SIGXFSZ ignored: the write fails instead of killing the test */
    struct rlimit old, small = {4096, 4096};
    getrlimit(RLIMIT_FSIZE, &old);
    small.rlim_max = old.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    size_t big = 1 << 20;
    char *junk = g_malloc0(big);
    int rc = of_write_text(p, junk, big, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    g_free(junk);
    assert_int_equal(rc, VS_E_IO);
    assert_non_null(strstr(err.msg, "r.json"));
    assert_true(g_file_get_contents(p, &text, NULL, NULL));
    assert_string_equal(text, "{\"new\": 2}\n");
    g_free(text);
    assert_int_equal(temporaries_in(vt_tmpdir()), 0);
    /* a path that became a FIFO after the check is not replaced */
    char *f = vt_path("late");
    of_file *o = of_open(f, &err);
    assert_non_null(o);
    assert_int_equal(mkfifo(f, 0600), 0);
    fputs("{}\n", of_stream(o));
    assert_int_equal(of_commit(o, &err), VS_E_IO);
    assert_non_null(strstr(err.msg, "FIFO"));
    assert_int_equal(temporaries_in(vt_tmpdir()), 0);
    g_free(f);
    g_free(p);
}

static void stale_temporaries_of_dead_processes_only(void **state)
{
    (void)state;
    const char *host = g_get_host_name();
    char *dead = g_strdup_printf("%s/.vmemsim-tmp.%s.999999999.0.a.csv", vt_tmpdir(), host);
    char *mine = g_strdup_printf("%s/.vmemsim-tmp.%s.%d.0.b.csv", vt_tmpdir(), host, (int)getpid());
    char *other_host = g_strdup_printf("%s/.vmemsim-tmp.%s-elsewhere.999999999.0.c.csv", vt_tmpdir(), host);
    char *tmp = of_temp_path(dead); /* a live one of this process: tracked, kept */
    for (char **p = (char *[]){dead, mine, other_host, tmp, NULL}; *p; p++)
        assert_true(g_file_set_contents(*p, "x", 1, NULL));
    assert_int_equal(of_remove_stale(vt_tmpdir()), 1);
    assert_false(g_file_test(dead, G_FILE_TEST_EXISTS));
    assert_true(g_file_test(mine, G_FILE_TEST_EXISTS));
    assert_true(g_file_test(other_host, G_FILE_TEST_EXISTS));
    assert_true(g_file_test(tmp, G_FILE_TEST_EXISTS));
    for (char **p = (char *[]){mine, other_host, tmp, NULL}; *p; p++)
        unlink(*p);
    of_untrack(tmp);
    g_free(dead);
    g_free(mine);
    g_free(other_host);
    g_free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_refuses_what_is_no_result),
        cmocka_unit_test(commit_replaces_whole_or_not_at_all),
        cmocka_unit_test(stale_temporaries_of_dead_processes_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
