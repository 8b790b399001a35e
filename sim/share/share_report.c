/*
 * share_report.c: the results of a `vmemsim share` run, as JSON (converged
 * counters at top level, the timeline under "timeline") or as text.
 *
 * Names: under ksm the counters are /sys/kernel/mm/ksm's (pages_shared,
 * pages_sharing, pages_unshared, pages_volatile, full_scans, pages_scanned,
 * ksm_zero_pages, general_profit, stable_node_chains, stable_node_dups);
 * the other policies use the same names with pages_zero for zero pages.
 * "thesis" restates them in the thesis's terms (section 7.2): shared = pages
 * backed by a shared page, reclaimed = pages freed, shared copies = shared -
 * reclaimed.
 *
 * Invariant: every number printed is derived from the model's state and the
 * calibration; nothing is formatted from memory addresses or time.
 */
#include "share_run_int.h"
#include "version.h"

#include <stdio.h>

static double pct(double a, double b) { return b > 0 ? 100.0 * a / b : 0.0; }

typedef struct share_split {
    uint64_t pages, zero;
    double saved, intra, inter;
} share_split;

static share_split split_of(const share_sample *s, uint32_t n_vms)
{
    share_split x = {0};
    for (uint32_t v = 0; v < n_vms; v++) {
        x.pages += s->vms[v].pages;
        x.zero += s->vms[v].zero;
        x.saved += s->vms[v].saved;
        x.intra += (double)s->vms[v].intra_saved;
        x.inter += s->vms[v].inter_saved;
    }
    return x;
}

static void counters_json(jw *w, const share_run *r, const share_counters *c)
{
    const share_policy_ops *ops = share_policy_ops_of(r->p.policy);
    jw_u64(w, "pages_shared", c->pages_shared);
    jw_u64(w, "pages_sharing", c->pages_sharing);
    jw_u64(w, "pages_unshared", c->pages_unshared);
    jw_u64(w, "pages_volatile", c->pages_volatile);
    jw_u64(w, ops->zero_name, c->pages_zero);
    jw_u64(w, "full_scans", c->full_scans);
    jw_u64(w, "pages_scanned", c->pages_scanned);
    ops->counters_json(w, c);
}

static void split_json(jw *w, const share_split *x)
{
    jw_double(w, "saved_percent", pct(x->saved, (double)x->pages));
    jw_double(w, "within_vm_percent", pct(x->intra, (double)x->pages));
    jw_double(w, "between_vm_percent", pct(x->inter, (double)x->pages));
    jw_double(w, "zero_percent", pct((double)x->zero, (double)x->pages));
}

static void priced_json(jw *w, const share_run *r, const share_events *ev, bool cow_only)
{
    for (int mc = 0; mc < SHARE_MC_COUNT; mc++) {
        share_priced pr;
        share_cost_price(&r->cost, &r->cfg, (share_mode_class)mc, r->p.hash, ev, &pr);
        jw_object(w, share_mode_class_name((share_mode_class)mc));
        if (cow_only) {
            jw_double(w, "cycles", pr.cow);
            jw_double(w, "copy_break_cycles_each", pr.cow_copy_each);
        } else {
            jw_double(w, "scan_cycles", pr.scan);
            jw_double(w, "share_cycles", pr.share);
            jw_double(w, "cow_cycles", pr.cow); /* breaks by snapshot changes on the timeline */
            jw_double(w, "cycles", pr.total);
            jw_double(w, "remap_cycles_each", pr.remap_each);
        }
        jw_double(w, "seconds", (cow_only ? pr.cow : pr.total) / (r->cost.freq_mhz * 1e6));
        jw_end(w);
    }
}

static void events_json(jw *w, const share_events *ev)
{
    jw_object(w, "events");
    jw_u64(w, "hashes", ev->hashes);
    jw_u64(w, "zero_checks", ev->zero_checks);
    jw_u64(w, "compares", ev->compares);
    jw_u64(w, "compare_bytes", ev->compare_bytes);
    jw_u64(w, "map_unmap_pairs", ev->maps);
    jw_u64(w, "allocs", ev->allocs);
    jw_u64(w, "copies", ev->copies);
    jw_u64(w, "remaps", ev->remaps);
    jw_u64(w, "frees", ev->frees);
    jw_u64(w, "cow_copy", ev->cow_copy);
    jw_u64(w, "cow_convert", ev->cow_convert);
    jw_end(w);
}

void share_run_report(share_run *r, jw *w)
{
    const share_counters *c = &r->final;
    const share_sample *last = &r->samples[r->n_samples - 1];
    share_split x = split_of(last, r->n_vms);
    vs_mode mode = (vs_mode)r->cfg.mode;
    const share_policy_ops *ops = share_policy_ops_of(r->p.policy);
    jw_object(w, NULL);
    jw_str(w, "vmemsim", VS_VERSION);
    jw_str(w, "build", vs_build_id);
    jw_str(w, "policy", share_policy_name(r->p.policy));
    jw_str(w, "hash", share_hash_name(r->p.hash));
    jw_str(w, "mode", cfg_mode_name(mode));
    counters_json(w, r, c);
    jw_u64(w, "pages", c->pages);
    jw_double(w, "saved_pages", x.saved);
    jw_double(w, "saved_bytes", x.saved * SHARE_PAGE_SIZE);
    split_json(w, &x);
    jw_u64(w, "hash_collisions", c->hash_collisions);
    jw_u64(w, "cow_breaks", c->cow_breaks);
    ops->extra_json(w, c);
    jw_object(w, "thesis");
    jw_u64(w, "shared", c->pages_shared + c->pages_sharing + c->pages_zero);
    jw_u64(w, "reclaimed", c->pages_sharing + c->pages_zero);
    jw_u64(w, "shared_copies", c->pages_shared);
    jw_u64(w, "zero", c->pages_zero);
    jw_end(w);
    jw_object(w, "index");
    ops->index_json(w, c);
    jw_end(w);
    jw_object(w, "params");
    jw_bool(w, "zero_pages", r->p.zero_pages);
    jw_bool(w, "cow_convert", r->p.cow_convert);
    ops->params_json(w, &r->p);
    jw_end(w);
    jw_array(w, "vms");
    for (uint32_t v = 0; v < r->n_vms; v++) {
        const share_vm_stats *s = &last->vms[v];
        jw_object(w, NULL);
        jw_str(w, "name", r->vm_names[v]);
        jw_u64(w, "pages", s->pages);
        jw_u64(w, "shared", s->shared);
        jw_u64(w, "zero", s->zero);
        jw_double(w, "saved_pages", s->saved);
        jw_double(w, "saved_bytes", s->saved * SHARE_PAGE_SIZE);
        share_split one = {s->pages, s->zero, s->saved, (double)s->intra_saved, s->inter_saved};
        split_json(w, &one);
        jw_end(w);
    }
    jw_end(w);
    jw_object(w, "converge");
    jw_double(w, "seconds", r->converge_s);
    jw_u64(w, "visits", r->converge_visits);
    jw_end(w);
    events_json(w, &r->ev_converged);
    jw_object(w, "costs");
    jw_str(w, "calibration", r->cost.name);
    jw_double(w, "freq_mhz", r->cost.freq_mhz);
    jw_str(w, "mode_class", share_mode_class_name(share_mode_class_of(mode)));
    priced_json(w, r, &r->ev_converged, false);
    jw_end(w);
    if (r->cow_path) {
        const share_events *now = share_model_events(r->m);
        share_events d = {0};
        d.cow_copy = now->cow_copy - r->ev_converged.cow_copy;
        d.cow_convert = now->cow_convert - r->ev_converged.cow_convert;
        d.allocs = d.copies = d.cow_copy;
        jw_object(w, "cow");
        jw_str(w, "trace", r->cow_path);
        jw_u64(w, "records", r->cow.records);
        jw_u64(w, "stores", r->cow.stores);
        jw_u64(w, "breaks", r->cow.breaks_copy + r->cow.breaks_convert);
        jw_u64(w, "breaks_copy", r->cow.breaks_copy);
        jw_u64(w, "breaks_convert", r->cow.breaks_convert);
        priced_json(w, r, &d, true);
        jw_object(w, "after");
        counters_json(w, r, &r->cow.after);
        jw_end(w);
        jw_end(w);
    }
    jw_array(w, "timeline");
    for (size_t i = 0; i < r->n_samples; i++) {
        const share_sample *s = &r->samples[i];
        share_split y = split_of(s, r->n_vms);
        jw_object(w, NULL);
        jw_double(w, "t", s->t);
        jw_str(w, "at", s->label);
        counters_json(w, r, &s->c);
        split_json(w, &y);
        jw_array(w, "vms");
        for (uint32_t v = 0; v < r->n_vms; v++) {
            share_split one = {s->vms[v].pages, s->vms[v].zero, s->vms[v].saved, (double)s->vms[v].intra_saved,
                               s->vms[v].inter_saved};
            jw_object(w, NULL);
            jw_str(w, "name", r->vm_names[v]);
            jw_u64(w, "pages", s->vms[v].pages);
            split_json(w, &one);
            jw_end(w);
        }
        jw_end(w);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

void share_run_print(share_run *r, FILE *out)
{
    const share_counters *c = &r->final;
    const share_sample *last = &r->samples[r->n_samples - 1];
    share_split x = split_of(last, r->n_vms);
    const share_policy_ops *ops = share_policy_ops_of(r->p.policy);
    fprintf(out, "policy %s, hash %s, mode %s (%s costs), calibration %s\n", share_policy_name(r->p.policy),
            share_hash_name(r->p.hash), cfg_mode_name((vs_mode)r->cfg.mode),
            share_mode_class_name(share_mode_class_of((vs_mode)r->cfg.mode)), r->cost.name);
    fprintf(out, "converged after %.3f s of scanning (%llu page visits)\n\n", r->converge_s,
            (unsigned long long)r->converge_visits);
    fprintf(out, "  %-16s %12llu\n", "pages", (unsigned long long)c->pages);
    fprintf(out, "  %-16s %12llu\n", "pages_shared", (unsigned long long)c->pages_shared);
    fprintf(out, "  %-16s %12llu\n", "pages_sharing", (unsigned long long)c->pages_sharing);
    fprintf(out, "  %-16s %12llu\n", "pages_unshared", (unsigned long long)c->pages_unshared);
    fprintf(out, "  %-16s %12llu\n", "pages_volatile", (unsigned long long)c->pages_volatile);
    fprintf(out, "  %-16s %12llu\n", ops->zero_name, (unsigned long long)c->pages_zero);
    fprintf(out, "  %-16s %12llu\n", "full_scans", (unsigned long long)c->full_scans);
    fprintf(out, "  %-16s %12llu\n", "hash_collisions", (unsigned long long)c->hash_collisions);
    fprintf(out, "\n  saved %.0f pages (%.2f MiB, %.2f%%): within VMs %.2f%%, between VMs %.2f%%, zero %.2f%%\n",
            x.saved, x.saved * SHARE_PAGE_SIZE / 1048576.0, pct(x.saved, (double)x.pages),
            pct(x.intra, (double)x.pages), pct(x.inter, (double)x.pages), pct((double)x.zero, (double)x.pages));
    ops->index_print(out, c);
    fprintf(out, "\n  %-20s %10s %10s %12s %9s %9s\n", "vm", "pages", "shared", "saved MiB", "within%", "between%");
    for (uint32_t v = 0; v < r->n_vms; v++) {
        const share_vm_stats *s = &last->vms[v];
        fprintf(out, "  %-20s %10llu %10llu %12.2f %9.2f %9.2f\n", r->vm_names[v], (unsigned long long)s->pages,
                (unsigned long long)s->shared, s->saved * SHARE_PAGE_SIZE / 1048576.0,
                pct((double)s->intra_saved, (double)s->pages), pct(s->inter_saved, (double)s->pages));
    }
    fprintf(out, "\n  costs (cycles):      %14s %14s\n", "nested", "shadow");
    share_priced pr[SHARE_MC_COUNT];
    for (int mc = 0; mc < SHARE_MC_COUNT; mc++)
        share_cost_price(&r->cost, &r->cfg, (share_mode_class)mc, r->p.hash, &r->ev_converged, &pr[mc]);
    fprintf(out, "  %-20s %14.0f %14.0f\n", "scan", pr[0].scan, pr[1].scan);
    fprintf(out, "  %-20s %14.0f %14.0f\n", "share", pr[0].share, pr[1].share);
    fprintf(out, "  %-20s %14.0f %14.0f\n", "per remap", pr[0].remap_each, pr[1].remap_each);
    if (r->cow_path) {
        fprintf(out, "\n  cow replay of %s: %llu stores, %llu breaks (%llu copy, %llu convert)\n", r->cow_path,
                (unsigned long long)r->cow.stores,
                (unsigned long long)(r->cow.breaks_copy + r->cow.breaks_convert),
                (unsigned long long)r->cow.breaks_copy, (unsigned long long)r->cow.breaks_convert);
        fprintf(out, "  %-20s %14.0f %14.0f\n", "per copy break", pr[0].cow_copy_each, pr[1].cow_copy_each);
    }
    if (r->n_samples > 1) {
        fprintf(out, "\n  %-10s %-9s %10s %10s %10s %8s %8s\n", "t (s)", "at", "shared", "sharing", "zero", "saved%",
                "between%");
        for (size_t i = 0; i < r->n_samples; i++) {
            const share_sample *s = &r->samples[i];
            share_split y = split_of(s, r->n_vms);
            fprintf(out, "  %-10.1f %-9s %10llu %10llu %10llu %8.2f %8.2f\n", s->t, s->label,
                    (unsigned long long)s->c.pages_shared, (unsigned long long)s->c.pages_sharing,
                    (unsigned long long)s->c.pages_zero, pct(y.saved, (double)y.pages),
                    pct(y.inter, (double)y.pages));
        }
    }
}
