/*
 * champsim.c: ChampSim's binary trace (inc/trace_instruction.h, struct
 * input_instr): 64-byte little-endian records, no header --
 *     0 ip | 8 is_branch | 9 branch_taken | 10 dst regs[2] | 12 src regs[4]
 *     16 destination_memory[2] (stores) | 32 source_memory[4] (loads)
 * An address of 0 means "unused".  Each record reads as an IFETCH at ip
 * (size 0), then a LOAD per nonzero source, then a STORE per nonzero
 * destination (ChampSim has no sizes: 0 = unknown).
 *
 * The writer groups each IFETCH with the loads and stores after it; a fifth
 * load or third store opens another record with the same ip.  An RMW is a
 * load plus a store.  Control records and memory references at address 0
 * have no ChampSim form: they are dropped and counted (trace_writer_dropped).
 *
 * Detection (no header to go by) requires every record of the first window
 * to look as the ChampSim tracer writes them (cs_record_plausible), and a
 * whole file that fits the window to be a multiple of 64 bytes.
 */
#include "trace_int.h"

#include <stdlib.h>
#include <string.h>

#define TR_CHAMPSIM_REC 64u                 /* sizeof(struct input_instr) */
#define CS_DSTS 2u                          /* NUM_INSTR_DESTINATIONS */
#define CS_SRCS 4u                          /* NUM_INSTR_SOURCES */
#define CS_OFF_BRANCH 8u                    /* is_branch, branch_taken: 0 or 1 */
#define CS_OFF_REGS 10u                     /* destination_registers[2], source_registers[4] */
#define CS_OFF_DST 16u
#define CS_OFF_SRC 32u
#define CS_RECS_PER_INSTR (1u + CS_SRCS + CS_DSTS) /* most trace_recs one record yields */
_Static_assert(CS_RECS_PER_INSTR <= TR_PENDING_MAX, "one instruction fits tr_pending");
#define CS_PARTIAL_HINT "the decompressed size is not a multiple of 64"
_Static_assert(TR_CHAMPSIM_REC == 64, "CS_PARTIAL_HINT names the record size");

static bool cs_canonical57(uint64_t va) { return (uint64_t)((int64_t)(va << 7) >> 7) == va; }

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Could these 64 bytes be an input_instr the ChampSim tracer wrote?  The
 * tracer (tracer/pin/champsim_tracer.cpp) sets branch_taken only with
 * is_branch, and fills each register and memory array from the front, one
 * slot per distinct non-zero value (std::find of the value, else of the first
 * 0): so every array is non-zero values then zeros, registers without
 * repeats.  Memory addresses may repeat in vmemsim's own ChampSim output,
 * and its loads before the first fetch carry ip 0.  Every address x86-64
 * can issue is canonical in at least 57 bits. */
static bool cs_record_plausible(const unsigned char *p)
{
    unsigned branch = p[CS_OFF_BRANCH], taken = p[CS_OFF_BRANCH + 1];
    if (branch > 1 || taken > branch)
        return false;
    const unsigned char *regs[2] = {p + CS_OFF_REGS, p + CS_OFF_REGS + CS_DSTS};
    const unsigned nregs[2] = {CS_DSTS, CS_SRCS};
    for (unsigned a = 0; a < 2; a++)
        for (unsigned i = 1; i < nregs[a]; i++)
            for (unsigned j = 0; j < i; j++)
                if (regs[a][i] != 0 && (regs[a][j] == 0 || regs[a][j] == regs[a][i]))
                    return false;
    const unsigned offs[2] = {CS_OFF_DST, CS_OFF_SRC}, nmem[2] = {CS_DSTS, CS_SRCS};
    bool any_mem = false;
    for (unsigned a = 0; a < 2; a++) {
        bool ended = false;
        for (unsigned i = 0; i < nmem[a]; i++) {
            uint64_t v = tr_get64le(p + offs[a] + 8 * i);
            if (v != 0 && (ended || !cs_canonical57(v)))
                return false;
            ended |= v == 0;
            any_mem |= v != 0;
        }
    }
    uint64_t ip = tr_get64le(p);
    return ip != 0 ? cs_canonical57(ip) : any_mem;
}

bool tr_champsim_plausible(const unsigned char *p, size_t n, bool whole_file)
{
    if (n < TR_CHAMPSIM_REC || (whole_file && n % TR_CHAMPSIM_REC != 0))
        return false;
    bool some_ip = false;
    for (size_t at = 0; at + TR_CHAMPSIM_REC <= n; at += TR_CHAMPSIM_REC) {
        if (!cs_record_plausible(p + at))
            return false;
        some_ip |= tr_get64le(p + at) != 0;
    }
    return some_ip;
}

/* Binary files that are certainly not ChampSim traces, named so the
 * detection error can say what the file is.  (gzip, xz and zstd never get
 * here: trace_src decompresses them.) */
const char *tr_known_magic(const unsigned char *p, size_t n)
{
    static const struct { const char *magic; size_t len; const char *what; } KNOWN[] = {
        {"\x7f" "ELF", 4, "an ELF file (executable or core dump)"},
        {"PK\x03\x04", 4, "a zip archive"},
        {"BZh", 3, "bzip2-compressed (decompress it first)"},
        {"\x04\x22\x4d\x18", 4, "LZ4-compressed (decompress it first)"},
        {"7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive"},
        {"%PDF", 4, "a PDF document"},
        {"\x89PNG", 4, "a PNG image"},
        {"QFI\xfb", 4, "a QEMU qcow2 disk image"},
        {"KDUMP   ", 8, "a makedumpfile kdump-compressed dump"},
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(KNOWN); i++)
        if (n >= KNOWN[i].len && memcmp(p, KNOWN[i].magic, KNOWN[i].len) == 0)
            return KNOWN[i].what;
    return NULL;
}

/* ---- reader ---- */

typedef struct cs_state {
    tr_pending pend; /* the rest of an instruction that did not fit the caller's buffer */
} cs_state;

static unsigned cs_decode(const unsigned char *p, trace_rec *out)
{
    unsigned k = 0;
    out[k++] = (trace_rec){.addr = tr_get64le(p), .kind = TREC_IFETCH};
    for (unsigned i = 0; i < CS_SRCS; i++) {
        uint64_t a = tr_get64le(p + CS_OFF_SRC + 8 * i);
        if (a)
            out[k++] = (trace_rec){.addr = a, .kind = TREC_LOAD};
    }
    for (unsigned i = 0; i < CS_DSTS; i++) {
        uint64_t a = tr_get64le(p + CS_OFF_DST + 8 * i);
        if (a)
            out[k++] = (trace_rec){.addr = a, .kind = TREC_STORE};
    }
    return k;
}

static long cs_read(trace_reader *r, trace_rec *out, size_t cap, vs_err *err)
{
    cs_state *s = r->st;
    trace_in *in = &r->in;
    size_t n = tr_pending_take(&s->pend, out, cap);
    while (n < cap) {
        long avail = tin_record(in, TR_CHAMPSIM_REC, "ChampSim record", "instruction", CS_PARTIAL_HINT, err);
        if (avail < 0)
            return avail;
        if (avail == 0)
            break;
        const unsigned char *p = in->buf + in->pos;
        size_t whole = (size_t)avail / TR_CHAMPSIM_REC;
        /* Fast path: decode straight into the caller's buffer while it has room. */
        while (whole > 0 && cap - n >= CS_RECS_PER_INSTR) {
            n += cs_decode(p, out + n);
            p += TR_CHAMPSIM_REC;
            whole--;
        }
        if (whole > 0 && cap - n < CS_RECS_PER_INSTR) {
            s->pend.n = cs_decode(p, s->pend.rec);
            s->pend.next = 0;
            p += TR_CHAMPSIM_REC;
            n += tr_pending_take(&s->pend, out + n, cap - n);
        }
        in->pos = (size_t)(p - in->buf);
    }
    return (long)n;
}

static const reader_ops CHAMPSIM_OPS = {cs_read, free, .digests = false};

int tr_champsim_attach(trace_reader *r, vs_err *err)
{
    (void)err;
    return tr_attach(r, &CHAMPSIM_OPS, vs_calloc(1, sizeof(cs_state)));
}

/* ---- writer ---- */

typedef struct cs_writer {
    unsigned char rec[TR_CHAMPSIM_REC];
    bool open;
    unsigned nsrc, ndst;
    uint64_t ip; /* of the last IFETCH: loads before any IFETCH get ip 0 */
} cs_writer;

static int cs_flush(trace_writer *w, cs_writer *c, vs_err *err)
{
    if (!c->open)
        return VS_OK;
    c->open = false;
    return tw_put(w, c->rec, sizeof c->rec, err);
}

static int cs_start(trace_writer *w, cs_writer *c, vs_err *err)
{
    int rc = cs_flush(w, c, err);
    memset(c->rec, 0, sizeof c->rec);
    put64(c->rec, c->ip);
    c->open = true;
    c->nsrc = c->ndst = 0;
    return rc;
}

static int cs_add(trace_writer *w, cs_writer *c, bool store, uint64_t addr, vs_err *err)
{
    int rc = VS_OK;
    if (!c->open || (store ? c->ndst == CS_DSTS : c->nsrc == CS_SRCS))
        rc = cs_start(w, c, err);
    if (store)
        put64(c->rec + CS_OFF_DST + 8 * c->ndst++, addr);
    else
        put64(c->rec + CS_OFF_SRC + 8 * c->nsrc++, addr);
    return rc;
}

static int cs_write(trace_writer *w, const trace_rec *recs, size_t n, vs_err *err)
{
    cs_writer *c = w->st;
    int rc = VS_OK;
    for (size_t i = 0; i < n && rc == VS_OK; i++) {
        const trace_rec *t = &recs[i];
        if (t->kind == TREC_IFETCH) {
            c->ip = t->addr;
            rc = cs_start(w, c, err);
        } else if (!trace_kind_is_mem(t->kind) || t->addr == 0) {
            w->dropped++;
        } else {
            if (t->kind != TREC_STORE)
                rc = cs_add(w, c, false, t->addr, err);
            if (t->kind != TREC_LOAD && rc == VS_OK)
                rc = cs_add(w, c, true, t->addr, err);
        }
    }
    return rc;
}

static int cs_finish(trace_writer *w, vs_err *err) { return cs_flush(w, w->st, err); }

static const writer_ops CHAMPSIM_WRITER = {cs_write, cs_finish, free};

int tr_champsim_writer_init(trace_writer *w, trace_codec codec, vs_err *err)
{
    (void)codec; /* records go out raw: ChampSim traces are compressed outside (xz) */
    (void)err;
    w->st = vs_calloc(1, sizeof(cs_writer));
    w->ops = &CHAMPSIM_WRITER;
    return VS_OK;
}
