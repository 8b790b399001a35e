/* fuzz_trace_auto.c: libFuzzer target for format detection and the compressed
 * byte sources (see fuzz_trace.h). */
#include "fuzz_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_trace_run(data, size, TFMT_AUTO);
}
