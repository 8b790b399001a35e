/*
 * share_cost.c: prices the sharing model's events in cycles, per translation
 * mode, from a calibration file.
 *
 * Mode-independent parts: hashing, zero checks, page compares (priced per
 * byte read: a compare ends at the first difference), VMM map/unmap
 * pairs, page allocation and copying (thesis Table 8.3).  The mode-dependent
 * part is what changing one guest page's backing frame costs:
 *   shadow family (shadow*, agile, adaptive): a P2M update plus passes of
 *     shadow_remove_all_access over the domain's shadow tables -- the
 *     thesis's dominating cost (Tables 8.4-8.5: change mapping ~ four such
 *     passes; a CoW break by copy one);
 *   nested family (native, nested, contig): a host page-table update and a
 *     TLB shootdown.
 * A CoW break by copy is the sum of its parts (docs/sharing.md derives it
 * against Table 8.3): one write fault's entry and exit (under shadow paging
 * Xen's shadow_fault, xen/arch/x86/shadow32.c, writes the new shadow entry
 * with shadow_set_l1e in the same fault, after l1pte_write_fault has broken
 * the share, so the retried write does not fault again), a page allocation,
 * the VMM mapping both pages (map + unmap each), the 4 KiB copy, and the
 * mapping change of the mode (P2M + one traversal, or a PTE update +
 * shootdown).
 * A traversal priced 0 in the file comes from the timing model: shadow
 * entries x cost.shadow_entry; a shootdown priced 0 is cost.tlb_flush +
 * cost.vmexit (the remote vCPU is kicked out to flush).
 *
 * Invariants: every calibration value is finite and >= 0; unknown keys are
 * errors, so a misspelt key never silently keeps a default.
 */
#include "share_int.h"
#include "mmu/mode.h"
#include "config.h"

#include <assert.h>

#include <glib.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

/* Thesis Table 8.3 (700 MHz Athlon, cycles, means), Tables 8.4-8.5 and section 6.5. */
#define THESIS_MHZ 700.0
#define THESIS_SFH 22000.0        /* SuperFastHash of one 4 KiB page */
#define THESIS_ZERO_CHECK 3087.0
#define THESIS_COMPARE 35955.0
#define THESIS_COPY 9936.0
#define THESIS_MAP 339.0
#define THESIS_UNMAP 306.0
#define THESIS_ALLOC 2575.0
#define THESIS_CONVERT 995.0      /* break CoW by convert */
#define THESIS_P2M 1780.0         /* Table 8.5: set_p2m_entry + set_gpfn_from_mfn */
/* shadow_remove_all_access in the Table 8.3 run, where the CoW break was
 * measured: the thesis compares values within one table only (SPT counts
 * differ between runs), so one traversal is fitted on that run's change
 * mapping (7,232,671 = P2M + 4 traversals); Table 8.4's own run gave 1,622,055. */
#define THESIS_TRAVERSAL 1807723.0
/* Entry to Xen on a guest #PF and IRET back: not in the thesis.  A null trap
 * round trip of a 32-bit PV guest into Xen took 0.327 us (lmbench
 * lat_syscall, Xen commit "Implement faster int 0x80 handling for compat
 * mode guests"); at 700 MHz that time is 229 cycles -- a lower bound, since
 * that CPU was faster than the Athlon. */
#define THESIS_FAULT 229.0
#define THESIS_PER_SHARE 4.0      /* Table 8.4: physmap remove/add, remove_all_access, put_page each ~ one pass */
#define THESIS_PER_UNSHARE 1.0    /* section 6.5: __cow_break_sharing calls shadow_remove_all_access once */

void share_cost_defaults(share_cost *c)
{
    memset(c, 0, sizeof *c);
    g_strlcpy(c->name, "thesis-athlon-700", sizeof c->name);
    c->freq_mhz = THESIS_MHZ;
    c->hash[SHARE_HASH_SFH] = THESIS_SFH;
    c->hash[SHARE_HASH_XXH64] = THESIS_SFH; /* the thesis measured SuperFastHash only */
    c->zero_check = THESIS_ZERO_CHECK;
    c->compare = THESIS_COMPARE;
    c->copy = THESIS_COPY;
    c->map = THESIS_MAP;
    c->unmap = THESIS_UNMAP;
    c->alloc = THESIS_ALLOC;
    c->cow_fault = THESIS_FAULT;
    c->cow_convert = THESIS_CONVERT;
    c->p2m_update = THESIS_P2M;
    c->shadow_traversal = THESIS_TRAVERSAL;
    c->shadow_per_share = THESIS_PER_SHARE;
    c->shadow_per_unshare = THESIS_PER_UNSHARE;
}

typedef struct cost_key {
    const char *key;
    size_t off;
} cost_key;

#define K(name, field) {name, offsetof(share_cost, field)}
static const cost_key keys[] = {
    K("freq_mhz", freq_mhz),
    K("hash_sfh", hash[SHARE_HASH_SFH]),
    K("hash_xxh64", hash[SHARE_HASH_XXH64]),
    K("zero_check", zero_check),
    K("compare", compare),
    K("copy", copy),
    K("map", map),
    K("unmap", unmap),
    K("alloc", alloc),
    K("cow_fault", cow_fault),
    K("cow_convert", cow_convert),
    K("p2m_update", p2m_update),
    K("shadow_traversal", shadow_traversal),
    K("shadow_entries", shadow_entries),
    K("shadow_per_share", shadow_per_share),
    K("shadow_per_unshare", shadow_per_unshare),
    K("pte_update", pte_update),
    K("tlb_shootdown", tlb_shootdown),
};
#undef K

static int parse_cost(void *ctx, const char *data, size_t len, const char *path, vs_err *err)
{
    share_cost *c = ctx;
    GKeyFile *kf;
    int rc = cfg_keyfile_load(data, len, path, &kf, err);
    if (rc != VS_OK)
        return rc;
    if (!g_key_file_has_group(kf, "share")) {
        rc = vs_fail(err, VS_E_CONFIG, "%s: expected a [share] section", path);
        goto out;
    }
    gchar **groups = g_key_file_get_groups(kf, NULL);
    for (gchar **g = groups; *g && rc == VS_OK; g++)
        if (strcmp(*g, "share"))
            rc = vs_fail(err, VS_E_CONFIG, "%s: unknown section [%s] (expected [share])", path, *g);
    g_strfreev(groups);
    if (rc != VS_OK)
        goto out;
    gchar **names = g_key_file_get_keys(kf, "share", NULL, NULL);
    for (gchar **k = names; *k && rc == VS_OK; k++) {
        if (!strcmp(*k, "name")) {
            gchar *v = g_key_file_get_string(kf, "share", *k, NULL);
            g_strlcpy(c->name, v ? v : "", sizeof c->name);
            g_free(v);
            continue;
        }
        size_t i = 0;
        while (i < VS_ARRAY_LEN(keys) && strcmp(keys[i].key, *k))
            i++;
        if (i == VS_ARRAY_LEN(keys)) {
            rc = vs_fail(err, VS_E_CONFIG, "%s: [share] %s: unknown key", path, *k);
            break;
        }
        gchar *txt = g_key_file_get_value(kf, "share", *k, NULL);
        char *end;
        double v = g_ascii_strtod(txt ? g_strstrip(txt) : "", &end);
        if (!txt || end == txt || *end || !isfinite(v) || v < 0 || strpbrk(txt, "xX")) /* hex floats: no */
            rc = vs_fail(err, VS_E_CONFIG, "%s: [share] %s = '%s': expected a number >= 0", path, *k, txt ? txt : "");
        else
            *(double *)((char *)c + keys[i].off) = v;
        g_free(txt);
    }
    g_strfreev(names);
    if (rc == VS_OK && c->freq_mhz <= 0)
        rc = vs_fail(err, VS_E_CONFIG, "%s: [share] freq_mhz must be > 0", path);
out:
    g_key_file_free(kf);
    return rc;
}

int share_cost_load(share_cost *c, const char *path, vs_err *err)
{
    return vs_load_file(path, "calibration", parse_cost, c, err);
}

share_mode_class share_mode_class_of(vs_mode m)
{
    /* A mode with shadow tables (for some levels, as agile, or for some
     * processes, as adaptive: priced as its costlier setting) must update them
     * on every remap; one whose tables the hardware walks updates a PTE and
     * shoots down the TLBs.  The registry row says which (mmu/mode.h). */
    const mode_info *info = mode_get(m);
    assert(info && (info->tables == MODE_TABLES_SHADOW || info->tables == MODE_TABLES_HARDWARE));
    return info->tables == MODE_TABLES_SHADOW ? SHARE_MC_SHADOW : SHARE_MC_NESTED;
}

const char *share_mode_class_name(share_mode_class c) { return c == SHARE_MC_SHADOW ? "shadow" : "nested"; }

void share_cost_price(const share_cost *c, const vs_config *cfg, share_mode_class mc, share_hash_kind hash,
                      const share_events *ev, share_priced *out)
{
    double traversal = c->shadow_traversal ? c->shadow_traversal : c->shadow_entries * (double)cfg->cost_shadow_entry;
    double shootdown = c->tlb_shootdown ? c->tlb_shootdown : (double)(cfg->cost_tlb_flush + cfg->cost_vmexit);
    double remap, unmap_cost;
    if (mc == SHARE_MC_SHADOW) {
        remap = c->p2m_update + c->shadow_per_share * traversal;
        unmap_cost = c->p2m_update + c->shadow_per_unshare * traversal;
    } else {
        remap = unmap_cost = c->pte_update + shootdown;
    }
    uint64_t share_allocs = ev->allocs - ev->cow_copy, share_copies = ev->copies - ev->cow_copy;
    out->scan = (double)ev->hashes * c->hash[hash] + (double)ev->zero_checks * c->zero_check +
                (double)ev->compare_bytes / SHARE_PAGE_SIZE * c->compare + (double)ev->maps * (c->map + c->unmap);
    out->share = (double)share_allocs * c->alloc + (double)share_copies * c->copy + (double)ev->remaps * remap;
    out->cow_copy_each = c->cow_fault + c->alloc + 2 * (c->map + c->unmap) + c->copy + unmap_cost;
    out->cow = (double)ev->cow_copy * out->cow_copy_each + (double)ev->cow_convert * c->cow_convert;
    out->remap_each = remap;
    out->total = out->scan + out->share + out->cow;
}
