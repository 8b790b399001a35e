/*
 * reader.c: trace_open -- format detection from content -- and the reader
 * object every format plugs into (trace_int.h).
 *
 * Detection order: the .vmt, drmemtrace and SIFT magics; else, for text, the
 * first lines of the first TIN_SNIFF decompressed bytes are offered to each
 * text parser and the format that accepts the most records wins (the
 * file-name suffix breaks a tie, and picks the parser that reports a bad
 * first line); else, for binary, a known non-trace magic is named, then
 * every record of the window must look like ChampSim's; else text lines
 * followed by binary bytes go to the text format their lines match, whose
 * parser names the bad line.  Invariant: after a
 * reader's first error every trace_read returns that error again.
 */
#include "trace_int.h"

#include <stdlib.h>
#include <string.h>

#define SNIFF_LINES 64     /* lines examined when guessing a text format */
#define SNIFF_LINE_MAX 512 /* longer lines are not records of any text format */

static const char *const FMT_NAMES[TFMT_COUNT] = {"auto", "vmt", "lackey", "pin", "simics",
                                                  "champsim", "drmemtrace", "sift"};
static const char *const KIND_NAMES[TREC_KIND_COUNT] = {
    "ifetch", "load", "store", "rmw", "switch", "invlpg", "proc_start",
    "proc_exit", "fork", "exec", "vm", "txn_begin", "txn_end", "cda"};

const char *trace_fmt_name(trace_fmt f) { return (unsigned)f < TFMT_COUNT ? FMT_NAMES[f] : "?"; }
const char *trace_kind_name(unsigned k) { return k < TREC_KIND_COUNT ? KIND_NAMES[k] : "?"; }

trace_fmt trace_fmt_from_name(const char *s)
{
    for (int f = TFMT_VMT; f < TFMT_COUNT; f++)
        if (strcmp(s, FMT_NAMES[f]) == 0)
            return (trace_fmt)f;
    return TFMT_AUTO;
}

/* The format a file name suggests, ignoring a compression suffix. */
static trace_fmt fmt_from_suffix(const char *path)
{
    static const struct { const char *suffix; trace_fmt fmt; } SUFFIXES[] = {
        {".vmt", TFMT_VMT},          {".lackey", TFMT_LACKEY}, {".pin", TFMT_PIN},
        {"pinatrace.out", TFMT_PIN}, {".pinatrace", TFMT_PIN}, {".simics", TFMT_SIMICS},
        {".champsim", TFMT_CHAMPSIM}, {".champsimtrace", TFMT_CHAMPSIM},
        {".sift", TFMT_SIFT},
    };
    static const char *const COMPRESSED[] = {".gz", ".xz", ".zst"};
    size_t n = strlen(path);
    for (size_t i = 0; i < VS_ARRAY_LEN(COMPRESSED); i++) {
        size_t k = strlen(COMPRESSED[i]);
        if (n > k && strcmp(path + n - k, COMPRESSED[i]) == 0) {
            n -= k;
            break;
        }
    }
    for (size_t i = 0; i < VS_ARRAY_LEN(SUFFIXES); i++) {
        size_t k = strlen(SUFFIXES[i].suffix);
        if (n >= k && strncmp(path + n - k, SUFFIXES[i].suffix, k) == 0)
            return SUFFIXES[i].fmt;
    }
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
    static const trace_fmt TEXT_FMTS[] = {TFMT_LACKEY, TFMT_PIN, TFMT_SIMICS};
    int (*const sniff[])(const char *) = {tr_lackey_sniff, tr_pin_sniff, tr_simics_sniff};
    unsigned votes[VS_ARRAY_LEN(TEXT_FMTS)] = {0};
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
        for (size_t f = 0; f < VS_ARRAY_LEN(TEXT_FMTS); f++) {
            int st = sniff[f](line);
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
    for (size_t f = 0; f < VS_ARRAY_LEN(TEXT_FMTS); f++)
        if (votes[f] > best_votes || (votes[f] == best_votes && votes[f] > 0 && TEXT_FMTS[f] == hint)) {
            best = TEXT_FMTS[f];
            best_votes = votes[f];
        }
    return best;
}

static int detect(trace_reader *r, const char *path, trace_fmt *out, vs_err *err)
{
    const trace_in *in = &r->in;
    static const char TRIED[] = "tried vmt, drmemtrace, sift, lackey, pin, simics, champsim";
    if (in->len == 0)
        return vs_fail(err, VS_E_FORMAT, "%s: empty file: cannot detect its trace format (%s)", path,
                       TRIED);
    size_t window = in->len < TIN_SNIFF ? in->len : TIN_SNIFF, text = text_prefix(in->buf, window);
    trace_fmt hint = fmt_from_suffix(path);
    unsigned bad = 0;
    char shown[VS_ERR_MSG_MAX / 2];
    *out = TFMT_AUTO;
    if (tr_vmt_magic(in->buf, in->len))
        *out = TFMT_VMT;
    else if (tr_drmemtrace_magic(in->buf, in->len))
        *out = TFMT_DRMEMTRACE;
    else if (tr_sift_magic(in->buf, in->len))
        *out = TFMT_SIFT;
    else if (text == window) {
        *out = sniff_text(in, in->len, path, &bad, shown, sizeof shown);
        if (*out == TFMT_AUTO && bad && (hint == TFMT_LACKEY || hint == TFMT_PIN || hint == TFMT_SIMICS))
            *out = hint; /* its own parser names the line and what it expected */
        else if (*out == TFMT_AUTO && bad)
            return vs_fail(err, VS_E_FORMAT,
                           "%s:line %u: not a record of any text trace format (lackey, pin, simics): '%s'", path,
                           bad, shown);
    } else if (tr_known_magic(in->buf, in->len))
        return vs_fail(err, VS_E_FORMAT, "%s: offset 0: %s, not a memory trace (%s)", path,
                       tr_known_magic(in->buf, in->len), TRIED);
    /* A ChampSim file whose name says so may end in a partial record: its reader reports the offset. */
    else if (tr_champsim_plausible(in->buf, in->len, in->eof && hint != TFMT_CHAMPSIM))
        *out = TFMT_CHAMPSIM;
    /* Text lines, then binary bytes: the text format's parser names the line they are on. */
    else if (text > 0)
        *out = sniff_text(in, text, path, &bad, shown, sizeof shown);
    if (*out == TFMT_AUTO)
        return vs_fail(err, VS_E_FORMAT,
                       "%s: unknown trace format (%s; a binary file must start with ChampSim input_instr "
                       "records, see docs/trace-format.md)",
                       path, TRIED);
    return VS_OK;
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
    r->in.buf = vs_malloc(TIN_CAP + 1);
    long got = tin_need(&r->in, TIN_SNIFF, err);
    rc = got < 0 ? (int)got : VS_OK;
    if (rc == VS_OK && fmt == TFMT_AUTO)
        rc = detect(r, path, &fmt, err);
    if (rc == VS_OK) {
        static int (*const attach[TFMT_COUNT])(trace_reader *, vs_err *) = {
            [TFMT_VMT] = tr_vmt_attach,       [TFMT_LACKEY] = tr_lackey_attach,
            [TFMT_PIN] = tr_pin_attach,       [TFMT_SIMICS] = tr_simics_attach,
            [TFMT_CHAMPSIM] = tr_champsim_attach,
            [TFMT_DRMEMTRACE] = tr_drmemtrace_attach, [TFMT_SIFT] = tr_sift_attach,
        };
        r->fmt = fmt;
        rc = attach[fmt](r, err);
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
    }
    return n;
}

trace_fmt trace_reader_fmt(const trace_reader *r) { return r->fmt; }
const char *trace_reader_path(const trace_reader *r) { return r->in.path; }
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
