/*
 * fuzz_engine.c: libFuzzer target for the engine -- the input becomes a
 * stream of trace records (memory references and every control record:
 * process switch / CR3 write, INVLPG, process start, exit, fork, exec, VM
 * switch, transactions, critical-data areas, unmaps, kmaps), written as a .vmt and run
 * through every translation mode on a small machine (32 MiB guests, 64 MiB
 * host, so running out of physical memory is reachable; 16-set caches).
 *
 * Input layout: byte 0 picks the machine (bit 0: 5-level guest paging,
 * bit 1: two VMs, bit 2: PCIDs, bit 3: 5-level host paging, bits 4-5: guest
 * page size); byte 1 the mode (modulo mode_count(): one mode per input keeps
 * executions fast, and the corpus holds seeds for every mode); then
 * REC_BYTES per record.  Addresses are mostly drawn from a
 * few small regions (so pages repeat and TLBs hit), sometimes raw 64-bit
 * values (non-canonical ones must be rejected cleanly).
 *
 * Checked: no crash or sanitizer report; a run either succeeds or fails with
 * a message that names the trace file.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "mmu/mode.h"
#include "sim.h"
#include "trace/trace.h"

#define REC_BYTES 8u        /* kind, address class, 4 address bytes, id, size */
#define HEADER 2u           /* machine flags, mode */
#define MAX_RECS 4096u      /* longer inputs are cut */
#define SMALL_MEM (32ull << 20)
#define HOST_MEM (64ull << 20)
#define CACHE_SETS 16u

/* Region bases: user code, heap, stack, kernel half (canonical for 48 and 57 bits). */
static const uint64_t REGION[] = {0x400000ull, 0x7f0000000000ull, 0x7ffffff00000ull, 0xffff800000000000ull};

static uint64_t addr_of(const uint8_t *b)
{
    uint32_t low = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 | (uint32_t)b[5] << 24;
    unsigned cls = b[1] & 7;
    if (cls < 4)
        return REGION[cls] + (low & 0x3fffffu); /* 4 MiB windows: repeats, 2 MiB pages */
    if (cls == 4)
        return (uint64_t)low << 12;             /* anywhere in the low 44 bits */
    /* raw: the same bytes spread over all 64 bits, often non-canonical */
    uint64_t a = (uint64_t)low * 0x9e3779b97f4a7c15ull;
    return cls == 5 ? a : a | 1ull << 63;
}

static void decode(const uint8_t *b, trace_rec *r)
{
    unsigned kind = b[0] % TREC_KIND_COUNT;
    *r = (trace_rec){.kind = (uint8_t)kind, .id = b[6] % 6u};
    if (trace_kind_is_mem(kind) || kind == TREC_INVLPG || kind == TREC_CDA || kind == TREC_UNMAP || kind == TREC_KMAP)
        r->addr = addr_of(b);
    if (kind == TREC_KMAP) { /* id = the page-cache page; mostly aligned, so most reach the OS model */
        r->addr &= b[7] & 0x80 ? ~0ull : ~0xfffull;
        r->len = b[7] & 0x40 ? 1 : 0; /* a length is refused */
        return;
    }
    if (trace_kind_is_mem(kind))
        r->size = (uint16_t)(1u << (b[7] & 3));
    if (kind == TREC_CDA || kind == TREC_UNMAP) /* 0 and unaligned addresses test the refusals */
        r->len = (uint64_t)b[7] << 12;
    if (kind == TREC_UNMAP) /* an id is refused; keep most unmaps valid so they reach the OS model */
        r->id = b[6] == 0xff;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER)
        return 0;
    size_t n = (size - HEADER) / REC_BYTES;
    n = n < MAX_RECS ? n : MAX_RECS;
    static trace_rec recs[MAX_RECS];
    for (size_t i = 0; i < n; i++)
        decode(data + HEADER + i * REC_BYTES, &recs[i]);

    static char path[96];
    if (!path[0])
        snprintf(path, sizeof path, "%s/vmemsim-fuzz-engine-%d.vmt",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
    vs_err err = {0};
    trace_writer *w;
    assert(trace_writer_open(path, TFMT_VMT, TCODEC_NONE, &w, &err) == VS_OK);
    assert(trace_write(w, recs, n, &err) == VS_OK);
    assert(trace_writer_close(w, &err) == VS_OK);

    vs_config c;
    cfg_defaults(&c);
    c.mode = (vs_mode)(data[1] % mode_count());
    c.guest_levels = data[0] & 1 ? 5 : 4;
    c.host_levels = data[0] & 8 ? 5 : 4;
    c.vm_count = data[0] & 2 ? 2 : 1;
    c.tlb_pcid = data[0] & 4;
    c.guest_page_size = (data[0] >> 4) % VS_PG_COUNT;
    c.guest_mem = SMALL_MEM;
    c.host_mem = HOST_MEM;
    c.vm_reserved = 1ull << 20;
    c.quantum = 64;
    for (uint32_t i = 0; i < c.n_caches; i++) /* 16 sets: building big caches would dominate */
        c.caches[i].size = (uint64_t)c.caches[i].ways * c.caches[i].line * CACHE_SETS;
    if (cfg_validate(&c, "fuzz", &err) != VS_OK)
        return 0; /* a combination the config rejects is not the engine's input */
    vs_sim *s;
    if (sim_new(&c, &s, &err) != VS_OK)
        return 0;
    int rc = sim_add_trace(s, path, -1, &err);
    if (rc == VS_OK && c.vm_count == 2)
        rc = sim_add_trace(s, path, 1, &err); /* two streams: scheduling and VM switches */
    if (rc == VS_OK)
        rc = sim_run(s, NULL, NULL, &err);
    if (rc != VS_OK)
        assert(err.msg[0] != '\0' && strstr(err.msg, path) != NULL);
    sim_free(s);
    return 0;
}
