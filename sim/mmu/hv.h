/*
 * hv.h: the hypervisor's memory model -- host physical memory (a buddy
 * allocator), and for each VM the GPA -> HPA mapping held in real host page
 * tables (EPT/NPT) in host frames.  Guest memory is backed lazily: the first
 * touch of a guest-physical page is an EPT violation whose handler allocates
 * host memory (host.page_size, falling back to smaller pages where a large
 * aligned block is not free) and maps it.
 *
 * With contiguous backing (seed 004, "VMM direct" in Gandhi et al. MICRO'14)
 * a VM's whole guest-physical space is reserved up front as one contiguous
 * host range -- or up to contig.segments ranges, each with its own base --
 * so hPA = base + gPA inside a segment, and the host tables still map it
 * (so nested mode remains possible for the same VM).
 *
 * Shadow and agile modes allocate their shadow tables from the same host
 * memory through hv_alloc_table / hv_free_table.
 *
 * Invariants: a GPA is backed at most once; a backed GPA's host frame lies in
 * the VM's segment when the VM is contiguous; every host frame comes from the
 * host buddy allocator.
 */
#ifndef VS_HV_H
#define VS_HV_H

#include "buddy.h"
#include "pt.h"

typedef struct hv hv;
typedef struct hv_vm hv_vm;

typedef struct hv_params {
    unsigned levels;        /* host page-table levels, 4 or 5 */
    vs_pgsz page_size;      /* backing page size */
    uint64_t mem_bytes;     /* host physical memory */
    unsigned max_order;
    bool contig_backing;    /* try to back each VM contiguously */
    bool group_by_mobility; /* tables unmovable, guest memory movable, in separate 2 MiB pageblocks */
    unsigned contig_segments;
} hv_params;

typedef struct hv_back_info {
    vs_pgsz size;           /* size of the new host mapping */
    uint64_t hpa_base;
    unsigned tables_added;
} hv_back_info;

typedef struct hv_segment {
    uint64_t gpa_base, length, hpa_base;
} hv_segment;

int hv_new(const hv_params *p, hv **out, vs_err *err);
void hv_free(hv *h);
pt_mem *hv_tables(hv *h);
buddy *hv_allocator(hv *h);

/* Creates VM `id` with guest_mem bytes of guest-physical memory. */
int hv_vm_new(hv *h, uint32_t id, uint64_t guest_mem, hv_vm **out, vs_err *err);
uint32_t hv_vm_id(const hv_vm *v);
const pt_tree *hv_vm_tree(const hv_vm *v); /* the host (EPT) tables: GPA -> HPA */
/* Software GPA -> HPA (no cost); false when not backed yet. */
bool hv_translate(const hv_vm *v, uint64_t gpa, uint64_t *hpa, vs_pgsz *size);
/* The EPT-violation handler's work: back the page containing gpa. */
int hv_back(hv_vm *v, uint64_t gpa, hv_back_info *info, vs_err *err);
/* Contiguous segments of the VM (0 when it got no contiguous backing). */
unsigned hv_vm_segments(const hv_vm *v, const hv_segment **segs);
/* The segment containing gpa, or NULL. */
const hv_segment *hv_vm_segment_of(const hv_vm *v, uint64_t gpa);

bool hv_alloc_table(hv *h, uint64_t *pfn); /* a zeroed, attached host table page */
void hv_free_table(hv *h, uint64_t pfn);

typedef struct hv_counters {
    uint64_t backed[VS_PG_COUNT]; /* host mappings made, by size */
    uint64_t fallbacks;           /* large backing wanted, smaller used */
    uint64_t host_tables;         /* EPT table pages now */
    uint64_t shadow_tables;       /* shadow table pages now */
    uint64_t contiguous_vms;
    uint64_t segments;            /* contiguous segments reserved, over all VMs */
} hv_counters;
const hv_counters *hv_get_counters(const hv *h);

#endif
