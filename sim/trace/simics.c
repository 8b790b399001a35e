/*
 * simics.c: reader for the Simics text tracer (Simics 3.0 User Guide 4.7,
 * "Tracing"; the newer new-tracer-tool prints the same shape):
 *     inst: [    5] CPU  0 <v:0xfffff148> <p:0x...> 84050004 lwzu r0,4(r5)
 *     data: [    1] CPU  0 <v:0xfffff1b8> <p:0x...> Read   1 bytes  0xc0
 *     inst: [ 1] core[0] <v:0x0000000000000000> <p:0x0000000000> 0a 00 00 14 b 0x28
 * "inst:" gives an IFETCH (size 0: the opcode bytes are not a reliable
 * length across dialects), "data:" a LOAD or STORE of N bytes, "exce:" is
 * skipped.  The processor name (CPU n, core[n], an object path) is ignored:
 * vmemsim models one core.  Lines without a virtual address are errors, not
 * silently dropped references.
 */
#include "trace_int.h"

#include <string.h>

#define SIMICS_SIZE_MAX 4096u /* larger accesses are corruption */
#define HEX_DIGITS_MAX 16u

enum sm_status { SM_REC = 2, SM_SKIP = 1, SM_BAD = 0 };

static const unsigned char *skip_blank(const unsigned char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* "0x<hex>" up to '>'; NULL if malformed. */
static const unsigned char *sm_hex(const unsigned char *p, uint64_t *v)
{
    if (p[0] != '0' || p[1] != 'x')
        return NULL;
    p += 2;
    uint64_t x = 0;
    unsigned d, nd = 0;
    while ((d = tr_hexval[*p]) != 0) {
        x = x << 4 | (d - 1);
        p++;
        nd++;
    }
    if (nd == 0 || *p != '>')
        return NULL;
    if (nd > HEX_DIGITS_MAX) { /* allowed only as zero padding */
        uint64_t hi = 0;
        for (const unsigned char *q = p - nd; q < p - HEX_DIGITS_MAX; q++)
            hi |= (uint64_t)(tr_hexval[*q] - 1);
        if (hi)
            return NULL;
    }
    *v = x;
    return p + 1;
}

/* Parses one line; sets *why on error.  Advances *pp past the '\n'. */
static int sm_parse(const unsigned char **pp, trace_rec *rec, const char **why)
{
    const unsigned char *p = *pp;
    bool inst = tr_starts_with(p, "inst:"), data = tr_starts_with(p, "data:");
    if (!inst && !data) {
        const unsigned char *q = skip_blank(p);
        if (tr_starts_with(p, "exce:") || *q == '\n' || (*q == '\r' && q[1] == '\n')) {
            *pp = (const unsigned char *)rawmemchr(p, '\n') + 1;
            return SM_SKIP;
        }
        *why = "expected a Simics trace line ('inst:', 'data:' or 'exce:')";
        return SM_BAD;
    }
    /* The virtual address: the first "<v:0x...>" on the line. */
    while (*p != '\n' && !(p[0] == '<' && p[1] == 'v' && p[2] == ':'))
        p++;
    uint64_t va;
    if (*p == '\n' || !(p = sm_hex(p + 3, &va))) {
        *why = "expected a virtual address '<v:0x...>'";
        return SM_BAD;
    }
    for (p = skip_blank(p); *p == '<'; p = skip_blank(p)) { /* <p:0x..>, <l:0x..>, ... */
        while (*p != '>' && *p != '\n')
            p++;
        if (*p == '\n') {
            *why = "unterminated '<...>' field";
            return SM_BAD;
        }
        p++;
    }
    unsigned kind = TREC_IFETCH, size = 0;
    if (data) {
        if (tr_starts_with(p, "Read"))
            kind = TREC_LOAD, p += 4;
        else if (tr_starts_with(p, "Write"))
            kind = TREC_STORE, p += 5;
        else {
            *why = "expected 'Read' or 'Write' after the addresses";
            return SM_BAD;
        }
        p = skip_blank(p);
        const unsigned char *digits = p;
        while (*p >= '0' && *p <= '9' && size <= SIMICS_SIZE_MAX)
            size = size * 10 + (unsigned)(*p++ - '0');
        if (p == digits || size > SIMICS_SIZE_MAX || !tr_starts_with(skip_blank(p), "bytes")) {
            *why = "expected an access size 'N bytes' with N <= 4096";
            return SM_BAD;
        }
    }
    *pp = (const unsigned char *)rawmemchr(p, '\n') + 1;
    *rec = (trace_rec){.addr = va, .size = (uint16_t)size, .kind = (uint8_t)kind};
    return SM_REC;
}

int tr_simics_sniff(const char *line)
{
    const unsigned char *p = (const unsigned char *)line;
    trace_rec rec;
    const char *why;
    return sm_parse(&p, &rec, &why);
}

static long sm_read(trace_reader *r, trace_rec *out, size_t cap, vs_err *err)
{
    trace_in *in = &r->in;
    size_t n = 0;
    while (n < cap) {
        int rc = tin_lines(in, err);
        if (rc <= 0) {
            if (rc < 0)
                return rc;
            break;
        }
        const unsigned char *p = in->buf + in->pos;
        const char *why = NULL;
        in->line++;
        int st = sm_parse(&p, &out[n], &why);
        if (st == SM_BAD) {
            char shown[VS_ERR_MSG_MAX / 2];
            tr_quote_line((const char *)in->buf + in->pos, shown, sizeof shown);
            return vs_fail(err, VS_E_FORMAT, "%s:line %llu: %s, got '%s'", in->path,
                           (unsigned long long)in->line, why, shown);
        }
        in->pos = (size_t)(p - in->buf);
        n += st == SM_REC;
    }
    return (long)n;
}

static const reader_ops SIMICS_OPS = {sm_read, NULL, .digests = false};

int tr_simics_attach(trace_reader *r, vs_err *err)
{
    (void)err;
    return tr_attach(r, &SIMICS_OPS, NULL);
}
