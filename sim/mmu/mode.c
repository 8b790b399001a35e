/*
 * mode.c: the registry of translation modes, and the names of VM-exit reasons.
 *
 * MODE_ROWS is the one list of modes.  Each row gives the mode's name (the
 * [machine] mode value), the stem of its mode_ops (mode_STEM_ops, defined in
 * the mode's own file), its flags, whose tables translate (which prices page
 * sharing), whether it is a shadow-paging variant a VMM profile may leave out
 * (SHADOW_VARIANT: vmm.shadow_variants; else NOT_VARIANT), its config section
 * and a line of help.  The same rows generate the extern declarations, the
 * table and the NULL-terminated name lists that config parsing reads, so
 * adding a mode is its file plus one row here.
 * The row order is the index order of vs_mode; it is also the order modes
 * are listed in and checked in.
 */
#include "mode.h"

#include <string.h>

/* clang-format off */
#define MODE_ROWS(ROW)                                                                                        \
    ROW("native", native, MODE_F_GUEST_32BIT, MODE_TABLES_HARDWARE, NOT_VARIANT, NULL,                                                      \
        "no virtualization: the OS's tables, one dimension")                                                  \
    ROW("nested", nested, MODE_F_HYPERVISOR | MODE_F_GUEST_32BIT, MODE_TABLES_HARDWARE, NOT_VARIANT, "ntlb",                                    \
        "hardware 2D walk of guest and host (EPT/NPT) tables")                                                \
    ROW("shadow", shadow, MODE_F_HYPERVISOR | MODE_F_GUEST_32BIT, MODE_TABLES_SHADOW, SHADOW_VARIANT, NULL,                                        \
        "VMM-kept shadow tables, dropped on every guest CR3 write")                                           \
    ROW("shadow-cache", shadow_cache, MODE_F_HYPERVISOR | MODE_F_GUEST_32BIT, MODE_TABLES_SHADOW, SHADOW_VARIANT, NULL,                            \
        "shadow tables cached per process, guest tables write-protected")                                     \
    ROW("shadow-prefetch", shadow_prefetch, MODE_F_HYPERVISOR | MODE_F_GUEST_32BIT, MODE_TABLES_SHADOW, SHADOW_VARIANT, NULL,                      \
        "shadow, but a hidden fault fills the whole shadow table page from the guest's")                                     \
    ROW("contig", contig, MODE_F_HYPERVISOR | MODE_F_CONTIG_BACKING | MODE_F_GUEST_32BIT, MODE_TABLES_HARDWARE, NOT_VARIANT, "contig",          \
        "nested, with the host dimension a base-plus-offset over contiguous segments")                        \
    ROW("agile", agile, MODE_F_HYPERVISOR, MODE_TABLES_SHADOW, NOT_VARIANT, "agile",                                       \
        "shadow walks, switching to nested below the guest tables written often")                            \
    ROW("adaptive", adaptive, MODE_F_HYPERVISOR | MODE_F_GUEST_32BIT, MODE_TABLES_SHADOW, NOT_VARIANT, "adaptive",                              \
        "per process, nested or shadow-cache, whichever its measured cycles favour")
/* clang-format on */

#define DECLARE_OPS(name, stem, flags, tables, variant, section, help) extern const mode_ops mode_##stem##_ops;
MODE_ROWS(DECLARE_OPS)

#define INFO_ROW(name, stem, flags, tables, variant, section, help) {name, &mode_##stem##_ops, flags, tables, section, help},
static const mode_info modes[] = {MODE_ROWS(INFO_ROW)};

#define NAME_ROW(name, stem, flags, tables, variant, section, help) name,
const char *const mode_names[] = {MODE_ROWS(NAME_ROW) NULL};

/* The rows marked SHADOW_VARIANT, by pasting the mark onto a macro that
 * keeps the name or drops it. */
#define VARIANT_NAME_SHADOW_VARIANT(name) name,
#define VARIANT_NAME_NOT_VARIANT(name)
#define VARIANT_ROW(name, stem, flags, tables, variant, section, help) VARIANT_NAME_##variant(name)
const char *const mode_shadow_variant_names[] = {MODE_ROWS(VARIANT_ROW) NULL};

unsigned mode_count(void) { return (unsigned)VS_ARRAY_LEN(modes); }

const mode_info *mode_get(vs_mode m) { return m >= 0 && (unsigned)m < mode_count() ? &modes[m] : NULL; }

int mode_find(const char *name)
{
    for (unsigned i = 0; i < mode_count(); i++)
        if (!strcmp(modes[i].name, name))
            return (int)i;
    return -1;
}

const char *exit_reason_name(exit_reason r)
{
    static const char *const names[EXIT_COUNT] = {"cr3_write", "hidden_fault",   "guest_fault", "pt_write",
                                                  "invlpg",    "ept_violation", "mode_switch"};
    return r < EXIT_COUNT ? names[r] : "?";
}
