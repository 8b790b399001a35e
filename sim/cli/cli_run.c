/*
 * cli_run.c: `vmemsim run` -- load configs, apply overrides, run the traces,
 * print the summary and write JSON / CSV results.
 *
 * Traces are processes of VM 0 unless vm.count > 1, when they are dealt to
 * the VMs in turn; an argument `vm=K` places the traces after it in VM K.
 */
#include "cli.h"
#include "sim.h"
#include "mmu/mode.h"
#include "sweep/sweep.h"
#include "trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void progress_bar(void *ctx, const sim_progress *p)
{
    (void)ctx;
    double rate = p->seconds > 0 ? (double)p->refs / p->seconds / 1e6 : 0;
    if (p->fraction >= 0) {
        const int width = 30; /* characters of bar: fits an 80-column terminal with the numbers */
        int done = (int)(p->fraction * width + 0.5);
        double eta = p->fraction > 0 ? p->seconds * (1 - p->fraction) / p->fraction : 0;
        fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %7.1f M refs/s  ETA %4.0f s ", done,
                "##############################", width - done, "", 100 * p->fraction, rate, eta);
    } else {
        fprintf(stderr, "\r%12llu refs  %7.1f M refs/s ", (unsigned long long)p->refs, rate);
    }
    if (p->fraction >= 1.0)
        fputc('\n', stderr);
    fflush(stderr);
}

static int write_json(vs_sim *sim, const char *path, vs_err *err)
{
    of_file *o = of_open(path, err);
    if (!o)
        return VS_E_IO;
    jw *w = jw_new_json(of_stream(o));
    sim_report(sim, w);
    jw_free(w);
    return of_commit(o, err);
}

/* What the run simulated, for the summary: the config files and overrides. */
static void print_config_line(FILE *out, gchar **configs, gchar **overrides)
{
    fprintf(out, "config: ");
    if (!configs || !*configs)
        fprintf(out, "built-in defaults");
    for (gchar **c = configs; c && *c; c++)
        fprintf(out, "%s%s", c == configs ? "" : ", then ", *c);
    for (gchar **o = overrides; o && *o; o++)
        fprintf(out, " -o %s", *o);
    fputc('\n', out);
}

/* Every file the run reads: configs and traces (not the vm=K markers). */
static GPtrArray *run_inputs(gchar **configs, int argc, char **argv)
{
    GPtrArray *in = g_ptr_array_new();
    for (gchar **c = configs; c && *c; c++)
        g_ptr_array_add(in, *c);
    for (int i = 1; i < argc; i++)
        if (!g_str_has_prefix(argv[i], "vm=") || access(argv[i], F_OK) == 0)
            g_ptr_array_add(in, argv[i]);
    return in;
}

/* Adds the trace arguments; `vm=K` places the traces after it in VM K. */
static int add_traces(vs_sim *sim, int argc, char **argv, const vs_config *cfg, vs_err *err)
{
    int vm = -1;
    for (int i = 1; i < argc; i++) {
        if (g_str_has_prefix(argv[i], "vm=") && access(argv[i], F_OK) != 0) {
            char *end;
            long k = strtol(argv[i] + 3, &end, 10);
            if (*end || k < 0 || k >= (long)cfg->vm_count)
                return vs_fail(err, VS_E_USAGE, "%s: expected vm=K with K from 0 to %u ([vm] count - 1)", argv[i],
                               cfg->vm_count - 1);
            vm = cfg->vm_count > 1 ? (int)k : 0;
            continue;
        }
        int rc = sim_add_trace(sim, argv[i], vm, err);
        if (rc != VS_OK)
            return rc;
    }
    return VS_OK;
}

/* The same traces in native mode (every trace a process of the one OS). */
static int run_native_baseline(vs_sim *sim, const vs_config *cfg, int argc, char **argv, bool bar, vs_err *err)
{
    vs_config ncfg = *cfg;
    ncfg.mode = mode_find("native");
    ncfg.vm_count = 1;
    vs_sim *native = NULL;
    int rc = sim_new(&ncfg, &native, err);
    if (rc == VS_OK)
        rc = add_traces(native, argc, argv, &ncfg, err);
    if (rc == VS_OK)
        rc = sim_run(native, bar ? progress_bar : NULL, NULL, err);
    if (rc == VS_OK)
        sim_set_native_baseline(sim, native);
    sim_free(native);
    return rc;
}

/* --skip/--warmup/--max-instructions win over configs and -o, as later
 * overrides of the same keys: one parser, one error message for both. */
static int apply_roi_options(vs_config *cfg, gchar *const roi[3], vs_err *err)
{
    static const char *const keys[3] = {"sim.skip_instructions", "sim.warmup_instructions", "sim.max_instructions"};
    for (int i = 0; i < 3; i++) {
        if (!roi[i])
            continue;
        char *kv = g_strdup_printf("%s=%s", keys[i], roi[i]);
        int rc = cfg_override(cfg, kv, err);
        g_free(kv);
        if (rc != VS_OK)
            return rc;
    }
    return VS_OK;
}

int cli_run(int argc, char **argv)
{
    gchar **configs = NULL, **overrides = NULL;
    gchar *json_path = NULL, *csv_path = NULL;
    gboolean quiet = FALSE, help_config = FALSE, vs_native = FALSE;
    gchar *roi[3] = {NULL, NULL, NULL}; /* skip, warm-up, max: applied as overrides of the sim.* keys */
    const GOptionEntry entries[] = {
        {"config", 'c', 0, G_OPTION_ARG_FILENAME_ARRAY, &configs, "machine config (INI); repeatable, later wins", "FILE"},
        {"set", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &overrides, "override one key, e.g. -o tlb.stlb.entries=1536", "SECTION.KEY=VALUE"},
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "write every statistic as JSON ('-' = stdout, the summary then goes to stderr)", "FILE"},
        {"csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path, "write the statistics as CSV: a row of totals, then one per VM, process and interval sample ('-' = stdout); replaces FILE", "FILE"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no summary, no progress bar", NULL},
        {"vs-native", 0, 0, G_OPTION_ARG_NONE, &vs_native, "also run native on the same traces; report the overhead", NULL},
        {"skip-instructions", 0, 0, G_OPTION_ARG_STRING, &roi[0], "read and discard the first N instructions (all traces): sets sim.skip_instructions", "N"},
        {"warmup-instructions", 0, 0, G_OPTION_ARG_STRING, &roi[1], "then simulate N instructions and reset every statistic: sets sim.warmup_instructions", "N"},
        {"max-instructions", 0, 0, G_OPTION_ARG_STRING, &roi[2], "then measure N instructions and stop (0 = to the end): sets sim.max_instructions", "N"},
        {"help-config", 0, 0, G_OPTION_ARG_NONE, &help_config, "list every config key with its default", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GString *summary = g_string_new("Simulates the traces as processes of one or more VMs and reports translation "
                                    "costs.\nFormats (detected from content; gzip/xz/zstd transparent):");
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++)
        g_string_append_printf(summary, "\n  %-11s %s", trace_fmt_name((trace_fmt)f), trace_fmt_help((trace_fmt)f));
    bool parsed = cli_parse("run", "TRACE... [vm=K TRACE...]", summary->str, entries, &argc, &argv);
    g_string_free(summary, TRUE);
    if (!parsed)
        return CLI_USAGE;
    int status = CLI_OK;
    vs_err err = {0};
    vs_sim *sim = NULL;
    vs_config cfg;
    cfg_defaults(&cfg);
    if (help_config) {
        cfg_print_help(stdout);
        goto out;
    }
    GPtrArray *inputs = run_inputs(configs, argc, argv);
    int checked = cli_check_outputs(json_path, csv_path, (const char *const *)inputs->pdata, inputs->len, &err);
    g_ptr_array_free(inputs, TRUE);
    if (checked != VS_OK)
        goto fail;
    for (gchar **c = configs; c && *c; c++)
        if (cfg_load(&cfg, *c, &err) != VS_OK)
            goto fail;
    if (overrides && cfg_override_all(&cfg, (const char *const *)overrides, g_strv_length(overrides), &err) != VS_OK)
        goto fail;
    if (apply_roi_options(&cfg, roi, &err) != VS_OK)
        goto fail;
    if (argc < 2) {
        fprintf(stderr, "vmemsim run: no trace given (see vmemsim run --help)\n");
        status = CLI_USAGE;
        goto out;
    }
    if (sim_new(&cfg, &sim, &err) != VS_OK)
        goto fail;
    if (add_traces(sim, argc, argv, &cfg, &err) != VS_OK)
        goto fail;
    bool bar = !quiet && isatty(STDERR_FILENO);
    if (sim_run(sim, bar ? progress_bar : NULL, NULL, &err) != VS_OK)
        goto fail;
    if (vs_native && cfg.mode != mode_find("native") && run_native_baseline(sim, &cfg, argc, argv, bar, &err) != VS_OK)
        goto fail;
    if (!quiet) {
        FILE *text = cli_text_stream(json_path, csv_path);
        print_config_line(text, configs, overrides);
        sim_print_summary(sim, text);
        double secs = sim_wall_seconds(sim);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        fprintf(stderr, "simulated in %.2f s (%.1f M references/s), peak RSS %.1f MiB\n", secs,
                secs > 0 ? (double)sim_refs(sim) / secs / 1e6 : 0, (double)ru.ru_maxrss / 1024.0);
    }
    if (json_path && write_json(sim, json_path, &err) != VS_OK)
        goto fail;
    if (csv_path && cli_write_csv(sim, csv_path, &err) != VS_OK)
        goto fail;
    goto out;
fail:
    status = cli_error(&err);
out:
    sim_free(sim);
    g_strfreev(configs);
    g_strfreev(overrides);
    g_free(json_path);
    g_free(csv_path);
    for (int i = 0; i < 3; i++)
        g_free(roi[i]);
    return status;
}
