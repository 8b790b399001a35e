/*
 * cli_place.c: `vmemsim place` -- replay a VM lifecycle trace on a datacenter
 * and report how many VMs got contiguous memory (seed 004), with an optional
 * estimate of the translation cycles that saves.
 */
#include "cli.h"
#include "place/place.h"
#include "version.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_IPS_PER_CORE 1e9 /* 1 instruction/ns per busy core (IPC 0.4 at 2.5 GHz): an estimate, no source */
#define SERVERS_UNSET G_MININT64 /* --servers not given: a value nobody types, so that 0 is checked */

typedef struct place_opts {
    gchar *policy, *dc_path, *json_path, *compaction, *synthetic, *translation, *machine, *old_machine;
    gint64 vms, seed, servers;
    gdouble ips;
    gboolean quiet;
} place_opts;

static void discard(void *ctx, const char *path, const char *value)
{
    (void)ctx;
    (void)path;
    (void)value;
}

static int run_one(const place_opts *o, const place_dc *dc, const place_trace *t, place_policy p, jw *w,
                   const place_bridge_in *bridge, vs_err *err)
{
    place_result *r = NULL;
    int rc = place_run(dc, t, p, &r, err);
    if (rc != VS_OK)
        return rc;
    FILE *human = o->quiet ? NULL : cli_text_stream(o->json_path, NULL);
    if (human)
        place_result_print(r, human);
    jw_object(w, NULL);
    place_result_report(r, w);
    if (bridge)
        rc = place_bridge(bridge, t, r, w, human, err);
    jw_end(w);
    place_result_free(r);
    return rc;
}

static int setup(place_opts *o, int argc, char **argv, place_dc *dc, place_trace *t, char *spec, size_t n,
                 vs_err *err)
{
    place_dc_defaults(dc);
    if (o->dc_path && place_dc_load(dc, o->dc_path, err) != VS_OK)
        return err->code;
    if (o->servers != SERVERS_UNSET)
        dc->servers = (uint32_t)o->servers;
    if (o->compaction) {
        static const char *const names[] = {"none", "demand", "periodic"};
        int found = -1;
        for (int i = 0; i < 3; i++)
            if (!strcmp(o->compaction, names[i]))
                found = i;
        if (found < 0)
            return vs_fail(err, VS_E_USAGE, "--compaction %s: expected none, demand or periodic", o->compaction);
        dc->compact = found;
    }
    if (o->servers != SERVERS_UNSET && (o->servers < 1 || o->servers > 1000000))
        return vs_fail(err, VS_E_USAGE, "--servers %lld: expected 1 to 1000000", (long long)o->servers);
    if (o->synthetic && argc > 1)
        return vs_fail(err, VS_E_USAGE, "give either --synthetic or a TRACE, not both");
    /* Checked here, so the error names the option typed, not the spec built from it. */
    if (o->synthetic && (o->vms < 1 || o->vms > PLACE_SYNTH_VMS_MAX))
        return vs_fail(err, VS_E_USAGE, "--vms %lld: expected 1 to %d", (long long)o->vms, PLACE_SYNTH_VMS_MAX);
    if (o->synthetic && o->seed < 0)
        return vs_fail(err, VS_E_USAGE, "--seed %lld: expected 0 or more", (long long)o->seed);
    if (o->synthetic)
        snprintf(spec, n, "synthetic:%s:vms=%lld:seed=%lld", o->synthetic, (long long)o->vms, (long long)o->seed);
    else if (argc == 2)
        snprintf(spec, n, "%s", argv[1]);
    else
        return vs_fail(err, VS_E_USAGE, "expected exactly one TRACE (or --synthetic STYLE); see vmemsim place --help");
    return place_trace_load(spec, t, err);
}

/* True when path is a datacenter INI (it has a [datacenter] section). */
static bool is_datacenter_ini(const char *path)
{
    GKeyFile *kf = g_key_file_new();
    bool dc = g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL) && g_key_file_has_group(kf, "datacenter");
    g_key_file_free(kf);
    return dc;
}

/* The old spellings, kept one release with a warning: -m FILE was the machine
 * config (now -c), and -c FILE was the datacenter (now --datacenter). */
static void resolve_spellings(place_opts *o)
{
    if (o->machine && !o->dc_path && is_datacenter_ini(o->machine)) {
        cli_deprecated("place", "-c DATACENTER.ini", "--datacenter FILE (-c is a machine config)");
        o->dc_path = o->machine;
        o->machine = NULL;
    }
    if (o->old_machine) {
        cli_deprecated("place", "-m/--machine FILE", "-c FILE");
        if (!o->machine) {
            o->machine = o->old_machine;
            o->old_machine = NULL;
        }
    }
}

int cli_place(int argc, char **argv)
{
    place_opts o = {.vms = PLACE_SYNTH_VMS, .seed = PLACE_SYNTH_SEED, .servers = SERVERS_UNSET, .ips = DEFAULT_IPS_PER_CORE};
    const GOptionEntry entries[] = {
        {"policy", 'p', 0, G_OPTION_ARG_STRING, &o.policy, PLACE_POLICY_CHOICES " (default contig)", "P"},
        {"datacenter", 0, 0, G_OPTION_ARG_FILENAME, &o.dc_path, "datacenter INI (default: the paper's Azure composition)", "FILE"},
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.machine, "machine config INI for --translation", "FILE"},
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &o.json_path, "write the results as JSON ('-' = stdout, text to stderr)", "FILE"},
        {"servers", 0, 0, G_OPTION_ARG_INT64, &o.servers, "override the fleet size", "N"},
        {"compaction", 0, 0, G_OPTION_ARG_STRING, &o.compaction, "none, demand or periodic (overrides the config)", "MODE"},
        {"synthetic", 0, 0, G_OPTION_ARG_STRING, &o.synthetic, "generate a trace: azure, cerit or bitbrains", "STYLE"},
        {"vms", 0, 0, G_OPTION_ARG_INT64, &o.vms, "VMs in the synthetic trace (default " G_STRINGIFY(PLACE_SYNTH_VMS) ")", "N"},
        {"seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "seed of the synthetic trace (default " G_STRINGIFY(PLACE_SYNTH_SEED) ")", "S"},
        {"translation", 0, 0, G_OPTION_ARG_FILENAME, &o.translation, "representative trace run in contig and nested mode to estimate cycles saved", "TRACE"},
        {"machine", 'm', 0, G_OPTION_ARG_FILENAME, &o.old_machine, "deprecated spelling of -c", "FILE"},
        {"ips", 0, 0, G_OPTION_ARG_DOUBLE, &o.ips,
         "assumed instructions per second per VM core (default " G_STRINGIFY(DEFAULT_IPS_PER_CORE) ")", "X"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "no summary lines", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("place", "[TRACE]",
                   "Replays VM creations and deletions on a datacenter whose servers have buddy-allocated memory\n"
                   "and reports the share of VMs that got contiguous memory (seed 004, Algorithms 1-3).\n"
                   "TRACE: Azure vmtable.csv (V1/V2), a Bitbrains GWA-T-12 file or directory, CERIT-SC SWF,\n"
                   "or synthetic:STYLE[:vms=N][:seed=S][:sizes=STYLE] (STYLE azure, cerit, bitbrains; sizes= draws\n"
                   "the VM sizes from another style's table, keeping STYLE's arrivals and lifetimes).",
                   entries, &argc, &argv))
        return CLI_USAGE;
    vs_err err = {0};
    int status = CLI_OK;
    resolve_spellings(&o);
    place_dc dc;
    place_trace t;
    place_trace_init(&t);
    place_policy only = PLACE_CONTIG;
    bool all = o.policy && !strcmp(o.policy, "all");
    place_bridge_in bridge = {.trace_path = o.translation, .ips_per_core = o.ips};
    of_file *out = NULL;
    jw *w = NULL;
    if (o.policy && !all && place_policy_parse(o.policy, &only, &err) != VS_OK)
        goto fail;
    if (!(o.ips > 0))
        vs_fail(&err, VS_E_USAGE, "--ips: expected a positive number");
    char spec[PATH_MAX + 64]; /* a path, or a synthetic spec with its numbers */
    const char *inputs[] = {argc > 1 ? argv[1] : NULL, o.dc_path, o.machine, o.translation};
    if (!(o.ips > 0) || cli_check_outputs(o.json_path, NULL, inputs, VS_ARRAY_LEN(inputs), &err) != VS_OK ||
        setup(&o, argc, argv, &dc, &t, spec, sizeof spec, &err) != VS_OK)
        goto fail;
    cfg_defaults(&bridge.cfg);
    if (o.machine && cfg_load(&bridge.cfg, o.machine, &err) != VS_OK)
        goto fail;
    if (o.json_path && !(out = of_open(o.json_path, &err)))
        goto fail;
    w = out ? jw_new_json(of_stream(out)) : jw_new_flat(discard, NULL);
    jw_object(w, NULL);
    jw_str(w, "command", "place");
    jw_str(w, "vmemsim", VS_VERSION);
    jw_str(w, "build", vs_build_id);
    jw_str(w, "trace", spec);
    jw_array(w, "runs");
    int rc = VS_OK;
    for (int p = all ? 0 : (int)only; rc == VS_OK && p <= (all ? PLACE_POLICY_COUNT - 1 : (int)only); p++)
        rc = run_one(&o, &dc, &t, (place_policy)p, w, o.translation ? &bridge : NULL, &err);
    jw_end(w);
    jw_end(w);
    if (rc == VS_OK)
        goto out;
fail:
    status = cli_error(&err);
out:
    if (w)
        jw_free(w);
    if (out && status != CLI_OK)
        of_abort(out);
    else if (out && of_commit(out, &err) != VS_OK)
        status = cli_error(&err);
    place_trace_free(&t);
    g_free(o.policy);
    g_free(o.dc_path);
    g_free(o.json_path);
    g_free(o.compaction);
    g_free(o.synthetic);
    g_free(o.translation);
    g_free(o.machine);
    g_free(o.old_machine);
    return status;
}
