/*
 * json.c: the result writer of json.h, and the results files it writes to.
 * The JSON form is indented two spaces per level; the flat form keeps a stack
 * of path components.
 */
#include "json.h"

#include <assert.h>
#include <glib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#define JW_MAX_DEPTH 32 /* results nest a handful of levels; this is ample */

struct jw {
    FILE *out;        /* JSON sink, or NULL */
    jw_flat_fn flat;  /* flat sink, or NULL */
    void *ctx;
    int depth;
    bool first[JW_MAX_DEPTH];
    bool is_array[JW_MAX_DEPTH];
    int skip_depth;   /* flat form: > 0 while inside an array */
    GString *path;
    size_t path_len[JW_MAX_DEPTH];
};

static jw *jw_alloc(void)
{
    jw *w = vs_calloc(1, sizeof *w);
    w->path = g_string_new("");
    w->first[0] = true;
    return w;
}

jw *jw_new_json(FILE *out)
{
    jw *w = jw_alloc();
    w->out = out;
    return w;
}

jw *jw_new_flat(jw_flat_fn fn, void *ctx)
{
    jw *w = jw_alloc();
    w->flat = fn;
    w->ctx = ctx;
    return w;
}

void jw_free(jw *w)
{
    if (!w)
        return;
    assert(w->depth == 0);
    if (w->out)
        fputc('\n', w->out);
    g_string_free(w->path, TRUE);
    free(w);
}

void jw_put_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* Writes the separator, indentation and key of a new member (JSON form). */
static void json_member(jw *w, const char *key)
{
    if (w->depth > 0 || !w->first[0]) {
        if (!w->first[w->depth])
            fputc(',', w->out);
        fputc('\n', w->out);
    }
    w->first[w->depth] = false;
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->out);
    if (key && !w->is_array[w->depth]) {
        jw_put_string(w->out, key);
        fputs(": ", w->out);
    }
}

static void flat_emit(jw *w, const char *key, const char *value)
{
    if (w->skip_depth)
        return;
    size_t len = w->path->len;
    if (len)
        g_string_append_c(w->path, '.');
    g_string_append(w->path, key);
    w->flat(w->ctx, w->path->str, value);
    g_string_truncate(w->path, len);
}

static void open_container(jw *w, const char *key, bool array)
{
    assert(w->depth + 1 < JW_MAX_DEPTH);
    if (w->out) {
        json_member(w, key);
        fputc(array ? '[' : '{', w->out);
    } else {
        w->path_len[w->depth] = w->path->len;
        if (w->skip_depth || array) {
            w->skip_depth++;
        } else if (key) {
            if (w->path->len)
                g_string_append_c(w->path, '.');
            g_string_append(w->path, key);
        }
    }
    w->depth++;
    w->first[w->depth] = true;
    w->is_array[w->depth] = array;
}

void jw_object(jw *w, const char *key) { open_container(w, key, false); }
void jw_array(jw *w, const char *key) { open_container(w, key, true); }

void jw_end(jw *w)
{
    assert(w->depth > 0);
    bool array = w->is_array[w->depth];
    bool empty = w->first[w->depth];
    w->depth--;
    if (w->out) {
        if (!empty) {
            fputc('\n', w->out);
            for (int i = 0; i < w->depth; i++)
                fputs("  ", w->out);
        }
        fputc(array ? ']' : '}', w->out);
    } else {
        if (w->skip_depth)
            w->skip_depth--;
        g_string_truncate(w->path, w->path_len[w->depth]);
    }
}

static void scalar(jw *w, const char *key, const char *text, bool quoted)
{
    if (w->out) {
        json_member(w, key);
        if (quoted)
            jw_put_string(w->out, text);
        else
            fputs(text, w->out);
    } else {
        flat_emit(w, key ? key : "", text);
    }
}

void jw_u64(jw *w, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    scalar(w, key, buf, false);
}

void jw_i64(jw *w, const char *key, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    scalar(w, key, buf, false);
}

void jw_double(jw *w, const char *key, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    if (!isfinite(v)) {
        scalar(w, key, "null", false);
        return;
    }
    g_ascii_formatd(buf, sizeof buf, "%.6f", v);
    scalar(w, key, buf, false);
}

void jw_bool(jw *w, const char *key, bool v) { scalar(w, key, v ? "true" : "false", false); }
void jw_str(jw *w, const char *key, const char *v) { scalar(w, key, v, true); }

void jw_hex(jw *w, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    scalar(w, key, buf, true);
}
