/*
 * outfile.h: how every result file is written (run/ckpt/place/share --json
 * and --csv, sweep CSVs, gen -o, trace convert).  One helper, so the rules
 * hold everywhere:
 *
 *   - before any simulation, each output path is checked (of_check): its
 *     directory exists and a file can be created in it (tried, not asked of
 *     access(2)), and whatever is at the path is a regular file -- never a
 *     FIFO, symlink, device or directory -- and is not one of the inputs,
 *     nor another output of the same command;
 *   - the bytes go to a temporary file in the same directory
 *     (".vmemsim-tmp.PID.SEQ.NAME": same file system, so the rename is
 *     atomic; NAME's suffix kept, so format detection by suffix still works);
 *     they are flushed and fsync'ed, the path is re-checked, and only then is
 *     the temporary renamed over it.  A failed write (full disk, ulimit -f)
 *     removes the temporary and leaves the old file intact;
 *   - "-" means stdout, written directly;
 *   - temporaries are tracked: SIGINT, SIGTERM and SIGHUP remove them before
 *     the process dies (of_install_cleanup, which also turns SIGXFSZ into a
 *     plain write error), and of_remove_stale deletes those
 *     a killed process (SIGKILL) left behind, recognised by their dead PID.
 */
#ifndef VS_OUTFILE_H
#define VS_OUTFILE_H

#include "common.h"
#include <stdio.h>

typedef struct of_file of_file;

/* Checks output path (what names it in messages, e.g. "--json") before a run.
 * inputs (n_inputs paths) must not be the same file. */
int of_check(const char *what, const char *path, const char *const *inputs, size_t n_inputs, vs_err *err);
/* True when a and b name the same file (existing: same inode; else the same
 * canonical path).  "-" is only the same as "-". */
bool of_same_path(const char *a, const char *b);

/* Opens path for writing ("-": stdout).  NULL with err set on failure. */
of_file *of_open(const char *path, vs_err *err);
FILE *of_stream(of_file *o);
/* Flushes, syncs and renames the temporary over the path; frees o. */
int of_commit(of_file *o, vs_err *err);
/* Drops the temporary; frees o (NULL is a no-op). */
void of_abort(of_file *o);
/* of_open, one write of len bytes, of_commit. */
int of_write_text(const char *path, const char *text, size_t len, vs_err *err);

#define OF_WRITER_SUFFIX ".tmp" /* what trace/writer.c appends to the name it writes */

/* A fresh temporary name beside path (tracked until of_untrack; g_free it). */
char *of_temp_path(const char *path);
void of_untrack(const char *tmp);
/* Renames the finished temporary tmp over path after re-checking that path is
 * absent or a regular file; on any failure removes tmp.  Untracks tmp. */
int of_rename(const char *tmp, const char *path, vs_err *err);

/* Installs the SIGINT/SIGTERM/SIGHUP handler that removes tracked temporaries,
 * and ignores SIGXFSZ (a write past ulimit -f then fails with EFBIG). */
void of_install_cleanup(void);
/* Removes the temporaries of dead processes in dir; returns how many. */
unsigned of_remove_stale(const char *dir);

#endif
