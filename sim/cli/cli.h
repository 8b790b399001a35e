/*
 * cli.h: the vmemsim command line, a thin front end over libvmemsim.  Each
 * subcommand is one function taking its own argv; options are parsed by glib
 * (GOptionContext), whose entry tables also produce each --help.
 *
 * Exit status: 0 success, 1 bad input or a failed run (the message names the
 * file and where), 2 a usage error.
 */
#ifndef VS_CLI_H
#define VS_CLI_H

#include "common.h"
#include "outfile.h"
#include <glib.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cli_run(int argc, char **argv);
int cli_trace(int argc, char **argv);
int cli_share(int argc, char **argv);
int cli_gen(int argc, char **argv);
int cli_ckpt(int argc, char **argv);
int cli_place(int argc, char **argv);
int cli_sweep(int argc, char **argv);

/* Parses argv with entries; on failure prints the error and returns false. */
bool cli_parse(const char *cmd, const char *params, const char *summary, const GOptionEntry *entries,
               int *argc, char ***argv);
int cli_error(const vs_err *err);

/* ---- the one convention for results (cli_out.c) ----
 * --json FILE|- and --csv FILE|- mean the same in every subcommand: FILE is
 * written whole or not at all (outfile.h); "-" is stdout and then carries only
 * that machine-readable output, the human summary going to stderr. */

/* Checks the outputs before any work: each through of_check (against the
 * inputs), the two not the same file, an existing --json target a JSON file. */
int cli_check_outputs(const char *json, const char *csv, const char *const *inputs, size_t n_inputs,
                      vs_err *err);
/* Where the human summary goes: stderr when a result takes stdout. */
FILE *cli_text_stream(const char *json, const char *csv);
/* Writes run's --csv: one table, one row per block of sim_report_rows (the
 * totals, each VM, each process, each interval sample), the columns in the
 * order they first appear, a cell empty where its row's block lacks it.
 * Several machines (run --modes/--machines) give these rows for each, in
 * order, each starting with a `machine` column (its index in the pass). */
typedef struct vs_sim vs_sim;
int cli_write_csv(vs_sim *const *sims, unsigned n, const char *path, vs_err *err);
/* Warns once that an option's old spelling is deprecated. */
void cli_deprecated(const char *cmd, const char *old, const char *now);
/* Makes a file (a trace) at out ("-": stdout) through make(ctx, tmp), which
 * writes a temporary that then replaces out (outfile.h): out is checked first
 * against the inputs, and a failed make leaves the old out intact. */
int cli_produce_file(const char *what, const char *out, const char *const *inputs, size_t n_inputs,
                     int (*make)(void *ctx, const char *tmp, vs_err *err), void *ctx, vs_err *err);

#endif
