/*
 * vs_test.h: what the CMocka tests share -- a per-process scratch directory
 * (created on first use, removed with everything in it at exit), writing
 * .vmt traces and small files there, running the engine with config
 * overrides and reading back its flattened results, a default sharing run,
 * and running the CLI.
 * Every helper fails the calling test (CMocka fail_msg) rather than
 * returning an error, so call sites stay assertions, not plumbing.
 */
#ifndef VS_TEST_H
#define VS_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "share/share.h"
#include "sim.h"
#include "trace/trace.h"

/* A NULL-terminated override list: VT_OPTS("tlb.pcid=false", "pwc.enabled=false"). */
#define VT_OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The scratch directory of this process. */
const char *vt_tmpdir(void);
/* The path of `name` inside the scratch directory (g_free it). */
char *vt_path(const char *name);
/* Writes recs as the .vmt trace `name` in the scratch directory; returns its path (g_free it). */
char *vt_write_vmt(const char *name, const trace_rec *recs, size_t n);
/* Writes n bytes as the file `name` in the scratch directory; returns its path (g_free it). */
char *vt_write_file(const char *name, const void *data, size_t n);

/* Runs the engine on n traces (dealt to the VMs in turn) under machine.mode=mode
 * (NULL: the default) and the section.key=value overrides of `base`, then
 * `extra` (NULL-terminated lists; either may be NULL).  Returns every
 * flattened result, "dotted.key" -> value; g_hash_table_destroy it. */
GHashTable *vt_run(const char *mode, const char *const *traces, size_t n, const char *const *base,
                   const char *const *extra);
/* The results of a finished run: its JSON text (free it), or flattened as
 * vt_run returns them. */
char *vt_report_json(vs_sim *s);
GHashTable *vt_report_flat(vs_sim *s);
/* cfg: the defaults with machine.mode = m. */
void vt_config_mode(vs_config *cfg, vs_mode m);

/* An observer (sim_set_observer) checking every access against the
 * engine's reference translation (sim_reference_translate): s is the run's
 * engine; first describes the first access that disagreed. */
typedef struct vt_watch {
    vs_sim *s;
    uint64_t checked, mismatches;
    char first[256];
} vt_watch;
void vt_watch_access(void *watch, uint32_t vm, uint32_t pid, uint64_t va, uint64_t pa);

/* A result as a number; a missing key fails the test naming it. */
uint64_t vt_u64(GHashTable *results, const char *key);
double vt_double(GHashTable *results, const char *key);

/* A sharing run under policy's default parameters, the built-in cost
 * calibration and the default machine; share_run_free it. */
share_run *vt_share_run(share_policy policy);

/* Runs the built vmemsim with args (NULL-terminated, without the program
 * name); returns its exit status, with its stdout and stderr (g_free both). */
int vt_cli(const char *const *args, char **out, char **err);
/* Runs the built vmemsim with args and wants it to refuse them: an exit
 * status in [rc_lo, rc_hi] and a stderr naming "PATH: record N: "; fails the
 * test saying `what` was not refused so. */
void vt_cli_refuses(const char *const *args, const char *path, unsigned record, int rc_lo, int rc_hi,
                    const char *what);

#endif
