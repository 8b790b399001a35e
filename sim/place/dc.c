/*
 * dc.c: the datacenter -- server generations (RAM, cores, share of the
 * fleet), fleet size, the host buddy heap's geometry, compaction and
 * fragmentation-sampling settings; read from INI (glib GKeyFile).
 *
 * The default is the paper's Azure composition (seed 004, Table 3: Gen 3,
 * HPC, Gen 4, Gen 5 at 20% each; Gen 6, Godzilla at 10% each).  The paper
 * gives only the shares; the RAM and cores of each generation are
 * assumptions documented in docs/placement.md and configs/datacenter/azure.ini.
 *
 * Invariants after a successful load: 1 <= n_gens <= PLACE_MAX_GENS; every
 * generation has RAM >= one frame, cores >= 1, share > 0; servers >= 1;
 * max_order <= BUDDY_MAX_ORDER_LIMIT.
 */
#include "place.h"
#include "config.h"
#include "mmu/buddy.h"

#include <glib.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DC_DEFAULT_SERVERS 300     /* hosts the synthetic Azure trace (20000 VMs) with unused servers left */
#define DC_DEFAULT_PAGE_KIB 4      /* Xen heap unit: one 4 KiB page */
#define DC_DEFAULT_MAX_ORDER 30    /* 4 TiB extents: beyond Xen's order 20 (4 GiB) and any server */
#define DC_DEFAULT_SAMPLES 24      /* fragmentation samples over the trace span: a report resolution, chosen */
#define DC_DEFAULT_PERIOD 3600     /* periodic compaction hourly (trace s): an estimate, no source (docs/placement.md) */
#define MIB_PER_GIB 1024
#define KIB_PER_MIB 1024
/* Non-VM memory per server (docs/placement.md, "Non-VM memory"): */
#define DC_HOST_RESERVED_KIB (1024 * KIB_PER_MIB) /* dom0: estimate, near XenServer's 741 MiB (xenadmin#4) */
#define DC_HOST_POOL_PER_VCPU_KIB 1024            /* libxl_get_required_shadow_memory: 256 pages per vCPU */
#define DC_HOST_POOL_PER_GIB_KIB 8192             /* ... + 2 pages per MiB of guest RAM */
/* Host page cache per VM creation: none on Xen, whose dom0 caches inside its own fixed dom0_mem
 * (xl(1): autoballoon off when dom0_mem is given), not in the heap; set it for a KVM-style host. */
#define DC_HOST_CACHE_PER_VM_KIB 0
#define DC_HOST_CACHE_LIFE_S 86400 /* the cache's lifetime unless reclaimed, when it is on: estimate */

static const place_gen azure_gens[] = {
    /* name, RAM MiB, vCPUs (2 hardware threads per core), share %: Table 3 shares; sizes assumed
     * (docs/placement.md, configs/datacenter/azure.ini) */
    {"gen3", 128 * MIB_PER_GIB, 32, 20},
    {"hpc", 128 * MIB_PER_GIB, 32, 20},
    {"gen4", 192 * MIB_PER_GIB, 48, 20},
    {"gen5", 256 * MIB_PER_GIB, 80, 20},
    {"gen6", 384 * MIB_PER_GIB, 96, 10},
    {"godzilla", 512 * MIB_PER_GIB, 64, 10},
};

void place_dc_defaults(place_dc *dc)
{
    memset(dc, 0, sizeof *dc);
    snprintf(dc->name, sizeof dc->name, "azure");
    memcpy(dc->gens, azure_gens, sizeof azure_gens);
    dc->n_gens = VS_ARRAY_LEN(azure_gens);
    dc->servers = DC_DEFAULT_SERVERS;
    dc->page_kib = DC_DEFAULT_PAGE_KIB;
    dc->max_order = DC_DEFAULT_MAX_ORDER;
    dc->compact = PLACE_COMPACT_NONE;
    dc->compact_period = DC_DEFAULT_PERIOD;
    dc->frag_order = -1;
    dc->samples = DC_DEFAULT_SAMPLES;
    dc->host = (place_host){DC_HOST_RESERVED_KIB, DC_HOST_POOL_PER_VCPU_KIB, DC_HOST_POOL_PER_GIB_KIB,
                            DC_HOST_CACHE_PER_VM_KIB, DC_HOST_CACHE_LIFE_S};
}

/* "512", "90g", "1t", "768m", "8k": a size in KiB (binary suffixes, m default), >= 0. */
static bool parse_kib(const char *s, uint64_t *kib)
{
    char *end;
    double v = strtod(s, &end);
    double mul = 1024;
    switch (*end) {
    case 'k': case 'K': mul = 1; end++; break;
    case 'm': case 'M': end++; break;
    case 'g': case 'G': mul = 1024.0 * 1024; end++; break;
    case 't': case 'T': mul = 1024.0 * 1024 * 1024; end++; break;
    default: break;
    }
    if (end == s || *end || !(v >= 0) || v * mul > 1e15 || strpbrk(s, "xX")) /* hex: no */
        return false;
    *kib = (uint64_t)llround(v * mul);
    return true;
}

/* A size in whole MiB, > 0. */
static bool parse_mib(const char *s, uint64_t *mib)
{
    uint64_t kib;
    if (!parse_kib(s, &kib))
        return false;
    *mib = (kib + KIB_PER_MIB / 2) / KIB_PER_MIB;
    return *mib > 0;
}

/* Reads an unsigned key in [lo, hi] if present. */
static int get_u64(GKeyFile *kf, const char *origin, const char *sec, const char *key, uint64_t lo, uint64_t hi,
                   uint64_t *out, vs_err *err)
{
    if (!g_key_file_has_key(kf, sec, key, NULL))
        return VS_OK;
    gchar *v = g_key_file_get_value(kf, sec, key, NULL);
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    bool ok = end != v && !*end && v[0] != '-' && x >= lo && x <= hi;
    g_free(v);
    if (!ok)
        return vs_fail(err, VS_E_CONFIG, "%s: [%s] %s: expected an integer from %llu to %llu", origin, sec, key,
                       (unsigned long long)lo, (unsigned long long)hi);
    *out = x;
    return VS_OK;
}

static int load_datacenter(GKeyFile *kf, const char *origin, place_dc *dc, vs_err *err)
{
    const char *sec = "datacenter";
    uint64_t v;
    if (g_key_file_has_key(kf, sec, "name", NULL)) {
        gchar *name = g_key_file_get_value(kf, sec, "name", NULL);
        snprintf(dc->name, sizeof dc->name, "%s", name);
        g_free(name);
    }
    v = dc->servers;
    if (get_u64(kf, origin, sec, "servers", 1, 1000000, &v, err))
        return err->code;
    dc->servers = (uint32_t)v;
    v = dc->page_kib;
    if (get_u64(kf, origin, sec, "page_kib", 4, 1048576, &v, err))
        return err->code;
    if (v & (v - 1))
        return vs_fail(err, VS_E_CONFIG, "%s: [datacenter] page_kib: expected a power of two", origin);
    dc->page_kib = (uint32_t)v;
    v = dc->max_order;
    if (get_u64(kf, origin, sec, "max_order", 0, BUDDY_MAX_ORDER_LIMIT, &v, err))
        return err->code;
    dc->max_order = (unsigned)v;
    v = dc->samples;
    if (get_u64(kf, origin, sec, "samples", 0, 100000, &v, err))
        return err->code;
    dc->samples = (uint32_t)v;
    if (g_key_file_has_key(kf, sec, "frag_order", NULL)) {
        gchar *s = g_key_file_get_value(kf, sec, "frag_order", NULL);
        bool is_auto = !strcmp(s, "auto");
        g_free(s);
        if (is_auto) {
            dc->frag_order = -1;
        } else {
            if (get_u64(kf, origin, sec, "frag_order", 0, BUDDY_MAX_ORDER_LIMIT, &v, err))
                return vs_fail(err, VS_E_CONFIG, "%s: [datacenter] frag_order: expected auto or 0..%d", origin,
                               BUDDY_MAX_ORDER_LIMIT);
            dc->frag_order = (int)v;
        }
    }
    return VS_OK;
}

static int load_compaction(GKeyFile *kf, const char *origin, place_dc *dc, vs_err *err)
{
    const char *sec = "compaction";
    if (g_key_file_has_key(kf, sec, "mode", NULL)) {
        static const char *const names[] = {"none", "demand", "periodic"};
        gchar *s = g_key_file_get_value(kf, sec, "mode", NULL);
        int found = -1;
        for (int i = 0; i < (int)VS_ARRAY_LEN(names); i++)
            if (!strcmp(s, names[i]))
                found = i;
        g_free(s);
        if (found < 0)
            return vs_fail(err, VS_E_CONFIG, "%s: [compaction] mode: expected none, demand or periodic", origin);
        dc->compact = found;
    }
    uint64_t v = dc->compact_period;
    if (get_u64(kf, origin, sec, "period", 1, UINT64_C(1) << 40, &v, err))
        return err->code;
    dc->compact_period = v;
    return VS_OK;
}

/* Section [host]: the non-VM memory of every server (place_host). */
static int load_host(GKeyFile *kf, const char *origin, place_dc *dc, vs_err *err)
{
    const char *sec = "host";
    static const struct {
        const char *key;
        size_t off;
    } sizes[] = {
        {"reserved", offsetof(place_host, reserved_kib)},
        {"pool_per_vcpu", offsetof(place_host, pool_kib_per_vcpu)},
        {"pool_per_gib", offsetof(place_host, pool_kib_per_gib)},
        {"cache_per_vm", offsetof(place_host, cache_kib_per_vm)},
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(sizes); i++) {
        if (!g_key_file_has_key(kf, sec, sizes[i].key, NULL))
            continue;
        gchar *v = g_key_file_get_value(kf, sec, sizes[i].key, NULL);
        bool ok = parse_kib(v, (uint64_t *)((char *)&dc->host + sizes[i].off));
        g_free(v);
        if (!ok)
            return vs_fail(err, VS_E_CONFIG, "%s: [host] %s: expected a size >= 0 such as 1g, 512m or 8k", origin,
                           sizes[i].key);
    }
    uint64_t v = dc->host.cache_life_s;
    if (get_u64(kf, origin, sec, "cache_life", 0, UINT64_C(1) << 40, &v, err))
        return err->code;
    dc->host.cache_life_s = v;
    return VS_OK;
}

/* Sections [gen.NAME]: if any is present they replace the default generations. */
static int load_gens(GKeyFile *kf, const char *origin, place_dc *dc, vs_err *err)
{
    gchar **groups = g_key_file_get_groups(kf, NULL);
    unsigned n = 0;
    int rc = VS_OK;
    for (gchar **g = groups; *g && rc == VS_OK; g++) {
        if (!g_str_has_prefix(*g, "gen."))
            continue;
        if (n == PLACE_MAX_GENS) {
            rc = vs_fail(err, VS_E_CONFIG, "%s: [%s]: at most %d generations", origin, *g, PLACE_MAX_GENS);
            break;
        }
        place_gen *gen = &dc->gens[n];
        memset(gen, 0, sizeof *gen);
        snprintf(gen->name, sizeof gen->name, "%s", *g + 4);
        gchar *ram = g_key_file_get_value(kf, *g, "ram", NULL);
        if (!ram || !parse_mib(ram, &gen->ram_mib))
            rc = vs_fail(err, VS_E_CONFIG, "%s: [%s] ram: expected a size such as 128g", origin, *g);
        g_free(ram);
        uint64_t cores = 0;
        if (rc == VS_OK && !g_key_file_has_key(kf, *g, "cores", NULL))
            rc = vs_fail(err, VS_E_CONFIG, "%s: [%s] cores: expected an integer from 1 to 65536", origin, *g);
        if (rc == VS_OK)
            rc = get_u64(kf, origin, *g, "cores", 1, 65536, &cores, err);
        gen->cores = (uint32_t)cores;
        gchar *share = rc == VS_OK ? g_key_file_get_value(kf, *g, "share", NULL) : NULL;
        char *end = NULL;
        gen->share = share ? strtod(share, &end) : 0;
        if (rc == VS_OK && (!share || end == share || *end || !(gen->share > 0) || gen->share > 1e9 || strpbrk(share, "xX")))
            rc = vs_fail(err, VS_E_CONFIG, "%s: [%s] share: expected a positive number (a percentage)", origin, *g);
        g_free(share);
        n++;
    }
    g_strfreev(groups);
    if (rc == VS_OK && n)
        dc->n_gens = n;
    return rc;
}

/* Every generation holds a page and has memory left for VMs after [host]
 * reserved: checked here so that the error names the file (the servers are
 * made only when a run starts). */
static int check_gens_fit(const place_dc *dc, const char *origin, vs_err *err)
{
    for (unsigned g = 0; g < dc->n_gens; g++) {
        uint64_t ram_kib = dc->gens[g].ram_mib * KIB_PER_MIB;
        if (ram_kib < dc->page_kib)
            return vs_fail(err, VS_E_CONFIG, "%s: generation %s has less RAM than one %u KiB page", origin,
                           dc->gens[g].name, dc->page_kib);
        uint64_t reserved = dc->host.reserved_kib / dc->page_kib + (dc->host.reserved_kib % dc->page_kib != 0);
        if (reserved >= ram_kib / dc->page_kib) /* whole pages, as place_server_new takes them */
            return vs_fail(err, VS_E_CONFIG,
                           "%s: [host] reserved = %llu KiB leaves no memory for VMs on generation %s (%llu KiB)",
                           origin, (unsigned long long)dc->host.reserved_kib, dc->gens[g].name,
                           (unsigned long long)ram_kib);
    }
    return VS_OK;
}

int place_dc_load_data(place_dc *dc, const char *data, size_t len, const char *origin, vs_err *err)
{
    GKeyFile *kf;
    int rc = cfg_keyfile_load(data, len, origin, &kf, err);
    if (rc != VS_OK)
        return rc;
    gchar **groups = g_key_file_get_groups(kf, NULL);
    for (gchar **g = groups; g && *g && rc == VS_OK; g++)
        if (strcmp(*g, "datacenter") && strcmp(*g, "compaction") && strcmp(*g, "host") &&
            !g_str_has_prefix(*g, "gen."))
            rc = vs_fail(err, VS_E_CONFIG,
                         "%s: [%s]: unknown section (expected datacenter, compaction, host, gen.NAME)", origin, *g);
    g_strfreev(groups);
    if (rc == VS_OK)
        rc = load_datacenter(kf, origin, dc, err);
    if (rc == VS_OK)
        rc = load_compaction(kf, origin, dc, err);
    if (rc == VS_OK)
        rc = load_host(kf, origin, dc, err);
    if (rc == VS_OK)
        rc = load_gens(kf, origin, dc, err);
    if (rc == VS_OK)
        rc = check_gens_fit(dc, origin, err);
    g_key_file_free(kf);
    return rc;
}

static int parse_dc(void *dc, const char *data, size_t len, const char *origin, vs_err *err)
{
    return place_dc_load_data(dc, data, len, origin, err);
}

int place_dc_load(place_dc *dc, const char *path, vs_err *err)
{
    return vs_load_file(path, "datacenter config", parse_dc, dc, err);
}

void place_dc_fleet(const place_dc *dc, unsigned *gen_of_server)
{
    double total = 0;
    for (unsigned g = 0; g < dc->n_gens; g++)
        total += dc->gens[g].share;
    uint32_t *count = vs_calloc(dc->n_gens, sizeof *count);
    for (uint32_t i = 0; i < dc->servers; i++) {
        /* the generation furthest below its share of the first i+1 servers; ties to the lower index */
        unsigned best = 0;
        double best_deficit = -1e300;
        for (unsigned g = 0; g < dc->n_gens; g++) {
            double deficit = dc->gens[g].share / total * (double)(i + 1) - (double)count[g];
            if (deficit > best_deficit + 1e-9) {
                best = g;
                best_deficit = deficit;
            }
        }
        count[best]++;
        gen_of_server[i] = best;
    }
    free(count);
}
