/*
 * ckpt_calibrate.c: the checkpoint model's calibration tool, driven by
 * scripts/ckpt_calibrate.sh (docs/checkpoint.md, "Calibration").
 *
 *   ckpt_calibrate measure OUT.csv NAME:OPT:TRACE...
 *       reduces each `ds` trace to the sums the costs are linear in;
 *   ckpt_calibrate fit PRIOR.ini OUT.ini
 *       fits the [user]/[hypervisor] costs to seeds 000/001's Figures 8-10
 *       from the priors and writes the calibration;
 *   ckpt_calibrate checkpoint-block PRIOR.ini CALIB.ini WORKLOADS.csv
 *       prints docs/checkpoint.md's generated block: the fit and every
 *       constraint with its residual;
 *   ckpt_calibrate results-block CALIB.ini WORKLOADS.csv
 *       prints docs/figures.md's seeds 000/001 results table.
 * Exit status 1 on bad input (the message names the file), 2 on usage.
 */
#include "ckpt/ckpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE                                                                                                 \
    "usage: ckpt_calibrate measure OUT.csv NAME:OPT:TRACE...\n"                                               \
    "       ckpt_calibrate fit PRIOR.ini OUT.ini\n"                                                           \
    "       ckpt_calibrate checkpoint-block PRIOR.ini CALIB.ini WORKLOADS.csv\n"                              \
    "       ckpt_calibrate results-block CALIB.ini WORKLOADS.csv\n"

static int fail(const vs_err *err)
{
    fprintf(stderr, "ckpt_calibrate: %s\n", err->msg);
    return 1;
}

/* Writes to PATH.tmp and renames, so a failed run leaves the old file. */
static FILE *open_tmp(const char *path, char **tmp)
{
    size_t n = strlen(path) + 5;
    *tmp = vs_malloc(n);
    snprintf(*tmp, n, "%s.tmp", path);
    FILE *f = fopen(*tmp, "w");
    if (!f)
        fprintf(stderr, "ckpt_calibrate: %s: cannot create\n", *tmp);
    return f;
}

static int close_tmp(FILE *f, const char *path, char *tmp)
{
    int bad = ferror(f) | fclose(f);
    if (bad || rename(tmp, path)) {
        fprintf(stderr, "ckpt_calibrate: %s: cannot write\n", path);
        remove(tmp);
        free(tmp);
        return 1;
    }
    free(tmp);
    return 0;
}

static int measure(int argc, char **argv)
{
    char *tmp;
    FILE *out = open_tmp(argv[0], &tmp);
    if (!out)
        return 1;
    ckpt_wl_csv_header(out);
    for (int i = 1; i < argc; i++) {
        char name[16];
        unsigned opt;
        int used = 0;
        if (sscanf(argv[i], "%15[a-z]:%u:%n", name, &opt, &used) != 2 || !used || opt == 0) {
            fprintf(stderr, "ckpt_calibrate: '%s': expected NAME:OPT:TRACE\n%s", argv[i], USAGE);
            fclose(out);
            remove(tmp);
            free(tmp);
            return 2;
        }
        vs_err err = {0};
        ckpt_scan *s;
        if (ckpt_scan_file(argv[i] + used, &s, &err) != VS_OK) {
            fclose(out);
            remove(tmp);
            free(tmp);
            return fail(&err);
        }
        ckpt_wl w;
        ckpt_wl_from_scan(s, name, opt, &w);
        ckpt_scan_free(s);
        ckpt_wl_csv_row(&w, out);
    }
    return close_tmp(out, argv[0], tmp);
}

static int fit(const char *prior_path, ckpt_fit *f)
{
    vs_err err = {0};
    ckpt_calib prior;
    if (ckpt_calib_load(prior_path, &prior, &err) != VS_OK || ckpt_fit_run(&prior, prior_path, f, &err) != VS_OK)
        return fail(&err);
    return 0;
}

static int load(const char *calib_path, const char *wl_path, ckpt_calib *c, ckpt_wl **w, size_t *n)
{
    vs_err err = {0};
    if (ckpt_calib_load(calib_path, c, &err) != VS_OK || ckpt_wl_load_csv(wl_path, w, n, &err) != VS_OK)
        return fail(&err);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    ckpt_fit f;
    ckpt_calib c;
    ckpt_wl *w = NULL;
    size_t n;
    unsigned matched;
    if (!strcmp(cmd, "measure") && argc >= 4)
        return measure(argc - 2, argv + 2);
    if (!strcmp(cmd, "fit") && argc == 4) {
        if (fit(argv[2], &f))
            return 1;
        char *tmp;
        FILE *out = open_tmp(argv[3], &tmp);
        if (!out)
            return 1;
        ckpt_fit_write_ini(&f, argv[2], out);
        return close_tmp(out, argv[3], tmp);
    }
    if (!strcmp(cmd, "checkpoint-block") && argc == 5) {
        if (fit(argv[2], &f) || load(argv[3], argv[4], &c, &w, &n))
            return 1;
        ckpt_fit_report_md(&f, stdout);
        vs_err err = {0};
        int rc = ckpt_fit_sensitivity_md(&f.prior, argv[2], w, n, stdout, &err);
        if (rc == VS_OK)
            ckpt_constraints_md(&c, w, n, false, stdout, &matched);
        free(w);
        return rc == VS_OK ? 0 : fail(&err);
    }
    if (!strcmp(cmd, "results-block") && argc == 4) {
        if (load(argv[2], argv[3], &c, &w, &n))
            return 1;
        ckpt_constraints_md(&c, w, n, true, stdout, &matched);
        free(w);
        return 0;
    }
    fputs(USAGE, stderr);
    return 2;
}
