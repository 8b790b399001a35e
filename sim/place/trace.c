/*
 * trace.c: the VM lifecycle trace -- a growable array of VMs (created and
 * deleted times in seconds, cores, memory) -- plus what the readers share:
 * line cursors, field splitting, strict number parsing, and format detection
 * from content.
 *
 * Detection looks at the first line that is not blank: ";\t" or a
 * "Timestamp" header is Bitbrains GWA-T-12; a ';' comment or 18 blank-
 * separated fields is CERIT-SC's extended SWF; 11 comma-separated fields is
 * Azure vmtable.csv.  A directory is a Bitbrains set of per-VM files, read in
 * name order so the VM order does not depend on the file system.
 *
 * Invariants: every VM in a trace has deleted >= created, cores >= 1,
 * mem_kib >= 1 (the readers reject anything else with file and line).
 */
#include "place_int.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define SWF_FIELDS 18 /* Standard Workload Format: 18 fields per job */
#define AZURE_FIELDS 11

void place_trace_init(place_trace *t) { memset(t, 0, sizeof *t); }

void place_trace_free(place_trace *t)
{
    free(t->vm);
    place_trace_init(t);
}

void place_trace_add(place_trace *t, const place_vm *vm)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->vm = vs_realloc(t->vm, t->cap * sizeof *t->vm);
    }
    t->vm[t->n++] = *vm;
}

void place_lines_init(place_lines *l, const char *data, size_t len)
{
    /* a UTF-8 byte-order mark, as spreadsheet exports write, is no part of the first field */
    l->p = data + vs_utf8_bom_len(data, len);
    l->end = data + len;
    l->lineno = 0;
}

int place_check_text(const char *data, size_t len, const char *origin, vs_err *err)
{
    const char *nul = memchr(data, '\0', len);
    if (!nul)
        return VS_OK;
    size_t line = 1;
    for (const char *p = data; p < nul; p++)
        line += *p == '\n';
    return vs_fail(err, VS_E_FORMAT, "%s: line %zu: a NUL byte (offset %zu); a VM trace is text", origin, line,
                   (size_t)(nul - data));
}

bool place_lines_next(place_lines *l, char **buf, size_t *cap)
{
    if (l->p >= l->end)
        return false;
    const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
    const char *e = nl ? nl : l->end;
    size_t n = (size_t)(e - l->p);
    if (n && e[-1] == '\r')
        n--;
    if (n + 1 > *cap) {
        *cap = n + 1 > 2 * *cap ? n + 1 : 2 * *cap;
        *buf = vs_realloc(*buf, *cap);
    }
    memcpy(*buf, l->p, n);
    (*buf)[n] = 0;
    l->p = nl ? nl + 1 : l->end;
    l->lineno++;
    return true;
}

int place_split(char *s, const char *sep, char **fields, int max)
{
    int n = 0;
    size_t sl = strlen(sep);
    while (n < max - 1) {
        fields[n++] = s;
        char *hit = strstr(s, sep);
        if (!hit)
            return n;
        *hit = 0;
        s = hit + sl;
    }
    fields[n++] = s;
    return n;
}

static bool blank_tail(const char *end)
{
    while (*end == ' ' || *end == '\t')
        end++;
    return *end == 0;
}

bool place_parse_double(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && errno == 0 && blank_tail(end) && *v == *v;
}

bool place_parse_i64(const char *s, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    *v = x;
    return end != s && errno == 0 && blank_tail(end);
}

typedef int (*reader_fn)(const char *, size_t, const char *, place_trace *, vs_err *);

static reader_fn detect(const char *data, size_t len)
{
    place_lines l;
    place_lines_init(&l, data, len);
    char *line = NULL;
    size_t cap = 0;
    reader_fn fn = NULL;
    while (!fn && place_lines_next(&l, &line, &cap)) {
        if (!line[strspn(line, " \t")])
            continue;
        if (strstr(line, ";\t") || g_str_has_prefix(line, "Timestamp")) {
            fn = place_read_bitbrains;
            break;
        }
        if (line[0] == ';') {
            fn = place_read_cerit;
            break;
        }
        gchar **ws = g_strsplit_set(g_strstrip(line), " \t", -1);
        unsigned words = 0;
        for (gchar **w = ws; *w; w++)
            words += **w != 0;
        g_strfreev(ws);
        unsigned commas = 0;
        for (const char *p = line; *p; p++)
            commas += *p == ',';
        fn = words == SWF_FIELDS ? place_read_cerit : commas == AZURE_FIELDS - 1 ? place_read_azure : NULL;
        break;
    }
    free(line);
    return fn;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int load_dir(const char *path, place_trace *t, vs_err *err)
{
    GError *gerr = NULL;
    GDir *d = g_dir_open(path, 0, &gerr);
    if (!d) {
        int rc = vs_fail(err, VS_E_IO, "%s: cannot open directory: %s", path, gerr->message);
        g_error_free(gerr);
        return rc;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n; (n = g_dir_read_name(d));)
        if (n[0] != '.')
            g_ptr_array_add(names, g_build_filename(path, n, NULL));
    g_dir_close(d);
    g_ptr_array_sort(names, cmp_names); /* qsort would get NULL for an empty directory */
    int rc = VS_OK;
    for (guint i = 0; i < names->len && rc == VS_OK; i++) {
        const char *f = names->pdata[i];
        if (!g_file_test(f, G_FILE_TEST_IS_REGULAR))
            continue;
        char *data;
        size_t len;
        if ((rc = vs_read_file(f, NULL, &data, &len, err)) != VS_OK)
            break;
        rc = place_read_bitbrains(data, len, f, t, err);
        g_free(data);
    }
    g_ptr_array_free(names, TRUE);
    return rc;
}

/* The style named s, or -1. */
static int style_named(const char *s)
{
    for (int i = 0; s && i < PLACE_STYLE_COUNT; i++)
        if (!strcmp(s, place_style_name((place_style)i)))
            return i;
    return -1;
}

/* "synthetic:STYLE[:vms=N|N=N][:seed=S][:sizes=STYLE]" */
static int load_synthetic(const char *spec, place_trace *t, vs_err *err)
{
    gchar **parts = g_strsplit(spec, ":", -1);
    int rc = VS_OK;
    int style = style_named(parts[1]), sizes = style;
    int64_t vms = PLACE_SYNTH_VMS, seed = PLACE_SYNTH_SEED;
    if (style < 0)
        rc = vs_fail(err, VS_E_USAGE, "%s: expected synthetic:STYLE with STYLE azure, cerit or bitbrains", spec);
    for (gchar **p = parts + (parts[1] ? 2 : 1); rc == VS_OK && *p; p++) {
        if (g_str_has_prefix(*p, "sizes=")) {
            if ((sizes = style_named(*p + 6)) < 0)
                rc = vs_fail(err, VS_E_USAGE, "%s: '%s': expected sizes=STYLE (azure, cerit or bitbrains)", spec, *p);
            continue;
        }
        int64_t *dst = g_str_has_prefix(*p, "vms=") || g_str_has_prefix(*p, "N=") ? &vms
                       : g_str_has_prefix(*p, "seed=")                              ? &seed
                                                                                    : NULL;
        if (!dst || !place_parse_i64(strchr(*p, '=') + 1, dst) || *dst < (dst == &vms ? 1 : 0) ||
            (dst == &vms && *dst > PLACE_SYNTH_VMS_MAX))
            rc = vs_fail(err, VS_E_USAGE, "%s: '%s': expected vms=N (1..10^8) or seed=S (>= 0)", spec, *p);
    }
    g_strfreev(parts);
    if (rc == VS_OK)
        place_synth_sized((place_style)style, (place_style)sizes, (size_t)vms, (uint64_t)seed, t);
    return rc;
}

int place_trace_load(const char *spec, place_trace *t, vs_err *err)
{
    if (g_str_has_prefix(spec, "synthetic:"))
        return load_synthetic(spec, t, err);
    if (g_file_test(spec, G_FILE_TEST_IS_DIR)) {
        snprintf(t->format, sizeof t->format, "bitbrains");
        int rc = load_dir(spec, t, err);
        if (rc == VS_OK && t->n == 0)
            rc = vs_fail(err, VS_E_FORMAT, "%s: the directory holds no Bitbrains VM file (expected one per VM)",
                         spec);
        return rc;
    }
    char *data;
    size_t len;
    int rc = vs_read_file(spec, "trace", &data, &len, err);
    if (rc != VS_OK)
        return rc;
    reader_fn fn = detect(data, len);
    rc = fn ? fn(data, len, spec, t, err)
            : vs_fail(err, VS_E_FORMAT,
                      "%s: unrecognised VM trace (expected Azure vmtable.csv with 11 comma-separated fields, "
                      "Bitbrains GWA-T-12 with ';\\t' separators, or CERIT-SC SWF with 18 fields)",
                      spec);
    g_free(data);
    if (rc == VS_OK && t->n == 0)
        rc = vs_fail(err, VS_E_FORMAT, "%s: the trace holds no VM", spec);
    return rc;
}
