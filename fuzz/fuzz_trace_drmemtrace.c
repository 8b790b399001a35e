/* fuzz_trace_drmemtrace.c: libFuzzer target for the drmemtrace reader (see fuzz_trace.h). */
#include "fuzz_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_trace_run(data, size, TFMT_DRMEMTRACE);
}
