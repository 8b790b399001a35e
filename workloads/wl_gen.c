/*
 * wl_gen.c: the registry of generators and wl_generate -- open the .vmt
 * writer, parse the arguments, run the generator, commit the file only on
 * success.  Each generator's file defines `const wl_gen wl_gen_STEM` (its
 * name, summary, keys and run function); WL_GENERATORS lists the stems in
 * `gen --list` order, so adding a generator is its file plus one row here.
 *
 * Invariant: a failed generation never leaves a file under the final name
 * (the writer renames its temporary file only on trace_writer_close).
 */
#include "wl_int.h"

#include <glib.h>
#include <string.h>

#define WL_GENERATORS(ROW) ROW(worst) ROW(vpr) ROW(hpcc) ROW(tpch) ROW(kbuild) ROW(boot) ROW(ds) ROW(ckptmicro)

#define WL_DECLARE(STEM) extern const wl_gen wl_gen_##STEM;
WL_GENERATORS(WL_DECLARE)
#define WL_ROW(STEM) &wl_gen_##STEM,
static const wl_gen *const GENS[] = {WL_GENERATORS(WL_ROW)};

size_t wl_count(void) { return VS_ARRAY_LEN(GENS); }
const wl_info *wl_get(size_t i) { return i < VS_ARRAY_LEN(GENS) ? &GENS[i]->info : NULL; }

int wl_generate(const char *name, int nkv, char **kv, uint64_t seed, const char *out_path, vs_err *err)
{
    const wl_gen *g = NULL;
    for (size_t i = 0; i < VS_ARRAY_LEN(GENS); i++)
        if (strcmp(GENS[i]->info.name, name) == 0)
            g = GENS[i];
    if (!g) {
        GString *known = g_string_new("");
        for (size_t i = 0; i < VS_ARRAY_LEN(GENS); i++)
            g_string_append_printf(known, "%s%s", i ? ", " : "", GENS[i]->info.name);
        vs_fail(err, VS_E_USAGE, "gen: unknown generator '%s' (expected one of %s)", name, known->str);
        g_string_free(known, TRUE);
        return VS_E_USAGE;
    }
    wl_args *a;
    int rc = wl_args_parse(name, nkv, kv, &a, err);
    if (rc != VS_OK)
        return rc;
    trace_writer *w;
    rc = trace_writer_open(out_path, TFMT_VMT, TCODEC_ZLIB, &w, err);
    if (rc != VS_OK) {
        wl_args_free(a);
        return rc;
    }
    wl_out *o = wl_out_new(w);
    rc = g->run(a, seed, o, err);
    if (rc == VS_OK)
        rc = wl_out_flush(o, err);
    wl_out_free(o);
    wl_args_free(a);
    if (rc != VS_OK) {
        trace_writer_abort(w);
        return rc;
    }
    return trace_writer_close(w, err);
}
