/*
 * cli_share.c: `vmemsim share [options] SNAPSHOT...` over the share module --
 * content-based page sharing of memory snapshots under the xen-thesis, ksm
 * or esx scanner, with costs per translation mode.
 *
 * SNAPSHOT is [VM[@SECONDS]=]PATH for an ELF core or vmcore, or
 * [VM[@SECONDS]=]raw:BASE:PATH for a raw image starting at physical BASE.
 * Snapshots of one VM name at several times form its timeline.
 */
#include "cli.h"
#include "share/share.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an option not given holds: values nobody types, so that a negative,
 * zero or NaN value that is given gets checked rather than read as "not given". */
#define UNSET_INT G_MININT
#define UNSET_INT64 G_MININT64
#define UNSET_DOUBLE (-DBL_MAX)

typedef struct share_opts {
    gchar *policy, *hash, *config, *mode, *old_mode, *calibration, *cow_trace, *cow_vm, *json;
    gchar **set;
    gboolean zero_pages, cow_convert, sizing, quiet;
    gint pages_to_scan, sleep_ms, max_sharing, scans;
    gint64 index_entries, seed;
    gdouble period, scan_rate, sample;
} share_opts;

/* Splits "VM@T=PATH" (the prefix is optional; a prefix never holds a '/'). */
static int parse_spec(const char *spec, size_t idx, char **vm, double *t, char **path, vs_err *err)
{
    const char *eq = strchr(spec, '=');
    const char *slash = strchr(spec, '/');
    *t = 0;
    if (!eq || (slash && slash < eq)) {
        *vm = g_strdup_printf("vm%zu", idx);
        *path = g_strdup(spec);
        return VS_OK;
    }
    char *head = g_strndup(spec, (size_t)(eq - spec));
    char *at = strchr(head, '@');
    if (at) {
        *at = '\0';
        char *end;
        *t = g_ascii_strtod(at + 1, &end);
        if (end == at + 1 || *end || !isfinite(*t) || *t < 0) {
            int rc = vs_fail(err, VS_E_USAGE, "snapshot '%s': time '%s' is not seconds >= 0", spec, at + 1);
            g_free(head);
            return rc;
        }
    }
    if (!*head) {
        g_free(head);
        return vs_fail(err, VS_E_USAGE, "snapshot '%s': empty VM name before '='", spec);
    }
    *vm = head;
    *path = g_strdup(eq + 1);
    return VS_OK;
}

static int open_snapshot(const char *path, share_image **img, vs_err *err)
{
    if (strncmp(path, "raw:", 4))
        return share_image_open_elf(path, img, err);
    const char *b = path + 4, *colon = strchr(b, ':');
    char *end = NULL;
    bool hex = b[0] == '0' && (b[1] == 'x' || b[1] == 'X');
    errno = 0;
    /* Decimal or 0x hex; strtoull alone would take "-1" (wrapping) and a leading 0 as octal. */
    const char *digits = b + (hex ? 2 : 0);
    unsigned long long base = colon && (hex ? g_ascii_isxdigit(*digits) : g_ascii_isdigit(*digits))
                                  ? strtoull(digits, &end, hex ? 16 : 10)
                                  : 0;
    if (!colon || end != colon || errno == ERANGE || colon[1] == '\0') /* the PATH too: "" opens nothing nameable */
        return vs_fail(err, VS_E_USAGE,
                       "'%s': expected raw:BASE:PATH (BASE in bytes, decimal or 0x hex below 2^64, e.g. 0x100000)",
                       path);
    return share_image_open_raw(colon + 1, base, img, err);
}

/* The rows of the thesis's sizing tables (section 6.7). */
#define T61_PAGES (1u << 20)   /* Table 6.1's memory: 4 GiB of 4 KiB pages */
#define T61_MAX_SCANS 9        /* its rows: 1 to 9 scans */
#define T62_MIN_MIB 512        /* Table 6.2's rows: 512 MiB to 4 GiB, doubling */
#define T62_MAX_MIB 4096
#define PAGES_PER_MIB 256      /* 4 KiB pages */

static void print_sizing(void)
{
    printf("Table 6.1 (4 GiB = 1,048,576 pages)\n%6s %10s %9s %14s %10s\n", "scans", "entries", "size MiB",
           "entries+10%", "size MiB");
    for (uint32_t x = 1; x <= T61_MAX_SCANS; x++) {
        uint64_t e = share_sizing_entries(T61_PAGES, x);
        uint32_t a = share_sizing_mib10(T61_PAGES, x, false), b = share_sizing_mib10(T61_PAGES, x, true);
        printf("%6u %10llu %7u.%u %14llu %8u.%u\n", x, (unsigned long long)e, a / 10, a % 10,
               (unsigned long long)share_sizing_slots(e), b / 10, b % 10);
    }
    printf("\nTable 6.2 (index of %u entries)\n%10s %10s %8s\n", SHARE_THESIS_ENTRIES, "memory MiB", "ratio", "scans");
    for (uint64_t mb = T62_MIN_MIB; mb <= T62_MAX_MIB; mb *= 2) {
        uint64_t pages = mb * PAGES_PER_MIB;
        printf("%10llu %10.3f %8u\n", (unsigned long long)mb, (double)pages / SHARE_THESIS_ENTRIES,
               share_sizing_scans(pages, SHARE_THESIS_ENTRIES));
    }
}

static int build_params(const share_opts *o, share_params *p, vs_err *err)
{
    share_policy pol = SHARE_KSM;
    if (o->policy && share_policy_from_name(o->policy, &pol))
        return vs_fail(err, VS_E_USAGE, "--policy %s: expected one of" SHARE_POLICY_CHOICES, o->policy);
    share_params_defaults(p, pol);
    if (o->hash && share_hash_from_name(o->hash, &p->hash))
        return vs_fail(err, VS_E_USAGE, "--hash %s: expected sfh or xxh64 (xxh64 needs libxxhash)", o->hash);
    p->zero_pages = o->zero_pages;
    p->cow_convert = o->cow_convert;
    if (o->pages_to_scan != UNSET_INT) {
        if (o->pages_to_scan < 1)
            return vs_fail(err, VS_E_USAGE, "--pages-to-scan must be >= 1");
        p->pages_to_scan = (uint32_t)o->pages_to_scan;
    }
    if (o->sleep_ms != UNSET_INT) {
        if (o->sleep_ms < 0)
            return vs_fail(err, VS_E_USAGE, "--sleep-millisecs %d: must be >= 0", o->sleep_ms);
        p->sleep_millisecs = (uint32_t)o->sleep_ms;
    }
    if (o->max_sharing != UNSET_INT) {
        if (o->max_sharing < 2)
            return vs_fail(err, VS_E_USAGE, "--max-page-sharing must be >= 2 (the kernel's minimum)");
        p->max_page_sharing = (uint32_t)o->max_sharing;
    }
    if (o->scans != UNSET_INT) {
        if (o->scans < 0)
            return vs_fail(err, VS_E_USAGE, "--scans %d: must be >= 0 (0 = the sizing function)", o->scans);
        p->scans = (uint32_t)o->scans;
    }
    if (o->index_entries != UNSET_INT64) {
        if (o->index_entries < 1)
            return vs_fail(err, VS_E_USAGE, "--index-entries %lld: must be >= 1", (long long)o->index_entries);
        p->index_entries = (uint64_t)o->index_entries;
    }
    if (o->period != UNSET_DOUBLE) {
        if (!(o->period > 0 && isfinite(o->period)))
            return vs_fail(err, VS_E_USAGE, "--period must be > 0 seconds");
        p->period_s = o->period;
    }
    if (o->scan_rate != UNSET_DOUBLE) {
        if (!(o->scan_rate > 0 && isfinite(o->scan_rate)))
            return vs_fail(err, VS_E_USAGE, "--scan-rate must be > 0 pages/s");
        p->scan_rate = o->scan_rate;
    }
    if (o->seed != UNSET_INT64) {
        if (o->seed < 0)
            return vs_fail(err, VS_E_USAGE, "--seed %lld: must be >= 0", (long long)o->seed);
        p->seed = (uint64_t)o->seed;
    }
    if (o->sample != UNSET_DOUBLE && !(o->sample > 0 && isfinite(o->sample)))
        return vs_fail(err, VS_E_USAGE, "--sample must be > 0 seconds");
    if (o->cow_vm && !o->cow_trace)
        return vs_fail(err, VS_E_USAGE, "--cow-vm %s: given without --cow-trace", o->cow_vm);
    return VS_OK;
}

static int build_config(const share_opts *o, vs_config *cfg, vs_err *err)
{
    cfg_defaults(cfg);
    if (o->config && cfg_load(cfg, o->config, err) != VS_OK)
        return err->code;
    if (o->set && cfg_override_all(cfg, (const char *const *)o->set, g_strv_length(o->set), err) != VS_OK)
        return err->code;
    if (o->mode) {
        char *a = g_strdup_printf("machine.mode=%s", o->mode);
        int rc = cfg_override(cfg, a, err);
        g_free(a);
        if (rc != VS_OK)
            return rc;
    }
    return VS_OK;
}

static int run(share_opts *o, int argc, char **argv)
{
    vs_err err = {0};
    share_params p;
    vs_config cfg;
    share_cost cost;
    share_cost_defaults(&cost);
    GPtrArray *inputs = g_ptr_array_new_with_free_func(g_free);
    for (int i = 1; i < argc; i++) {
        char *vm = NULL, *path = NULL;
        double t;
        vs_err ignored = {0}; /* a malformed spec is reported when the snapshots are opened */
        if (parse_spec(argv[i], 0, &vm, &t, &path, &ignored) != VS_OK)
            continue;
        const char *file = strncmp(path, "raw:", 4) ? NULL : strchr(path + 4, ':');
        g_ptr_array_add(inputs, g_strdup(file ? file + 1 : path));
        g_free(vm);
        g_free(path);
    }
    for (const char *extra[] = {o->config, o->calibration, o->cow_trace}, **e = extra; e < extra + 3; e++)
        if (*e)
            g_ptr_array_add(inputs, g_strdup(*e));
    int checked = cli_check_outputs(o->json, NULL, (const char *const *)inputs->pdata, inputs->len, &err);
    g_ptr_array_free(inputs, TRUE);
    if (checked != VS_OK)
        return cli_error(&err);
    if (build_params(o, &p, &err) != VS_OK || build_config(o, &cfg, &err) != VS_OK ||
        (o->calibration && share_cost_load(&cost, o->calibration, &err) != VS_OK))
        return cli_error(&err);
    share_run *r = share_run_new(&p, &cost, &cfg);
    int rc = VS_OK;
    for (int i = 1; i < argc && rc == VS_OK; i++) {
        char *vm = NULL, *path = NULL;
        double t;
        share_image *img;
        rc = parse_spec(argv[i], (size_t)i - 1, &vm, &t, &path, &err);
        if (rc != VS_OK)
            break;
        rc = open_snapshot(path, &img, &err);
        if (rc == VS_OK)
            rc = share_run_add(r, vm, t, img, &err);
        g_free(vm);
        g_free(path);
    }
    if (rc == VS_OK && o->cow_trace) {
        uint32_t vm = 0;
        if (o->cow_vm) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(o->cow_vm, &end, 10);
            if (end == o->cow_vm || *end || errno || !g_ascii_isdigit(*o->cow_vm) || v > UINT32_MAX)
                rc = vs_fail(&err, VS_E_USAGE, "--cow-vm %s: expected a VM index (0 = first VM named)", o->cow_vm);
            vm = (uint32_t)v;
        }
        if (rc == VS_OK)
            rc = share_run_set_cow_trace(r, o->cow_trace, vm, &err);
    }
    if (rc == VS_OK) {
        share_run_set_sample(r, o->sample != UNSET_DOUBLE ? o->sample : 0);
        rc = share_run_exec(r, &err);
    }
    if (rc == VS_OK && !o->quiet)
        share_run_print(r, cli_text_stream(o->json, NULL));
    if (rc == VS_OK && o->json) {
        of_file *out = of_open(o->json, &err);
        rc = out ? VS_OK : VS_E_IO;
        if (out) {
            jw *w = jw_new_json(of_stream(out));
            share_run_report(r, w);
            jw_free(w);
            rc = of_commit(out, &err);
        }
    }
    share_run_free(r);
    return rc == VS_OK ? CLI_OK : cli_error(&err);
}

int cli_share(int argc, char **argv)
{
    share_opts o = {.pages_to_scan = UNSET_INT, .sleep_ms = UNSET_INT, .max_sharing = UNSET_INT, .scans = UNSET_INT,
                    .index_entries = UNSET_INT64, .seed = UNSET_INT64, .period = UNSET_DOUBLE,
                    .scan_rate = UNSET_DOUBLE, .sample = UNSET_DOUBLE};
    /* The defaults --help shows come from share_params_defaults, the one place
     * that sets them, so the help cannot drift from the parser. */
    share_params d;
    share_params_defaults(&d, SHARE_KSM);
    char *help[] = {
        g_strdup_printf("ksm: pages per batch (%u)", (unsigned)d.pages_to_scan),
        g_strdup_printf("ksm: sleep between batches (%u)", (unsigned)d.sleep_millisecs),
        g_strdup_printf("ksm: mappers per KSM page (%u)", (unsigned)d.max_page_sharing),
        g_strdup_printf("xen-thesis: index entries (%u)", (unsigned)SHARE_THESIS_ENTRIES),
        g_strdup_printf("xen-thesis: seconds between rounds (%g)", d.period_s),
        g_strdup_printf("esx: pages scanned per second (%g)", d.scan_rate),
        g_strdup_printf("esx: seed of the random scan order (%llu)", (unsigned long long)d.seed),
    };
    const GOptionEntry entries[] = {
        {"policy", 'p', 0, G_OPTION_ARG_STRING, &o.policy, "one of" SHARE_POLICY_CHOICES " (default ksm)", "NAME"},
        {"hash", 0, 0, G_OPTION_ARG_STRING, &o.hash, "sfh or xxh64 (default: sfh for xen-thesis, else xxh64)", "NAME"},
        {"zero-pages", 0, 0, G_OPTION_ARG_NONE, &o.zero_pages, "share zero pages via one zero page (ksm use_zero_pages)", NULL},
        {"cow-convert", 0, 0, G_OPTION_ARG_NONE, &o.cow_convert, "a write by the last sharer takes the frame over", NULL},
        {"pages-to-scan", 0, 0, G_OPTION_ARG_INT, &o.pages_to_scan, help[0], "N"},
        {"sleep-millisecs", 0, 0, G_OPTION_ARG_INT, &o.sleep_ms, help[1], "MS"},
        {"max-page-sharing", 0, 0, G_OPTION_ARG_INT, &o.max_sharing, help[2], "N"},
        {"scans", 0, 0, G_OPTION_ARG_INT, &o.scans, "xen-thesis: hash intervals per round (0 = sizing function)", "N"},
        {"index-entries", 0, 0, G_OPTION_ARG_INT64, &o.index_entries, help[3], "N"},
        {"period", 0, 0, G_OPTION_ARG_DOUBLE, &o.period, help[4], "S"},
        {"scan-rate", 0, 0, G_OPTION_ARG_DOUBLE, &o.scan_rate, help[5], "N"},
        {"seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, help[6], "N"},
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config, "machine configuration (timing model, machine.mode)", "INI"},
        {"set", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &o.set, "override a machine key (section.key=value)", "KV"},
        {"mode", 0, 0, G_OPTION_ARG_STRING, &o.mode, "translation mode (same as -o machine.mode=NAME)", "NAME"},
        {"old-mode", 'm', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o.old_mode, "deprecated spelling of --mode", "NAME"},
        {"calibration", 0, 0, G_OPTION_ARG_FILENAME, &o.calibration,
         "cost calibration (configs/share/*.ini; default: thesis Table 8.3)", "INI"},
        {"cow-trace", 0, 0, G_OPTION_ARG_FILENAME, &o.cow_trace, "replay this trace's stores after convergence", "TRACE"},
        {"cow-vm", 0, 0, G_OPTION_ARG_STRING, &o.cow_vm, "VM index the trace starts in (0)", "N"},
        {"sample", 0, 0, G_OPTION_ARG_DOUBLE, &o.sample, "also sample the counters every S seconds", "S"},
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &o.json, "write JSON, converged counters at top level ('-' = stdout, text to stderr)", "FILE"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "no text report", NULL},
        {"sizing", 0, 0, G_OPTION_ARG_NONE, &o.sizing, "print the thesis's Tables 6.1 and 6.2 from the sizing function", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    bool parsed = cli_parse("share", "SNAPSHOT...",
                            "Content-based page sharing of memory snapshots.  SNAPSHOT is [VM[@SECONDS]=]PATH (ELF "
                            "core or QEMU vmcore) or [VM[@SECONDS]=]raw:BASE:PATH; one VM's snapshots at several "
                            "times form a timeline.",
                            entries, &argc, &argv);
    for (size_t i = 0; i < VS_ARRAY_LEN(help); i++)
        g_free(help[i]);
    if (!parsed)
        return CLI_USAGE;
    int rc;
    if (o.old_mode) {
        cli_deprecated("share", "-m NAME", "--mode NAME");
        if (!o.mode) {
            o.mode = o.old_mode;
            o.old_mode = NULL;
        }
    }
    if (o.sizing) {
        print_sizing();
        rc = CLI_OK;
    } else if (argc < 2) {
        fprintf(stderr, "vmemsim share: expected at least one SNAPSHOT (see vmemsim share --help)\n");
        rc = CLI_USAGE;
    } else {
        rc = run(&o, argc, argv);
    }
    g_free(o.policy);
    g_free(o.hash);
    g_free(o.config);
    g_free(o.mode);
    g_free(o.old_mode);
    g_free(o.json);
    g_free(o.calibration);
    g_free(o.cow_trace);
    g_free(o.cow_vm);
    g_strfreev(o.set);
    return rc;
}
