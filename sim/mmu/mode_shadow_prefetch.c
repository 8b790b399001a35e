/*
 * mode_shadow_prefetch.c: shadow paging with prefetching (Bae, Lange and
 * Dinda, NWU-EECS-10-07, sec. 2.3, as implemented in Palacios): plain
 * shadow's flush on every guest CR3 write, but a hidden fault fills the whole
 * shadow table page that holds the faulting leaf from the guest's table page
 * -- 512 guest entries read (one VMM reference each), one shadow entry
 * written per present guest leaf the host already backs at least as large.
 * One exit so refills up to 512 entries after a flush.  Guest page tables are
 * write-protected, as for caching, so a guest change to an entry prefetched
 * but not yet used is seen (pt_write exits drop it).
 */
#include "mode_shadow_int.h"

static int prefetch_table(shadow *s, const mode_space *sp, uint64_t spfn, uint64_t gtable, unsigned level,
                          bool upper_rw, vs_err *err)
{
    uint64_t filled = 0;
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        uint64_t gpte;
        int rc = mode_vmm_read_guest(shadow_env(s), sp, gtable + 8ull * i, &gpte, err);
        if (rc != VS_OK)
            return rc;
        filled += shadow_fill_slot(s, sp, spfn, level, i, gpte, upper_rw);
    }
    shadow_count_prefetched(s, filled);
    return VS_OK;
}

static const shadow_policy prefetch_policy = {
    .name = "shadow-prefetch", .per_process = false, .write_protect = true, .prefetch = prefetch_table};

static int prefetch_create(const mode_env *env, void **state, vs_err *err)
{
    return shadow_create(env, &prefetch_policy, state, err);
}

const mode_ops mode_shadow_prefetch_ops = SHADOW_MODE_OPS(prefetch_create);
