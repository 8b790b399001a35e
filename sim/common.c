/*
 * common.c: the error record and the one out-of-memory policy (see common.h).
 */
#include "common.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Messages quote their input (a config line, a trace line); when that input
 * is binary garbage the quote must not write raw bytes to a terminal.
 * Control characters, and every non-ASCII byte of a message that is not
 * valid UTF-8, become '?'. */
static void make_printable(char *msg)
{
    bool utf8 = g_utf8_validate(msg, -1, NULL);
    for (unsigned char *p = (unsigned char *)msg; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (!utf8 && *p >= 0x80))
            *p = '?';
}

int vs_fail(vs_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        make_printable(err->msg);
        err->code = code;
    }
    return code;
}

_Noreturn void vs_oom(size_t n)
{
    fprintf(stderr, "vmemsim: out of memory allocating %zu bytes\n", n);
    abort();
}

void *vs_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        vs_oom(n);
    return p;
}

void *vs_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        vs_oom(count * size);
    return p;
}

/* From this size on a mapping's page granularity costs little against the
 * memory calloc would make resident by clearing a reused heap block. */
#define VS_ZMAP_MIN ((size_t)4 << 10)

void *vs_zmap(size_t n)
{
    if (n < VS_ZMAP_MIN)
        return vs_calloc(1, n);
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        vs_oom(n);
    return p;
}

void vs_zunmap(void *p, size_t n)
{
    if (n < VS_ZMAP_MIN)
        free(p);
    else if (p)
        munmap(p, n);
}

void *vs_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        vs_oom(n);
    return q;
}

char *vs_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = vs_malloc(n);
    memcpy(d, s, n);
    return d;
}

int vs_read_file(const char *path, const char *what, char **data, size_t *len, vs_err *err)
{
    gsize n = 0;
    GError *gerr = NULL;
    *data = NULL;
    *len = 0;
    if (!g_file_get_contents(path, data, &n, &gerr)) {
        int rc = vs_fail(err, VS_E_IO, "%s: cannot read%s%s: %s", path, what ? " " : "", what ? what : "",
                         gerr->message);
        g_error_free(gerr);
        return rc;
    }
    *len = n;
    return VS_OK;
}

int vs_load_file(const char *path, const char *what, vs_parse_fn parse, void *ctx, vs_err *err)
{
    char *data;
    size_t len;
    int rc = vs_read_file(path, what, &data, &len, err);
    if (rc != VS_OK)
        return rc;
    rc = parse(ctx, data, len, path, err);
    g_free(data);
    return rc;
}

#define UTF8_BOM "\xef\xbb\xbf"
#define UTF8_BOM_LEN 3 /* the bytes of UTF8_BOM */

size_t vs_utf8_bom_len(const char *data, size_t len)
{
    return len >= UTF8_BOM_LEN && !memcmp(data, UTF8_BOM, UTF8_BOM_LEN) ? UTF8_BOM_LEN : 0;
}

const char *vs_pgsz_name(vs_pgsz s)
{
    static const char *names[VS_PG_COUNT] = {"4k", "2m", "1g"};
    return s < VS_PG_COUNT ? names[s] : "?";
}
