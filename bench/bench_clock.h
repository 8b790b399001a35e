/*
 * bench_clock.h: the clocks the calibration benchmarks (bench_share,
 * bench_cow, bench_ckpt_handover) read: wall time, and the TSC's rate
 * measured against it, so that they can print the TSC cycles the calibration
 * files record; and the two helpers the per-operation TSC timings share:
 * pinning to one CPU (the TSC read on both sides of an operation is then the
 * same CPU's) and the order of samples and of per-round values for their medians.
 */
#ifndef VS_BENCH_CLOCK_H
#define VS_BENCH_CLOCK_H

#include <sched.h>
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

/* Pins the calling thread (and the children it forks later) to `cpu`: best
 * effort, since on a machine with one CPU the measurements still run. */
static inline void bench_pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof set, &set);
}

/* qsort order of TSC samples, for medians and percentiles. */
static inline int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* qsort order of doubles (per-round values), for their medians. */
static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
