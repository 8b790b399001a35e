/*
 * mode_shadow_prefetch.c: shadow paging with prefetching (Bae, Lange and
 * Dinda, NWU-EECS-10-07, sec. 2.3, as implemented in Palacios): plain
 * shadow's flush on every guest CR3 write, but a hidden fault fills the whole
 * shadow table page that holds the faulting leaf from the guest's table page
 * -- one shadow entry written per present guest leaf the host already backs
 * at least as large.  The VMM reads the guest table page as one burst
 * (mode_vmm_read_guest_page): one reference per cache line through the
 * hierarchy, 64 for 512 eight-byte entries and 64-byte lines, not 512 serial
 * references (the paper: the prefetch fills "all the other entries" in the
 * one exit).  A 32-bit guest's table (guest.levels = 2) is 1,024 four-byte
 * entries in the same 64 lines, so one fill writes up to 1,024 -- the
 * prefetch of seed 003's Palacios guest, which was 32-bit (003 3.2).  Guest page tables that are shadowed are write-protected, as
 * for caching, so a guest change to an entry prefetched but not yet used is
 * seen (pt_write exits drop it).
 *
 * Invariants: a prefetch fills only empty slots of the one shadow table
 * page (spfn) that holds the faulting leaf, from one read of the guest
 * table page (shadow_fill_slot in mode_shadow.c); a slot is filled only
 * from a present guest leaf whose host backing already exists and is at
 * least as large, writable only if the guest entry and every level above
 * it allow writes -- so a prefetched entry never maps more, or with more
 * rights, than the guest and host map at that moment, and what it leaves
 * out is left to its own hidden fault; the shadow's prefetched counter
 * grows by exactly the slots written.  The file holds no state of its own.
 */
#include "mode_shadow_int.h"

int shadow_prefetch_table(shadow *s, const mode_space *sp, uint64_t spfn, uint64_t gtable, unsigned level,
                          bool upper_rw, vs_err *err)
{
    uint64_t gptes[PT_ENTRIES_32BIT];
    int rc = mode_vmm_read_guest_page(shadow_env(s), sp, gtable, gptes, err);
    if (rc != VS_OK)
        return rc;
    uint64_t filled = 0;
    for (unsigned i = 0; i < pt_table_entries(shadow_env(s)->cfg->guest_levels); i++)
        filled += shadow_fill_slot(s, sp, spfn, level, i, gptes[i], upper_rw);
    shadow_count_prefetched(s, filled);
    return VS_OK;
}

static const shadow_policy prefetch_policy = {
    .name = "shadow-prefetch", .per_process = false, .write_protect = true, .prefetch = shadow_prefetch_table};

static int prefetch_create(const mode_env *env, void **state, vs_err *err)
{
    return shadow_create(env, &prefetch_policy, state, err);
}

const mode_ops mode_shadow_prefetch_ops = SHADOW_MODE_OPS(prefetch_create);
