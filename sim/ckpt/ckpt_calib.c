/*
 * ckpt_calib.c: reads a checkpointing calibration file (glib GKeyFile) into
 * ckpt_calib: the per-operation costs every technique is composed from.
 *
 * A calibration is a measured or fitted machine, so nothing has a built-in
 * default: every key of the required sections must be given, and the optional
 * [modern] section is all or nothing (a machine from before userfaultfd, PML
 * and the dirty ring simply leaves it out).  The files under configs/ckpt/
 * give the source of each value, or mark it as a fit.
 *
 * Invariants: on success every field of a present section is finite and in
 * its row's range; any unknown section or key is an error.
 */
#include "ckpt.h"
#include "config.h"

#include <assert.h>
#include <glib.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#define NS_MAX 1e12 /* one cost above 1000 s is a typo, not a machine */

typedef struct calib_key {
    const char *section;
    const char *key;
    size_t offset;
    double min, max;
    const char *help;
} calib_key;

#define OFF(f) offsetof(ckpt_calib, f)
/* clang-format off */
static const calib_key keys[] = {
    {"user", "fault_signal", OFF(user_fault_signal), 0, NS_MAX, "ns: write fault delivered as SIGSEGV, handler entry and sigreturn"},
    {"user", "emulate", OFF(user_emulate), 0, NS_MAX, "ns: decode and perform the faulting write in the handler"},
    {"user", "mprotect_call", OFF(user_mprotect_call), 0, NS_MAX, "ns: one mprotect() call (entry, VMA split/merge, TLB shootdown)"},
    {"user", "mprotect_pte", OFF(user_mprotect_pte), 0, NS_MAX, "ns: each PTE whose protection mprotect changes"},
    {"user", "mprotect_scan", OFF(user_mprotect_scan), 0, NS_MAX, "ns: each CDA page walked by a whole-CDA mprotect"},
    {"user", "record", OFF(user_record), 0, NS_MAX, "ns: append a page to the dirty list"},
    {"user", "log_word", OFF(user_log_word), 0, NS_MAX, "ns: append (address, value) to the write log"},
    {"user", "txn", OFF(user_txn), 0, NS_MAX, "ns: begin/commit bookkeeping of one transaction"},
    {"hypervisor", "exit", OFF(hv_exit), 0, NS_MAX, "ns: guest write fault taken by the hypervisor and resumed"},
    {"hypervisor", "hypercall", OFF(hv_hypercall), 0, NS_MAX, "ns: one application-to-hypervisor call"},
    {"hypervisor", "emulate", OFF(hv_emulate), 0, NS_MAX, "ns: the hypervisor's emulation of the faulting write"},
    {"hypervisor", "pte", OFF(hv_pte), 0, NS_MAX, "ns: change one PTE's protection, with its invalidation"},
    {"hypervisor", "record", OFF(hv_record), 0, NS_MAX, "ns: append a page to the dirty list"},
    {"hypervisor", "log_word", OFF(hv_log_word), 0, NS_MAX, "ns: append (address, value) to the write log"},
    {"hypervisor", "scan_dirty_page", OFF(hv_scan_dirty_page), 0, NS_MAX, "ns: scanxen, per dirty page listed"},
    {"hypervisor", "scan_mib", OFF(hv_scan_mib), 0, NS_MAX, "ns: scanxen, per MiB of CDA whose PTEs are scanned"},
    {"copy", "ns_per_byte", OFF(copy_ns_per_byte), 0, 1e6, "ns per byte copied to the helper process"},
    {"microbench", "wpp", OFF(mb_wpp), 1e-3, 1e9, "writes per page at the speedup check point"},
    {"microbench", "ppt", OFF(mb_ppt), 1, 1e9, "pages per transaction at the check point"},
    {"microbench", "cda_kib", OFF(mb_cda_kib), 4, 1e12, "CDA size at the check point, KiB"},
    {"modern", "kfault", OFF(m_kfault), 0, NS_MAX, "ns: write-protect fault resolved in the kernel (no signal)"},
    {"modern", "uffd_sync_fault", OFF(m_uffd_sync_fault), 0, NS_MAX, "ns: uffd-wp fault served by a handler thread"},
    {"modern", "arm_call", OFF(m_arm_call), 0, NS_MAX, "ns: one arming syscall (UFFDIO_WRITEPROTECT, clear_refs)"},
    {"modern", "arm_page", OFF(m_arm_page), 0, NS_MAX, "ns: each CDA page write-protected by arming"},
    {"modern", "pagemap_page", OFF(m_pagemap_page), 0, NS_MAX, "ns: each CDA page read from /proc/PID/pagemap"},
    {"modern", "scan_call", OFF(m_scan_call), 0, NS_MAX, "ns: one PAGEMAP_SCAN ioctl"},
    {"modern", "scan_page", OFF(m_scan_page), 0, NS_MAX, "ns: each dirty page PAGEMAP_SCAN reports and re-protects"},
    {"modern", "scan_clean_page", OFF(m_scan_clean_page), 0, NS_MAX, "ns: each clean CDA page PAGEMAP_SCAN walks"},
    {"modern", "pml_full_exit", OFF(m_pml_full_exit), 0, NS_MAX, "ns: the exit draining a full PML buffer"},
    {"modern", "pml_entries", OFF(m_pml_entries), 1, 1e9, "GPAs one PML buffer holds"},
    {"modern", "bitmap_page", OFF(m_bitmap_page), 0, NS_MAX, "ns: each CDA page's bit from KVM_GET_DIRTY_LOG"},
    {"modern", "ring_harvest", OFF(m_ring_harvest), 0, NS_MAX, "ns: user space reads and flags one kvm_dirty_gfn"},
    {"modern", "ring_reset", OFF(m_ring_reset), 0, NS_MAX, "ns: one KVM_RESET_DIRTY_RINGS ioctl"},
};
/* clang-format on */

static const char *const optional_section = "modern";

static bool section_known(const char *s)
{
    for (size_t i = 0; i < VS_ARRAY_LEN(keys); i++)
        if (!strcmp(keys[i].section, s))
            return true;
    return false;
}

static int set_key(ckpt_calib *c, bool *seen, const char *origin, const char *section, const char *key,
                   const char *raw, vs_err *err)
{
    const calib_key *k = NULL;
    for (size_t i = 0; i < VS_ARRAY_LEN(keys) && !k; i++)
        if (!strcmp(keys[i].section, section) && !strcmp(keys[i].key, key))
            k = &keys[i];
    if (!k) {
        GString *known = g_string_new("");
        for (size_t i = 0; i < VS_ARRAY_LEN(keys); i++)
            if (!strcmp(keys[i].section, section))
                g_string_append_printf(known, "%s%s", known->len ? ", " : "", keys[i].key);
        vs_fail(err, VS_E_CONFIG, "%s: [%s] %s: unknown key; known keys here: %s", origin, section, key,
                known->str);
        g_string_free(known, TRUE);
        return VS_E_CONFIG;
    }
    char *v = g_strstrip(g_strdup(raw));
    char *end;
    double d = g_ascii_strtod(v, &end);
    int rc = VS_OK;
    if (end == v || *end || !isfinite(d) || d < k->min || d > k->max || strpbrk(v, "xX")) /* hex floats: no */
        rc = vs_fail(err, VS_E_CONFIG, "%s: [%s] %s = '%s': expected a number in [%g, %g] (%s)", origin,
                     section, key, v, k->min, k->max, k->help);
    else
        *(double *)((char *)c + k->offset) = d;
    seen[k - keys] = true;
    g_free(v);
    return rc;
}

/* Every key of a required section, and of [modern] once it is started. */
static int check_complete(ckpt_calib *c, const bool *seen, const char *origin, vs_err *err)
{
    c->has_modern = false;
    for (size_t i = 0; i < VS_ARRAY_LEN(keys); i++)
        if (seen[i] && !strcmp(keys[i].section, optional_section))
            c->has_modern = true;
    for (size_t i = 0; i < VS_ARRAY_LEN(keys); i++) {
        bool optional = !strcmp(keys[i].section, optional_section);
        if (!seen[i] && (!optional || c->has_modern))
            return vs_fail(err, VS_E_CONFIG, "%s: [%s] %s is missing; expected %s%s", origin, keys[i].section,
                           keys[i].key, keys[i].help,
                           optional ? " (the [modern] section is all or nothing)" : "");
    }
    return VS_OK;
}

int ckpt_calib_load_data(const char *data, size_t len, const char *origin, ckpt_calib *c, vs_err *err)
{
    memset(c, 0, sizeof(*c));
    GKeyFile *kf;
    int rc = cfg_keyfile_load(data, len, origin, &kf, err);
    if (rc != VS_OK)
        return rc;
    bool seen[VS_ARRAY_LEN(keys)] = {0};
    gchar **groups = g_key_file_get_groups(kf, NULL);
    for (gchar **g = groups; *g && rc == VS_OK; g++) {
        if (!section_known(*g)) {
            rc = vs_fail(err, VS_E_CONFIG,
                         "%s: [%s]: unknown section; expected user, hypervisor, copy, microbench or modern", origin,
                         *g);
            break;
        }
        gchar **names = g_key_file_get_keys(kf, *g, NULL, NULL);
        for (gchar **k = names; *k && rc == VS_OK; k++) {
            gchar *v = g_key_file_get_value(kf, *g, *k, NULL);
            rc = set_key(c, seen, origin, *g, *k, v, err);
            g_free(v);
        }
        g_strfreev(names);
    }
    g_strfreev(groups);
    g_key_file_free(kf);
    if (rc == VS_OK)
        rc = check_complete(c, seen, origin, err);
    return rc;
}

static int parse_calib(void *c, const char *data, size_t len, const char *origin, vs_err *err)
{
    return ckpt_calib_load_data(data, len, origin, c, err);
}

int ckpt_calib_load(const char *path, ckpt_calib *c, vs_err *err)
{
    return vs_load_file(path, "calibration", parse_calib, c, err);
}

size_t ckpt_calib_nkeys(void)
{
    return VS_ARRAY_LEN(keys);
}

const char *ckpt_calib_key(size_t i, const char **section, const char **help)
{
    assert(i < VS_ARRAY_LEN(keys));
    if (section)
        *section = keys[i].section;
    if (help)
        *help = keys[i].help;
    return keys[i].key;
}

double *ckpt_calib_field(ckpt_calib *c, size_t i)
{
    assert(i < VS_ARRAY_LEN(keys));
    return (double *)((char *)c + keys[i].offset);
}
