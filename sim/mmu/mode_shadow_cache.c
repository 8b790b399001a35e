/*
 * mode_shadow_cache.c: shadow paging with caching (Bae, Lange and Dinda,
 * NWU-EECS-10-07, sec. 2.2; KVM's default shadow MMU): one shadow per guest
 * root, kept across context switches, so a guest CR3 write is one exit that
 * only switches the shadow root.  The price is coherence: guest page tables
 * are write-protected, and every guest page-table write is a pt_write exit
 * that drops the shadow entries derived from the written guest entry in every
 * shadow (mode_shadow.c's reverse map).  The mechanism is the shadow core's;
 * this file is the policy.
 *
 * Invariants (kept by the shadow core, mode_shadow.c, for this policy):
 * per_process -- a guest CR3 write to a root seen before reuses its shadow
 * and flushes nothing; write_protect -- every guest table a shadow entry was
 * derived from is write-protected, so no shadow entry is older than the
 * guest entry it came from (the reverse map finds every shadow holding it).
 * The file holds no state of its own.
 */
#include "mode_shadow_int.h"

static const shadow_policy cache_policy = {.name = "shadow-cache", .per_process = true, .write_protect = true};

static int cache_create(const mode_env *env, void **state, vs_err *err)
{
    return shadow_create(env, &cache_policy, state, err);
}

const mode_ops mode_shadow_cache_ops = SHADOW_MODE_OPS(cache_create);
