/*
 * fuzz_ckpt_calib.c: libFuzzer target for checkpoint calibration files
 * (sim/ckpt/ckpt_calib.c) -- arbitrary bytes as a calibration must load or
 * fail with a message naming the file, never crash; a loaded calibration
 * holds only finite, non-negative costs.
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "ckpt/ckpt.h"

/* The fields first..last of ckpt_calib are consecutive doubles (ckpt.h). */
static void check_range(const double *first, const double *last)
{
    for (const double *f = first; f <= last; f++)
        assert(isfinite(*f) && *f >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vs_err err = {0};
    ckpt_calib c;
    if (ckpt_calib_load_data((const char *)data, size, "fuzz.ini", &c, &err) != VS_OK) {
        assert(strstr(err.msg, "fuzz.ini") != NULL);
        return 0;
    }
    check_range(&c.user_fault_signal, &c.mb_cda_kib);
    if (c.has_modern)
        check_range(&c.m_kfault, &c.m_ring_reset);
    return 0;
}
