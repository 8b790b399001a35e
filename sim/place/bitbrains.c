/*
 * bitbrains.c: one VM file of the Bitbrains GWA-T-12 trace (Shen, van Beek,
 * Iosup, CCGrid'15; gwa.ewi.tudelft.nl).  Fields separated by ";\t", one
 * header line, a sample every 300 s:
 *   Timestamp [ms]; CPU cores; CPU capacity provisioned [MHZ]; CPU usage [MHZ];
 *   CPU usage [%]; Memory capacity provisioned [KB]; Memory usage [KB];
 *   disk read, disk write, network in, network out [KB/s]
 * Despite the header the timestamps are Unix seconds (the published sample has
 * 1376314846, August 2013).  Values above 10^11 are taken as the documented
 * milliseconds and divided by 1000, so either reading gives seconds.
 *
 * The VM lives from its first to its last sample and asks for the largest
 * provisioned cores and memory seen.
 */
#include "place_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BB_FIELDS 11
#define BB_TS 0
#define BB_CORES 1
#define BB_MEM_KB 5
#define BB_MS_THRESHOLD 100000000000LL /* 10^11: seconds reach it in year 5138, ms passed it in 1973 */
#define BB_MS_PER_S 1000
#define BB_MAX_CORES 4096

int place_read_bitbrains(const char *data, size_t len, const char *origin, place_trace *t, vs_err *err)
{
    place_lines l;
    place_lines_init(&l, data, len);
    char *line = NULL;
    size_t cap = 0;
    int rc = place_check_text(data, len, origin, err);
    place_vm vm = {.created = INT64_MAX, .deleted = INT64_MIN, .cores = 0, .mem_kib = 0};
    size_t samples = 0;
    while (rc == VS_OK && place_lines_next(&l, &line, &cap)) {
        if (!line[strspn(line, " \t")] || (l.lineno == 1 && !strncmp(line, "Timestamp", 9)))
            continue;
        char *f[BB_FIELDS + 1];
        int n = place_split(line, ";\t", f, BB_FIELDS + 1);
        int64_t ts;
        double cores, mem;
#define BB_BAD(what) (rc = vs_fail(err, VS_E_FORMAT, "%s: line %zu: expected %s", origin, l.lineno, what))
        if (n != BB_FIELDS)
            BB_BAD("11 fields separated by ';\\t' (GWA-T-12 per-VM file)");
        else if (!place_parse_i64(f[BB_TS], &ts) || ts < 0)
            BB_BAD("field 1 (Timestamp): Unix seconds");
        else if (!place_parse_double(f[BB_CORES], &cores) || cores < 1 || cores != floor(cores) ||
                 cores > BB_MAX_CORES)
            BB_BAD("field 2 (CPU cores): an integer >= 1");
        else if (!place_parse_double(f[BB_MEM_KB], &mem) || !(mem > 0) || mem > 1e15)
            BB_BAD("field 6 (Memory capacity provisioned [KB]): a positive number");
#undef BB_BAD
        if (rc != VS_OK)
            break;
        if (ts >= BB_MS_THRESHOLD)
            ts /= BB_MS_PER_S;
        vm.created = ts < vm.created ? ts : vm.created;
        vm.deleted = ts > vm.deleted ? ts : vm.deleted;
        vm.cores = (uint32_t)cores > vm.cores ? (uint32_t)cores : vm.cores;
        vm.mem_kib = (uint64_t)ceil(mem) > vm.mem_kib ? (uint64_t)ceil(mem) : vm.mem_kib;
        samples++;
    }
    free(line);
    if (rc == VS_OK && !samples)
        rc = vs_fail(err, VS_E_FORMAT, "%s: line %zu: expected at least one sample after the header", origin,
                     l.lineno);
    if (rc == VS_OK)
        place_trace_add(t, &vm);
    snprintf(t->format, sizeof t->format, "bitbrains");
    return rc;
}
