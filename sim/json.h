/*
 * json.h: a streaming writer for results.  One report function writes each
 * statistic once; the writer sends it either to JSON text or, flattened, to a
 * callback that receives ("dotted.path", "value") pairs -- the form the sweep
 * CSV and run's CSV use.  Arrays are written to JSON only; the flat form
 * skips them (run's CSV gives the VM, process and interval lists rows of
 * their own: sim_report_rows).
 *
 * Invariants: containers close in the order they opened; keys are given
 * inside objects and never inside arrays; output is deterministic (doubles
 * use the C locale and a fixed precision).
 */
#ifndef VS_JSON_H
#define VS_JSON_H

#include "common.h"
#include <stdio.h>

typedef struct jw jw;
typedef void (*jw_flat_fn)(void *ctx, const char *path, const char *value);

jw *jw_new_json(FILE *out);
jw *jw_new_flat(jw_flat_fn fn, void *ctx);
void jw_free(jw *w); /* ends the JSON text with a newline */

void jw_object(jw *w, const char *key); /* key NULL at top level or inside arrays */
void jw_array(jw *w, const char *key);
void jw_end(jw *w);
void jw_u64(jw *w, const char *key, uint64_t v);
void jw_i64(jw *w, const char *key, int64_t v);
void jw_double(jw *w, const char *key, double v);
void jw_bool(jw *w, const char *key, bool v);
void jw_str(jw *w, const char *key, const char *v);
void jw_hex(jw *w, const char *key, uint64_t v); /* "0x..." string */

/* Writes s as a JSON string literal (quoted, '"' '\\' and control bytes
 * escaped): for the few outputs whose fixed one-line layout the writer's
 * indented form cannot give (trace info --json). */
void jw_put_string(FILE *out, const char *s);

#endif
