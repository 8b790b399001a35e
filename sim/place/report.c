/*
 * report.c: the placement metrics -- contiguous_pct (VMs with contiguous
 * memory for their whole lifetime, seed 004 sec. 8.1), consolidation_rate
 * (servers used / servers in the datacenter, sec. 8.3), per-generation
 * counts, the non-VM host memory settings, compaction cost, and the
 * fragmentation samples (Linux's unusable free space index and
 * fragmentation index at one order, per running server).
 */
#include "place_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const compact_names[] = {"none", "demand", "periodic"};

void place_result_totals(const place_result *r, place_totals *out) { *out = r->tot; }
bool place_result_vm_contiguous(const place_result *r, size_t i) { return i < r->n_vms && r->contig[i]; }
int place_result_vm_server(const place_result *r, size_t i) { return i < r->n_vms ? r->server_of[i] : -1; }

static void report_generations(const place_result *r, jw *w)
{
    const place_dc *dc = &r->dc;
    uint64_t *servers = vs_calloc(dc->n_gens, sizeof *servers), *used = vs_calloc(dc->n_gens, sizeof *used);
    uint64_t *vms = vs_calloc(dc->n_gens, sizeof *vms), *contig = vs_calloc(dc->n_gens, sizeof *contig);
    for (uint32_t i = 0; i < dc->servers; i++) {
        servers[r->gen_of[i]]++;
        used[r->gen_of[i]] += r->used[i];
    }
    for (size_t v = 0; v < r->n_vms; v++)
        if (r->server_of[v] >= 0) {
            vms[r->gen_of[r->server_of[v]]]++;
            contig[r->gen_of[r->server_of[v]]] += r->contig[v];
        }
    jw_array(w, "generations");
    for (unsigned g = 0; g < dc->n_gens; g++) {
        jw_object(w, NULL);
        jw_str(w, "name", dc->gens[g].name);
        jw_u64(w, "ram_mib", dc->gens[g].ram_mib);
        jw_u64(w, "cores", dc->gens[g].cores);
        jw_double(w, "share", dc->gens[g].share);
        jw_u64(w, "servers", servers[g]);
        jw_u64(w, "servers_used", used[g]);
        jw_u64(w, "vms", vms[g]);
        jw_u64(w, "contiguous", contig[g]);
        jw_end(w);
    }
    jw_end(w);
    free(servers);
    free(used);
    free(vms);
    free(contig);
}

static void report_fragmentation(const place_result *r, jw *w)
{
    const place_totals *t = &r->tot;
    jw_object(w, "fragmentation");
    jw_i64(w, "order", t->frag_order);
    jw_double(w, "mean_unusable", t->mean_unusable);
    jw_double(w, "no_block_share", t->no_block_share);
    jw_double(w, "mean_fragmentation_index", t->mean_fragmentation);
    jw_array(w, "samples");
    for (size_t i = 0; i < r->n_samples;) {
        int64_t ts = r->samples[i].t;
        jw_object(w, NULL);
        jw_i64(w, "t", ts);
        jw_array(w, "servers");
        for (; i < r->n_samples && r->samples[i].t == ts; i++) {
            const place_sample *s = &r->samples[i];
            jw_object(w, NULL);
            jw_u64(w, "server", s->server);
            jw_u64(w, "free_pages", s->free_frames);
            jw_double(w, "unusable", s->unusable);
            jw_double(w, "fragmentation", s->fragmentation);
            jw_end(w);
        }
        jw_end(w);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

void place_result_report(const place_result *r, jw *w)
{
    const place_totals *t = &r->tot;
    jw_str(w, "policy", place_policy_name(r->policy));
    jw_object(w, "datacenter");
    jw_str(w, "name", r->dc.name);
    jw_u64(w, "servers", r->dc.servers);
    jw_u64(w, "page_kib", r->dc.page_kib);
    jw_u64(w, "max_order", r->dc.max_order);
    report_generations(r, w);
    jw_object(w, "host");
    jw_u64(w, "reserved_kib", r->dc.host.reserved_kib);
    jw_u64(w, "pool_kib_per_vcpu", r->dc.host.pool_kib_per_vcpu);
    jw_u64(w, "pool_kib_per_gib", r->dc.host.pool_kib_per_gib);
    jw_u64(w, "cache_kib_per_vm", r->dc.host.cache_kib_per_vm);
    jw_u64(w, "cache_life_s", r->dc.host.cache_life_s);
    jw_end(w);
    jw_end(w);
    jw_str(w, "trace_format", r->format);
    jw_u64(w, "vms", t->vms);
    jw_u64(w, "placed", t->placed);
    jw_u64(w, "rejected", t->rejected);
    jw_u64(w, "contiguous", t->contiguous);
    jw_u64(w, "scattered", t->placed - t->contiguous);
    jw_double(w, "contiguous_pct", t->contiguous_pct);
    jw_u64(w, "servers_used", t->servers_used);
    jw_u64(w, "peak_active_servers", t->peak_active);
    jw_double(w, "consolidation_rate", t->consolidation_rate);
    jw_object(w, "compaction");
    jw_str(w, "mode", compact_names[r->dc.compact]);
    jw_u64(w, "period_s", r->dc.compact_period);
    jw_u64(w, "runs", t->compactions);
    jw_u64(w, "accepted", t->compactions_accepted);
    jw_u64(w, "pages_moved", t->pages_moved);
    jw_end(w);
    report_fragmentation(r, w);
}

void place_result_print(const place_result *r, FILE *out)
{
    const place_totals *t = &r->tot;
    fprintf(out, "%-9s %7llu VMs placed (%llu rejected), %6.2f%% contiguous, %llu/%llu servers used "
                 "(consolidation %.3f), unusable@%d %.3f",
            place_policy_name(r->policy), (unsigned long long)t->placed, (unsigned long long)t->rejected,
            t->contiguous_pct, (unsigned long long)t->servers_used, (unsigned long long)t->servers_total,
            t->consolidation_rate, t->frag_order, t->mean_unusable);
    if (r->dc.compact != PLACE_COMPACT_NONE)
        fprintf(out, ", %llu compactions moved %llu pages", (unsigned long long)t->compactions_accepted,
                (unsigned long long)t->pages_moved);
    fputc('\n', out);
}
