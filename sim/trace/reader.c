/*
 * reader.c: trace_open -- format detection from content -- and the reader
 * object every format plugs into (trace_int.h).
 *
 * The formats are the rows of trace_formats.h; this file turns them into the
 * table every name, detection and help lookup reads.  Detection order: each
 * MAGIC format's signature, in row order; else, for text, the first lines of
 * the first TIN_SNIFF decompressed bytes are offered to each TEXT format's
 * sniffer and the format that accepts the most records wins (the file-name
 * suffix breaks a tie, and picks the parser that reports a bad first line);
 * else, for binary, a known non-trace magic is named, then a PLAUSIBLE
 * format's check (every record of the window must look like its own); else
 * text lines followed by binary bytes go to the text format their lines
 * match, whose parser names the bad line.  Invariant: after a reader's first
 * error every trace_read returns that error again.
 */
#include "trace_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNIFF_LINES 64     /* lines examined when guessing a text format */
#define SNIFF_LINE_MAX 512 /* longer lines are not records of any text format */

#define TRIED_MAX 256 /* room for every format's name in an error message */

typedef enum tr_detect { TR_NONE, TR_MAGIC, TR_TEXT, TR_PLAUSIBLE } tr_detect;

typedef struct tr_format {
    const char *name;
    tr_detect detect;
    bool (*magic)(const unsigned char *p, size_t n);                     /* TR_MAGIC */
    int (*sniff)(const char *line);                                      /* TR_TEXT */
    bool (*plausible)(const unsigned char *p, size_t n, bool whole_file); /* TR_PLAUSIBLE */
    int (*attach)(trace_reader *r, vs_err *err);
    int (*writer_init)(trace_writer *w, trace_codec codec, vs_err *err); /* NULL: READS_ONLY */
    const char *suffixes; /* space-separated */
    const char *help;
} tr_format;

#define TR_ROW_MAGIC(STEM) TR_MAGIC, tr_##STEM##_magic, NULL, NULL
#define TR_ROW_TEXT(STEM) TR_TEXT, NULL, tr_##STEM##_sniff, NULL
#define TR_ROW_PLAUSIBLE(STEM) TR_PLAUSIBLE, NULL, NULL, tr_##STEM##_plausible
#define TR_ROW_WRITES(STEM) tr_##STEM##_writer_init
#define TR_ROW_READS_ONLY(STEM) NULL
#define TR_ROW(ID, STEM, DETECT, WRITE, SUFFIXES, HELP) \
    [TFMT_##ID] = {#STEM, TR_ROW_##DETECT(STEM), tr_##STEM##_attach, TR_ROW_##WRITE(STEM), SUFFIXES, HELP},
static const tr_format FORMATS[TFMT_COUNT] = {
    [TFMT_AUTO] = {"auto", TR_NONE, NULL, NULL, NULL, NULL, NULL, "", "detected from content"},
    TRACE_FORMATS(TR_ROW)
};
static const char *const KIND_NAMES[TREC_KIND_COUNT] = {
    "ifetch", "load", "store", "rmw", "switch", "invlpg", "proc_start",
    "proc_exit", "fork", "exec", "vm", "txn_begin", "txn_end", "cda", "roi", "unmap",
    "kmap"};

const char *trace_fmt_name(trace_fmt f) { return (unsigned)f < TFMT_COUNT ? FORMATS[f].name : "?"; }
const char *trace_fmt_help(trace_fmt f) { return (unsigned)f < TFMT_COUNT ? FORMATS[f].help : "?"; }
const char *trace_kind_name(unsigned k) { return k < TREC_KIND_COUNT ? KIND_NAMES[k] : "?"; }

trace_fmt trace_fmt_from_name(const char *s)
{
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++)
        if (strcmp(s, FORMATS[f].name) == 0)
            return (trace_fmt)f;
    return TFMT_AUTO;
}

/* Appends to buf (at bytes used) the names of the formats `detect` finds, in
 * row order, sep between them. */
static const char *list_names(tr_detect detect, const char *sep, char *buf, size_t cap, size_t at)
{
    for (int f = TFMT_VMT; f < TFMT_COUNT && at < cap; f++)
        if (FORMATS[f].detect == detect) {
            int k = snprintf(buf + at, cap - at, "%s%s", at ? sep : "", FORMATS[f].name);
            at += k > 0 ? (size_t)k : 0;
        }
    return buf;
}

/* Does the file name (n bytes of it) end in one of the space-separated suffixes? */
static bool ends_in_one_of(const char *path, size_t n, const char *suffixes)
{
    for (const char *s = suffixes; *s;) {
        size_t k = strcspn(s, " ");
        if (k && n >= k && strncmp(path + n - k, s, k) == 0)
            return true;
        s += k + (s[k] == ' ');
    }
    return false;
}

/* The format a file name suggests, ignoring a compression suffix. */
static trace_fmt fmt_from_suffix(const char *path)
{
    static const char *const COMPRESSED[] = {".gz", ".xz", ".zst"};
    size_t n = strlen(path);
    for (size_t i = 0; i < VS_ARRAY_LEN(COMPRESSED); i++) {
        size_t k = strlen(COMPRESSED[i]);
        if (n > k && strcmp(path + n - k, COMPRESSED[i]) == 0) {
            n -= k;
            break;
        }
    }
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++)
        if (ends_in_one_of(path, n, FORMATS[f].suffixes))
            return (trace_fmt)f;
    return TFMT_AUTO;
}

bool trace_fmt_writable(trace_fmt f) { return (unsigned)f < TFMT_COUNT && FORMATS[f].writer_init; }

int tr_writer_init(trace_fmt fmt, trace_writer *w, trace_codec codec, vs_err *err)
{
    return FORMATS[fmt].writer_init(w, codec, err);
}

/* The output format a file name asks for: a writable format's suffix, with
 * no compression suffix after it (the writers compress inside the format). */
trace_fmt trace_out_fmt_from_name(const char *path)
{
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++)
        if (FORMATS[f].writer_init && ends_in_one_of(path, strlen(path), FORMATS[f].suffixes))
            return (trace_fmt)f;
    return TFMT_AUTO;
}

/* The offset of the first byte no text trace holds, or n if there is none. */
static size_t text_prefix(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t')
            return i;
    return n;
}

/* Offers the first lines to each text parser; the most records accepted wins.
 * *bad is the number of the first line no parser accepts (0 if none). */
static trace_fmt sniff_text(const trace_in *in, size_t limit, const char *path, unsigned *bad, char *bad_text,
                            size_t cap)
{
    unsigned votes[TFMT_COUNT] = {0};
    char line[SNIFF_LINE_MAX + 1];
    size_t at = 0;
    for (int l = 0; l < SNIFF_LINES && at < limit; l++) {
        const unsigned char *nl = memchr(in->buf + at, '\n', limit - at);
        if (!nl && (!in->eof || limit < in->len))
            break; /* a partial line at the window's end says nothing */
        size_t end = nl ? (size_t)(nl - in->buf) : in->len;
        size_t k = end - at < SNIFF_LINE_MAX ? end - at : SNIFF_LINE_MAX;
        memcpy(line, in->buf + at, k);
        line[k] = '\n';
        int any = 0;
        for (int f = TFMT_VMT; f < TFMT_COUNT; f++)
            if (FORMATS[f].detect == TR_TEXT) {
                int st = FORMATS[f].sniff(line);
                votes[f] += st == 2;
                any |= st;
            }
        if (!any && !*bad) {
            *bad = (unsigned)l + 1;
            tr_quote_line(line, bad_text, cap);
        }
        at = end + 1;
    }
    trace_fmt best = TFMT_AUTO, hint = fmt_from_suffix(path);
    unsigned best_votes = 0;
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++)
        if (votes[f] > best_votes || (votes[f] == best_votes && votes[f] > 0 && (trace_fmt)f == hint)) {
            best = (trace_fmt)f;
            best_votes = votes[f];
        }
    return best;
}

static int detect(trace_reader *r, const char *path, trace_fmt *out, vs_err *err)
{
    const trace_in *in = &r->in;
    *out = TFMT_AUTO;
    char tried[TRIED_MAX] = "";
    size_t at = strlen(list_names(TR_MAGIC, ", ", tried, sizeof tried, 0));
    at = strlen(list_names(TR_TEXT, ", ", tried, sizeof tried, at));
    list_names(TR_PLAUSIBLE, ", ", tried, sizeof tried, at);
    if (in->len == 0)
        return vs_fail(err, VS_E_FORMAT, "%s: empty file: cannot detect its trace format (tried %s)", path, tried);
    size_t window = in->len < TIN_SNIFF ? in->len : TIN_SNIFF, text = text_prefix(in->buf, window);
    trace_fmt hint = fmt_from_suffix(path);
    unsigned bad = 0;
    char shown[VS_ERR_MSG_MAX / 2];
    for (int f = TFMT_VMT; f < TFMT_COUNT && *out == TFMT_AUTO; f++)
        if (FORMATS[f].detect == TR_MAGIC && FORMATS[f].magic(in->buf, in->len))
            *out = (trace_fmt)f;
    if (*out != TFMT_AUTO)
        return VS_OK;
    if (text == window) {
        *out = sniff_text(in, in->len, path, &bad, shown, sizeof shown);
        if (*out == TFMT_AUTO && bad && hint != TFMT_AUTO && FORMATS[hint].detect == TR_TEXT)
            *out = hint; /* its own parser names the line and what it expected */
        else if (*out == TFMT_AUTO && bad) {
            char names[TRIED_MAX] = "";
            return vs_fail(err, VS_E_FORMAT, "%s:line %u: not a record of any text trace format (%s): '%s'", path,
                           bad, list_names(TR_TEXT, ", ", names, sizeof names, 0), shown);
        }
    } else if (tr_known_magic(in->buf, in->len))
        return vs_fail(err, VS_E_FORMAT, "%s: offset 0: %s, not a memory trace (tried %s)", path,
                       tr_known_magic(in->buf, in->len), tried);
    else {
        /* A file whose name says which format it is may end in a partial record: its reader reports the offset. */
        for (int f = TFMT_VMT; f < TFMT_COUNT && *out == TFMT_AUTO; f++)
            if (FORMATS[f].detect == TR_PLAUSIBLE &&
                FORMATS[f].plausible(in->buf, in->len, in->eof && hint != (trace_fmt)f))
                *out = (trace_fmt)f;
        /* Text lines, then binary bytes: the text format's parser names the line they are on. */
        if (*out == TFMT_AUTO && text > 0)
            *out = sniff_text(in, text, path, &bad, shown, sizeof shown);
    }
    if (*out != TFMT_AUTO)
        return VS_OK;
    char binary[TRIED_MAX] = "";
    return vs_fail(err, VS_E_FORMAT,
                   "%s: unknown trace format (tried %s; a binary file without a signature must be whole records "
                   "of %s, see docs/trace-format.md)",
                   path, tried, list_names(TR_PLAUSIBLE, ", ", binary, sizeof binary, 0));
}

int trace_open(const char *path, trace_fmt fmt, trace_reader **out, vs_err *err)
{
    *out = NULL;
    if ((unsigned)fmt >= TFMT_COUNT)
        return vs_fail(err, VS_E_USAGE, "%s: invalid trace format %d", path, (int)fmt);
    trace_src *src;
    int rc = trace_src_open(path, &src, err);
    if (rc < 0)
        return rc;
    trace_reader *r = vs_calloc(1, sizeof *r);
    r->in.src = src;
    r->in.path = trace_src_path(src);
    r->in.buf = vs_calloc(1, TIN_CAP + 1 + TIN_PAD); /* the pad is read, never used: keep it defined */
    trace_digest_init(&r->digest);
    long got = tin_need(&r->in, TIN_SNIFF, err);
    rc = got < 0 ? (int)got : VS_OK;
    if (rc == VS_OK && fmt == TFMT_AUTO)
        rc = detect(r, path, &fmt, err);
    if (rc == VS_OK) {
        r->fmt = fmt;
        rc = FORMATS[fmt].attach(r, err);
    }
    if (rc < 0) {
        trace_close(r);
        return rc;
    }
    *out = r;
    return VS_OK;
}

long trace_read(trace_reader *r, trace_rec *buf, size_t cap, vs_err *err)
{
    if (VS_UNLIKELY(r->failed)) {
        if (err)
            *err = r->sticky;
        return r->sticky.code;
    }
    if (cap == 0)
        return vs_fail(err, VS_E_USAGE, "%s: trace_read with an empty buffer", r->in.path);
    long n = r->ops->read(r, buf, cap, &r->sticky);
    if (VS_UNLIKELY(n < 0)) {
        r->failed = true;
        r->sticky.code = (int)n;
        if (err)
            *err = r->sticky;
    } else if (!r->ops->digests) {
        trace_digest_add(&r->digest, buf, (size_t)n);
    }
    return n;
}

trace_digest trace_reader_digest(const trace_reader *r) { return r->digest; }

trace_fmt trace_reader_fmt(const trace_reader *r) { return r->fmt; }
double trace_progress(const trace_reader *r) { return trace_src_fraction(r->in.src); }

void trace_close(trace_reader *r)
{
    if (!r)
        return;
    if (r->ops && r->ops->free)
        r->ops->free(r->st);
    trace_src_close(r->in.src);
    free(r->in.buf);
    free(r);
}
