/*
 * cerit.c: VM lifecycles in the Standard Workload Format (Feitelson's SWF,
 * as extended by Klusacek and Parak, "Analysis of Mixed Workloads from
 * Shared Cloud Infrastructure", JSSPP 2017; jsspp.org/workload).  The
 * CERIT-SC archive publishes its grid jobs in this format and its cloud and
 * grid-worker VMs as JSON (the archive page), so on that archive each record
 * read here is a grid job placed as a VM.  Lines starting with ';' are header
 * comments; each other line is one record with 18 blank-separated fields, -1
 * meaning unknown:
 *   1 job  2 submit  3 wait  4 runtime  5 allocated procs  6 avg cpu
 *   7 used mem (KB/proc)  8 requested procs  9 requested time
 *   10 requested mem (KB/proc)  11 status  12 user ... 18 think time
 * The VM lives from submit+wait to submit+wait+runtime; cores are the
 * allocated processors (else the requested ones); memory is the requested
 * KB per processor times cores (else the used).  The archive's VM JSON is
 * not read: its field names could not be verified.
 */
#include "place_int.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define SWF_FIELDS 18
#define SWF_JOB 0
#define SWF_SUBMIT 1
#define SWF_WAIT 2
#define SWF_RUN 3
#define SWF_ALLOC 4
#define SWF_USED_MEM 6
#define SWF_REQ_PROCS 7
#define SWF_REQ_MEM 9
#define SWF_MAX_CORES 65536

int place_read_cerit(const char *data, size_t len, const char *origin, place_trace *t, vs_err *err)
{
    place_lines l;
    place_lines_init(&l, data, len);
    char *line = NULL;
    size_t cap = 0;
    int rc = place_check_text(data, len, origin, err);
    /* job number -> its line: SWF numbers jobs with a counter, so a repeat is a
     * file concatenated with (a part of) itself, whose jobs would count twice */
    GHashTable *jobs = g_hash_table_new(g_direct_hash, g_direct_equal);
    while (rc == VS_OK && place_lines_next(&l, &line, &cap)) {
        char *s = line + strspn(line, " \t");
        if (!*s || *s == ';')
            continue;
        gchar **w = g_strsplit_set(g_strstrip(s), " \t", -1);
        int64_t v[SWF_FIELDS];
        int n = 0;
        bool nums = true;
        for (gchar **p = w; *p; p++) {
            if (!**p)
                continue;
            if (n < SWF_FIELDS)
                nums &= place_parse_i64(*p, &v[n]);
            n++;
        }
        g_strfreev(w);
#define SWF_BAD(what) (rc = vs_fail(err, VS_E_FORMAT, "%s: line %zu: expected %s", origin, l.lineno, what))
        int64_t cores = n == SWF_FIELDS && nums ? (v[SWF_ALLOC] > 0 ? v[SWF_ALLOC] : v[SWF_REQ_PROCS]) : 0;
        int64_t kb = n == SWF_FIELDS && nums ? (v[SWF_REQ_MEM] > 0 ? v[SWF_REQ_MEM] : v[SWF_USED_MEM]) : 0;
        if (n != SWF_FIELDS || !nums)
            SWF_BAD("18 blank-separated integers (SWF job line)");
        else if (v[SWF_SUBMIT] < 0 || v[SWF_WAIT] < -1)
            SWF_BAD("field 2 (submit) >= 0 and field 3 (wait) >= -1");
        else if (v[SWF_RUN] < 0)
            SWF_BAD("field 4 (run time): seconds >= 0");
        else if (v[SWF_WAIT] > INT64_MAX - v[SWF_SUBMIT] ||
                 v[SWF_RUN] > INT64_MAX - v[SWF_SUBMIT] - (v[SWF_WAIT] > 0 ? v[SWF_WAIT] : 0))
            SWF_BAD("fields 2 + 3 + 4 (submit + wait + run time) within 2^63 - 1 seconds");
        else if (cores < 1 || cores > SWF_MAX_CORES)
            SWF_BAD("field 5 (allocated processors) or 8 (requested processors): >= 1");
        else if (kb < 1 || kb > (INT64_C(1) << 40) / cores)
            SWF_BAD("field 10 (requested memory) or 7 (used memory): KB per processor >= 1");
#undef SWF_BAD
        gpointer first = rc == VS_OK ? g_hash_table_lookup(jobs, GSIZE_TO_POINTER((gsize)v[SWF_JOB])) : NULL;
        if (first)
            rc = vs_fail(err, VS_E_FORMAT, "%s: line %zu: job number %lld is repeated (first at line %zu)", origin,
                         l.lineno, (long long)v[SWF_JOB], (size_t)GPOINTER_TO_SIZE(first));
        if (rc != VS_OK)
            break;
        g_hash_table_insert(jobs, GSIZE_TO_POINTER((gsize)v[SWF_JOB]), GSIZE_TO_POINTER(l.lineno));
        int64_t start = v[SWF_SUBMIT] + (v[SWF_WAIT] > 0 ? v[SWF_WAIT] : 0);
        place_vm vm = {.created = start,
                       .deleted = start + v[SWF_RUN],
                       .cores = (uint32_t)cores,
                       .mem_kib = (uint64_t)(kb * cores)};
        place_trace_add(t, &vm);
    }
    g_hash_table_destroy(jobs);
    free(line);
    snprintf(t->format, sizeof t->format, "cerit-swf");
    return rc;
}
