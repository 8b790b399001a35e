/*
 * cli_trace.c: `vmemsim trace info|head|convert` over the trace module.
 */
#include "cli.h"
#include "trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int trace_info(int argc, char **argv)
{
    gboolean json = FALSE;
    const GOptionEntry entries[] = {{"json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL},
                                    {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("trace info", "TRACE", "Counts records by kind, pages, switches and transactions.", entries,
                   &argc, &argv))
        return CLI_USAGE;
    if (argc != 2) {
        fprintf(stderr, "vmemsim trace info: expected one trace\n");
        return CLI_USAGE;
    }
    vs_err err = {0};
    trace_summary *s;
    if (trace_summarize(argv[1], &s, &err) != VS_OK)
        return cli_error(&err);
    trace_summary_print(s, argv[1], json, stdout);
    trace_summary_free(s);
    return CLI_OK;
}

static int trace_head_cmd(int argc, char **argv)
{
    gint64 n = 20;
    const GOptionEntry entries[] = {{"lines", 'n', 0, G_OPTION_ARG_INT64, &n, "records to print (20)", "N"},
                                    {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("trace head", "TRACE", "Prints the first records of a trace.", entries, &argc, &argv))
        return CLI_USAGE;
    if (argc != 2 || n < 0) {
        fprintf(stderr, "vmemsim trace head: expected one trace and -n N >= 0\n");
        return CLI_USAGE;
    }
    vs_err err = {0};
    if (trace_head(argv[1], (uint64_t)n, stdout, &err) != VS_OK)
        return cli_error(&err);
    return CLI_OK;
}

static int trace_convert_cmd(int argc, char **argv)
{
    gchar *format = NULL;
    const GOptionEntry entries[] = {
        {"format", 'f', 0, G_OPTION_ARG_STRING, &format, "vmt or champsim (default: from OUT's name, else vmt)", "FMT"},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("trace convert", "IN OUT", "Converts any readable trace to .vmt or ChampSim.", entries, &argc,
                   &argv))
        return CLI_USAGE;
    trace_fmt fmt = TFMT_AUTO;
    if (format) {
        fmt = trace_fmt_from_name(format);
        if (fmt != TFMT_VMT && fmt != TFMT_CHAMPSIM) {
            fprintf(stderr, "vmemsim trace convert: --format %s: expected vmt or champsim\n", format);
            g_free(format);
            return CLI_USAGE;
        }
        g_free(format);
    }
    if (argc != 3) {
        fprintf(stderr, "vmemsim trace convert: expected IN and OUT\n");
        return CLI_USAGE;
    }
    vs_err err = {0};
    if (trace_convert(argv[1], argv[2], fmt, &err) != VS_OK)
        return cli_error(&err);
    return CLI_OK;
}

int cli_trace(int argc, char **argv)
{
    if (argc >= 2) {
        if (!strcmp(argv[1], "info"))
            return trace_info(argc - 1, argv + 1);
        if (!strcmp(argv[1], "head"))
            return trace_head_cmd(argc - 1, argv + 1);
        if (!strcmp(argv[1], "convert"))
            return trace_convert_cmd(argc - 1, argv + 1);
    }
    fprintf(argc >= 2 ? stderr : stdout,
            "usage: vmemsim trace info TRACE [--json]\n"
            "       vmemsim trace head TRACE [-n N]\n"
            "       vmemsim trace convert IN OUT [--format vmt|champsim]\n");
    return argc >= 2 && strcmp(argv[1], "--help") ? CLI_USAGE : CLI_OK;
}
