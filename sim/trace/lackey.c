/*
 * lackey.c: reader for Valgrind Lackey memory traces (valgrind --tool=lackey
 * --trace-mem=yes), after lackey/lk_main.c:
 *     "I  %08lx,%lu"  instruction fetch    " L %08lx,%lu"  load
 *     " S %08lx,%lu"  store                " M %08lx,%lu"  modify (RMW)
 * Addresses are hex without 0x, sizes decimal.  Valgrind's own "==pid=="
 * lines and blank lines are skipped; anything else is an error.
 *
 * The parser is hand-rolled for speed: it scans a window whose every line
 * ends in '\n' (tin_lines), so each byte test doubles as the bounds check --
 * '\n' is neither a hex digit, nor a decimal digit, nor a kind letter.
 */
#include "trace_int.h"

#include <string.h>

#define LACKEY_SIZE_MAX 4096u /* larger accesses are corruption, not x86 (AVX-512 is 64) */
#define HEX_DIGITS_MAX 16u    /* 64-bit addresses */
#define SIZE_DIGITS_MAX 5u    /* enough to see that a size exceeds LACKEY_SIZE_MAX */

enum lk_status {
    LK_REC = 2,
    LK_SKIP = 1,
    LK_SHAPE = 0,
    LK_HEX = -1,
    LK_WIDE = -2,
    LK_COMMA = -3,
    LK_SIZE = -4,
    LK_BIG = -5,
    LK_TAIL = -6,
};

static const char *const LK_WHY[] = {
    [-LK_HEX] = "bad hex address",      [-LK_WIDE] = "address wider than 64 bits",
    [-LK_COMMA] = "expected ',' after the address", [-LK_SIZE] = "expected a decimal size",
    [-LK_BIG] = "access size larger than 4096",   [-LK_TAIL] = "unexpected text after the size",
};

/* A non-record line: "==pid== ..." or blank.  Advances *pp past its '\n'. */
static int lk_other(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    if (p[0] == '=' && p[1] == '=') {
        *pp = (const unsigned char *)rawmemchr(p, '\n') + 1;
        return LK_SKIP;
    }
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    if (*p != '\n')
        return LK_SHAPE;
    *pp = p + 1;
    return LK_SKIP;
}

static inline int lk_parse(const unsigned char **pp, trace_rec *rec)
{
    static const unsigned char DATA_KIND[256] = {['L'] = TREC_LOAD + 1, ['S'] = TREC_STORE + 1,
                                                 ['M'] = TREC_RMW + 1};
    const unsigned char *p = *pp;
    unsigned kind;
    if (p[0] == 'I' && p[1] == ' ' && p[2] == ' ')
        kind = TREC_IFETCH;
    else if (p[0] == ' ' && DATA_KIND[p[1]] && p[2] == ' ')
        kind = DATA_KIND[p[1]] - 1u;
    else
        return lk_other(pp);
    p += 3;
    const unsigned char *digits = p;
    uint64_t addr = 0;
    unsigned d;
    while ((d = tr_hexval[*p]) != 0) {
        addr = addr << 4 | (d - 1);
        p++;
    }
    size_t nd = (size_t)(p - digits);
    if (nd == 0)
        return LK_HEX;
    if (VS_UNLIKELY(nd > HEX_DIGITS_MAX)) {
        for (size_t i = 0; i < nd - HEX_DIGITS_MAX; i++)
            if (digits[i] != '0')
                return LK_WIDE;
    }
    if (*p++ != ',')
        return LK_COMMA;
    const unsigned char *sdig = p;
    unsigned size = 0;
    while (*p >= '0' && *p <= '9' && p - sdig < (long)SIZE_DIGITS_MAX)
        size = size * 10 + (unsigned)(*p++ - '0');
    if (p == sdig)
        return LK_SIZE;
    if (size > LACKEY_SIZE_MAX || (*p >= '0' && *p <= '9'))
        return LK_BIG;
    if (*p == '\r')
        p++;
    if (*p != '\n')
        return LK_TAIL;
    *pp = p + 1;
    *rec = (trace_rec){.addr = addr, .size = (uint16_t)size, .kind = (uint8_t)kind};
    return LK_REC;
}

int tr_lackey_sniff(const char *line)
{
    const unsigned char *p = (const unsigned char *)line;
    trace_rec rec;
    int st = lk_parse(&p, &rec);
    return st > 0 ? st : 0;
}

static long lk_fail(trace_reader *r, const unsigned char *line, int st, vs_err *err)
{
    char shown[VS_ERR_MSG_MAX / 2];
    tr_quote_line((const char *)line, shown, sizeof shown);
    unsigned long long ln = (unsigned long long)r->in.line;
    if (st == LK_SHAPE)
        return vs_fail(err, VS_E_FORMAT,
                       "%s:line %llu: expected a lackey record ('I', ' L', ' S', ' M' ...), got '%s'",
                       r->in.path, ln, shown);
    return vs_fail(err, VS_E_FORMAT, "%s:line %llu: %s in lackey record '%s'", r->in.path, ln,
                   LK_WHY[-st], shown);
}

static long lk_read(trace_reader *r, trace_rec *out, size_t cap, vs_err *err)
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
        const unsigned char *p = in->buf + in->pos, *lim = in->buf + in->lim;
        uint64_t line = in->line;
        while (n < cap && p < lim) {
            const unsigned char *start = p;
            line++;
            int st = lk_parse(&p, &out[n]);
            if (VS_LIKELY(st == LK_REC))
                n++;
            else if (st != LK_SKIP) {
                in->line = line;
                in->pos = (size_t)(start - in->buf);
                return lk_fail(r, start, st, err);
            }
        }
        in->line = line;
        in->pos = (size_t)(p - in->buf);
    }
    return (long)n;
}

static const reader_ops LACKEY_OPS = {lk_read, NULL};

int tr_lackey_attach(trace_reader *r, vs_err *err)
{
    (void)err;
    return tr_attach(r, &LACKEY_OPS, NULL);
}
