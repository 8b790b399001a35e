/*
 * pin.c: reader for Intel Pin's pinatrace tool (ManualExamples/pinatrace.cpp):
 *     fprintf(trace, "%p: R %p\n", ip, addr);   fprintf(trace, "%p: W %p\n", ip, addr);
 * and "#eof" at the end.  glibc's %p prints "0x..." or "(nil)" for NULL.
 *
 * Pin records no instruction stream and no sizes, so an IFETCH (size 0) is
 * synthesised whenever the ip differs from the previous line's ip, then the
 * load or store follows with size 0 (unknown).  Invariants: text after
 * "#eof" is an error; a trace without "#eof" keeps its data and draws one
 * warning, since pinatrace writes "#eof" only at a clean exit.
 */
#include "trace_int.h"

#include <stdlib.h>
#include <string.h>

#define HEX_DIGITS_MAX 16u /* 64-bit pointers */

typedef struct pin_state {
    uint64_t prev_ip;
    bool have_ip, at_eof, warned;
    trace_rec pending; /* the data half of a line when the caller's buffer was full */
    bool has_pending;
} pin_state;

enum pin_status { PIN_REC = 2, PIN_SKIP = 1, PIN_BAD = 0, PIN_EOF = 3 };


/* "0x<hex>" or "(nil)"; NULL if neither. */
static const unsigned char *pin_ptr(const unsigned char *p, uint64_t *v)
{
    if (tr_starts_with(p, "(nil)")) {
        *v = 0;
        return p + 5;
    }
    if (p[0] != '0' || p[1] != 'x')
        return NULL;
    p += 2;
    const unsigned char *digits = p;
    uint64_t x = 0;
    unsigned d;
    while ((d = tr_hexval[*p]) != 0) {
        x = x << 4 | (d - 1);
        p++;
    }
    size_t nd = (size_t)(p - digits);
    if (nd == 0 || nd > HEX_DIGITS_MAX)
        return NULL;
    *v = x;
    return p;
}

/* Parses one line; for a record fills ip, addr and kind.  Advances *pp past '\n'. */
static int pin_parse(const unsigned char **pp, uint64_t *ip, uint64_t *addr, unsigned *kind)
{
    const unsigned char *p = *pp;
    if (tr_starts_with(p, "#eof") && (p[4] == '\n' || p[4] == '\r')) {
        *pp = (const unsigned char *)rawmemchr(p, '\n') + 1;
        return PIN_EOF;
    }
    const unsigned char *q = p;
    while (*q == ' ' || *q == '\t' || *q == '\r')
        q++;
    if (*q == '\n') {
        *pp = q + 1;
        return PIN_SKIP;
    }
    if (!(p = pin_ptr(p, ip)) || p[0] != ':' || p[1] != ' ' || (p[2] != 'R' && p[2] != 'W') ||
        p[3] != ' ')
        return PIN_BAD;
    *kind = p[2] == 'R' ? TREC_LOAD : TREC_STORE;
    if (!(p = pin_ptr(p + 4, addr)))
        return PIN_BAD;
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    if (*p != '\n')
        return PIN_BAD;
    *pp = p + 1;
    return PIN_REC;
}

int tr_pin_sniff(const char *line)
{
    const unsigned char *p = (const unsigned char *)line;
    uint64_t ip, addr;
    unsigned kind;
    int st = pin_parse(&p, &ip, &addr, &kind);
    return st == PIN_EOF ? PIN_SKIP : st;
}

static long pin_fail(trace_reader *r, const unsigned char *line, const char *why, vs_err *err)
{
    char shown[VS_ERR_MSG_MAX / 2];
    tr_quote_line((const char *)line, shown, sizeof shown);
    return vs_fail(err, VS_E_FORMAT, "%s:line %llu: %s, got '%s'", r->in.path,
                   (unsigned long long)r->in.line, why, shown);
}

static long pin_read(trace_reader *r, trace_rec *out, size_t cap, vs_err *err)
{
    pin_state *s = r->st;
    trace_in *in = &r->in;
    size_t n = 0;
    if (s->has_pending) {
        out[n++] = s->pending;
        s->has_pending = false;
    }
    while (n < cap) {
        int rc = tin_lines(in, err);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            if (!s->at_eof && !s->warned && in->line > 0)
                fprintf(stderr, "vmemsim: warning: %s: no '#eof' line; the trace may be truncated\n",
                        in->path);
            s->warned = true;
            break;
        }
        const unsigned char *p = in->buf + in->pos;
        in->line++;
        uint64_t ip = 0, addr = 0;
        unsigned kind = 0;
        int st = pin_parse(&p, &ip, &addr, &kind);
        if (st == PIN_BAD)
            return pin_fail(r, in->buf + in->pos, "expected a pinatrace line '0xIP: R|W 0xADDR' or '#eof'",
                            err);
        if (s->at_eof && st != PIN_SKIP)
            return pin_fail(r, in->buf + in->pos, "expected nothing after '#eof'", err);
        in->pos = (size_t)(p - in->buf);
        if (st == PIN_EOF)
            s->at_eof = true;
        if (st != PIN_REC)
            continue;
        if (!s->have_ip || ip != s->prev_ip)
            out[n++] = (trace_rec){.addr = ip, .kind = TREC_IFETCH};
        s->prev_ip = ip;
        s->have_ip = true;
        trace_rec data = {.addr = addr, .kind = (uint8_t)kind};
        if (n < cap)
            out[n++] = data;
        else {
            s->pending = data;
            s->has_pending = true;
        }
    }
    return (long)n;
}

static const reader_ops PIN_OPS = {pin_read, free, .digests = false};

int tr_pin_attach(trace_reader *r, vs_err *err)
{
    (void)err;
    return tr_attach(r, &PIN_OPS, vs_calloc(1, sizeof(pin_state)));
}
