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
 */
#include "trace_int.h"

#include <stdlib.h>
#include <string.h>

#define TR_CHAMPSIM_REC 64u                 /* sizeof(struct input_instr) */
#define CS_DSTS 2u                          /* NUM_INSTR_DESTINATIONS */
#define CS_SRCS 4u                          /* NUM_INSTR_SOURCES */
#define CS_OFF_BRANCH 8u                    /* is_branch, branch_taken: 0 or 1 */
#define CS_OFF_DST 16u
#define CS_OFF_SRC 32u
#define CS_RECS_PER_INSTR (1u + CS_SRCS + CS_DSTS) /* most trace_recs one record yields */
_Static_assert(CS_RECS_PER_INSTR <= TR_PENDING_MAX, "one instruction fits tr_pending");
#define CS_PARTIAL_HINT "the decompressed size is not a multiple of 64"
_Static_assert(TR_CHAMPSIM_REC == 64, "CS_PARTIAL_HINT names the record size");

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

bool tr_champsim_plausible(const unsigned char *p, size_t n)
{
    return n > CS_OFF_BRANCH + 1 && p[CS_OFF_BRANCH] <= 1 && p[CS_OFF_BRANCH + 1] <= 1;
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
        long avail = tin_record(in, TR_CHAMPSIM_REC, "ChampSim record", CS_PARTIAL_HINT, err);
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

static const reader_ops CHAMPSIM_OPS = {cs_read, free};

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

int tr_champsim_writer_init(trace_writer *w, vs_err *err)
{
    (void)err;
    w->st = vs_calloc(1, sizeof(cs_writer));
    w->ops = &CHAMPSIM_WRITER;
    return VS_OK;
}
