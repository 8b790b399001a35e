/*
 * cli_run.c: `vmemsim run` -- load configs, apply overrides, run the traces,
 * print the summary and write JSON / CSV results.
 *
 * Traces are processes of VM 0 unless vm.count > 1, when they are dealt to
 * the VMs in turn; an argument `vm=K` places the traces after it in VM K.
 *
 * --modes A,B,...: several machines in one pass, the same config in each of
 * the modes.  The traces are decoded once and every machine simulates every
 * batch (sim_run_machines); each machine's results are exactly those of a run
 * with -o machine.mode=A alone.  The JSON is then {"machines": [...]}, one
 * complete result object per machine in the order given; the CSV has one row
 * per machine (the union of their columns, in order of first appearance); the
 * summary has one block per machine.
 *
 * --machines A.ini,B.ini: more machines in the pass, each the -c configs with
 * its file on top, then -o and the region options, then (with --modes) each
 * mode: the machines in file-major order, each exactly `run -c ... -c A.ini
 * -o ... -o machine.mode=M`.
 */
#include "cli.h"
#include "sim.h"
#include "mmu/mode.h"
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

static int write_json(vs_sim *const *sims, unsigned n, bool multi, const char *path, vs_err *err)
{
    of_file *o = of_open(path, err);
    if (!o)
        return VS_E_IO;
    jw *w = jw_new_json(of_stream(o));
    if (multi) {
        jw_object(w, NULL);
        jw_array(w, "machines");
    }
    for (unsigned i = 0; i < n; i++)
        sim_report(sims[i], w);
    if (multi) {
        jw_end(w);
        jw_end(w);
    }
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

/* Every file the run reads: configs, machine files and traces (not the
 * vm=K markers). */
static GPtrArray *run_inputs(gchar **configs, const char *machine_files, int argc, char **argv)
{
    GPtrArray *in = g_ptr_array_new_with_free_func(g_free);
    for (gchar **c = configs; c && *c; c++)
        g_ptr_array_add(in, g_strdup(*c));
    gchar **files = g_strsplit(machine_files ? machine_files : "", ",", -1);
    for (gchar **f = files; *f; f++)
        if (*g_strstrip(*f))
            g_ptr_array_add(in, g_strdup(*f));
    g_strfreev(files);
    for (int i = 1; i < argc; i++)
        if (!g_str_has_prefix(argv[i], "vm=") || access(argv[i], F_OK) == 0)
            g_ptr_array_add(in, g_strdup(argv[i]));
    return in;
}

/* Adds the trace arguments to the n machines, which share their readers;
 * `vm=K` places the traces after it in VM K. */
static int add_traces(vs_sim *const *sims, unsigned n, int argc, char **argv, const vs_config *cfg, vs_err *err)
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
        int rc = sim_add_trace_shared(sims, n, argv[i], vm, err);
        if (rc != VS_OK)
            return rc;
    }
    return VS_OK;
}

/* --vs-native: every machine that is not native gets a native baseline on
 * the same traces and the same machine config (-c, --machines FILE, -o) --
 * the run's own native machine of that config when it has one, else one more
 * pass, in native mode (every trace a process of the one OS).  of[i] is the
 * machine config (--machines index) of machine i. */
static int native_baselines(vs_sim *const *sims, const vs_config *cfgs, const unsigned *of, unsigned n, int argc,
                            char **argv, bool bar, vs_err *err)
{
    int native_mode = mode_find("native");
    int rc = VS_OK;
    for (unsigned first = 0; first < n && rc == VS_OK; first++) {
        if (first > 0 && of[first] == of[first - 1])
            continue; /* the machines of one config are adjacent: each config once */
        const vs_sim *baseline = NULL;
        bool needed = false;
        for (unsigned i = first; i < n && of[i] == of[first]; i++) {
            if (cfgs[i].mode == native_mode)
                baseline = sims[i];
            else
                needed = true;
        }
        if (!needed)
            continue;
        vs_sim *native = NULL;
        if (!baseline) {
            vs_config ncfg = cfgs[first];
            ncfg.mode = native_mode;
            ncfg.vm_count = 1;
            rc = sim_new(&ncfg, &native, err);
            if (rc == VS_OK)
                rc = add_traces(&native, 1, argc, argv, &ncfg, err);
            if (rc == VS_OK)
                rc = sim_run(native, bar ? progress_bar : NULL, NULL, err);
            baseline = native;
        }
        for (unsigned i = first; rc == VS_OK && i < n && of[i] == of[first]; i++)
            if (cfgs[i].mode != native_mode)
                sim_set_native_baseline(sims[i], baseline);
        sim_free(native);
    }
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

/* The machines of one run, and what names each in messages. */
typedef struct machine_set {
    GArray *cfgs;     /* vs_config */
    GArray *of;       /* unsigned: the --machines file each came from (0 without --machines) */
    GPtrArray *names; /* "FILE, mode M", "mode M" or "FILE" */
} machine_set;

/* Adds the machine(s) of config c (machine file `file`, index f): c in each
 * mode of --modes, as -o machine.mode=NAME after every other override would
 * make it, or c itself. */
static int add_machines(machine_set *ms, const vs_config *c, const char *file, unsigned f, const char *modes,
                        vs_err *err)
{
    gchar **names = g_strsplit(modes ? modes : "", ",", -1);
    int rc = VS_OK;
    for (gchar **m = names; (modes ? *m != NULL : m == names) && rc == VS_OK; m++) {
        vs_config k = *c;
        if (modes) {
            /* Checked here so the error names --modes, not the -o it becomes. */
            char *name = g_strstrip(*m);
            for (char *p = name; *p; p++) /* mode names are case-insensitive, as in a config */
                *p = g_ascii_tolower(*p);
            if (mode_find(name) < 0) {
                GString *known = g_string_new("");
                for (unsigned i = 0; i < mode_count(); i++)
                    g_string_append_printf(known, " %s", mode_get((vs_mode)i)->name);
                rc = vs_fail(err, VS_E_USAGE, "--modes '%s': '%s' is not a mode; expected a comma list of:%s", modes,
                             name, known->str);
                g_string_free(known, TRUE);
                break;
            }
            char *kv = g_strdup_printf("machine.mode=%s", name);
            rc = cfg_override(&k, kv, err);
            g_free(kv);
        }
        if (rc != VS_OK)
            break;
        g_array_append_val(ms->cfgs, k);
        g_array_append_val(ms->of, f);
        g_ptr_array_add(ms->names, file && modes ? g_strdup_printf("%s, mode %s", file, cfg_mode_name((vs_mode)k.mode))
                                   : file        ? g_strdup(file)
                                                 : g_strdup_printf("mode %s", cfg_mode_name((vs_mode)k.mode)));
    }
    g_strfreev(names);
    if (rc == VS_OK && modes && ms->cfgs->len == 0)
        rc = vs_fail(err, VS_E_USAGE, "--modes '%s': expected a comma-separated list of modes", modes);
    return rc;
}

/* Every machine: the -c configs, then the machine file (--machines), then
 * the -o overrides and the region options, then each mode (--modes) -- what
 * `run -c ... -c FILE -o ... -o machine.mode=M` makes. */
static int machine_configs(machine_set *ms, gchar **configs, const char *machine_files, gchar **overrides,
                           gchar *const roi[3], const char *modes, vs_err *err)
{
    vs_config base;
    cfg_defaults(&base);
    for (gchar **c = configs; c && *c; c++)
        if (cfg_load(&base, *c, err) != VS_OK)
            return VS_E_CONFIG;
    gchar **files = g_strsplit(machine_files ? machine_files : "", ",", -1);
    int rc = VS_OK;
    for (unsigned f = 0; (machine_files ? files[f] != NULL : f == 0) && rc == VS_OK; f++) {
        vs_config c = base;
        const char *file = machine_files ? g_strstrip(files[f]) : NULL;
        if (file)
            rc = cfg_load(&c, file, err);
        if (rc == VS_OK && overrides)
            rc = cfg_override_all(&c, (const char *const *)overrides, g_strv_length(overrides), err);
        if (rc == VS_OK)
            rc = apply_roi_options(&c, roi, err);
        if (rc == VS_OK)
            rc = add_machines(ms, &c, file, f, modes, err);
    }
    g_strfreev(files);
    return rc;
}

/* Machines that share their readers must switch streams at the same records
 * (sim.h): with several traces, one sched.quantum for all. */
static int check_schedules(const machine_set *ms, int argc, vs_err *err)
{
    if (argc <= 2)
        return VS_OK;
    const vs_config *c = (const vs_config *)ms->cfgs->data;
    for (guint i = 1; i < ms->cfgs->len; i++)
        if (c[i].quantum != c[0].quantum)
            return vs_fail(err, VS_E_USAGE,
                           "machine %u (%s) has sched.quantum %llu but machine 0 (%s) %llu: machines of one pass "
                           "over several traces must schedule them alike; run them separately",
                           i, (const char *)ms->names->pdata[i], (unsigned long long)c[i].quantum,
                           (const char *)ms->names->pdata[0], (unsigned long long)c[0].quantum);
    return VS_OK;
}

/* Names the machine an error arose in, when the run has several. */
static int machine_error(const machine_set *ms, unsigned i, int rc, const vs_err *why, vs_err *err)
{
    char msg[VS_ERR_MSG_MAX];
    g_strlcpy(msg, why->msg, sizeof msg);
    return vs_fail(err, rc, "machine %u (%s): %s", i, (const char *)ms->names->pdata[i], msg);
}

int cli_run(int argc, char **argv)
{
    gchar **configs = NULL, **overrides = NULL;
    gchar *json_path = NULL, *csv_path = NULL, *modes = NULL, *machine_files = NULL;
    gboolean quiet = FALSE, help_config = FALSE, vs_native = FALSE;
    gchar *roi[3] = {NULL, NULL, NULL}; /* skip, warm-up, max: applied as overrides of the sim.* keys */
    const GOptionEntry entries[] = {
        {"config", 'c', 0, G_OPTION_ARG_FILENAME_ARRAY, &configs, "machine config (INI); repeatable, later wins", "FILE"},
        {"set", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &overrides, "override one key, e.g. -o tlb.stlb.entries=1536", "SECTION.KEY=VALUE"},
        {"modes", 0, 0, G_OPTION_ARG_STRING, &modes, "several machines in one pass, the config in each of these modes (the traces are decoded once); JSON {\"machines\": [...]}, a CSV row each", "MODE,MODE,..."},
        {"machines", 0, 0, G_OPTION_ARG_STRING, &machine_files, "several machines in one pass: the -c configs with each of these INI files on top (then -o; with --modes, each file in each mode)", "FILE,FILE,..."},
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "write every statistic as JSON ('-' = stdout, the summary then goes to stderr)", "FILE"},
        {"csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path, "write the statistics as CSV: a row of totals, then one per VM, process and interval sample (with several machines, these rows for each, told apart by a leading machine column; '-' = stdout); replaces FILE", "FILE"},
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
    machine_set ms = {g_array_new(FALSE, FALSE, sizeof(vs_config)), g_array_new(FALSE, FALSE, sizeof(unsigned)),
                      g_ptr_array_new_with_free_func(g_free)};
    GPtrArray *sims = g_ptr_array_new_with_free_func((GDestroyNotify)sim_free);
    bool multi = modes || machine_files;
    if (help_config) {
        vs_config cfg;
        cfg_defaults(&cfg);
        cfg_print_help(stdout);
        goto out;
    }
    GPtrArray *inputs = run_inputs(configs, machine_files, argc, argv);
    int checked = cli_check_outputs(json_path, csv_path, (const char *const *)inputs->pdata, inputs->len, &err);
    g_ptr_array_free(inputs, TRUE);
    if (checked != VS_OK)
        goto fail;
    if (machine_configs(&ms, configs, machine_files, overrides, roi, modes, &err) != VS_OK)
        goto fail;
    if (argc < 2) {
        fprintf(stderr, "vmemsim run: no trace given (see vmemsim run --help)\n");
        status = CLI_USAGE;
        goto out;
    }
    if (check_schedules(&ms, argc, &err) != VS_OK)
        goto fail;
    unsigned n = ms.cfgs->len;
    const vs_config *cfgs = (const vs_config *)ms.cfgs->data;
    for (unsigned i = 0; i < n; i++) {
        vs_sim *sim;
        int rc = sim_new(&cfgs[i], &sim, &err);
        if (rc != VS_OK) {
            if (multi)
                machine_error(&ms, i, rc, &err, &err);
            goto fail;
        }
        g_ptr_array_add(sims, sim);
    }
    vs_sim *const *machines = (vs_sim *const *)sims->pdata;
    if (add_traces(machines, n, argc, argv, &cfgs[0], &err) != VS_OK)
        goto fail;
    bool bar = !quiet && isatty(STDERR_FILENO);
    int *rcs = vs_calloc(n, sizeof *rcs);
    vs_err *errs = vs_calloc(n, sizeof *errs);
    sim_run_machines(machines, n, bar ? progress_bar : NULL, NULL, rcs, errs);
    int rc = VS_OK;
    for (unsigned i = 0; i < n && rc == VS_OK; i++) {
        rc = rcs[i];
        if (rc != VS_OK && multi)
            machine_error(&ms, i, rc, &errs[i], &err);
        else if (rc != VS_OK)
            err = errs[i];
    }
    free(rcs);
    free(errs);
    if (rc != VS_OK)
        goto fail;
    if (vs_native &&
        native_baselines(machines, cfgs, (const unsigned *)ms.of->data, n, argc, argv, bar, &err) != VS_OK)
        goto fail;
    if (!quiet) {
        FILE *text = cli_text_stream(json_path, csv_path);
        print_config_line(text, configs, overrides);
        double secs = 0;
        uint64_t refs = 0;
        for (unsigned i = 0; i < n; i++) {
            if (i > 0)
                fputc('\n', text);
            if (machine_files)
                fprintf(text, "machine %u: %s\n", i, (const char *)ms.names->pdata[i]);
            sim_print_summary(machines[i], text);
            secs = MAX(secs, sim_wall_seconds(machines[i]));
            refs += sim_refs(machines[i]);
        }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        fprintf(stderr, "simulated in %.2f s (%.1f M references/s%s), peak RSS %.1f MiB\n", secs,
                secs > 0 ? (double)refs / secs / 1e6 : 0, n > 1 ? ", all machines" : "",
                (double)ru.ru_maxrss / 1024.0);
    }
    if (json_path && write_json(machines, n, multi, json_path, &err) != VS_OK)
        goto fail;
    if (csv_path && cli_write_csv(machines, n, csv_path, &err) != VS_OK)
        goto fail;
    goto out;
fail:
    status = cli_error(&err);
out:
    g_ptr_array_free(sims, TRUE);
    g_array_free(ms.cfgs, TRUE);
    g_array_free(ms.of, TRUE);
    g_ptr_array_free(ms.names, TRUE);
    g_strfreev(configs);
    g_strfreev(overrides);
    g_free(json_path);
    g_free(csv_path);
    g_free(modes);
    g_free(machine_files);
    for (int i = 0; i < 3; i++)
        g_free(roi[i]);
    return status;
}
