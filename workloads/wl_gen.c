/*
 * wl_gen.c: the registry of generators and wl_generate -- open the .vmt
 * writer (or, for an image generator, a temporary file), parse the
 * arguments, run the generator, commit the file only on success.  Each
 * generator's file defines `const wl_gen wl_gen_STEM` (an image generator
 * `const wl_image_gen wl_gen_STEM`): its name, summary, keys and run
 * function; WL_GENERATORS lists the stems in `gen --list` order, so adding a
 * generator is its file plus one row here.
 *
 * Invariant: a failed generation never leaves a file under the final name
 * (the writer renames its temporary file only on trace_writer_close).
 */
#include "wl_int.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WL_GENERATORS(TRACE, IMAGE)                                                                          \
    TRACE(worst) TRACE(vpr) TRACE(hpcc) TRACE(tpch) TRACE(kbuild) TRACE(boot) TRACE(ds) TRACE(ckptmicro)           \
    IMAGE(guestmem)

#define WL_DECLARE(STEM) extern const wl_gen wl_gen_##STEM;
#define WL_DECLARE_IMAGE(STEM) extern const wl_image_gen wl_gen_##STEM;
WL_GENERATORS(WL_DECLARE, WL_DECLARE_IMAGE)
#define WL_ROW(STEM) &wl_gen_##STEM,
#define WL_IMAGE_ROW(STEM) &wl_gen_##STEM.gen,
static const wl_gen *const GENS[] = {WL_GENERATORS(WL_ROW, WL_IMAGE_ROW)};

/* An image generator's output: written to a temporary file beside out_path,
 * renamed over it only on success. */
static int write_image(const wl_image_gen *g, wl_args *a, uint64_t seed, const char *out_path, vs_err *err)
{
    char *tmp = g_strdup_printf("%s.XXXXXX", out_path);
    int fd = g_mkstemp(tmp);
    if (fd < 0) {
        int rc = vs_fail(err, VS_E_IO, "%s: %s", out_path, strerror(errno));
        g_free(tmp);
        return rc;
    }
    int rc = g->image(a, seed, fd, out_path, err);
    if (close(fd) != 0 && rc == VS_OK)
        rc = vs_fail(err, VS_E_IO, "%s: %s", out_path, strerror(errno));
    if (rc == VS_OK && rename(tmp, out_path) != 0)
        rc = vs_fail(err, VS_E_IO, "%s: %s", out_path, strerror(errno));
    if (rc != VS_OK)
        unlink(tmp);
    g_free(tmp);
    return rc;
}

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
    if (!g->run) {
        rc = write_image((const wl_image_gen *)g, a, seed, out_path, err);
        wl_args_free(a);
        return rc;
    }
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
