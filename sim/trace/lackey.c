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
 *
 * Two parsers, one grammar.  lk_parse is the reference: byte by byte, it
 * accepts, skips or names what is wrong with any line.  lk_fast handles the
 * shape lackey prints for almost every line -- a kind, 1-15 hex digits, ','
 * and a 1- or 2-digit size ending in '\n' -- with few branches: SSE2 finds
 * the newlines and classifies the address digits and turns them into a
 * number, and the kind and size are table lookups and conditional moves.  It loads up to 24 bytes
 * past the line start (the window's TIN_PAD keeps that in bounds) but decides
 * only on the bytes up to the line's '\n'.  Whatever it declines goes to
 * lk_parse, so it changes how fast a line is read, never what it means
 * (tests/test_trace_lackey.c checks both against a naive model).
 *
 * The reader `digests` (trace_int.h): each record is folded into the trace
 * digest as it is parsed, its fields still in registers, rather than by
 * trace_read in a second pass over the batch (16384 records, 384 KiB, which
 * has left L1 and most of L2 by then).  The same function of the same
 * records, so the same value.
 */
#include "trace_int.h"

#include <assert.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define LACKEY_SIZE_MAX 4096u /* larger accesses are corruption, not x86 (AVX-512 is 64) */
/* Size 0 is refused: lk_main.c asserts every event it prints has a size of at
 * least 1 (addEvent_Ir: VG_MIN_INSTR_SZB <= isize; addEvent_Dr/Dw:
 * dsize >= 1), so a ",0" record is damage, and would count an access that
 * touches no byte. */
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
    LK_ZERO = -7,
};

static const char *const LK_WHY[] = {
    [-LK_HEX] = "bad hex address",      [-LK_WIDE] = "address wider than 64 bits",
    [-LK_COMMA] = "expected ',' after the address", [-LK_SIZE] = "expected a decimal size",
    [-LK_BIG] = "access size larger than 4096",   [-LK_TAIL] = "unexpected text after the size",
    [-LK_ZERO] = "access size 0 (lackey prints sizes from 1)",
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
    if (size == 0)
        return LK_ZERO;
    if (*p == '\r')
        p++;
    if (*p != '\n')
        return LK_TAIL;
    *pp = p + 1;
    *rec = (trace_rec){.addr = addr, .size = (uint16_t)size, .kind = (uint8_t)kind};
    return LK_REC;
}

#define LK_FAST_HEX 16u /* address digits lk_fast takes: one 16-byte vector */
#define LK_BLOCK 64u    /* bytes whose newlines one 64-bit mask holds */

#ifdef __SSE2__
/* The 16 bytes at p as hex digits: *nonhex gets bit i set when p[i] is not
 * one; the result is their value, p[0] most significant, a non-digit
 * counting as some nibble (the caller shifts those out). */
static inline uint64_t lk_hex16(const unsigned char *p, unsigned *nonhex)
{
    const __m128i LOW = _mm_set1_epi8(0x0f);
    __m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i dig = _mm_sub_epi8(c, _mm_set1_epi8('0'));
    __m128i let = _mm_sub_epi8(_mm_or_si128(c, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    __m128i is_dig = _mm_cmpeq_epi8(_mm_min_epu8(dig, _mm_set1_epi8(9)), dig);
    __m128i is_let = _mm_cmpeq_epi8(_mm_min_epu8(let, _mm_set1_epi8(5)), let);
    *nonhex = ~(unsigned)_mm_movemask_epi8(_mm_or_si128(is_dig, is_let)) & 0xffffu;
    /* '0'-'9' are 0x30-0x39; 'a'-'f' and 'A'-'F' have bit 6 set and low nibble 1-6. */
    __m128i letter = _mm_and_si128(_mm_srli_epi16(c, 6), _mm_set1_epi8(1));
    __m128i nib = _mm_and_si128(_mm_add_epi8(_mm_and_si128(c, LOW), _mm_add_epi8(_mm_slli_epi16(letter, 3), letter)), LOW);
    /* Each 16-bit lane holds digits 2j (low byte) and 2j+1: make it the byte 16 * d[2j] + d[2j+1]. */
    __m128i pairs = _mm_or_si128(_mm_and_si128(_mm_slli_epi16(nib, 4), _mm_set1_epi16(0xf0)), _mm_srli_epi16(nib, 8));
    uint64_t be = (uint64_t)_mm_cvtsi128_si64(_mm_packus_epi16(pairs, pairs)); /* byte 0 most significant */
    return __builtin_bswap64(be);
}

/* Bit i set when p[i] is '\n', for i < LK_BLOCK. */
static inline uint64_t lk_newlines(const unsigned char *p)
{
    const __m128i NL = _mm_set1_epi8('\n');
    uint64_t m = 0;
    for (unsigned i = 0; i < LK_BLOCK; i += 16)
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(
                 _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), NL))
             << i;
    return m;
}
#else
static inline uint64_t lk_hex16(const unsigned char *p, unsigned *nonhex)
{
    uint64_t v = 0;
    unsigned m = 0;
    for (unsigned i = 0; i < LK_FAST_HEX; i++) {
        unsigned d = tr_hexval[p[i]];
        m |= (unsigned)(d == 0) << i;
        v = v << 4 | ((d - 1) & 15);
    }
    *nonhex = m;
    return v;
}

static inline uint64_t lk_newlines(const unsigned char *p)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < LK_BLOCK; i++)
        m |= (uint64_t)(p[i] == '\n') << i;
    return m;
}
#endif

static inline uint32_t lk_load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The line [p, e], e its '\n', if it has the common record shape; false
 * leaves it to lk_parse.  Every test is on bytes the line's two ends give,
 * so consecutive lines parse independently of each other. */
static inline bool lk_fast(const unsigned char *p, const unsigned char *e, trace_rec *rec)
{
#define LK_HEAD(a, b) (LK_HEAD_OK | (uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)' ' << 16)
    /* Indexed by the second byte: the first three bytes of a record (a
     * little-endian load) marked with bit 24, so the 0 of any other entry
     * matches no line; and the record's kind. */
    enum { LK_HEAD_OK = 1u << 24 };
    static const uint32_t HEAD[256] = {[' '] = LK_HEAD('I', ' '), ['L'] = LK_HEAD(' ', 'L'),
                                       ['S'] = LK_HEAD(' ', 'S'), ['M'] = LK_HEAD(' ', 'M')};
    static const unsigned char KIND[256] = {['L'] = TREC_LOAD, ['S'] = TREC_STORE, ['M'] = TREC_RMW};
#undef LK_HEAD
    if (e - p < 6) /* "K  " + a digit + ',' + a digit; also keeps e[-3] inside the line */
        return false;
    bool two = e[-3] == ',';                    /* a two-digit size; else one digit */
    unsigned d0 = (unsigned)e[-2] - '0', d1 = (unsigned)e[-1] - '0';
    unsigned nd = (unsigned)(e - p) - 5u - two; /* "K  " + digits + ',' + size */
    unsigned digits = (1u << (nd & 31)) - 1u;   /* a valid nd is < 32 */
    unsigned nonhex;
    uint64_t hex = lk_hex16(p + 3, &nonhex);
    if (!((((lk_load32(p) & 0xffffffu) | LK_HEAD_OK) == HEAD[p[1]]) & (nd - 1 < LK_FAST_HEX) & (two | (e[-2] == ',')) &
          (d1 < 10) & (!two | (d0 < 10)) & ((nonhex & digits) == 0)))
        return false;
    unsigned size = two ? d0 * 10 + d1 : d1;
    if (VS_UNLIKELY(size == 0)) /* lk_parse names the error */
        return false;
    *rec = (trace_rec){.addr = hex >> (4 * (LK_FAST_HEX - nd)),
                       .size = (uint16_t)size,
                       .kind = KIND[p[1]]};
    return true;
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
    uint64_t h = r->digest.h;
    while (n < cap) {
        int rc = tin_lines(in, err);
        if (rc <= 0) {
            if (rc < 0)
                return rc;
            break;
        }
        const unsigned char *p = in->buf + in->pos, *lim = in->buf + in->lim;
        uint64_t line = in->line;
        /* Newlines come from a mask per LK_BLOCK bytes, so no line's start
         * waits for the previous line's parse. */
        for (const unsigned char *blk = p; n < cap && blk < lim; blk += LK_BLOCK) {
            uint64_t m = lk_newlines(blk);
            if (lim - blk < (long)LK_BLOCK)
                m &= ((uint64_t)1 << (lim - blk)) - 1; /* the window ends in this block */
            for (; m && n < cap; m &= m - 1) {
                const unsigned char *e = blk + __builtin_ctzll(m), *start = p;
                line++;
                p = e + 1;
                if (VS_LIKELY(lk_fast(start, e, &out[n]))) {
                    h = tr_digest_rec(h, &out[n]);
                    n++;
                    continue;
                }
                const unsigned char *q = start;
                int st = lk_parse(&q, &out[n]);
                if (st == LK_REC) {
                    h = tr_digest_rec(h, &out[n]);
                    n++;
                } else if (st != LK_SKIP) {
                    in->line = line;
                    in->pos = (size_t)(start - in->buf);
                    return lk_fail(r, start, st, err);
                }
                assert(q == p); /* lk_parse takes exactly one line */
            }
        }
        in->line = line;
        in->pos = (size_t)(p - in->buf);
    }
    return tr_digest_batch(r, h, n);
}

static const reader_ops LACKEY_OPS = {lk_read, NULL, .digests = true};

int tr_lackey_attach(trace_reader *r, vs_err *err)
{
    (void)err;
    return tr_attach(r, &LACKEY_OPS, NULL);
}
