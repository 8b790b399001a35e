/*
 * cli_gen.c: `vmemsim gen NAME [key=value ...] -o OUT.vmt|- [--seed N]` -- the
 * synthetic workload generators (workloads/workloads.h).  Same name, keys
 * and seed give the same bytes.
 */
#include "cli.h"
#include "workloads/workloads.h"

#include <stdio.h>
#include <string.h>

static void list_generators(FILE *out)
{
    for (size_t i = 0; i < wl_count(); i++) {
        const wl_info *g = wl_get(i);
        fprintf(out, "%-7s %s\n        keys: %s\n", g->name, g->summary, g->keys);
    }
    fprintf(out, "common keys: refs=N | instructions=N sets the length (default refs=1000000)\n");
}

typedef struct gen_job {
    const char *name;
    int nkv;
    char **kv;
    uint64_t seed;
} gen_job;

static int make_trace(void *ctx, const char *tmp, vs_err *err)
{
    const gen_job *g = ctx;
    return wl_generate(g->name, g->nkv, g->kv, g->seed, tmp, err);
}

int cli_gen(int argc, char **argv)
{
    gchar *out = NULL;
    gint64 seed = 1;
    gboolean list = FALSE;
    const GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "the .vmt trace to write ('-' = stdout)", "OUT.vmt"},
        {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "random seed (1)", "N"},
        {"list", 0, 0, G_OPTION_ARG_NONE, &list, "list the generators and their keys", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("gen", "NAME [KEY=VALUE ...]",
                   "Writes a synthetic trace, or a raw guest-memory image for `vmemsim share`, with the "
                   "generator NAME (--list names each, its source and its keys).",
                   entries, &argc, &argv))
        return CLI_USAGE;
    if (list) {
        list_generators(stdout);
        g_free(out);
        return CLI_OK;
    }
    if (argc < 2 || !out || seed < 0) {
        fprintf(stderr, "vmemsim gen: expected NAME and -o OUT.vmt (and --seed N >= 0); see --list\n");
        g_free(out);
        return CLI_USAGE;
    }
    vs_err err = {0};
    gen_job job = {argv[1], argc - 2, argv + 2, (uint64_t)seed};
    int rc = cli_produce_file("-o", out, NULL, 0, make_trace, &job, &err);
    g_free(out);
    return rc == VS_OK ? CLI_OK : cli_error(&err);
}
