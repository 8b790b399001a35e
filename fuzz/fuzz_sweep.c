/*
 * fuzz_sweep.c: libFuzzer target for the sweep-file parser
 * (sim/sweep/sweep_spec.c) -- arbitrary bytes as a sweep file must load or
 * fail with a message naming it, never crash.
 *
 * Checked on a loaded sweep: the point index and (trace, values) map both
 * ways (sweep_find_point undoes sweep_point_trace/sweep_point_value) for the
 * first points; every point's trace is in range.  No file is read or
 * written: relative paths resolve under a directory that does not exist.
 */
#include <assert.h>
#include <string.h>

#include "sweep/sweep.h"

#define POINTS_CHECKED 64u /* a sweep may have millions; the mapping is uniform */
#define PARAMS_MAX 256u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vs_err err = {0};
    sweep *s;
    if (sweep_load_data((const char *)data, size, "fuzz.sweep", "/nonexistent-fuzz-dir", &s, &err) != VS_OK) {
        assert(strstr(err.msg, "fuzz.sweep") != NULL);
        return 0;
    }
    size_t np = sweep_n_params(s);
    assert(sweep_n_points(s) >= 1);
    for (size_t k = 0; k < sweep_n_points(s) && k < POINTS_CHECKED && np <= PARAMS_MAX; k++) {
        size_t t = sweep_point_trace(s, k);
        assert(t < sweep_n_traces(s));
        const char *values[PARAMS_MAX + 1];
        for (size_t i = 0; i < np; i++) {
            values[i] = sweep_point_value(s, k, i);
            assert(values[i] != NULL && sweep_param_name(s, i) != NULL);
        }
        assert(sweep_find_point(s, sweep_trace_label(s, t), values) == (long)k);
    }
    sweep_free(s);
    return 0;
}
