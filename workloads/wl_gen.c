/*
 * wl_gen.c: the generator table and wl_generate -- open the .vmt writer,
 * parse the arguments, run the generator, commit the file only on success.
 *
 * Invariant: a failed generation never leaves a file under the final name
 * (the writer renames its temporary file only on trace_writer_close).
 */
#include "wl_int.h"

#include <glib.h>
#include <string.h>

static const wl_gen *const GENS[] = {&wl_gen_worst, &wl_gen_vpr,    &wl_gen_hpcc, &wl_gen_tpch,
                                     &wl_gen_kbuild, &wl_gen_boot, &wl_gen_ds, &wl_gen_ckptmicro};

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
