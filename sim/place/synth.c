/*
 * synth.c: synthetic VM lifecycle traces in the style of the three datasets
 * of seed 004 (the real ones are large downloads).  Each style is a table of
 * VM sizes with weights, an arrival window, and a lifetime law:
 *   arrivals: uniform over the window (a Poisson process conditioned on N);
 *   lifetime: with probability `whole` the VM is there for the whole span
 *             (created at its start, alive at its end: services that ran
 *             before the trace and after it); else with probability
 *             `persist` it lives to the end of the span; otherwise
 *             log-normal(median, sigma), cut at the end of the span;
 *   times are rounded to the dataset's sampling tick.
 * The numbers and where they come from are in docs/placement.md; where a
 * source gives only a shape ("over 85% use at most 4 cores") the weights are
 * chosen to match it and say so.
 *
 * place_synth_sized draws the sizes from another style's table with the same
 * draws, so the times stay those of the pure style (a sizes-versus-churn
 * ablation).
 *
 * Determinism: splitmix64 (vs_rng_next) seeded by the seed alone; one fixed
 * sequence of draws per VM.
 *
 * Invariants of every VM it adds: 0 <= created <= deleted; created and
 * deleted are multiples of the style's tick; deleted <= the span rounded
 * up to a tick; cores and memory are a row of the size table drawn from.
 * The style tables are constant.  (Checked in tests/test_place.c.)
 */
#include "place.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define KIB_PER_GIB (1024.0 * 1024.0)
#define SEC_PER_DAY 86400.0
#define SEC_PER_HOUR 3600.0
#define TWO_PI 6.283185307179586

/* Azure V1 (Cortez et al., "Resource Central", SOSP'17; AzurePublicDatasetV1.md).
 * The weights are the V1 trace's own shares of VMs, read off the "VM Cores
 * Distribution" and "VM Memory Distribution" bars of the dataset's analysis
 * notebook (Azure/AzurePublicDataset, analysis/"Azure Public Dataset - Trace
 * Analysis.ipynb", the "Azure Public Dataset" bars; pixel-read, about +-0.3
 * points): cores 1/2/4/8 = 49.8/24.8/11.3/14.0%; memory 0.75/1.75/3.5/7/14/56
 * GB = 2.1/47.9/24.7/11.0/10.3/3.7%.  The two bars pair up one to one as the
 * A-series sizes (A0-A4) plus an 8-core 56 GB size; no 16- or 32-core VM is
 * visible in either bar. */
static const place_size azure_sizes[] = {
    {1, 0.75, 2.1}, {1, 1.75, 47.7}, {2, 3.5, 24.8}, {4, 7, 11.2}, {8, 14, 10.3}, {8, 56, 3.7},
};
/* CERIT-SC (Klusacek & Parak, JSSPP'17): small cloud VMs plus whole-node grid workers. */
static const place_size cerit_sizes[] = {
    {1, 1, 15}, {1, 2, 15}, {2, 4, 20}, {4, 8, 18}, {8, 16, 12},
    {16, 32, 8}, {8, 64, 5}, {12, 90, 3}, {40, 256, 3}, {40, 500, 1},
};
/* Bitbrains fastStorage (Shen, van Beek, Iosup, "Statistical characterization
 * of business-critical workloads hosted in cloud datacenters", CCGrid'15, as
 * summarised in seed 004 sec. 8.1.1): 1-32 cores with over 85% at most 4
 * (86% here); most at most 8 GB (86% here), 1 up to 512 GB.  The weights
 * within those bounds are estimates. */
static const place_size bitbrains_sizes[] = {
    {1, 1, 10}, {1, 2, 10}, {2, 2, 10}, {2, 4, 15}, {4, 4, 11}, {4, 8, 20}, {2, 8, 10},
    {8, 16, 5}, {8, 32, 3}, {16, 64, 3}, {16, 128, 1.5}, {32, 256, 1}, {32, 512, 0.5},
};

static const place_synth_law styles[PLACE_STYLE_COUNT] = {
    /* 30 days, 300 s ticks (V1 docs).  Whole-span share, median and sigma are FITTED, by least squares, to
     * the V1 lifetime CDF of the same notebook ("VM Lifetime", the "Azure Public Dataset" line, 15 points
     * from 2.5 h to 202 h; rms residual 0.6 points; scripts/place_fit_azure_lifetime.py).  Validated, not
     * fitted: the mean lifetime against the V1 totals, 104,371,713 VM hours / 2,013,767 VMs = 51.8 h
     * (tests/test_place.c: test_synth_published). */
    [PLACE_STYLE_AZURE] = {"azure", azure_sizes, VS_ARRAY_LEN(azure_sizes), 30, 1.0, 0.0, 0.067, 1.1 * SEC_PER_HOUR,
                           2.1, 300},
    [PLACE_STYLE_CERIT] = {"cerit", cerit_sizes, VS_ARRAY_LEN(cerit_sizes), 365, 1.0, 0.05, 0.0, 5 * SEC_PER_DAY,
                           1.5, 1},
    /* GWA-T-12 files each span the month at 300 s samples (the published sample: 8,620 samples, ~30 days),
     * so most VMs live the whole trace; the 60% persist share and the 2-day median are estimates. */
    [PLACE_STYLE_BITBRAINS] = {"bitbrains", bitbrains_sizes, VS_ARRAY_LEN(bitbrains_sizes), 30, 0.5, 0.60, 0.0,
                               2 * SEC_PER_DAY, 1.5, 300},
};

const char *place_style_name(place_style s) { return s < PLACE_STYLE_COUNT ? styles[s].name : "?"; }

const place_synth_law *place_synth_law_of(place_style s) { return &styles[s]; }

static double uniform(uint64_t *rng) { return (double)(vs_rng_next(rng) >> 11) * 0x1p-53; }

static double std_normal(uint64_t *rng)
{
    double u = 1.0 - uniform(rng); /* (0, 1]: log is finite */
    double v = uniform(rng);
    return sqrt(-2.0 * log(u)) * cos(TWO_PI * v);
}

static const place_size *pick(const place_synth_law *d, uint64_t *rng)
{
    double total = 0;
    for (size_t i = 0; i < d->n_sizes; i++)
        total += d->sizes[i].weight;
    double x = uniform(rng) * total;
    for (size_t i = 0; i < d->n_sizes; i++) {
        if (x < d->sizes[i].weight)
            return &d->sizes[i];
        x -= d->sizes[i].weight;
    }
    return &d->sizes[d->n_sizes - 1];
}

void place_synth(place_style style, size_t vms, uint64_t seed, place_trace *t)
{
    place_synth_sized(style, style, vms, seed, t);
}

/* The size draw takes one uniform whatever the table, so the arrival and
 * lifetime draws -- and so every created/deleted time -- are those of the
 * pure `style` trace with the same seed: only the sizes change. */
void place_synth_sized(place_style style, place_style sizes, size_t vms, uint64_t seed, place_trace *t)
{
    const place_synth_law *d = &styles[style];
    uint64_t rng = seed;
    double span = d->span_days * SEC_PER_DAY;
    for (size_t i = 0; i < vms; i++) {
        const place_size *c = pick(&styles[sizes], &rng);
        double created = uniform(&rng) * d->window * span;
        bool persists = uniform(&rng) < d->persist;
        double life = d->median_s * exp(d->sigma * std_normal(&rng));
        if (d->whole > 0 && uniform(&rng) < d->whole) { /* drawn only where used: other styles' traces unchanged */
            created = 0;
            persists = true;
        }
        double deleted = persists || created + life > span ? span : created + life;
        place_vm vm = {.created = (int64_t)(created / (double)d->tick) * d->tick,
                       .deleted = (int64_t)ceil(deleted / (double)d->tick) * d->tick,
                       .cores = c->cores,
                       .mem_kib = (uint64_t)(c->gib * KIB_PER_GIB)};
        place_trace_add(t, &vm);
    }
    if (sizes == style)
        snprintf(t->format, sizeof t->format, "synthetic-%s", d->name);
    else
        snprintf(t->format, sizeof t->format, "synthetic-%s-%s-sizes", d->name, styles[sizes].name);
}
