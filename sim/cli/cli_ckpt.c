/*
 * cli_ckpt.c: `vmemsim ckpt -c CALIBRATION TRACE [--json FILE] [--opt N]` --
 * the application-checkpointing cost model (sim/ckpt) over one trace.
 */
#include "cli.h"
#include "ckpt/ckpt.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

#define OPT_MAX 1e9 /* operations per transaction; beyond this it is a typo */

static int write_json(const ckpt_result *r, const char *trace, const char *calib, const char *path,
                      vs_err *err)
{
    FILE *f = jw_open_file(path, err);
    if (!f)
        return VS_E_IO;
    ckpt_report_json(r, trace, calib, f);
    return jw_close_file(f, path, err);
}

int cli_ckpt(int argc, char **argv)
{
    gchar *calib_path = NULL, *json_path = NULL;
    gdouble opt = 1;
    const GOptionEntry entries[] = {
        {"calibration", 'c', 0, G_OPTION_ARG_FILENAME, &calib_path,
         "per-operation costs (configs/ckpt/*.ini); required", "FILE"},
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "write the results as JSON ('-' = stdout, no text)",
         "FILE"},
        {"opt", 0, 0, G_OPTION_ARG_DOUBLE, &opt, "operations per transaction, for per-operation costs (1)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("ckpt", "TRACE",
                   "Costs each dirty-tracking technique (emul, pt, emulxen, ptxen, scanxen and the modern\n"
                   "mechanisms) on the transactions and critical data areas of TRACE.",
                   entries, &argc, &argv))
        return CLI_USAGE;
    int rc = CLI_USAGE;
    if (argc != 2 || !calib_path || !(opt > 0 && opt <= OPT_MAX)) {
        fprintf(stderr, "vmemsim ckpt: expected -c CALIBRATION, one TRACE and --opt in (0, %g] "
                        "(see vmemsim ckpt --help)\n", OPT_MAX);
        goto out;
    }
    vs_err err = {0};
    ckpt_calib calib;
    ckpt_scan *scan = NULL;
    if (ckpt_calib_load(calib_path, &calib, &err) != VS_OK || ckpt_scan_file(argv[1], &scan, &err) != VS_OK) {
        rc = cli_error(&err);
        goto out;
    }
    ckpt_result res;
    ckpt_evaluate(&calib, scan, opt, &res);
    ckpt_scan_free(scan);
    rc = CLI_OK;
    if (!json_path || strcmp(json_path, "-"))
        ckpt_report_text(&res, argv[1], calib_path, stdout);
    if (json_path && write_json(&res, argv[1], calib_path, json_path, &err) != VS_OK)
        rc = cli_error(&err);
out:
    g_free(calib_path);
    g_free(json_path);
    return rc;
}
