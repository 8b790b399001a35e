/*
 * in.c: the buffered input window readers parse from (see trace_int.h), and
 * the small text helpers the line parsers share.
 *
 * Invariants: 0 <= pos <= lim <= len <= TIN_CAP (+1 for a synthetic final
 * newline); when lim > 0, buf[lim - 1] == '\n'; base + pos is the stream
 * offset of the next unparsed byte.
 */
#include "trace_int.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define H(c, v) [c] = (v) + 1
const unsigned char tr_hexval[256] = {
    H('0', 0),   H('1', 1),   H('2', 2),   H('3', 3),   H('4', 4),   H('5', 5),
    H('6', 6),   H('7', 7),   H('8', 8),   H('9', 9),   H('a', 10),  H('b', 11),
    H('c', 12),  H('d', 13),  H('e', 14),  H('f', 15),  H('A', 10),  H('B', 11),
    H('C', 12),  H('D', 13),  H('E', 14),  H('F', 15),
};
#undef H

/* Drops the parsed prefix so a refill has the most room. */
static void tin_compact(trace_in *in)
{
    if (in->pos == 0)
        return;
    memmove(in->buf, in->buf + in->pos, in->len - in->pos);
    in->base += in->pos;
    in->len -= in->pos;
    in->lim = in->lim > in->pos ? in->lim - in->pos : 0;
    in->pos = 0;
}

int tin_lines(trace_in *in, vs_err *err)
{
    if (in->pos < in->lim)
        return 1;
    tin_compact(in);
    for (;;) {
        const unsigned char *nl = in->len ? memrchr(in->buf, '\n', in->len) : NULL;
        if (nl) {
            in->lim = (size_t)(nl - in->buf) + 1;
            return 1;
        }
        if (in->eof) {
            if (in->len == 0)
                return 0;
            /* Every text tracer ends each line with '\n', so a last line
             * without one was cut: it may hold a shortened address or size
             * that still parses.  It is read, but not silently. */
            fprintf(stderr, "vmemsim: warning: %s:line %llu: the last line has no newline; the trace may be truncated\n",
                    in->path, (unsigned long long)in->line + 1);
            in->buf[in->len++] = '\n'; /* the spare byte: a last line without newline */
            in->lim = in->len;
            return 1;
        }
        if (in->len == TIN_CAP)
            return vs_fail(err, VS_E_FORMAT, "%s:line %llu: line longer than %u bytes", in->path,
                           (unsigned long long)in->line + 1, TIN_CAP);
        long got = trace_src_read(in->src, in->buf + in->len, TIN_CAP - in->len, err);
        if (got < 0)
            return (int)got;
        if (got == 0)
            in->eof = true;
        in->len += (size_t)got;
    }
}

long tin_need(trace_in *in, size_t n, vs_err *err)
{
    assert(n <= TIN_CAP);
    if (in->len - in->pos >= n)
        return (long)(in->len - in->pos);
    tin_compact(in);
    while (in->len < n && !in->eof) {
        long got = trace_src_read(in->src, in->buf + in->len, TIN_CAP - in->len, err);
        if (got < 0)
            return got;
        if (got == 0)
            in->eof = true;
        in->len += (size_t)got;
    }
    return (long)in->len;
}

long tin_record(trace_in *in, size_t n, const char *what, const char *unit, const char *hint, vs_err *err)
{
    long avail = tin_need(in, n, err);
    if (avail > 0 && avail < (long)n)
        return vs_fail(err, VS_E_FORMAT, "%s: offset %llu (%s %llu): partial %s (%ld of %zu bytes): %s", in->path,
                       (unsigned long long)tin_offset(in), unit, (unsigned long long)(tin_offset(in) / n + 1), what,
                       avail, n, hint);
    return avail;
}

void tr_quote_line(const char *p, char *out, size_t cap)
{
    enum { SHOWN = 48 }; /* enough to recognise a line, short enough for one message */
    size_t o = 0, i = 0;
    for (; p[i] != '\n' && i < SHOWN && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    out[o] = 0;
    if (p[i] != '\n' && o + 4 <= cap)
        memcpy(out + o, "...", 4);
}
