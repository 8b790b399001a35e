/*
 * mode.c: the registry of translation modes and the names of VM-exit reasons.
 */
#include "mode.h"

const char *exit_reason_name(exit_reason r)
{
    static const char *const names[EXIT_COUNT] = {"cr3_write", "hidden_fault",   "guest_fault", "pt_write",
                                                  "invlpg",    "ept_violation", "mode_switch"};
    return r < EXIT_COUNT ? names[r] : "?";
}

const mode_ops *mode_lookup(vs_mode m)
{
    switch (m) {
    case MODE_NATIVE: return &mode_native_ops;
    case MODE_NESTED: return &mode_nested_ops;
    case MODE_CONTIG: return &mode_contig_ops;
    case MODE_AGILE: return &mode_agile_ops;
    case MODE_SHADOW: return &mode_shadow_ops;
    case MODE_SHADOW_CACHE: return &mode_shadow_cache_ops;
    case MODE_SHADOW_PREFETCH: return &mode_shadow_prefetch_ops;
    case MODE_ADAPTIVE: return &mode_adaptive_ops;
    default: return NULL;
    }
}
