/*
 * config.c: the option table and the GKeyFile reader behind config.h.
 *
 * Each row of `options` names a [section] key, its type, where it lives in
 * vs_config, its default (as text, parsed by the same code as a file value,
 * so a default can never be out of range), its range and a one-line meaning.
 * [tlb.NAME] and [cache.NAME] sections use the smaller tables tlb_keys and
 * cache_keys, applied to each such section.
 *
 * Sources of the defaults are given in docs/model.md; the one-line reasons
 * here say what each models.
 */
#include "config.h"
#include "cpf/cpf.h"
#include "mmu/mode.h"
#include "tlb/repl.h"
#include "tlb/tpf.h"

#include <glib.h>
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum opt_type {
    OPT_U32,
    OPT_U64,
    OPT_SIZE,  /* u64 bytes, with an optional k/m/g/t suffix (powers of 1024) */
    OPT_BOOL,
    OPT_DOUBLE,
    OPT_ENUM,  /* int index into choices */
    OPT_MASK   /* comma list of names from choices -> bit mask */
} opt_type;

typedef struct cfg_opt {
    const char *section;
    const char *key;
    opt_type type;
    size_t offset;
    const char *def; /* NULL for a mask of every choice (a list other files extend) */
    double min, max;
    const char *const *choices;
    const char *help;
} cfg_opt;

static const char *const pgsz_names[] = {"4k", "2m", "1g", NULL};
static const char *const adapt_policy_names[] = {"cost", "rates", NULL}; /* ADAPT_POLICY_* order */
static const char *const pwc_kind_names[] = {"split", "unified", NULL};
static const char *const tlb_kind_names[] = {"data", "instruction", "unified", NULL};
static const char *const side_names[] = {"data", "instruction", "unified", NULL};
static const char *const shadow_update_names[] = {"off", "mapped", "backs", NULL}; /* SHADOW_UPDATE_* order */

#define MAXU64 18446744073709551615.0
#define OFF(f) offsetof(vs_config, f)

/* clang-format off */
static const cfg_opt options[] = {
    {"machine", "mode", OPT_ENUM, OFF(mode), "native", 0, 0, mode_names, "translation scheme"},
    {"machine", "freq_ghz", OPT_DOUBLE, OFF(freq_ghz), "3.0", 0.01, 100, NULL, "core clock, to turn cycles into seconds"},
    {"machine", "base_cpi", OPT_DOUBLE, OFF(base_cpi), "1.0", 0, 1000, NULL, "cycles per instruction with perfect translation"},
    {"machine", "seed", OPT_U64, OFF(seed), "1", 0, MAXU64, NULL, "seed of every random choice (replacement, placement)"},
    {"guest", "levels", OPT_U32, OFF(guest_levels), "4", 2, 5, NULL, "guest (or native) page-table levels: 4, 5 for LA57, or 2 for 32-bit paging (4 KiB pages, va and pa below 4 GiB)"},
    {"guest", "page_size", OPT_ENUM, OFF(guest_page_size), "4k", 0, 0, pgsz_names, "guest OS page-size policy (2m/1g: THP-like, where free)"},
    {"guest", "mem", OPT_SIZE, OFF(guest_mem), "16g", 1 << 24, 1ull << 50, NULL, "physical memory of each guest (of the machine in native mode)"},
    {"guest", "flush_ceiling", OPT_U32, OFF(guest_flush_ceiling), "33", 0, 1u << 20, NULL, "pages an unmap flushes with one INVLPG each; a longer range reloads CR3 (Linux's tlb_single_page_flush_ceiling; 0: every range flush reloads CR3, as Linux 2.6 did)"},
    {"host", "levels", OPT_U32, OFF(host_levels), "4", 4, 5, NULL, "host (nested/EPT) page-table levels"},
    {"host", "page_size", OPT_ENUM, OFF(host_page_size), "4k", 0, 0, pgsz_names, "page size the hypervisor backs guest memory with"},
    {"host", "mem", OPT_SIZE, OFF(host_mem), "64g", 1 << 24, 1ull << 50, NULL, "host physical memory"},
    {"host", "max_order", OPT_U32, OFF(host_max_order), "20", 18, 40, NULL, "largest buddy block, 2^order frames (20 = 4 GiB)"},
    {"host", "group_by_mobility", OPT_BOOL, OFF(host_group_by_mobility), "true", 0, 0, NULL, "Linux's grouping pages by mobility (2.6.24+): VMM tables unmovable, guest memory movable, in separate 2 MiB pageblocks (false: one lowest-address-first order for both)"},
    {"tlb", "pcid", OPT_BOOL, OFF(tlb_pcid), "true", 0, 0, NULL, "tag TLB entries by process (PCID/ASID): no flush on CR3 writes"},
    {"tlb", "vpid", OPT_BOOL, OFF(tlb_vpid), "true", 0, 0, NULL, "tag TLB entries by VM (VPID): no flush on VM switches"},
    {"pwc", "enabled", OPT_BOOL, OFF(pwc_enabled), "true", 0, 0, NULL, "every page-walk cache of both dimensions"},
    {"pwc", "kind", OPT_ENUM, OFF(pwc_kind), "split", 0, 0, pwc_kind_names, "split (Intel PSC, VA-tagged) or unified (AMD PWC, PA-tagged)"},
    {"pwc", "latency", OPT_U32, OFF(pwc_latency), "1", 0, 1000, NULL, "cycles per page-walk-cache lookup"},
    {"pwc", "pml5_entries", OPT_U32, OFF(pwc_entries[5]), "2", 0, 65536, NULL, "split cache of PML5 entries (used with 5 levels)"},
    {"pwc", "pml5_ways", OPT_U32, OFF(pwc_ways[5]), "2", 1, 65536, NULL, "associativity of the PML5 cache (= entries: fully associative)"},
    {"pwc", "pml4_entries", OPT_U32, OFF(pwc_entries[4]), "4", 0, 65536, NULL, "split cache of PML4 entries"},
    {"pwc", "pml4_ways", OPT_U32, OFF(pwc_ways[4]), "4", 1, 65536, NULL, "associativity of the PML4 cache"},
    {"pwc", "pdpt_entries", OPT_U32, OFF(pwc_entries[3]), "4", 0, 65536, NULL, "split cache of PDPT entries"},
    {"pwc", "pdpt_ways", OPT_U32, OFF(pwc_ways[3]), "4", 1, 65536, NULL, "associativity of the PDPT cache"},
    {"pwc", "pd_entries", OPT_U32, OFF(pwc_entries[2]), "32", 0, 65536, NULL, "split cache of PD entries"},
    {"pwc", "pd_ways", OPT_U32, OFF(pwc_ways[2]), "4", 1, 65536, NULL, "associativity of the PD cache"},
    {"pwc", "unified_entries", OPT_U32, OFF(pwc_unified_entries), "24", 0, 65536, NULL, "unified PA-tagged cache entries"},
    {"pwc", "unified_ways", OPT_U32, OFF(pwc_unified_ways), "24", 1, 65536, NULL, "associativity of the unified cache (24 = fully associative)"},
    {"pwc", "unified_levels", OPT_U32, OFF(pwc_unified_levels), "60", 0, 63, NULL, "bit mask of cached levels (60 = levels 2..5)"},
    {"pwc", "nested_pml5_entries", OPT_U32, OFF(pwc_nested_entries[5]), "2", 0, 65536, NULL, "nested-dimension (GPA-tagged) cache of PML5 entries"},
    {"pwc", "nested_pml5_ways", OPT_U32, OFF(pwc_nested_ways[5]), "2", 1, 65536, NULL, "associativity of the nested PML5 cache"},
    {"pwc", "nested_pml4_entries", OPT_U32, OFF(pwc_nested_entries[4]), "4", 0, 65536, NULL, "nested-dimension cache of PML4 entries"},
    {"pwc", "nested_pml4_ways", OPT_U32, OFF(pwc_nested_ways[4]), "4", 1, 65536, NULL, "associativity of the nested PML4 cache"},
    {"pwc", "nested_pdpt_entries", OPT_U32, OFF(pwc_nested_entries[3]), "4", 0, 65536, NULL, "nested-dimension cache of PDPT entries"},
    {"pwc", "nested_pdpt_ways", OPT_U32, OFF(pwc_nested_ways[3]), "4", 1, 65536, NULL, "associativity of the nested PDPT cache"},
    {"pwc", "nested_pd_entries", OPT_U32, OFF(pwc_nested_entries[2]), "32", 0, 65536, NULL, "nested-dimension cache of PD entries"},
    {"pwc", "nested_pd_ways", OPT_U32, OFF(pwc_nested_ways[2]), "4", 1, 65536, NULL, "associativity of the nested PD cache"},
    {"ntlb", "enabled", OPT_BOOL, OFF(ntlb_enabled), "true", 0, 0, NULL, "nested TLB, GPA page -> HPA page"},
    {"ntlb", "entries", OPT_U32, OFF(ntlb_entries), "64", 1, 1 << 20, NULL, "nested TLB entries (Bhargava et al.: tens)"},
    {"ntlb", "ways", OPT_U32, OFF(ntlb_ways), "4", 1, 1 << 20, NULL, "associativity of the nested TLB"},
    {"ntlb", "latency", OPT_U32, OFF(ntlb_latency), "1", 0, 1000, NULL, "cycles per nested-TLB lookup"},
    {"memory", "dram_latency", OPT_U32, OFF(dram_latency), "200", 1, 100000, NULL, "cycles for a reference that misses every cache"},
    {"memory", "walk_level", OPT_U32, OFF(walk_level), "1", 1, 8, NULL, "cache level where page-walk references enter"},
    {"memory", "data_stalls", OPT_BOOL, OFF(data_stalls), "true", 0, 0, NULL, "charge data references' latency beyond an L1 hit"},
    /* The overlap keys are echoed only when rob > 0 (cfg_each); sources in docs/model.md, "Overlapped data misses". */
    {"memory", "rob", OPT_U32, OFF(rob), "0", 0, 1 << 20, NULL, "instructions the core runs past an unfinished data miss before it waits (its reorder buffer; mlp.h); 0 = every data miss stalls the core at once for its whole latency"},
    {"memory", "miss_buffers", OPT_U32, OFF(miss_buffers), "8", 1, 1024, NULL, "data misses outstanding at once when rob > 0 (AMD SOG 25112: 8 concurrent misses)"},
    {"sched", "quantum", OPT_U64, OFF(quantum), "1000000", 1, MAXU64, NULL, "instructions per scheduling quantum (round-robin)"},
    {"vm", "count", OPT_U32, OFF(vm_count), "1", 1, 4096, NULL, "VMs; traces are dealt to them in turn"},
    {"vm", "reserved", OPT_SIZE, OFF(vm_reserved), "16m", 0, 1ull << 40, NULL, "guest-physical memory at 0 kept from the guest allocator (firmware, kernel)"},
    {"cost", "page_fault", OPT_U64, OFF(cost_page_fault), "1500", 0, MAXU64, NULL, "guest/native OS demand-paging fault handler"},
    {"cost", "cow_fault", OPT_U64, OFF(cost_cow_fault), "3000", 0, MAXU64, NULL, "copy-on-write fault, including the 4 KiB copy"},
    {"cost", "vmexit", OPT_U64, OFF(cost_vmexit), "1500", 0, MAXU64, NULL, "VM exit + entry round trip"},
    {"cost", "exit_cr3", OPT_U64, OFF(cost_exit_cr3), "400", 0, MAXU64, NULL, "VMM work for a guest CR3 write, beyond its references"},
    {"cost", "exit_hidden", OPT_U64, OFF(cost_exit_hidden), "300", 0, MAXU64, NULL, "VMM work for a hidden (shadow-miss) fault"},
    {"cost", "exit_guest_fault", OPT_U64, OFF(cost_exit_guest_fault), "500", 0, MAXU64, NULL, "VMM work to inject a fault into the guest"},
    {"cost", "exit_pt_write", OPT_U64, OFF(cost_exit_pt_write), "600", 0, MAXU64, NULL, "VMM work to emulate a write to a protected guest table"},
    {"cost", "exit_invlpg", OPT_U64, OFF(cost_exit_invlpg), "200", 0, MAXU64, NULL, "VMM work for an INVLPG"},
    {"cost", "exit_ept", OPT_U64, OFF(cost_exit_ept), "1000", 0, MAXU64, NULL, "host work for an EPT/NPT violation (allocate, map)"},
    {"cost", "shadow_entry", OPT_U64, OFF(cost_shadow_entry), "20", 0, MAXU64, NULL, "VMM cycles per shadow entry written or dropped"},
    {"cost", "tlb_flush", OPT_U64, OFF(cost_tlb_flush), "100", 0, MAXU64, NULL, "a full TLB flush"},
    {"contig", "backing", OPT_BOOL, OFF(contig_backing), "true", 0, 0, NULL, "back each VM with contiguous host memory when possible"},
    {"contig", "segments", OPT_U32, OFF(contig_segments), "1", 1, 64, NULL, "contiguous segments (bases) a VM may use"},
    {"adaptive", "interval", OPT_U64, OFF(adapt_interval), "100000", 1000, MAXU64, NULL, "instructions per VMM policy window: adaptive decisions, agile moves back to shadow (docs/vmm.md sec. 7)"},
    {"adaptive", "policy", OPT_ENUM, OFF(adapt_policy), "cost", 0, 0, adapt_policy_names, "cost: estimated cycles under each mode, switch when the excess times the time in mode pays for the switch; rates: the two fixed thresholds below"},
    {"adaptive", "cr3_per_kinst", OPT_DOUBLE, OFF(adapt_cr3_per_kinst), "0.05", 0, 1e9, NULL, "policy rates: CR3 writes per 1000 instructions above which nested is chosen"},
    {"adaptive", "miss_per_kinst", OPT_DOUBLE, OFF(adapt_miss_per_kinst), "1.0", 0, 1e9, NULL, "policy rates: TLB misses per 1000 instructions above which shadow is chosen"},
    {"shadow", "flood_writes", OPT_U32, OFF(shadow_flood_writes), "3", 0, 1000000, NULL, "emulated writes to a shadowed non-leaf guest table, with no fault walking through it between, that unshadow it (0 = never; KVM detect_write_flooding: 3)"},
    {"shadow", "unsync", OPT_BOOL, OFF(shadow_unsync), "false", 0, 0, NULL, "shadowed leaf guest tables go unsync on their first write, resynced at CR3 write and INVLPG (KVM since 2.6.27; false: KVM 61 of seed 003)"},
    {"shadow", "max_pages", OPT_U32, OFF(shadow_max_pages), "0", 0, 1u << 30, NULL, "shadow table pages the VMM keeps per VM (all its shadows); at the limit a new one evicts a non-root table and its subtree (0 = unbounded; KVM 61: 2% of guest pages, at least 64; Palacios: 8192)"},
    {"shadow", "lru", OPT_BOOL, OFF(shadow_lru), "false", 0, 0, NULL, "at shadow.max_pages evict the table a hidden fault used least recently (Palacios's queue) instead of the oldest created (KVM's active_mmu_pages)"},
    {"shadow", "update_pte", OPT_ENUM, OFF(shadow_update_pte), "mapped", 0, 0, shadow_update_names, "a trapped write to a shadowed guest leaf table also writes the new entry's translation into the shadow (kvm_mmu_pte_write -> update_pte): off (Palacios: dropped only), mapped (if the host maps the frame already; KVM since gfn_to_pfn_atomic), backs (faulting the frame in first; KVM 61: gfn_to_page)"},
    {"vmm", "exit_flushes_tlb", OPT_BOOL, OFF(vmm_exit_flushes_tlb), "false", 0, 0, NULL, "every VM exit/entry flushes every TLB and the page-walk caches (Palacios: VMCB TLB_CONTROL = 1; KVM tags with ASID/VPID: false)"},
    {"vmm", "shadow_variants", OPT_MASK, OFF(vmm_shadow_variants), NULL, 0, 0, mode_shadow_variant_names, "the shadow-paging variants the VMM implements; a run of another fails (KVM 61: shadow, shadow-cache)"},
    {"agile", "shadow_levels", OPT_U32, OFF(agile_shadow_levels), "5", 1, 5, NULL, "upper guest levels that may be shadowed (capped at guest.levels: all); below them every walk is nested"},
    {"agile", "switch_writes", OPT_U32, OFF(agile_switch_writes), "3", 0, 1000000, NULL, "write exits to one shadowed guest table within an adaptive.interval window that switch it to nested (KVM's write-flooding count; 0 = never)"},
    {"stats", "interval", OPT_U64, OFF(stats_interval), "0", 0, MAXU64, NULL, "instructions per interval sample (0 = none)"},
    {"sim", "skip_instructions", OPT_U64, OFF(skip_instructions), "0", 0, MAXU64, NULL, "instructions (all traces) read and discarded first: fast-forward, nothing simulated"},
    {"sim", "warmup_instructions", OPT_U64, OFF(warmup_instructions), "0", 0, MAXU64, NULL, "instructions then simulated in full before every statistic is reset"},
    {"sim", "max_instructions", OPT_U64, OFF(max_instructions), "0", 0, MAXU64, NULL, "instructions measured after the warm-up, then stop (0 = to the end)"},
};

#define TOFF(f) offsetof(cfg_tlb, f)
static const cfg_opt tlb_keys[] = {
    {"tlb.*", "level", OPT_U32, TOFF(level), "1", 1, 8, NULL, "1 = probed first"},
    {"tlb.*", "kind", OPT_ENUM, TOFF(kind), "unified", 0, 0, tlb_kind_names, "data, instruction or unified"},
    {"tlb.*", "entries", OPT_U32, TOFF(entries), "64", 1, 1 << 24, NULL, "any count that is a multiple of ways (1536 works)"},
    {"tlb.*", "ways", OPT_U32, TOFF(ways), "4", 1, 1 << 24, NULL, "1 .. entries (= entries: fully associative)"},
    {"tlb.*", "page_sizes", OPT_MASK, TOFF(page_sizes), "4k", 0, 0, pgsz_names, "the page sizes this structure holds"},
    {"tlb.*", "latency", OPT_U32, TOFF(latency), "0", 0, 1000, NULL, "cycles per lookup at this level"},
    {"tlb.*", "replacement", OPT_ENUM, TOFF(replacement), "lru", 0, 0, repl_names, "replacement policy (docs/model.md)"},
    /* The prefetch keys are echoed only for a structure with a prefetcher (cfg_each). */
    {"tlb.*", "prefetcher", OPT_ENUM, TOFF(prefetcher), "none", 0, 0, tpf_names, "trained on this structure's misses (Kandiraju & Sivasubramaniam, ISCA 2002)"},
    {"tlb.*", "prefetch_buffer", OPT_U32, TOFF(prefetch_buffer), "16", 0, 1 << 16, NULL, "entries of the prefetch buffer; 0 = prefetch into the TLB itself (KS02: 16)"},
    {"tlb.*", "prefetch_table", OPT_U32, TOFF(prefetch_table), "64", 1, 1 << 20, NULL, "rows of the prefetcher's prediction table (distance: per distance; asp: per PC)"},
};

#define COFF(f) offsetof(cfg_cache, f)
static const cfg_opt cache_keys[] = {
    {"cache.*", "level", OPT_U32, COFF(level), "1", 1, 8, NULL, "1 = nearest the core"},
    {"cache.*", "side", OPT_ENUM, COFF(side), "unified", 0, 0, side_names, "data, instruction or unified"},
    {"cache.*", "size", OPT_SIZE, COFF(size), "32k", 64, 1ull << 40, NULL, "bytes"},
    {"cache.*", "ways", OPT_U32, COFF(ways), "8", 1, 1 << 20, NULL, "associativity; size/line must be a multiple of it"},
    {"cache.*", "line", OPT_U32, COFF(line), "64", 8, 4096, NULL, "bytes, a power of two"},
    {"cache.*", "latency", OPT_U32, COFF(latency), "4", 0, 100000, NULL, "load-to-use cycles on a hit here"},
    {"cache.*", "replacement", OPT_ENUM, COFF(replacement), "lru", 0, 0, repl_names, "replacement policy (docs/model.md)"},
    /* The prefetch keys are echoed only for a cache with a prefetcher (cfg_each); sources in docs/model.md. */
    {"cache.*", "prefetcher", OPT_ENUM, COFF(prefetcher), "none", 0, 0, cpf_names, "data prefetcher trained on the demand data references reaching this cache; fills it and the levels below"},
    {"cache.*", "prefetch_degree", OPT_U32, COFF(prefetch_degree), "1", 1, CPF_MAX_DEGREE, NULL, "lines proposed per trigger (AMD SOG 25112 sec. 5.6: one, l+3 after l, l+1)"},
    {"cache.*", "prefetch_distance", OPT_U32, COFF(prefetch_distance), "2", 1, 4096, NULL, "strides ahead of the trigger for the first line (AMD SOG 25112: l+3 after l+1, i.e. 2)"},
    {"cache.*", "prefetch_streams", OPT_U32, COFF(prefetch_streams), "8", 1, 4096, NULL, "4 KiB pages the stream prefetcher tracks at once (an estimate: AMD gives no count)"},
    {"cache.*", "prefetch_max_stride", OPT_U32, COFF(prefetch_max_stride), "1", 1, 64, NULL, "largest stride in lines a stream may have (AMD SOG 25112: strides over 64 B may not trigger)"},
    {"cache.*", "prefetch_outstanding", OPT_U32, COFF(prefetch_outstanding), "8", 1, 1024, NULL, "lines the prefetcher may have on their way (AMD SOG 25112: 8 concurrent misses)"},
    {"cache.*", "prefetch_line_cycles", OPT_U32, COFF(prefetch_line_cycles), "12", 0, 100000, NULL, "cycles between two lines DRAM hands the prefetcher (DDR2-667, 2 channels, at 2 GHz: 12)"},
};
/* clang-format on */

/* The default hierarchy: Intel Skylake client/server core (Intel Optimization
 * Manual, table 2-7; 7-cpu.com measurements for the cache latencies).  The
 * STLB's 9-cycle hit latency is an estimate: no published figure was found
 * (docs/model.md, "Defaults and their sources"). */
static const char default_structures[] =
    "[tlb.l1d]\nlevel=1\nkind=data\nentries=64\nways=4\npage_sizes=4k\nlatency=0\n"
    "[tlb.l1d_2m]\nlevel=1\nkind=data\nentries=32\nways=4\npage_sizes=2m\nlatency=0\n"
    "[tlb.l1d_1g]\nlevel=1\nkind=data\nentries=4\nways=4\npage_sizes=1g\nlatency=0\n"
    "[tlb.l1i]\nlevel=1\nkind=instruction\nentries=128\nways=8\npage_sizes=4k\nlatency=0\n"
    "[tlb.stlb]\nlevel=2\nkind=unified\nentries=1536\nways=12\npage_sizes=4k,2m\nlatency=9\n"
    "[tlb.stlb_1g]\nlevel=2\nkind=unified\nentries=16\nways=4\npage_sizes=1g\nlatency=9\n"
    "[cache.l1d]\nlevel=1\nside=data\nsize=32k\nways=8\nline=64\nlatency=4\n"
    "[cache.l1i]\nlevel=1\nside=instruction\nsize=32k\nways=8\nline=64\nlatency=4\n"
    "[cache.l2]\nlevel=2\nside=unified\nsize=1m\nways=16\nline=64\nlatency=14\n"
    "[cache.llc]\nlevel=3\nside=unified\nsize=8m\nways=16\nline=64\nlatency=50\n";

const char *cfg_mode_name(vs_mode m)
{
    const mode_info *info = mode_get(m);
    return info ? info->name : "?";
}

static bool parse_u64_text(const char *s, uint64_t *out, bool allow_suffix)
{
    while (g_ascii_isspace(*s))
        s++;
    if (*s == '-' || *s == '\0')
        return false;
    if (!g_ascii_isdigit(*s) || (s[0] == '0' && g_ascii_isdigit(s[1])))
        return false; /* a leading zero looks octal (and 0x hex): refused, never guessed */
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10); /* decimal only: 0100 is 100, never octal; 0x.. is an error */
    if (errno || end == s)
        return false;
    unsigned shift = 0;
    if (allow_suffix && *end) {
        switch (g_ascii_tolower(*end)) {
        case 'k': shift = 10; break;
        case 'm': shift = 20; break;
        case 'g': shift = 30; break;
        case 't': shift = 40; break;
        default: return false;
        }
        end++;
        if (g_ascii_tolower(*end) == 'i')
            end++;
        if (g_ascii_tolower(*end) == 'b')
            end++;
    }
    while (g_ascii_isspace(*end))
        end++;
    if (*end)
        return false;
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

bool cfg_parse_decimal(const char *s, uint64_t *out) { return parse_u64_text(s, out, false); }

static const char *type_expectation(const cfg_opt *o)
{
    switch (o->type) {
    case OPT_U32:
    case OPT_U64: return "a decimal integer";
    case OPT_SIZE: return "decimal bytes, suffix k/m/g/t";
    case OPT_BOOL: return "true or false";
    case OPT_DOUBLE: return "a number";
    case OPT_ENUM: return "one of the listed names";
    case OPT_MASK: return "a comma list of names";
    }
    return "?";
}

static int enum_index(const char *const *choices, const char *s)
{
    for (int i = 0; choices[i]; i++)
        if (g_ascii_strcasecmp(choices[i], s) == 0)
            return i;
    return -1;
}

/* Integer keys print their bounds as integers: %g would show UINT64_MAX as
 * 1.84467440737096e+19, which is neither exact nor what the user types. */
static void append_bound(GString *s, const cfg_opt *o, double v)
{
    if (o->type == OPT_DOUBLE)
        g_string_append_printf(s, "%.15g", v);
    else if (v >= MAXU64)
        g_string_append_printf(s, "%" PRIu64, UINT64_MAX);
    else
        g_string_append_printf(s, "%" PRIu64, (uint64_t)v);
}

static int bad_value(vs_err *err, const char *origin, const char *section, const cfg_opt *o,
                     const char *value, const char *why)
{
    GString *exp = g_string_new(type_expectation(o));
    if (o->type == OPT_ENUM || o->type == OPT_MASK) {
        g_string_append(exp, ":");
        for (int i = 0; o->choices[i]; i++)
            g_string_append_printf(exp, " %s", o->choices[i]);
    } else if (o->type != OPT_BOOL) {
        g_string_append(exp, " in [");
        append_bound(exp, o, o->min);
        g_string_append(exp, ", ");
        append_bound(exp, o, o->max);
        g_string_append(exp, "]");
    }
    vs_fail(err, VS_E_CONFIG, "%s: [%s] %s = '%s': %s; expected %s", origin, section, o->key, value, why,
            exp->str);
    g_string_free(exp, TRUE);
    return VS_E_CONFIG;
}

/* Parses value into the field at base + o->offset. */
static int set_value(void *base, const cfg_opt *o, const char *value, const char *origin,
                     const char *section, vs_err *err)
{
    char *v = g_strstrip(g_strdup(value));
    int rc = VS_OK;
    void *field = (char *)base + o->offset;
    uint64_t u = 0;
    switch (o->type) {
    case OPT_U32:
    case OPT_U64:
    case OPT_SIZE:
        if (!parse_u64_text(v, &u, o->type == OPT_SIZE)) {
            rc = bad_value(err, origin, section, o, v,
                           v[0] == '0' && v[1] ? "a leading 0 or 0x (octal, hex) is not accepted; write it in decimal"
                                               : "not a valid number");
            break;
        }
        if ((double)u < o->min || (double)u > o->max) {
            rc = bad_value(err, origin, section, o, v, "out of range");
            break;
        }
        if (o->type == OPT_U32)
            *(uint32_t *)field = (uint32_t)u;
        else
            *(uint64_t *)field = u;
        break;
    case OPT_BOOL:
        if (!g_ascii_strcasecmp(v, "true") || !strcmp(v, "1") || !g_ascii_strcasecmp(v, "yes") ||
            !g_ascii_strcasecmp(v, "on"))
            *(bool *)field = true;
        else if (!g_ascii_strcasecmp(v, "false") || !strcmp(v, "0") || !g_ascii_strcasecmp(v, "no") ||
                 !g_ascii_strcasecmp(v, "off"))
            *(bool *)field = false;
        else
            rc = bad_value(err, origin, section, o, v, "not a boolean");
        break;
    case OPT_DOUBLE: {
        char *end;
        double d = g_ascii_strtod(v, &end);
        if (end == v || *end || !isfinite(d))
            rc = bad_value(err, origin, section, o, v, "not a valid number");
        else if (d < o->min || d > o->max)
            rc = bad_value(err, origin, section, o, v, "out of range");
        else
            *(double *)field = d;
        break;
    }
    case OPT_ENUM: {
        int i = enum_index(o->choices, v);
        if (i < 0)
            rc = bad_value(err, origin, section, o, v, "unknown name");
        else
            *(int *)field = i;
        break;
    }
    case OPT_MASK: {
        uint32_t mask = 0;
        gchar **parts = g_strsplit(v, ",", -1);
        for (gchar **p = parts; *p && rc == VS_OK; p++) {
            int i = enum_index(o->choices, g_strstrip(*p));
            if (i < 0)
                rc = bad_value(err, origin, section, o, v, "unknown name");
            else
                mask |= 1u << i;
        }
        g_strfreev(parts);
        if (rc == VS_OK && mask == 0)
            rc = bad_value(err, origin, section, o, v, "empty list");
        if (rc == VS_OK)
            *(uint32_t *)field = mask;
        break;
    }
    }
    g_free(v);
    return rc;
}

/* Sets the field of o to its built-in default, which is in range by
 * construction (the table is ours). */
static void set_default(void *base, const cfg_opt *o)
{
    if (!o->def) {
        assert(o->type == OPT_MASK);
        uint32_t mask = 0;
        for (int i = 0; o->choices[i]; i++)
            mask |= 1u << i;
        *(uint32_t *)((char *)base + o->offset) = mask;
        return;
    }
    int rc = set_value(base, o, o->def, "built-in default", o->section, NULL);
    assert(rc == VS_OK);
    (void)rc;
}

static const cfg_opt *find_key(const cfg_opt *table, size_t n, const char *section, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if ((!section || !strcmp(table[i].section, section)) && !strcmp(table[i].key, key))
            return &table[i];
    return NULL;
}

static int unknown_key(vs_err *err, const char *origin, const char *section, const char *key,
                       const cfg_opt *table, size_t n, bool match_section)
{
    GString *known = g_string_new("");
    for (size_t i = 0; i < n; i++)
        if (!match_section || !strcmp(table[i].section, section))
            g_string_append_printf(known, "%s%s", known->len ? ", " : "", table[i].key);
    vs_fail(err, VS_E_CONFIG, "%s: [%s] %s: unknown key; known keys here: %s", origin, section, key,
            known->str);
    g_string_free(known, TRUE);
    return VS_E_CONFIG;
}

static bool section_known(const char *section)
{
    for (size_t i = 0; i < VS_ARRAY_LEN(options); i++)
        if (!strcmp(options[i].section, section))
            return true;
    return false;
}

/* Finds the named dynamic structure (TLB or cache) in c; creates it when
 * `create` (a config file's section or an explicit `add`), else an unknown
 * name is an error: a misspelt -o never adds a structure. */
static void *dynamic_slot(vs_config *c, bool is_tlb, const char *name, bool create, const char *origin,
                          vs_err *err)
{
    const cfg_opt *keys = is_tlb ? tlb_keys : cache_keys;
    size_t nkeys = is_tlb ? VS_ARRAY_LEN(tlb_keys) : VS_ARRAY_LEN(cache_keys);
    uint32_t *count = is_tlb ? &c->n_tlbs : &c->n_caches;
    uint32_t cap = is_tlb ? CFG_MAX_TLBS : MH_MAX_CACHES;
    size_t stride = is_tlb ? sizeof(cfg_tlb) : sizeof(cfg_cache);
    char *array = is_tlb ? (char *)c->tlbs : (char *)c->caches;
    if (strlen(name) == 0 || strlen(name) >= CFG_NAME_MAX) {
        vs_fail(err, VS_E_CONFIG, "%s: [%s.%s]: expected a name of 1 to %d characters", origin,
                is_tlb ? "tlb" : "cache", name, CFG_NAME_MAX - 1);
        return NULL;
    }
    for (uint32_t i = 0; i < *count; i++)
        if (!strcmp(array + i * stride, name))
            return array + i * stride;
    if (!create) {
        GString *known = g_string_new("");
        for (uint32_t i = 0; i < *count; i++)
            g_string_append_printf(known, "%s%s", i ? ", " : "", array + i * stride);
        const char *kind = is_tlb ? "tlb" : "cache";
        vs_fail(err, VS_E_CONFIG,
                "%s: [%s.%s]: no such %s in the configuration (declared: %s); to add one, also give "
                "-o %s.%s.add=true",
                origin, kind, name, is_tlb ? "TLB" : "cache", known->len ? known->str : "none", kind, name);
        g_string_free(known, TRUE);
        return NULL;
    }
    if (*count >= cap) {
        vs_fail(err, VS_E_CONFIG, "%s: [%s.%s]: at most %u such sections are supported", origin,
                is_tlb ? "tlb" : "cache", name, cap);
        return NULL;
    }
    char *slot = array + (*count)++ * stride;
    memset(slot, 0, stride);
    g_strlcpy(slot, name, CFG_NAME_MAX); /* name is the first member of both structs */
    for (size_t k = 0; k < nkeys; k++)
        set_default(slot, &keys[k]);
    return slot;
}

/* Sets [section] key = value.  A [tlb.NAME] or [cache.NAME] section not in c
 * yet is created only when `create` (config files declare structures by
 * naming them; overrides must say `add`). */
static int apply_key(vs_config *c, const char *section, const char *key, const char *value, bool create,
                     const char *origin, vs_err *err)
{
    bool is_tlb = g_str_has_prefix(section, "tlb.");
    bool is_cache = g_str_has_prefix(section, "cache.");
    if (is_tlb || is_cache) {
        const cfg_opt *table = is_tlb ? tlb_keys : cache_keys;
        size_t n = is_tlb ? VS_ARRAY_LEN(tlb_keys) : VS_ARRAY_LEN(cache_keys);
        const cfg_opt *o = find_key(table, n, NULL, key);
        if (!o)
            return unknown_key(err, origin, section, key, table, n, false);
        void *slot = dynamic_slot(c, is_tlb, strchr(section, '.') + 1, create, origin, err);
        if (!slot)
            return VS_E_CONFIG;
        return set_value(slot, o, value, origin, section, err);
    }
    if (!section_known(section)) {
        GString *known = g_string_new("");
        for (size_t i = 0; i < VS_ARRAY_LEN(options); i++)
            if (i == 0 || strcmp(options[i].section, options[i - 1].section))
                g_string_append_printf(known, "%s, ", options[i].section);
        vs_fail(err, VS_E_CONFIG, "%s: [%s]: unknown section; expected %stlb.NAME or cache.NAME", origin, section,
                known->str);
        g_string_free(known, TRUE);
        return VS_E_CONFIG;
    }
    const cfg_opt *o = find_key(options, VS_ARRAY_LEN(options), section, key);
    if (!o)
        return unknown_key(err, origin, section, key, options, VS_ARRAY_LEN(options), true);
    return set_value(c, o, value, origin, section, err);
}

static void load_structures(vs_config *c, const char *ini, bool tlbs, bool caches)
{
    GKeyFile *kf = g_key_file_new();
    gboolean ok = g_key_file_load_from_data(kf, ini, strlen(ini), G_KEY_FILE_NONE, NULL);
    assert(ok);
    (void)ok;
    gchar **groups = g_key_file_get_groups(kf, NULL);
    for (gchar **g = groups; *g; g++) {
        bool is_tlb = g_str_has_prefix(*g, "tlb.");
        if ((is_tlb && !tlbs) || (!is_tlb && !caches))
            continue;
        gchar **keys = g_key_file_get_keys(kf, *g, NULL, NULL);
        for (gchar **k = keys; *k; k++) {
            gchar *v = g_key_file_get_value(kf, *g, *k, NULL);
            int rc = apply_key(c, *g, *k, v, true, "built-in default", NULL);
            assert(rc == VS_OK);
            (void)rc;
            g_free(v);
        }
        g_strfreev(keys);
    }
    g_strfreev(groups);
    g_key_file_free(kf);
}

void cfg_defaults(vs_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < VS_ARRAY_LEN(options); i++)
        set_default(c, &options[i]);
    load_structures(c, default_structures, true, true);
}

#define CFG_4GIB (1ull << 32) /* all a 32-bit paging entry can address: a 20-bit frame (SDM 3A table 4-6) */

/* guest.levels = 2 is 32-bit paging (SDM 3A 4.3; pt.h): its entries hold
 * 4 KiB frames below 4 GiB, so the guest's memory -- and, for a mode whose
 * VMM writes 32-bit shadow entries holding host frames, the host's -- must
 * lie below 4 GiB; PSE's 4 MiB pages are not modelled; 3 levels would be PAE,
 * which is not modelled either. */
static int validate_32bit(const vs_config *c, const char *origin, vs_err *err)
{
    if (c->guest_levels == 3)
        return vs_fail(err, VS_E_CONFIG,
                       "%s: [guest] levels = 3 (PAE paging) is not modelled: expected 4, 5, or 2 for 32-bit paging",
                       origin);
    if (c->guest_levels != 2)
        return VS_OK;
    const mode_info *m = mode_get(c->mode);
    if (!(m->flags & MODE_F_GUEST_32BIT))
        return vs_fail(err, VS_E_CONFIG, "%s: [guest] levels = 2 (32-bit paging): mode %s does not model 32-bit guests",
                       origin, m->name);
    if (c->guest_mem > CFG_4GIB)
        return vs_fail(err, VS_E_CONFIG,
                       "%s: [guest] levels = 2 (32-bit paging) with mem = %" PRIu64 " bytes: its entries hold frames "
                       "below 4 GiB, expected mem of at most 4g",
                       origin, c->guest_mem);
    if (c->guest_page_size != VS_PG_4K)
        return vs_fail(err, VS_E_CONFIG,
                       "%s: [guest] levels = 2 (32-bit paging) with page_size = %s: expected 4k (PSE's 4 MiB pages "
                       "are not modelled)",
                       origin, pgsz_names[c->guest_page_size]);
    if (m->tables == MODE_TABLES_SHADOW && c->host_mem > CFG_4GIB)
        return vs_fail(err, VS_E_CONFIG,
                       "%s: [guest] levels = 2 (32-bit paging) under %s with [host] mem = %" PRIu64 " bytes: its "
                       "shadow tables are 32-bit tables holding host frames, expected host mem of at most 4g",
                       origin, m->name, c->host_mem);
    return VS_OK;
}

int cfg_validate(const vs_config *c, const char *origin, vs_err *err)
{
    if (c->n_tlbs == 0)
        return vs_fail(err, VS_E_CONFIG, "%s: no [tlb.NAME] section: at least one TLB is needed", origin);
    for (uint32_t i = 0; i < c->n_tlbs; i++) {
        const cfg_tlb *t = &c->tlbs[i];
        if (t->ways > t->entries || t->entries % t->ways)
            return vs_fail(err, VS_E_CONFIG,
                           "%s: [tlb.%s] entries = %u, ways = %u: expected entries to be a multiple of "
                           "ways (ways = entries for fully associative)",
                           origin, t->name, t->entries, t->ways);
    }
    for (uint32_t i = 0; i < c->n_caches; i++) {
        const cfg_cache *k = &c->caches[i];
        uint64_t lines = k->size / k->line;
        if (k->line & (k->line - 1))
            return vs_fail(err, VS_E_CONFIG, "%s: [cache.%s] line = %u: expected a power of two", origin,
                           k->name, k->line);
        if (k->size % k->line || lines % k->ways || lines < k->ways)
            return vs_fail(err, VS_E_CONFIG,
                           "%s: [cache.%s] size = %" PRIu64 ", line = %u, ways = %u: expected size/line "
                           "to be a multiple of ways",
                           origin, k->name, k->size, k->line, k->ways);
    }
    for (unsigned l = 2; l <= 5; l++) {
        if (c->pwc_entries[l] % c->pwc_ways[l] || c->pwc_nested_entries[l] % c->pwc_nested_ways[l])
            return vs_fail(err, VS_E_CONFIG,
                           "%s: [pwc] level-%u entries must be a multiple of its ways (got %u/%u, nested "
                           "%u/%u)",
                           origin, l, c->pwc_entries[l], c->pwc_ways[l], c->pwc_nested_entries[l],
                           c->pwc_nested_ways[l]);
    }
    if (c->pwc_unified_entries % c->pwc_unified_ways)
        return vs_fail(err, VS_E_CONFIG, "%s: [pwc] unified_entries must be a multiple of unified_ways",
                       origin);
    if (c->ntlb_entries % c->ntlb_ways)
        return vs_fail(err, VS_E_CONFIG, "%s: [ntlb] entries = %u must be a multiple of ways = %u", origin,
                       c->ntlb_entries, c->ntlb_ways);
    for (int i = 0; mode_shadow_variant_names[i]; i++)
        if (!strcmp(mode_names[c->mode], mode_shadow_variant_names[i]) && !(c->vmm_shadow_variants & (1u << i)))
            return vs_fail(err, VS_E_CONFIG,
                           "%s: [machine] mode = %s: this VMM ([vmm] shadow_variants) does not implement it",
                           origin, mode_shadow_variant_names[i]);
    int rc = validate_32bit(c, origin, err);
    if (rc != VS_OK)
        return rc;
    if (c->vm_reserved >= c->guest_mem)
        return vs_fail(err, VS_E_CONFIG, "%s: [vm] reserved must be smaller than [guest] mem", origin);
    return VS_OK;
}

/* Loads every key of kf; lines maps "section\nkey" to the line that set it,
 * so a bad value is named as origin:LINE. */
static int load_keyfile(vs_config *c, GKeyFile *kf, GHashTable *lines, const char *origin, vs_err *err)
{
    gchar **groups = g_key_file_get_groups(kf, NULL);
    int rc = VS_OK;
    bool has_tlb = false, has_cache = false;
    for (gchar **g = groups; *g; g++) {
        has_tlb |= g_str_has_prefix(*g, "tlb.");
        has_cache |= g_str_has_prefix(*g, "cache.");
    }
    /* A file that names any structure section replaces the default structures. */
    if (has_tlb)
        c->n_tlbs = 0;
    if (has_cache)
        c->n_caches = 0;
    for (gchar **g = groups; *g && rc == VS_OK; g++) {
        gsize nkeys = 0;
        gchar **keys = g_key_file_get_keys(kf, *g, &nkeys, NULL);
        if (nkeys == 0 && (g_str_has_prefix(*g, "tlb.") || g_str_has_prefix(*g, "cache.")))
            rc = apply_key(c, *g, "level", "1", true, origin, err) == VS_OK ? VS_OK : VS_E_CONFIG;
        for (gchar **k = keys; k && *k && rc == VS_OK; k++) {
            gchar *v = g_key_file_get_value(kf, *g, *k, NULL);
            gchar *id = g_strdup_printf("%s\n%s", *g, *k);
            size_t line = GPOINTER_TO_SIZE(g_hash_table_lookup(lines, id));
            gchar *at = line ? g_strdup_printf("%s:%zu", origin, line) : g_strdup(origin);
            rc = apply_key(c, *g, *k, v ? v : "", true, at, err);
            g_free(at);
            g_free(id);
            g_free(v);
        }
        g_strfreev(keys);
    }
    g_strfreev(groups);
    if (rc == VS_OK)
        rc = cfg_validate(c, origin, err);
    return rc;
}

/* The text of one INI line without surrounding blanks: [start, end). */
static void trim_span(const char **start, const char **end)
{
    while (*start < *end && g_ascii_isspace(**start))
        (*start)++;
    while (*end > *start && g_ascii_isspace((*end)[-1]))
        (*end)--;
}

#define INI_SHOWN 60 /* bytes of a malformed line quoted in its error: enough to recognise it */

/* cfg_check_ini_text, also handing back (when lines_out is not NULL and the
 * text passes) the map of "section\nkey" to the line that set it. */
static int scan_ini(const char *data, size_t len, const char *origin, GHashTable **lines_out, vs_err *err)
{
    const char *nul = memchr(data, '\0', len);
    size_t nul_line = 1;
    for (const char *p = data; nul && p < nul; p++)
        nul_line += *p == '\n';
    if (nul)
        return vs_fail(err, VS_E_FORMAT, "%s:%zu: a NUL byte (offset %zu): a config file is text", origin,
                       nul_line, (size_t)(nul - data));
    /* "section\nkey" -> the line that set it (GKeyFile would keep the last one silently);
     * "[section" -> the line of its header (GKeyFile would merge a repeated one silently). */
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GString *section = g_string_new("");
    int rc = VS_OK;
    bool any = false, in_section = false;
    size_t line = 1;
    /* an editor's byte-order mark is no part of line 1 (a NUL's offset above counts it) */
    for (const char *p = data + vs_utf8_bom_len(data, len), *end = data + len; p < end && rc == VS_OK; line++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *a = p, *b = eol ? eol : end;
        p = eol ? eol + 1 : end;
        trim_span(&a, &b);
        if (a == b || *a == '#')
            continue;
        any = true;
        /* GKeyFile would refuse these lines without saying which: a header is [name], its first ] last */
        if (*a == '[' ? memchr(a, ']', (size_t)(b - a)) != b - 1 || b - a < 3 : !memchr(a, '=', (size_t)(b - a))) {
            rc = vs_fail(err, VS_E_FORMAT, "%s:%zu: expected a [section] header or key = value, got '%.*s'", origin,
                         line, (int)(b - a > INI_SHOWN ? INI_SHOWN : b - a), a);
            break;
        }
        if (*a == '[') {
            const char *close = memchr(a, ']', (size_t)(b - a));
            g_string_assign(section, "");
            g_string_append_len(section, a + 1, close - a - 1);
            in_section = true;
            char *id = g_strdup_printf("[%s", section->str); /* no key holds a newline, so no clash */
            gpointer first = g_hash_table_lookup(seen, id);
            if (first) {
                rc = vs_fail(err, VS_E_CONFIG, "%s:%zu: [%s] appears again (first at line %zu): give each section once",
                             origin, line, section->str, (size_t)GPOINTER_TO_SIZE(first));
                g_free(id);
            } else {
                g_hash_table_insert(seen, id, GSIZE_TO_POINTER(line));
            }
            continue;
        }
        const char *kend = memchr(a, '=', (size_t)(b - a));
        trim_span(&a, &kend);
        if (!in_section || a == kend) {
            rc = vs_fail(err, VS_E_FORMAT, "%s:%zu: %s, got '%.*s'", origin, line,
                         in_section ? "a value with no key" : "key = value before any [section]",
                         (int)(b - a > INI_SHOWN ? INI_SHOWN : b - a), a);
            break;
        }
        if (memchr(a, '[', (size_t)(kend - a))) { /* GKeyFile's key[locale]: it hides it from every lookup */
            rc = vs_fail(err, VS_E_CONFIG, "%s:%zu: [%s] %.*s: a localized key (key[locale]) is never read; write the key alone",
                         origin, line, section->str, (int)(kend - a), a);
            break;
        }
        char *id = g_strdup_printf("%s\n%.*s", section->str, (int)(kend - a), a);
        gpointer first = g_hash_table_lookup(seen, id);
        if (first) {
            rc = vs_fail(err, VS_E_CONFIG, "%s:%zu: [%s] %.*s is set again (first at line %zu): give each key once",
                         origin, line, section->str, (int)(kend - a), a, (size_t)GPOINTER_TO_SIZE(first));
            g_free(id);
        } else {
            g_hash_table_insert(seen, id, GSIZE_TO_POINTER(line));
        }
    }
    g_string_free(section, TRUE);
    if (rc == VS_OK && !any) /* a file cut to nothing must not run as the built-in defaults */
        rc = vs_fail(err, VS_E_CONFIG, "%s: holds no section and no key (empty, or comments only)", origin);
    if (lines_out && rc == VS_OK)
        *lines_out = seen;
    else
        g_hash_table_destroy(seen);
    return rc;
}

int cfg_check_ini_text(const char *data, size_t len, const char *origin, vs_err *err)
{
    return scan_ini(data, len, origin, NULL, err);
}

/* cfg_keyfile_load, also handing back scan_ini's lines (when lines_out is not NULL). */
static int keyfile_load(const char *data, size_t len, const char *origin, GHashTable **lines_out, GKeyFile **kf,
                        vs_err *err)
{
    *kf = NULL;
    int rc = scan_ini(data, len, origin, lines_out, err);
    if (rc != VS_OK)
        return rc;
    *kf = g_key_file_new();
    GError *gerr = NULL;
    size_t bom = vs_utf8_bom_len(data, len); /* GKeyFile would read it as part of line 1 */
    if (!g_key_file_load_from_data(*kf, data + bom, len - bom, G_KEY_FILE_NONE, &gerr)) {
        rc = vs_fail(err, VS_E_FORMAT, "%s: not a valid INI file: %s", origin, gerr->message);
        g_error_free(gerr);
        g_key_file_free(*kf);
        *kf = NULL;
        if (lines_out)
            g_hash_table_destroy(*lines_out);
    }
    return rc;
}

int cfg_keyfile_load(const char *data, size_t len, const char *origin, GKeyFile **kf, vs_err *err)
{
    return keyfile_load(data, len, origin, NULL, kf, err);
}

int cfg_load_data(vs_config *c, const char *data, size_t len, const char *origin, vs_err *err)
{
    GHashTable *lines = NULL;
    GKeyFile *kf;
    int rc = keyfile_load(data, len, origin, &lines, &kf, err);
    if (rc != VS_OK)
        return rc;
    rc = load_keyfile(c, kf, lines, origin, err);
    g_key_file_free(kf);
    g_hash_table_destroy(lines);
    return rc;
}

static int parse_config(void *c, const char *data, size_t len, const char *origin, vs_err *err)
{
    return cfg_load_data(c, data, len, origin, err);
}

int cfg_load(vs_config *c, const char *path, vs_err *err) { return vs_load_file(path, "config", parse_config, c, err); }

/* One parsed "-o section.key=value". */
typedef struct cfg_assign {
    const char *text; /* as given, for messages */
    char *section, *key;
    const char *value;
} cfg_assign;

static int split_assignment(const char *assignment, cfg_assign *a, vs_err *err)
{
    const char *eq = strchr(assignment, '=');
    const char *dot = NULL;
    for (const char *p = assignment; eq && p < eq; p++)
        if (*p == '.')
            dot = p;
    if (!eq || !dot || dot == assignment || dot + 1 == eq)
        return vs_fail(err, VS_E_USAGE, "-o %s: expected section.key=value (e.g. tlb.stlb.entries=1536)",
                       assignment);
    a->text = assignment;
    a->section = g_strndup(assignment, (gsize)(dot - assignment));
    a->key = g_strndup(dot + 1, (gsize)(eq - dot - 1));
    a->value = eq + 1;
    return VS_OK;
}

/* `-o tlb.NAME.add=true` / `-o cache.NAME.add=true`: declares a structure
 * with the default keys; any other override may then set its keys. */
static int apply_add(vs_config *c, const cfg_assign *a, const char *origin, vs_err *err)
{
    bool is_tlb = g_str_has_prefix(a->section, "tlb.");
    if (!is_tlb && !g_str_has_prefix(a->section, "cache."))
        return vs_fail(err, VS_E_CONFIG, "%s: 'add' declares a [tlb.NAME] or [cache.NAME]; [%s] has no such key",
                       origin, a->section);
    char *v = g_strstrip(g_strdup(a->value));
    bool yes = !g_ascii_strcasecmp(v, "true");
    g_free(v);
    if (!yes)
        return vs_fail(err, VS_E_CONFIG, "%s: expected %s.add=true", origin, a->section);
    const char *name = strchr(a->section, '.') + 1;
    const char *kind = is_tlb ? "TLB" : "cache";
    uint32_t before = is_tlb ? c->n_tlbs : c->n_caches;
    if (!dynamic_slot(c, is_tlb, name, true, origin, err))
        return VS_E_CONFIG;
    if ((is_tlb ? c->n_tlbs : c->n_caches) == before)
        return vs_fail(err, VS_E_CONFIG, "%s: the %s %s is already in the configuration; drop the add", origin, kind,
                       name);
    return VS_OK;
}

/*
 * Overrides are applied together and validated together, so their order never
 * matters: first every `add` (new structures), then every key, then one
 * cfg_validate of the result.  The same key twice is an error (which one
 * should win would depend on the order).
 */
int cfg_override_all(vs_config *c, const char *const *assignments, size_t n, vs_err *err)
{
    cfg_assign *as = g_new0(cfg_assign, n ? n : 1);
    int rc = VS_OK;
    size_t parsed = 0;
    for (; parsed < n && rc == VS_OK; parsed++)
        rc = split_assignment(assignments[parsed], &as[parsed], err);
    if (rc != VS_OK)
        parsed--;
    for (size_t i = 0; i < parsed && rc == VS_OK; i++)
        for (size_t j = 0; j < i && rc == VS_OK; j++)
            if (!strcmp(as[i].section, as[j].section) && !strcmp(as[i].key, as[j].key))
                rc = vs_fail(err, VS_E_USAGE, "-o %s and -o %s set the same key: give it once", as[j].text,
                             as[i].text);
    for (int pass = 0; pass < 2 && rc == VS_OK; pass++)
        for (size_t i = 0; i < parsed && rc == VS_OK; i++) {
            bool is_add = !strcmp(as[i].key, "add");
            if (is_add != (pass == 0))
                continue;
            gchar *origin = g_strdup_printf("-o %s", as[i].text);
            rc = is_add ? apply_add(c, &as[i], origin, err)
                        : apply_key(c, as[i].section, as[i].key, as[i].value, false, origin, err);
            g_free(origin);
        }
    if (rc == VS_OK && n > 0) {
        GString *origin = g_string_new("");
        for (size_t i = 0; i < n; i++)
            g_string_append_printf(origin, "%s-o %s", i ? " " : "", assignments[i]);
        rc = cfg_validate(c, origin->str, err);
        g_string_free(origin, TRUE);
    }
    for (size_t i = 0; i < parsed; i++) {
        g_free(as[i].section);
        g_free(as[i].key);
    }
    g_free(as);
    return rc;
}

int cfg_override(vs_config *c, const char *assignment, vs_err *err)
{
    return cfg_override_all(c, &assignment, 1, err);
}

static void format_value(const void *base, const cfg_opt *o, char *buf, size_t n)
{
    const void *field = (const char *)base + o->offset;
    switch (o->type) {
    case OPT_U32: snprintf(buf, n, "%" PRIu32, *(const uint32_t *)field); break;
    case OPT_U64:
    case OPT_SIZE: snprintf(buf, n, "%" PRIu64, *(const uint64_t *)field); break;
    case OPT_BOOL: snprintf(buf, n, "%s", *(const bool *)field ? "true" : "false"); break;
    case OPT_DOUBLE: g_ascii_formatd(buf, (gint)n, "%.6g", *(const double *)field); break;
    case OPT_ENUM: snprintf(buf, n, "%s", o->choices[*(const int *)field]); break;
    case OPT_MASK: {
        uint32_t mask = *(const uint32_t *)field;
        buf[0] = '\0';
        for (int i = 0; o->choices[i]; i++)
            if (mask & (1u << i)) {
                if (buf[0])
                    g_strlcat(buf, ",", n);
                g_strlcat(buf, o->choices[i], n);
            }
        break;
    }
    }
}

void cfg_each(const vs_config *c, void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    char key[96], val[96];
    for (size_t i = 0; i < VS_ARRAY_LEN(options); i++) {
        /* without overlap the echo is what it was before overlap existed */
        if (c->rob == 0 && (options[i].offset == OFF(rob) || options[i].offset == OFF(miss_buffers)))
            continue;
        snprintf(key, sizeof key, "%s.%s", options[i].section, options[i].key);
        format_value(c, &options[i], val, sizeof val);
        fn(ctx, key, val);
    }
    for (uint32_t t = 0; t < c->n_tlbs; t++)
        for (size_t i = 0; i < VS_ARRAY_LEN(tlb_keys); i++) {
            /* without a prefetcher the echo is what it was before prefetchers existed */
            if (!c->tlbs[t].prefetcher && g_str_has_prefix(tlb_keys[i].key, "prefetch"))
                continue;
            snprintf(key, sizeof key, "tlb.%s.%s", c->tlbs[t].name, tlb_keys[i].key);
            format_value(&c->tlbs[t], &tlb_keys[i], val, sizeof val);
            fn(ctx, key, val);
        }
    for (uint32_t k = 0; k < c->n_caches; k++)
        for (size_t i = 0; i < VS_ARRAY_LEN(cache_keys); i++) {
            if (!c->caches[k].prefetcher && g_str_has_prefix(cache_keys[i].key, "prefetch"))
                continue;
            snprintf(key, sizeof key, "cache.%s.%s", c->caches[k].name, cache_keys[i].key);
            format_value(&c->caches[k], &cache_keys[i], val, sizeof val);
            fn(ctx, key, val);
        }
}

/* --help-config columns: key, default, type, meaning.  A type wider than
 * HELP_TYPE_WIDTH (an enum's choices) or a default wider than HELP_DEF_WIDTH
 * (a list) ends its line and the meaning starts the next one under the
 * meaning column, so no column runs into another. */
#define HELP_KEY_WIDTH 20  /* the longest key, nested_pml5_entries, and a space */
#define HELP_DEF_WIDTH 8   /* the longest default ("1000000") */
#define HELP_TYPE_WIDTH 30 /* fits every type but long enum lists, which wrap */

static void help_row(FILE *out, const char *key, const char *def, const char *type, const char *meaning)
{
    int col = HELP_KEY_WIDTH + HELP_DEF_WIDTH + HELP_TYPE_WIDTH + 2; /* where the meaning starts, after "  " */
    int used = fprintf(out, "  %-*s %-*s %s", HELP_KEY_WIDTH, key, HELP_DEF_WIDTH, def, type) - 2;
    /* a long default or type pushes the meaning to the next line, in its column */
    if (used > col)
        fprintf(out, "\n  %*s", col, "");
    else
        fprintf(out, "%*s", col - used, "");
    fprintf(out, " %s\n", meaning);
}

static void print_table(FILE *out, const cfg_opt *table, size_t n)
{
    const char *section = "";
    for (size_t i = 0; i < n; i++) {
        const cfg_opt *o = &table[i];
        if (strcmp(section, o->section)) {
            section = o->section;
            fprintf(out, "\n[%s]\n", section);
        }
        GString *type = g_string_new(type_expectation(o));
        if (o->type == OPT_ENUM || o->type == OPT_MASK) {
            bool mask = o->type == OPT_MASK;
            g_string_assign(type, mask ? "any of " : "");
            for (int k = 0; o->choices[k]; k++)
                g_string_append_printf(type, "%s%s", k ? (mask ? "," : "|") : "", o->choices[k]);
        }
        help_row(out, o->key, o->def ? o->def : "all", type->str, o->help);
        g_string_free(type, TRUE);
    }
}

void cfg_print_help(FILE *out)
{
    fprintf(out, "Configuration keys (INI; -o section.key=value overrides; -o tlb.NAME.add=true or\n"
                 "-o cache.NAME.add=true adds a structure, whose keys other -o then set):\n");
    help_row(out, "key", "default", "type", "meaning");
    print_table(out, options, VS_ARRAY_LEN(options));
    fprintf(out, "\nTranslation modes ([machine] mode; its own keys in the section named):\n");
    for (unsigned m = 0; m < mode_count(); m++) {
        const mode_info *info = mode_get((vs_mode)m);
        fprintf(out, "  %-16s %-10s %s\n", info->name, info->section ? info->section : "-", info->help);
    }
    print_table(out, tlb_keys, VS_ARRAY_LEN(tlb_keys));
    print_table(out, cache_keys, VS_ARRAY_LEN(cache_keys));
    fprintf(out, "\nWithout [tlb.*] or [cache.*] sections the defaults are:\n%s", default_structures);
}
