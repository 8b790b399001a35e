/*
 * test_trace_lackey.c: the lackey reader against a naive model of its
 * grammar (after SQLite's bitvec test).  The reader has a vectorised fast
 * path for the common line shape and a byte-by-byte parser for everything
 * else; random lines -- lackey's shapes with every digit count, letter case
 * and size width, plus single-byte damage -- must give exactly the records
 * the model gives, and the first line the model rejects must be the line the
 * reader's error names.  A fault seeded into the model proves the comparison
 * can fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "trace/trace.h"
#include "vs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_CHARS 48  /* longest generated line */
#define FILES 300          /* small files: one damaged line each, anywhere */
#define LINES_PER_FILE 400
#define BIG_LINES 120000   /* ~2 MB: crosses many input windows */
#define BATCH 777          /* an odd batch size: lines straddle calls */

enum { M_REC, M_SKIP, M_BAD };

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The grammar of lackey.c's header, written for clarity: one line without
 * its '\n'.  seed_fault breaks the model (sizes of 2 digits off by one). */
static int model(const char *l, trace_rec *rec, bool seed_fault)
{
    if (l[0] == '=' && l[1] == '=')
        return M_SKIP;
    if (strspn(l, " \t\r") == strlen(l))
        return M_SKIP;
    unsigned kind;
    if (strncmp(l, "I  ", 3) == 0)
        kind = TREC_IFETCH;
    else if (l[0] == ' ' && l[1] && strchr("LSM", l[1]) && l[2] == ' ')
        kind = l[1] == 'L' ? TREC_LOAD : l[1] == 'S' ? TREC_STORE : TREC_RMW;
    else
        return M_BAD;
    const char *p = l + 3;
    size_t nd = 0;
    while (hexval(p[nd]) >= 0)
        nd++;
    if (nd == 0)
        return M_BAD;
    uint64_t addr = 0;
    for (size_t i = 0; i < nd; i++) {
        if (i + 16 < nd && p[i] != '0')
            return M_BAD; /* wider than 64 bits */
        addr = addr << 4 | (uint64_t)hexval(p[i]);
    }
    p += nd;
    if (*p++ != ',')
        return M_BAD;
    size_t sd = 0;
    unsigned size = 0;
    while (p[sd] >= '0' && p[sd] <= '9' && sd < 5)
        size = size * 10 + (unsigned)(p[sd++] - '0');
    if (sd == 0 || size == 0 || size > 4096 || (p[sd] >= '0' && p[sd] <= '9'))
        return M_BAD;
    p += sd;
    if (*p == '\r')
        p++;
    if (*p)
        return M_BAD;
    *rec = (trace_rec){.addr = addr, .size = (uint16_t)(size + (seed_fault && sd == 2)), .kind = (uint8_t)kind};
    return M_REC;
}

static unsigned pick(uint64_t *rng, unsigned n) { return (unsigned)(vs_rng_next(rng) % n); }

/* One line as lackey prints it (any digit count, case and size width), and,
 * with probability 1/damage, one byte changed, inserted or deleted. */
static void gen_line(uint64_t *rng, char *out, unsigned damage, bool valid)
{
    static const char *const HEADS[] = {"I  ", " L ", " S ", " M ", "I  ", "I  "};
    static const char HEX[] = "0123456789abcdefABCDEF";
    static const char NOISE[] = ",\r\t =ILSMxg0919fF,\n\x80\x01";
    char *o = out;
    if (pick(rng, 50) == 0) {
        o += sprintf(o, "==%u== comment", pick(rng, 99999));
    } else if (pick(rng, 80) != 0) {
        o += sprintf(o, "%s", HEADS[pick(rng, 6)]);
        unsigned nd = 1 + pick(rng, pick(rng, 4) ? 12 : 19); /* mostly lackey's 8-12, up to 19 */
        for (unsigned i = 0; i < nd; i++)
            *o++ = nd > 16 && i < nd - 16 ? '0' : HEX[pick(rng, sizeof HEX - 1)];
        static const unsigned SIZES[] = {1, 2, 3, 4, 8, 10, 15, 16, 32, 64, 0, 4096, 4097, 99999, 123456};
        unsigned sz = SIZES[pick(rng, pick(rng, 4) || valid ? 10 : 15)];
        o += sprintf(o, pick(rng, 30) || valid ? ",%u" : ",0%u", sz);
        if (pick(rng, 40) == 0)
            *o++ = '\r';
    }
    *o = 0;
    size_t n = strlen(out);
    if (damage && pick(rng, damage) == 0 && n > 0) {
        size_t at = pick(rng, (unsigned)n);
        char c = NOISE[pick(rng, sizeof NOISE - 1)];
        switch (pick(rng, 3)) {
        case 0: out[at] = c; break;
        case 1: memmove(out + at + 1, out + at, n - at + 1), out[at] = c; break;
        default: memmove(out + at, out + at + 1, n - at); break;
        }
        /* A '\n' makes two lines; keep one per call so line numbers stay simple. */
        for (char *q = out; *q; q++)
            if (*q == '\n')
                *q = ' ';
    }
}

/* Writes the lines, reads them back, and compares with the model: the
 * reader's records are the model's up to its first bad line (a reader may
 * drop the records of the batch that held the error, never invent one), and
 * its error names that line.  The reader folds the trace digest in as it
 * parses: it must equal trace_digest_add over the records it returned. */
static void check_file(const char *name, char (*lines)[LINE_MAX_CHARS + 2], size_t nlines, bool seed_fault,
                       bool *mismatch)
{
    GString *text = g_string_new(NULL);
    for (size_t i = 0; i < nlines; i++)
        g_string_append_printf(text, "%s\n", lines[i]);
    char *path = vt_write_file(name, text->str, text->len);
    g_string_free(text, TRUE);
    trace_reader *r;
    vs_err e;
    assert_int_equal(trace_open(path, TFMT_LACKEY, &r, &e), VS_OK);
    GArray *got = g_array_new(FALSE, FALSE, sizeof(trace_rec));
    static trace_rec buf[BATCH];
    long k;
    while ((k = trace_read(r, buf, BATCH, &e)) > 0)
        g_array_append_vals(got, buf, (guint)k);
    trace_digest folded = trace_reader_digest(r), after;
    trace_close(r);
    trace_digest_init(&after);
    trace_digest_add(&after, (const trace_rec *)got->data, got->len);
    if (folded.h != after.h || folded.records != after.records)
        *mismatch = true;
    size_t line = 0, n = 0;
    for (; line < nlines; line++) {
        trace_rec want;
        int st = model(lines[line], &want, seed_fault);
        if (st == M_BAD)
            break;
        if (st != M_REC || n++ >= got->len)
            continue; /* past the reader's last record: look for the model's bad line */
        const trace_rec *g = &g_array_index(got, trace_rec, n - 1);
        if (g->addr != want.addr || g->size != want.size || g->kind != want.kind)
            *mismatch = true;
    }
    if (!*mismatch && line < nlines) { /* the model rejects line + 1: so must the reader */
        char where[64];
        snprintf(where, sizeof where, "%s:line %zu:", path, line + 1);
        *mismatch = k >= 0 || strstr(e.msg, where) == NULL || got->len > n;
    } else if (!*mismatch)
        *mismatch = k != 0 || n != got->len; /* a clean end, every record */
    g_array_free(got, TRUE);
    g_free(path);
}

static void run_all(bool seed_fault, bool *mismatch)
{
    uint64_t rng = 0x1ac4e7;
    static char lines[BIG_LINES][LINE_MAX_CHARS + 2];
    for (unsigned f = 0; f < FILES && !*mismatch; f++) {
        for (unsigned i = 0; i < LINES_PER_FILE; i++)
            gen_line(&rng, lines[i], 4, false);
        check_file("rand.lackey", lines, LINES_PER_FILE, seed_fault, mismatch);
    }
    for (unsigned i = 0; i < BIG_LINES; i++)
        gen_line(&rng, lines[i], i == BIG_LINES - 7 ? 1 : 0, true); /* one damaged line near the end */
    check_file("big.lackey", lines, BIG_LINES, seed_fault, mismatch);
}

static void test_matches_model(void **s)
{
    (void)s;
    bool mismatch = false;
    run_all(false, &mismatch);
    assert_false(mismatch);
}

static void test_seeded_fault_is_caught(void **s)
{
    (void)s;
    bool mismatch = false;
    run_all(true, &mismatch);
    assert_true(mismatch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_model),
        cmocka_unit_test(test_seeded_fault_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
