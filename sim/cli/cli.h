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

#endif
