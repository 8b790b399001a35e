/*
 * bench_trace_read: how fast the trace readers decode, alone (no simulator).
 *
 * Generates a synthetic trace (sequential instruction runs with taken
 * branches, loads and stores with strided and scattered addresses, as
 * lackey prints them), writes it as .vmt (zlib and, when built, zstd), as
 * uncompressed .vmt (the decoder alone), lackey text and ChampSim, then times trace_open + trace_read over each
 * file and prints records/s.  Extra arguments are trace files to time too.
 *
 * Usage: bench_trace_read [-n RECORDS] [FILE...]
 * Set BENCH_CPU=1 to time CPU seconds instead of wall-clock (loaded machines).
 */
#include "trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_DEFAULT_RECS 20000000ull /* ~1 s per format: long enough to time */
#define BENCH_BATCH 4096u              /* the engine's batch size */
#define BENCH_SEED 42u

static double now(void)
{
    struct timespec ts;
    clock_gettime(getenv("BENCH_CPU") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const vs_err *e)
{
    fprintf(stderr, "bench_trace_read: %s\n", e->msg);
    exit(1);
}

/* Fills r with a plausible reference mix: ~60% ifetch, 25% load, 12% store, 3% rmw. */
static void gen(trace_rec *r, size_t n, uint64_t *rng, uint64_t *pc)
{
    static const unsigned DSIZE[] = {1, 2, 4, 8, 8, 8, 4, 16};
    for (size_t i = 0; i < n; i++) {
        uint64_t x = vs_rng_next(rng);
        unsigned pick = (unsigned)(x % 100);
        if (pick < 60) {
            if ((x >> 8) % 8 == 0)
                *pc = 0x400000 + ((x >> 16) % (1u << 20));
            unsigned len = 1 + (unsigned)((x >> 40) % 7);
            r[i] = (trace_rec){.addr = *pc, .size = (uint16_t)len, .kind = TREC_IFETCH};
            *pc += len;
        } else {
            uint64_t a = (x >> 12) % 4 ? 0x7ffd4e5f0000ull + ((x >> 20) % 4096) * 8
                                       : 0x10000000ull + ((x >> 20) % (64u << 20));
            unsigned kind = pick < 85 ? TREC_LOAD : pick < 97 ? TREC_STORE : TREC_RMW;
            r[i] = (trace_rec){.addr = a, .size = (uint16_t)DSIZE[(x >> 50) % 8], .kind = (uint8_t)kind};
        }
    }
}

static void write_lackey(const char *path, uint64_t nrec)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    static const char *const PREFIX[] = {"I  ", " L ", " S ", " M "};
    uint64_t rng = BENCH_SEED, pc = 0x401000;
    trace_rec buf[BENCH_BATCH];
    for (uint64_t done = 0; done < nrec; done += BENCH_BATCH) {
        size_t n = nrec - done < BENCH_BATCH ? (size_t)(nrec - done) : BENCH_BATCH;
        gen(buf, n, &rng, &pc);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s%08llx,%u\n", PREFIX[buf[i].kind], (unsigned long long)buf[i].addr,
                    buf[i].size);
    }
    fclose(f);
}

static void write_bin(const char *path, trace_fmt fmt, trace_codec codec, uint64_t nrec)
{
    vs_err e;
    trace_writer *w;
    if (trace_writer_open(path, fmt, codec, &w, &e) < 0)
        die(&e);
    uint64_t rng = BENCH_SEED, pc = 0x401000;
    trace_rec buf[BENCH_BATCH];
    double t0 = now();
    for (uint64_t done = 0; done < nrec; done += BENCH_BATCH) {
        size_t n = nrec - done < BENCH_BATCH ? (size_t)(nrec - done) : BENCH_BATCH;
        gen(buf, n, &rng, &pc);
        if (trace_write(w, buf, n, &e) < 0)
            die(&e);
    }
    if (trace_writer_close(w, &e) < 0)
        die(&e);
    printf("%-28s write %6.1f M records/s\n", path, (double)nrec / (now() - t0) / 1e6);
}

static void time_read(const char *path)
{
    vs_err e;
    trace_reader *r;
    double t0 = now();
    if (trace_open(path, TFMT_AUTO, &r, &e) < 0)
        die(&e);
    static trace_rec buf[BENCH_BATCH];
    uint64_t total = 0;
    long n;
    while ((n = trace_read(r, buf, BENCH_BATCH, &e)) > 0)
        total += (uint64_t)n;
    if (n < 0)
        die(&e);
    trace_digest d = trace_reader_digest(r); /* the digest the simulator reports: part of its reading cost */
    double dt = now() - t0;
    printf("%-28s read  %6.1f M records/s  (%s, %llu records, %.3f s, digest %016llx)\n", path,
           (double)total / dt / 1e6, trace_fmt_name(trace_reader_fmt(r)), (unsigned long long)total,
           dt, (unsigned long long)d.h);
    trace_close(r);
}

int main(int argc, char **argv)
{
    uint64_t nrec = BENCH_DEFAULT_RECS;
    int i = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        nrec = strtoull(argv[2], NULL, 10);
        i = 3;
    }
    if (i < argc) {
        for (; i < argc; i++)
            time_read(argv[i]);
        return 0;
    }
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char vmt[512], vmtz[512], vmtn[512], lk[512], cs[512];
    snprintf(vmt, sizeof vmt, "%s/bench_trace.vmt", dir);
    snprintf(vmtz, sizeof vmtz, "%s/bench_trace_zstd.vmt", dir);
    snprintf(vmtn, sizeof vmtn, "%s/bench_trace_none.vmt", dir);
    snprintf(lk, sizeof lk, "%s/bench_trace.lackey", dir);
    snprintf(cs, sizeof cs, "%s/bench_trace.champsim", dir);
    write_bin(vmt, TFMT_VMT, TCODEC_ZLIB, nrec);
#ifdef VS_HAVE_ZSTD
    write_bin(vmtz, TFMT_VMT, TCODEC_ZSTD, nrec);
#endif
    write_bin(vmtn, TFMT_VMT, TCODEC_NONE, nrec);
    write_bin(cs, TFMT_CHAMPSIM, TCODEC_NONE, nrec);
    write_lackey(lk, nrec);
    time_read(vmt);
#ifdef VS_HAVE_ZSTD
    time_read(vmtz);
#endif
    time_read(vmtn);
    time_read(lk);
    time_read(cs);
    remove(vmt);
    remove(vmtz);
    remove(vmtn);
    remove(lk);
    remove(cs);
    return 0;
}
