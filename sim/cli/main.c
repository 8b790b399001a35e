/*
 * main.c: `vmemsim COMMAND ...` -- dispatches to the subcommands.
 */
#include "cli.h"
#include "config.h"
#include "version.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_command;

static const cli_command commands[] = {
    {"run", cli_run, "simulate traces on a configured machine and report translation costs"},
    {"trace", cli_trace, "inspect and convert traces (info, head, convert)"},
    {"share", cli_share, "content-based page sharing of memory snapshots (share --help names the policies)"},
    {"gen", cli_gen, "generate synthetic workload traces and guest memory images (gen --list names them)"},
    {"ckpt", cli_ckpt, "application checkpointing: cost of each dirty-tracking technique per transaction"},
    {"sweep", cli_sweep, "run a parameter sweep in parallel into one CSV; emit Slurm / GNU parallel jobs; collect"},
    {"place", cli_place, "replay VM lifecycle traces on a datacenter: contiguous-memory VMs per placement policy"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: vmemsim COMMAND [options] ...\n\ncommands:\n");
    for (size_t i = 0; i < VS_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`vmemsim COMMAND --help` describes each; `vmemsim --version` names the build.\n"
                 "Results: --json FILE|- (and --csv FILE|- where offered) mean the same in every command;\n"
                 "- is stdout, the text summary then going to stderr.  -c is a machine config wherever\n"
                 "one is taken, except ckpt's deprecated -c (its --calib file).\n");
}

/* The value of numeric option e in the argument at argv[*i] (--name=V,
 * --name V, -x V: the forms GOption takes), or NULL when that argument is not e. */
static const char *numeric_value(const GOptionEntry *e, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    size_t n = e->long_name ? strlen(e->long_name) : 0;
    if (a[0] == '-' && a[1] == '-' && n && !strncmp(a + 2, e->long_name, n) && a[2 + n] == '=')
        return a + 3 + n;
    bool named = (a[0] == '-' && a[1] == '-' && n && !strcmp(a + 2, e->long_name)) ||
                 (a[0] == '-' && e->short_name && a[1] == e->short_name && !a[2]);
    if (!named || *i + 1 >= argc)
        return NULL; /* not e, or its value is missing (GOption says so) */
    return argv[++*i];
}

/* Whether v holds any white space: strtol and cfg_parse_decimal skip it
 * where it leads, so a "\r3" pasted from a file would read as 3. */
static bool has_space(const char *v)
{
    for (; *v; v++)
        if (g_ascii_isspace(*v))
            return true;
    return false;
}

/* GOption reads an integer option with strtol's base 0 (010 is 8, 0x10 is 16,
 * "-1" passes) and a double with strtod (inf and hex floats pass), leaving
 * ranges to each command: a zero-padded --vms=010 placed 8 VMs, and
 * --point=-1 (the "no point given" value) ran the whole sweep.  Every numeric
 * option takes what a config key takes instead (cfg_parse_decimal; a finite
 * number), without white space, checked before GOption parses. */
static bool numeric_options_ok(const char *cmd, const GOptionEntry *entries, int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        for (const GOptionEntry *e = entries; e->long_name; e++) {
            bool integer = e->arg == G_OPTION_ARG_INT || e->arg == G_OPTION_ARG_INT64;
            if (!integer && e->arg != G_OPTION_ARG_DOUBLE)
                continue;
            int at = i;
            const char *v = numeric_value(e, argc, argv, &at);
            if (!v)
                continue;
            uint64_t u;
            char *end = NULL;
            double d = integer ? 0 : g_ascii_strtod(v, &end);
            bool ok = !has_space(v) && /* white space is no part of a number on a command line */
                      (integer ? cfg_parse_decimal(v, &u) && u <= (e->arg == G_OPTION_ARG_INT ? INT_MAX : INT64_MAX)
                               : end != v && !*end && isfinite(d) && !strpbrk(v, "xX")); /* no hex float */
            if (!ok) {
                fprintf(stderr, "vmemsim %s: --%s = '%s': expected %s (see vmemsim %s --help)\n", cmd, e->long_name, v,
                        integer ? "a decimal integer >= 0, without a leading 0 or 0x" : "a finite decimal number", cmd);
                return false;
            }
            i = at;
            break;
        }
    return true;
}

bool cli_parse(const char *cmd, const char *params, const char *summary, const GOptionEntry *entries,
               int *argc, char ***argv)
{
    if (!numeric_options_ok(cmd, entries, *argc, *argv))
        return false;
    GOptionContext *ctx = g_option_context_new(params);
    g_option_context_set_summary(ctx, summary);
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *gerr = NULL;
    bool ok = g_option_context_parse(ctx, argc, argv, &gerr);
    if (!ok) {
        fprintf(stderr, "vmemsim %s: %s (see vmemsim %s --help)\n", cmd, gerr->message, cmd);
        g_error_free(gerr);
    }
    g_option_context_free(ctx);
    return ok;
}

/* Set once an error is reported: the exit status is then already non-zero. */
static bool error_reported;

int cli_error(const vs_err *err)
{
    error_reported = true;
    fprintf(stderr, "vmemsim: %s\n", err->msg);
    return err->code == VS_E_USAGE ? CLI_USAGE : CLI_FAIL;
}

/* The text a command prints to stdout (a summary, `trace head`'s records,
 * --help) is output too: a full disk or a closed stdout must not end in
 * status 0 with it silently lost.  An atexit handler, because glib's option
 * parser exits by itself after --help. */
static void check_stdout(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return;
    if (error_reported) /* the failed --json - or --csv - said it already */
        return;
    fprintf(stderr, "vmemsim: stdout: write failed: %s\n", errno ? g_strerror(errno) : "an earlier write failed");
    _exit(CLI_FAIL);
}

int main(int argc, char **argv)
{
    of_install_cleanup();
    atexit(check_stdout);
    if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
        printf("vmemsim %s (build %s)\n", VS_VERSION, vs_build_id);
        return CLI_OK;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < VS_ARRAY_LEN(commands); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "vmemsim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
