/*
 * share_run.c: one `vmemsim share` run -- snapshots placed on a timeline,
 * the scanner run between them at its policy's rate, convergence after the
 * last one, and the copy-on-write replay of a trace's stores.
 *
 * Timeline semantics: epochs are the distinct snapshot times.  At an epoch
 * every VM with a snapshot there gets that memory (pages that changed under
 * a share are CoW-broken); the scanner then runs until the next epoch for
 * (seconds x rate) page visits.  Samples are taken just before each next
 * epoch (as the thesis sampled right before each VM start), every
 * sample_every seconds if asked, and at convergence: the scan repeated over
 * all pages until a full round changes nothing.
 *
 * Invariants: the run owns every image and keeps them until it is freed (the
 * model's frames point into them); results depend only on the inputs and the
 * seed.
 */
#include "share_run_int.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Each sample keeps every VM's counters and is printed: a million already
 * makes a report no one reads; more is a mistyped --sample or snapshot time
 * (and next = t0 + k * every could then stop advancing). */
#define SHARE_MAX_SAMPLES 1000000
/* scan_for converts an interval's visits to uint64_t: 2^63 keeps that exact in range */
#define SHARE_MAX_VISITS 0x1p63

share_run *share_run_new(const share_params *p, const share_cost *cost, const vs_config *cfg)
{
    share_run *r = vs_calloc(1, sizeof *r);
    r->p = *p;
    r->cost = *cost;
    r->cfg = *cfg;
    return r;
}

void share_run_free(share_run *r)
{
    if (!r)
        return;
    share_model_free(r->m);
    for (size_t i = 0; i < r->n_snaps; i++)
        share_image_free(r->snaps[i].img);
    free(r->snaps);
    for (uint32_t i = 0; i < r->n_vms; i++)
        free(r->vm_names[i]);
    free(r->vm_names);
    for (size_t i = 0; i < r->n_samples; i++)
        free(r->samples[i].vms);
    free(r->samples);
    free(r->cow_path);
    free(r);
}

share_model *share_run_model(share_run *r) { return r->m; }
void share_run_set_sample(share_run *r, double every_s) { r->sample_every = every_s; }

int share_run_add(share_run *r, const char *vm_name, double t, share_image *img, vs_err *err)
{
    if (!isfinite(t) || t < 0) {
        share_image_free(img);
        return vs_fail(err, VS_E_USAGE, "%s: snapshot time %g: expected seconds >= 0", vm_name, t);
    }
    uint32_t vm = 0;
    while (vm < r->n_vms && strcmp(r->vm_names[vm], vm_name))
        vm++;
    for (size_t i = 0; i < r->n_snaps; i++)
        if (r->snaps[i].vm == vm && r->snaps[i].t == t) {
            share_image_free(img);
            return vs_fail(err, VS_E_USAGE, "VM %s has two snapshots at t=%g", vm_name, t);
        }
    if (vm == r->n_vms) {
        r->vm_names = vs_realloc(r->vm_names, (r->n_vms + 1) * sizeof *r->vm_names);
        r->vm_names[r->n_vms++] = vs_strdup(vm_name);
    }
    r->snaps = vs_realloc(r->snaps, (r->n_snaps + 1) * sizeof *r->snaps);
    r->snaps[r->n_snaps] = (share_snap){vm, t, img, r->n_snaps};
    r->n_snaps++;
    return VS_OK;
}

int share_run_set_cow_trace(share_run *r, const char *path, uint32_t first_vm, vs_err *err)
{
    (void)err;
    free(r->cow_path);
    r->cow_path = vs_strdup(path);
    r->cow_vm = first_vm;
    return VS_OK;
}

static int snap_cmp(const void *a, const void *b)
{
    const share_snap *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void take_sample(share_run *r, double t, const char *label)
{
    r->samples = vs_realloc(r->samples, (r->n_samples + 1) * sizeof *r->samples);
    share_sample *s = &r->samples[r->n_samples++];
    memset(s, 0, sizeof *s);
    s->t = t;
    g_strlcpy(s->label, label, sizeof s->label);
    share_model_counters(r->m, &s->c);
    s->vms = vs_calloc(r->n_vms, sizeof *s->vms);
    for (uint32_t v = 0; v < r->n_vms; v++)
        share_model_vm_stats(r->m, v, &s->vms[v]);
}

/* Scans for dt seconds at the policy's rate; carry keeps the fractions. */
static void scan_for(share_run *r, double dt, double *carry)
{
    double want = dt * share_model_scan_rate(r->m) + *carry;
    uint64_t visits = (uint64_t)floor(want);
    *carry = want - (double)visits;
    share_model_scan(r->m, visits);
}

static void run_interval(share_run *r, double t0, double t1, double *carry)
{
    double t = t0;
    /* next from a count, not a running sum: far from 0, t0 + every can equal t0 */
    if (r->sample_every > 0)
        for (double k = 1, next = t0 + r->sample_every; next < t1; next = t0 + ++k * r->sample_every) {
            scan_for(r, next - t, carry);
            t = next;
            take_sample(r, t, "sample");
        }
    scan_for(r, t1 - t, carry);
    take_sample(r, t1, "epoch");
}

int share_run_exec(share_run *r, vs_err *err)
{
    if (r->n_snaps == 0)
        return vs_fail(err, VS_E_USAGE, "no snapshots given");
    if (r->cow_path && r->cow_vm >= r->n_vms)
        return vs_fail(err, VS_E_USAGE, "--cow-vm: VM index %u, but only %u VMs", r->cow_vm, r->n_vms);
    qsort(r->snaps, r->n_snaps, sizeof *r->snaps, snap_cmp);
    double span = r->snaps[r->n_snaps - 1].t - r->snaps[0].t;
    if (r->sample_every > 0 && span / r->sample_every > SHARE_MAX_SAMPLES)
        return vs_fail(err, VS_E_USAGE,
                       "--sample=%g: the snapshots span %g s, which would take %.3g samples (at most %d)",
                       r->sample_every, span, span / r->sample_every, SHARE_MAX_SAMPLES);
    r->m = share_model_new(&r->p);
    for (uint32_t v = 0; v < r->n_vms; v++)
        share_model_add_vm(r->m, r->vm_names[v]);
    double visits = span * share_model_scan_rate(r->m);
    if (!(visits < SHARE_MAX_VISITS))
        return vs_fail(err, VS_E_USAGE,
                       "the snapshots span %g s: %.3g page visits at %g pages/s, beyond a 64-bit count (times in "
                       "seconds?)",
                       span, visits, share_model_scan_rate(r->m));
    double carry = 0;
    for (size_t i = 0; i < r->n_snaps;) {
        double t = r->snaps[i].t;
        for (; i < r->n_snaps && r->snaps[i].t == t; i++)
            share_model_set_vm(r->m, r->snaps[i].vm, r->snaps[i].img);
        if (i < r->n_snaps)
            run_interval(r, t, r->snaps[i].t, &carry);
        else
            r->t_last = t;
    }
    r->converge_visits = share_model_converge(r->m);
    r->converge_s = (double)r->converge_visits / share_model_scan_rate(r->m);
    take_sample(r, r->t_last + r->converge_s, "converged");
    r->ev_converged = *share_model_events(r->m);
    share_model_counters(r->m, &r->final);
    if (r->cow_path) {
        int rc = share_cow_replay(r, err);
        if (rc != VS_OK)
            return rc;
    }
    return VS_OK;
}
