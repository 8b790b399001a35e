/*
 * fuzz_place.c: libFuzzer target for the VM-placement trace readers
 * (sim/place/trace.c detection, azure.c, bitbrains.c, cerit.c) and the
 * datacenter description (place_dc_load_data).  Byte 0 picks the entry:
 * content detection through the file path, one reader forced, or the
 * datacenter parser; the rest is the file.
 *
 * Checked: no crash or sanitizer report; a failure names the file; a loaded
 * trace keeps the readers' invariants (deleted >= created, cores >= 1,
 * mem_kib >= 1).
 */
#include <assert.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "place/place.h"

typedef int (*reader_fn)(const char *, size_t, const char *, place_trace *, vs_err *);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const reader_fn READERS[] = {place_read_azure, place_read_bitbrains, place_read_cerit};
    unsigned entry = data[0] % 5u;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    vs_err err = {0};
    int rc;
    char path[64] = "fuzz.trace";
    place_trace t;
    place_trace_init(&t);
    if (entry == 0) {
        int fd = fuzz_memfd(data + 1, len, path, sizeof path);
        rc = place_trace_load(path, &t, &err);
        close(fd);
    } else if (entry <= 3) {
        rc = READERS[entry - 1](text, len, path, &t, &err);
    } else {
        place_dc dc;
        place_dc_defaults(&dc);
        snprintf(path, sizeof path, "fuzz.ini");
        rc = place_dc_load_data(&dc, text, len, path, &err);
    }
    if (rc != VS_OK)
        assert(strstr(err.msg, path) != NULL);
    for (size_t i = 0; rc == VS_OK && i < t.n; i++)
        assert(t.vm[i].deleted >= t.vm[i].created && t.vm[i].cores >= 1 && t.vm[i].mem_kib >= 1);
    place_trace_free(&t);
    return 0;
}
