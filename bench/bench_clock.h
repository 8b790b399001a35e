/*
 * bench_clock.h: the clocks the calibration benchmarks (bench_share,
 * bench_cow) read: wall time, and the TSC's rate measured against it, so that
 * they can print the TSC cycles configs/share/current.ini records.
 */
#ifndef VS_BENCH_CLOCK_H
#define VS_BENCH_CLOCK_H

#include <stdint.h>
#include <time.h>
#include <x86intrin.h>

#define BENCH_TSC_PROBE_S 0.2 /* long enough that clock_gettime's cost is lost in it */

static inline double bench_clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline double bench_now(void) { return bench_clock_s(CLOCK_MONOTONIC); }

/* The TSC's rate in GHz, counted over BENCH_TSC_PROBE_S of wall time. */
static inline double bench_tsc_ghz(void)
{
    double t0 = bench_now();
    uint64_t c0 = __rdtsc();
    while (bench_now() - t0 < BENCH_TSC_PROBE_S)
        ;
    return (double)(__rdtsc() - c0) / (bench_now() - t0) / 1e9;
}

#endif
