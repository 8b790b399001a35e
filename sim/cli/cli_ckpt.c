/*
 * cli_ckpt.c: `vmemsim ckpt [--calib CALIBRATION] TRACE [--json FILE|-]
 * [--opt N]` -- the application-checkpointing cost model (sim/ckpt) over one
 * trace.  Without --calib it uses the seeds' calibration,
 * configs/ckpt/xen2011.ini, and says which file that was.
 */
#include "cli.h"
#include "ckpt/ckpt.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

#define OPT_MAX 1e9 /* operations per transaction; beyond this it is a typo */
#define DEFAULT_CALIB "configs/ckpt/xen2011.ini" /* seeds 000/001: Xen 2011 measurements */

/* The default calibration: beside the executable's source tree (compiled in),
 * then relative to the executable (build/ or bin/ one level below the tree),
 * then the working directory.  NULL with err naming every place tried. */
static char *default_calibration(vs_err *err)
{
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *exe_dir = exe ? g_path_get_dirname(exe) : g_strdup(".");
    char *cands[] = {g_build_filename(VS_SOURCE_DIR_BUILT, DEFAULT_CALIB, NULL),
                     g_build_filename(exe_dir, "..", DEFAULT_CALIB, NULL), g_strdup(DEFAULT_CALIB)};
    char *found = NULL;
    GString *tried = g_string_new("");
    for (size_t i = 0; i < VS_ARRAY_LEN(cands); i++) {
        if (!found && g_file_test(cands[i], G_FILE_TEST_IS_REGULAR))
            found = g_strdup(cands[i]);
        g_string_append_printf(tried, "%s%s", i ? ", " : "", cands[i]);
        g_free(cands[i]);
    }
    if (!found)
        vs_fail(err, VS_E_IO, "no --calib given and the default calibration is not at %s", tried->str);
    g_string_free(tried, TRUE);
    g_free(exe);
    g_free(exe_dir);
    return found;
}

static int write_json(const ckpt_result *r, const char *trace, const char *calib, const char *path, vs_err *err)
{
    of_file *o = of_open(path, err);
    if (!o)
        return VS_E_IO;
    ckpt_report_json(r, trace, calib, of_stream(o));
    return of_commit(o, err);
}

int cli_ckpt(int argc, char **argv)
{
    gchar *calib_path = NULL, *old_calib = NULL, *json_path = NULL;
    gdouble opt = 1;
    gboolean quiet = FALSE;
    const GOptionEntry entries[] = {
        {"calib", 0, 0, G_OPTION_ARG_FILENAME, &calib_path,
         "per-operation costs (configs/ckpt/*.ini; default " DEFAULT_CALIB ")", "FILE"},
        {"calibration", 'c', 0, G_OPTION_ARG_FILENAME, &old_calib, "deprecated spelling of --calib", "FILE"},
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "write the results as JSON ('-' = stdout, text to stderr)",
         "FILE"},
        {"opt", 0, 0, G_OPTION_ARG_DOUBLE, &opt, "operations per transaction, for per-operation costs (1)", "N"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no text report (and no note of the default calibration)", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("ckpt", "TRACE",
                   "Costs each dirty-tracking technique (emul, pt, emulxen, ptxen, scanxen and the modern\n"
                   "mechanisms) on the transactions and critical data areas of TRACE.",
                   entries, &argc, &argv))
        return CLI_USAGE;
    int rc = CLI_USAGE;
    vs_err err = {0};
    if (old_calib) {
        cli_deprecated("ckpt", "-c/--calibration FILE", "--calib FILE (-c is a machine config)");
        if (!calib_path) {
            calib_path = old_calib;
            old_calib = NULL;
        }
    }
    if (argc != 2 || !(opt > 0 && opt <= OPT_MAX)) {
        fprintf(stderr, "vmemsim ckpt: expected one TRACE and --opt in (0, %g] (see vmemsim ckpt --help)\n",
                OPT_MAX);
        goto out;
    }
    if (!calib_path) {
        if (!(calib_path = default_calibration(&err))) {
            rc = cli_error(&err);
            goto out;
        }
        if (!quiet)
            fprintf(stderr, "vmemsim ckpt: calibration %s (the default; --calib FILE for another)\n", calib_path);
    }
    const char *inputs[] = {argv[1], calib_path};
    ckpt_calib calib;
    ckpt_scan *scan = NULL;
    if (cli_check_outputs(json_path, NULL, inputs, VS_ARRAY_LEN(inputs), &err) != VS_OK ||
        ckpt_calib_load(calib_path, &calib, &err) != VS_OK || ckpt_scan_file(argv[1], &scan, &err) != VS_OK) {
        rc = cli_error(&err);
        goto out;
    }
    ckpt_result res;
    ckpt_evaluate(&calib, scan, opt, &res);
    ckpt_scan_free(scan);
    rc = CLI_OK;
    if (!quiet)
        ckpt_report_text(&res, argv[1], calib_path, cli_text_stream(json_path, NULL));
    if (json_path && write_json(&res, argv[1], calib_path, json_path, &err) != VS_OK)
        rc = cli_error(&err);
out:
    g_free(calib_path);
    g_free(old_calib);
    g_free(json_path);
    return rc;
}
