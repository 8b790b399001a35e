/*
 * cli_trace.c: `vmemsim trace info|head|convert` over the trace module.
 */
#include "cli.h"
#include "trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int trace_info(int argc, char **argv)
{
    gchar *json = NULL;
    gint64 warmup = 0;
    const GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &json, "write the summary as JSON ('-' = stdout, instead of the text)",
         "FILE"},
        {"warmup-instructions", 0, 0, G_OPTION_ARG_INT64, &warmup,
         "measure the rates after the first N instructions, as run's --warmup-instructions (counts stay whole-trace)",
         "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("trace info", "TRACE", "Counts records by kind, pages, switches and transactions.", entries,
                   &argc, &argv))
        return CLI_USAGE;
    if (argc != 2 || warmup < 0) {
        fprintf(stderr, "vmemsim trace info: expected one trace and --warmup-instructions N >= 0\n");
        g_free(json);
        return CLI_USAGE;
    }
    vs_err err = {0};
    trace_summary *s = NULL;
    const char *inputs[] = {argv[1]};
    int rc = cli_check_outputs(json, NULL, inputs, 1, &err);
    if (rc == VS_OK)
        rc = trace_summarize_after(argv[1], (uint64_t)warmup, &s, &err);
    if (rc == VS_OK && (!json || strcmp(json, "-")))
        trace_summary_print(s, argv[1], false, stdout);
    if (rc == VS_OK && json) {
        of_file *o = of_open(json, &err);
        rc = o ? VS_OK : VS_E_IO;
        if (o) {
            trace_summary_print(s, argv[1], true, of_stream(o));
            rc = of_commit(o, &err);
        }
    }
    trace_summary_free(s);
    g_free(json);
    return rc == VS_OK ? CLI_OK : cli_error(&err);
}

#define HEAD_LINES 20 /* records `trace head` prints unless -n says: a screenful */

static int trace_head_cmd(int argc, char **argv)
{
    gint64 n = HEAD_LINES;
    const GOptionEntry entries[] = {{"lines", 'n', 0, G_OPTION_ARG_INT64, &n,
                                     "records to print (" G_STRINGIFY(HEAD_LINES) ")", "N"},
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

typedef struct convert_job {
    const char *in, *out;
    trace_fmt fmt; /* from OUT's name, not the temporary's, which is the one reported */
    uint64_t dropped;
} convert_job;

static int make_converted(void *ctx, const char *tmp, vs_err *err)
{
    convert_job *c = ctx;
    if (c->fmt == TFMT_AUTO)
        return vs_fail(err, VS_E_USAGE, "OUT %s: its name ends in no suffix of" TRACE_WRITABLE_FORMATS "; give --format",
                       c->out);
    return trace_convert(c->in, tmp, c->fmt, &c->dropped, err);
}

static int trace_convert_cmd(int argc, char **argv)
{
    gchar *format = NULL;
    const GOptionEntry entries[] = {
        {"format", 'f', 0, G_OPTION_ARG_STRING, &format, "one of" TRACE_WRITABLE_FORMATS " (default: from OUT's name, else vmt)", "FMT"},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("trace convert", "IN OUT", "Converts any readable trace to one of" TRACE_WRITABLE_FORMATS " (OUT '-': stdout).", entries, &argc,
                   &argv))
        return CLI_USAGE;
    trace_fmt fmt = TFMT_AUTO;
    if (format) {
        fmt = trace_fmt_from_name(format);
        if (!trace_fmt_writable(fmt)) {
            fprintf(stderr, "vmemsim trace convert: --format %s: expected one of" TRACE_WRITABLE_FORMATS "\n", format);
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
    convert_job job = {argv[1], argv[2], fmt, 0};
    const char *inputs[] = {argv[1]};
    if (!strcmp(argv[2], "-") && fmt == TFMT_AUTO)
        job.fmt = TFMT_VMT; /* no name to tell the format by: the native one */
    else if (fmt == TFMT_AUTO)
        job.fmt = trace_out_fmt_from_name(argv[2]);
    if (cli_produce_file("OUT", argv[2], inputs, 1, make_converted, &job, &err) != VS_OK)
        return cli_error(&err);
    if (job.dropped > 0)
        fprintf(stderr, "vmemsim: warning: %s: %llu records have no %s form and were dropped\n",
                strcmp(argv[2], "-") ? argv[2] : "stdout", (unsigned long long)job.dropped, trace_fmt_name(job.fmt));
    struct stat st;
    if (strcmp(argv[2], "-") && stat(argv[2], &st) == 0)
        fprintf(stderr, "vmemsim trace convert: wrote %s (%lld bytes) from %s\n", argv[2], (long long)st.st_size,
                argv[1]);
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
    /* Asked for, the usage goes to stdout with status 0; a missing or unknown
     * subcommand gets it on stderr with the usage status. */
    bool asked = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    fprintf(asked ? stdout : stderr,
            "usage: vmemsim trace info TRACE [--json FILE|-] [--warmup-instructions N]\n"
            "       vmemsim trace head TRACE [-n N]\n"
            "       vmemsim trace convert IN OUT|- [--format FMT]\n"
            "`vmemsim trace SUBCOMMAND --help` describes each.\n");
    return asked ? CLI_OK : CLI_USAGE;
}
