/*
 * wl_synth.c: the instruction stream under the seed-003 workloads (Figure 7):
 * one IFETCH per instruction from a small code loop, data accesses at a fixed
 * mean rate per instruction, and round-robin context switches between the
 * processes every `quantum` instructions (each a TREC_SWITCH, i.e. a CR3
 * write).  The generators choose only the data addresses.
 *
 * The rates are targets a user sets directly, as `vmemsim trace info`
 * measures them back: api= (data accesses per instruction) and cr3_pmi=
 * (CR3 writes per million instructions, another way to give quantum=:
 * quantum = 1e6 / cr3_pmi, rounded).
 *
 * va_bits=32 lays the process out as 32-bit Linux does (wl_int.h), for a
 * guest with 32-bit paging (guest.levels = 2): the generators' addresses are
 * the same offsets into the data area, and one that does not fit below
 * TASK_SIZE is an error naming its record, never wrapped.
 *
 * Invariants: over any run of n instructions the data accesses emitted are
 * floor(n * api) or one more (a fixed-point accumulator, not a random draw,
 * so the rate holds exactly for short traces); switches happen only at
 * multiples of quantum.
 */
#include "wl_int.h"

#include <assert.h>
#include <math.h>

#define API_ONE (1ull << 32)        /* fixed-point unit of the accumulator */
#define DEFAULT_REFS 1000000ull     /* data references when neither length key is given */
#define MAX_LEN (1ull << 40)        /* a bound that keeps every product in 64 bits */
#define INSTR_BYTES 4u              /* the code loop steps by an average x86 instruction */
#define PER_MILLION 1e6             /* cr3_pmi= counts CR3 writes per million instructions */
#define VA_BITS_64 48               /* x86-64's 4-level user addresses (the default layout) */
#define VA_BITS_32 32

int wl_synth_init(wl_synth *s, wl_args *a, const wl_synth_defaults *d, uint64_t seed, wl_out *out,
                  vs_err *err)
{
    *s = (wl_synth){.out = out, .rng = seed};
    uint64_t refs, instr, procs, quantum;
    double cr3_pmi;
    int rc = wl_arg_f64(a, "api", d->api, 0.01, 8.0, &s->api, err);
    if (rc == VS_OK && d->writes >= 0) /* a negative default: the pattern fixes the mix */
        rc = wl_arg_f64(a, "writes", d->writes, 0.0, 1.0, &s->writes, err);
    if (rc == VS_OK) /* 0: not given (the range starts at 1: refs=0 must not mean the default) */
        rc = wl_arg_u64(a, "refs", 0, 1, MAX_LEN, &refs, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "instructions", 0, 1, MAX_LEN, &instr, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "footprint", d->footprint, 1ull << 16, 1ull << 40, &s->footprint, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "processes", d->processes, 1, 4096, &procs, err);
    if (rc == VS_OK) /* 0: not given (the range starts at 1) */
        rc = wl_arg_u64(a, "quantum", 0, 1, MAX_LEN, &quantum, err);
    if (rc == VS_OK) /* negative: not given */
        rc = wl_arg_f64(a, "cr3_pmi", -1.0, PER_MILLION / (double)MAX_LEN, PER_MILLION, &cr3_pmi, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "code", d->code, 64, 1ull << 30, &s->code, err);
    uint64_t va_bits = VA_BITS_64;
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "va_bits", VA_BITS_64, VA_BITS_32, VA_BITS_64, &va_bits, err);
    if (rc != VS_OK)
        return rc;
    if (va_bits != VA_BITS_32 && va_bits != VA_BITS_64)
        return vs_fail(err, VS_E_USAGE, "gen: va_bits=%llu; expected 48 (x86-64) or 32 (a 32-bit process)",
                       (unsigned long long)va_bits);
    s->va32 = va_bits == VA_BITS_32;
    s->code_base = s->va32 ? WL_CODE_BASE_32 : WL_CODE_BASE;
    if (refs && instr)
        return vs_fail(err, VS_E_USAGE, "gen: refs= and instructions= both given; expected one");
    if (quantum && cr3_pmi >= 0)
        return vs_fail(err, VS_E_USAGE, "gen: quantum= and cr3_pmi= both given; expected one");
    if (cr3_pmi >= 0 && procs < 2)
        return vs_fail(err, VS_E_USAGE, "gen: cr3_pmi=%g needs processes= of 2 or more", cr3_pmi);
    s->quantum = quantum ? quantum : cr3_pmi >= 0 ? (uint64_t)llround(PER_MILLION / cr3_pmi) : d->quantum;
    if (!refs && !instr)
        refs = DEFAULT_REFS;
    s->instructions = instr ? instr : (uint64_t)ceil((double)refs / s->api);
    s->processes = (uint32_t)procs;
    s->api_fx = (uint64_t)llround(s->api * (double)API_ONE);
    s->store_fx = (uint64_t)llround(s->writes * (double)API_ONE);
    return VS_OK;
}

void wl_synth_start(wl_synth *s)
{
    if (s->processes < 2)
        return;
    for (uint32_t p = 0; p < s->processes; p++)
        wl_emit(s->out, TREC_PROC_START, 0, 0, p, 0);
    wl_emit(s->out, TREC_SWITCH, 0, 0, 0, 0);
}

unsigned wl_synth_instr_at(wl_synth *s, uint64_t pc)
{
    wl_emit(s->out, TREC_IFETCH, pc, INSTR_BYTES, 0, 0);
    s->acc += s->api_fx;
    unsigned k = (unsigned)(s->acc / API_ONE);
    s->acc %= API_ONE;
    return k;
}

unsigned wl_synth_instr(wl_synth *s, uint64_t i)
{
    if (s->processes > 1 && i > 0 && i % s->quantum == 0) {
        s->pid = (s->pid + 1) % s->processes;
        wl_emit(s->out, TREC_SWITCH, 0, 0, s->pid, 0);
    }
    uint64_t pc = s->code_base + s->pc;
    s->pc = (s->pc + INSTR_BYTES) % s->code;
    return wl_synth_instr_at(s, pc);
}

/* addr as the process sees it: moved to the 32-bit data area under va_bits=32. */
static uint64_t data_va(wl_synth *s, uint64_t addr)
{
    if (s->va32) {
        assert(addr >= WL_DATA_BASE); /* every generator's data lies in its data area */
        uint64_t off = addr - WL_DATA_BASE;
        addr = WL_DATA_BASE_32 + off;
        if (off >= WL_TASK_SIZE_32 - WL_DATA_BASE_32 || addr + WL_WORD > WL_TASK_SIZE_32)
            wl_out_fail(s->out, "gen: va_bits=32: data at offset 0x%llx of the data area (record %llu) lies beyond the "
                        "%llu MiB a 32-bit process has for it below TASK_SIZE 0x%llx; expected a smaller footprint=",
                        (unsigned long long)off, (unsigned long long)wl_out_records(s->out) + 1,
                        (unsigned long long)((WL_TASK_SIZE_32 - WL_DATA_BASE_32) >> 20),
                        (unsigned long long)WL_TASK_SIZE_32);
    }
    return addr;
}

void wl_synth_access(wl_synth *s, uint64_t addr, bool store)
{
    wl_emit(s->out, store ? TREC_STORE : TREC_LOAD, data_va(s, addr), WL_WORD, 0, 0);
}

void wl_synth_unmap(wl_synth *s, uint64_t addr, uint64_t len)
{
    wl_emit(s->out, TREC_UNMAP, data_va(s, addr), 0, 0, len);
}

void wl_synth_data(wl_synth *s, uint64_t addr)
{
    wl_synth_access(s, addr, (vs_rng_next(&s->rng) >> 32) < s->store_fx);
}
