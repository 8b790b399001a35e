/*
 * azure.c: the Azure Public Dataset's vmtable.csv (Cortez et al., "Resource
 * Central", SOSP'17; github.com/Azure/AzurePublicDataset).  Eleven
 * comma-separated fields and no header:
 *   vmid, subscriptionid, deploymentid, vmcreated, vmdeleted, maxcpu, avgcpu,
 *   p95maxcpu, vmcategory, vmcorecount(bucket), vmmemory(bucket)
 * Times are seconds from the trace start.  V1 gives exact cores and GB
 * ("1", "1.75"); V2 gives buckets ("2", "8", ">24", ">64").  A bucket is
 * read as its upper bound; an open bucket ">X" as the next power of two
 * above X (an assumption: the dataset does not bound it).  The category is
 * spelled "Unkown" in the data.
 *
 * Invariants: each accepted row has created <= deleted, cores >= 1, memory > 0;
 * no vmid appears twice (a file concatenated with itself or a part of itself
 * would otherwise count its VMs twice).
 */
#include "place_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AZ_FIELDS 11
#define AZ_CREATED 3
#define AZ_DELETED 4
#define AZ_CATEGORY 8
#define AZ_CORES 9
#define AZ_MEMORY 10
#define KIB_PER_GIB (1024.0 * 1024.0)
#define AZ_MAX_CORES 4096     /* far above any Azure size; rejects garbage */
#define AZ_MAX_GIB 65536.0    /* 64 TiB: likewise */

/* Where one row's vmid lies in the data, to find repeats by sorting. */
typedef struct az_id {
    size_t off;
    uint32_t len;
    uint32_t line;
} az_id;

static const char *az_data; /* the data the az_id being sorted point into (qsort has no context) */

static int az_id_cmp(const void *a, const void *b)
{
    const az_id *x = a, *y = b;
    int c = memcmp(az_data + x->off, az_data + y->off, x->len < y->len ? x->len : y->len);
    if (c == 0)
        c = (x->len > y->len) - (x->len < y->len);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The first line (in file order) whose vmid an earlier line already had. */
static int check_unique_ids(const char *data, az_id *ids, size_t n, const char *origin, vs_err *err)
{
    if (n < 2) /* nothing to repeat; and ids may be NULL, which qsort must not get */
        return VS_OK;
    az_data = data;
    qsort(ids, n, sizeof *ids, az_id_cmp);
    const az_id *rep = NULL, *first = NULL;
    size_t group = 0; /* the first row, by line, of the run of equal vmids holding row i */
    for (size_t i = 1; i < n; i++) {
        const az_id *a = &ids[group], *b = &ids[i];
        if (a->len != b->len || memcmp(data + a->off, data + b->off, a->len)) {
            group = i;
            continue;
        }
        if (!rep || b->line < rep->line) {
            rep = b;
            first = a;
        }
    }
    if (!rep)
        return VS_OK;
    return vs_fail(err, VS_E_FORMAT, "%s: line %u: vmid '%.*s' is repeated (first at line %u)", origin, rep->line,
                   (int)rep->len, data + rep->off, first->line);
}

static const char *const categories[] = {"Delay-insensitive", "Interactive", "Unkown", "Unknown"};

/* A V1 number or a V2 bucket; *open is set for ">X". */
static bool bucket(const char *s, double *v, bool *open)
{
    *open = s[0] == '>';
    if (!place_parse_double(s + *open, v) || !(*v > 0))
        return false;
    if (*open)
        *v = exp2(floor(log2(*v)) + 1);
    return true;
}

int place_read_azure(const char *data, size_t len, const char *origin, place_trace *t, vs_err *err)
{
    place_lines l;
    place_lines_init(&l, data, len);
    char *line = NULL;
    size_t cap = 0;
    bool v2 = false;
    int rc = place_check_text(data, len, origin, err);
    az_id *ids = NULL;
    size_t n_ids = 0, cap_ids = 0;
    const char *start = l.p;
    for (; rc == VS_OK && place_lines_next(&l, &line, &cap); start = l.p) {
        if (!line[strspn(line, " \t")] || (l.lineno == 1 && !strncmp(line, "vmid,", 5)))
            continue;
        char *f[AZ_FIELDS + 1];
        int n = place_split(line, ",", f, AZ_FIELDS + 1);
        int64_t created, deleted;
        double cores, gib;
        bool open_c, open_m;
        bool cat_ok = false;
        if (n == AZ_FIELDS)
            for (size_t c = 0; c < VS_ARRAY_LEN(categories); c++)
                cat_ok |= !strcmp(f[AZ_CATEGORY], categories[c]);
#define AZ_BAD(what) (rc = vs_fail(err, VS_E_FORMAT, "%s: line %zu: expected %s", origin, l.lineno, what))
        if (n != AZ_FIELDS)
            AZ_BAD("11 comma-separated fields (vmid,...,vmcorecount,vmmemory)");
        else if (!place_parse_i64(f[AZ_CREATED], &created) || created < 0)
            AZ_BAD("field 4 (vmcreated): seconds >= 0");
        else if (!place_parse_i64(f[AZ_DELETED], &deleted) || deleted < created)
            AZ_BAD("field 5 (vmdeleted): seconds >= vmcreated");
        else if (!cat_ok)
            AZ_BAD("field 9 (vmcategory): Delay-insensitive, Interactive or Unkown");
        else if (!bucket(f[AZ_CORES], &cores, &open_c) || cores != floor(cores) || cores > AZ_MAX_CORES)
            AZ_BAD("field 10 (vmcorecount): a core count or bucket such as 2 or >24");
        else if (!bucket(f[AZ_MEMORY], &gib, &open_m) || gib > AZ_MAX_GIB)
            AZ_BAD("field 11 (vmmemory): GB or a bucket such as 1.75, 8 or >64");
#undef AZ_BAD
        if (rc != VS_OK)
            break;
        v2 |= open_c || open_m;
        place_vm vm = {.created = created,
                       .deleted = deleted,
                       .cores = (uint32_t)cores,
                       .mem_kib = (uint64_t)ceil(gib * KIB_PER_GIB)};
        place_trace_add(t, &vm);
        if (n_ids == cap_ids) {
            cap_ids = cap_ids ? 2 * cap_ids : 1024;
            ids = vs_realloc(ids, cap_ids * sizeof *ids);
        }
        ids[n_ids++] = (az_id){.off = (size_t)(start - data), .len = (uint32_t)strlen(f[0]), .line = (uint32_t)l.lineno};
    }
    if (rc == VS_OK)
        rc = check_unique_ids(data, ids, n_ids, origin, err);
    free(ids);
    free(line);
    snprintf(t->format, sizeof t->format, v2 ? "azure-v2" : "azure-v1");
    return rc;
}
