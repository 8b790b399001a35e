/*
 * report.c: the results of a run -- JSON (or flattened for CSV) through the
 * json.h writer, and the short human summary.  Everything written here is a
 * function of the inputs, config and seed only (no wall time), so results
 * are identical byte for byte across runs.
 */
#include "sim_int.h"
#include "version.h"

#include <inttypes.h>

static void echo_config(void *ctx, const char *key, const char *value) { jw_str(ctx, key, value); }

static uint64_t combined_digest(const vs_sim *s, uint64_t *records)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a offset basis */
    *records = 0;
    for (guint i = 0; i < s->streams->len; i++) {
        const sim_stream *st = g_ptr_array_index(s->streams, i);
        h = (h ^ st->digest.h) * 0x100000001b3ull; /* FNV-1a prime */
        *records += st->digest.records;
    }
    return h;
}

static void report_trace(const vs_sim *s, jw *w)
{
    uint64_t records;
    uint64_t digest = combined_digest(s, &records);
    GString *files = g_string_new("");
    for (guint i = 0; i < s->streams->len; i++) {
        const sim_stream *st = g_ptr_array_index(s->streams, i);
        g_string_append_printf(files, "%s%s", i ? "," : "", st->path);
    }
    jw_object(w, "trace");
    jw_str(w, "file", files->str);
    jw_hex(w, "digest", digest);
    jw_u64(w, "records", records);
    jw_array(w, "streams");
    for (guint i = 0; i < s->streams->len; i++) {
        const sim_stream *st = g_ptr_array_index(s->streams, i);
        jw_object(w, NULL);
        jw_str(w, "file", st->path);
        jw_str(w, "format", trace_fmt_name(st->fmt));
        jw_u64(w, "vm", st->vm->id);
        jw_hex(w, "digest", st->digest.h);
        jw_u64(w, "records", st->digest.records);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
    g_string_free(files, TRUE);
}

static double native_overhead(const vs_sim *s)
{
    return s->native_cycles ? (double)sim_total_cycles(s) / (double)s->native_cycles - 1.0 : 0;
}

static void report_vs_native(const vs_sim *s, jw *w)
{
    if (!s->have_native)
        return;
    jw_object(w, "vs_native");
    jw_u64(w, "native_cycles", s->native_cycles);
    jw_u64(w, "native_translation_cycles", s->native_translation_cycles);
    jw_u64(w, "native_walks", s->native_walks);
    jw_u64(w, "native_walk_refs", s->native_walk_refs);
    jw_double(w, "overhead", native_overhead(s));
    jw_end(w);
}

/* Translation of memory already mapped (steady state): TLB lookups, walks
 * and VMM work, less what first touch caused.  translation + first_touch =
 * tlb + walk + vmm + fault. */
static uint64_t translation_cycles(const vs_sim *s)
{
    return th_cycles(s->tlbs) + s->st.walk_cycles + s->st.exit_cycles - s->st.first_touch_cycles;
}

/* Demand-paging and copy-on-write faults, the walks that found them, EPT
 * violations and host backing (sim_fault.c). */
static uint64_t first_touch_cycles(const vs_sim *s) { return s->st.fault_cycles + s->st.first_touch_cycles; }

void sim_set_native_baseline(vs_sim *s, const vs_sim *native)
{
    s->have_native = true;
    s->native_cycles = sim_total_cycles(native);
    s->native_translation_cycles = translation_cycles(native);
    s->native_walk_refs = native->st.walk_refs;
    s->native_walks = native->st.walks;
}

static void report_caches(const vs_sim *s, jw *w)
{
    static const char *const src_names[MH_SRC_COUNT] = {"data", "inst", "walk"};
    jw_object(w, "caches");
    for (unsigned i = 0; i < mh_cache_count(s->mem); i++) {
        jw_object(w, mh_cache_name(s->mem, i));
        for (int src = 0; src < MH_SRC_COUNT; src++) {
            jw_object(w, src_names[src]);
            jw_u64(w, "hits", mh_hits(s->mem, i, (mh_src)src));
            jw_u64(w, "misses", mh_misses(s->mem, i, (mh_src)src));
            jw_end(w);
        }
        uint64_t issued, useful, late;
        if (mh_prefetch_stats(s->mem, i, &issued, &useful, &late)) { /* only then: outputs without one stay as they were */
            jw_object(w, "prefetch");
            jw_u64(w, "issued", issued);
            jw_u64(w, "useful", useful);
            jw_u64(w, "late", late);
            jw_end(w);
        }
        jw_end(w);
    }
    jw_object(w, "dram");
    for (int src = 0; src < MH_SRC_COUNT; src++)
        jw_u64(w, src_names[src], mh_dram_accesses(s->mem, (mh_src)src));
    jw_end(w);
    jw_end(w);
}

static void report_walks(const vs_sim *s, jw *w)
{
    jw_u64(w, "walks", s->st.walks);
    jw_u64(w, "walk_refs", s->st.walk_refs);
    jw_u64(w, "fault_walk_refs", s->st.fault_walk_refs);
    jw_double(w, "refs_per_walk", s->st.walks ? (double)s->st.walk_refs / (double)s->st.walks : 0);
    jw_object(w, "walk_hist");
    for (unsigned k = 0; k <= WALK_HIST_MAX; k++) {
        if (!s->st.walk_hist[k])
            continue;
        char key[8];
        snprintf(key, sizeof key, "%u%s", k, k == WALK_HIST_MAX ? "+" : "");
        jw_u64(w, key, s->st.walk_hist[k]);
    }
    jw_end(w);
    jw_object(w, "walk_refs_by_dimension");
    jw_u64(w, "guest", s->st.guest_refs);
    jw_u64(w, "nested", s->st.nested_refs);
    jw_end(w);
}

static void report_cycles(const vs_sim *s, jw *w)
{
    uint64_t base = (uint64_t)((double)s->instructions * s->cfg.base_cpi + 0.5);
    uint64_t total = sim_total_cycles(s);
    jw_object(w, "cycles");
    jw_u64(w, "total", total);
    jw_u64(w, "base", base);
    jw_u64(w, "tlb", th_cycles(s->tlbs));
    jw_u64(w, "walk", s->st.walk_cycles);
    jw_u64(w, "data", s->data_cycles);
    jw_u64(w, "fault", s->st.fault_cycles);
    jw_u64(w, "vmm", s->st.exit_cycles);
    jw_u64(w, "translation", translation_cycles(s));
    jw_u64(w, "first_touch", first_touch_cycles(s));
    jw_double(w, "cpi", s->instructions ? (double)total / (double)s->instructions : 0);
    jw_double(w, "seconds", (double)total / (s->cfg.freq_ghz * 1e9));
    jw_end(w);
}

static void report_exits(const vs_sim *s, jw *w)
{
    uint64_t total = 0;
    for (int i = 0; i < EXIT_COUNT; i++)
        total += s->st.exits[i];
    jw_object(w, "exits");
    jw_u64(w, "total", total);
    for (int i = 0; i < EXIT_COUNT; i++)
        jw_u64(w, exit_reason_name((exit_reason)i), s->st.exits[i]);
    jw_u64(w, "cycles", s->st.exit_cycles);
    jw_u64(w, "vmm_refs", s->st.vmm_refs);
    jw_u64(w, "shadow_entries_written", s->st.shadow_entries_written);
    jw_u64(w, "shadow_entries_dropped", s->st.shadow_entries_dropped);
    jw_end(w);
}

static void report_os(const vs_sim *s, jw *w)
{
    /* events since measurement began; resident pages and tables are the state now */
    os_counters sum = sim_os_counters(s);
    const os_counters *b = &s->os_base;
    for (int k = 0; k < VS_PG_COUNT; k++)
        sum.pages_mapped[k] -= b->pages_mapped[k];
    sum.ptes_written -= b->ptes_written;
    sum.procs_created -= b->procs_created;
    sum.forks -= b->forks;
    sum.execs -= b->execs;
    sum.exits -= b->exits;
    sum.thp_fallbacks -= b->thp_fallbacks;
    jw_object(w, "faults");
    jw_u64(w, "page", s->st.faults);
    jw_u64(w, "cow", s->st.cow_faults);
    jw_u64(w, "cycles", s->st.fault_cycles);
    jw_end(w);
    jw_object(w, "guest_os");
    jw_object(w, "pages_mapped");
    for (int k = 0; k < VS_PG_COUNT; k++)
        jw_u64(w, vs_pgsz_name((vs_pgsz)k), sum.pages_mapped[k]);
    jw_end(w);
    jw_u64(w, "resident_4k_pages", sum.pages_resident);
    jw_u64(w, "table_pages", sum.tables_resident);
    jw_u64(w, "ptes_written", sum.ptes_written);
    jw_u64(w, "processes", sum.procs_created);
    jw_u64(w, "forks", sum.forks);
    jw_u64(w, "execs", sum.execs);
    jw_u64(w, "exits", sum.exits);
    jw_u64(w, "large_page_fallbacks", sum.thp_fallbacks);
    jw_end(w);
    if (s->hv) {
        const hv_counters *h = hv_get_counters(s->hv);
        jw_object(w, "host");
        jw_object(w, "backed");
        for (int k = 0; k < VS_PG_COUNT; k++)
            jw_u64(w, vs_pgsz_name((vs_pgsz)k), h->backed[k] - s->hv_base.backed[k]);
        jw_end(w);
        jw_u64(w, "large_page_fallbacks", h->fallbacks - s->hv_base.fallbacks);
        jw_u64(w, "host_table_pages", h->host_tables);
        jw_u64(w, "shadow_table_pages", h->shadow_tables);
        jw_u64(w, "contiguous_vms", h->contiguous_vms);
        jw_end(w);
    }
}

/* One VM's or process's statistics under the names of the totals. */
static void report_tally(const sim_tally *t, jw *w)
{
    jw_u64(w, "refs", t->refs);
    jw_u64(w, "instructions", t->instructions);
    jw_u64(w, "tlb_misses", t->tlb_misses);
    jw_u64(w, "walks", t->walks);
    jw_u64(w, "walk_refs", t->walk_refs);
    jw_u64(w, "fault_walk_refs", t->fault_walk_refs);
    jw_object(w, "faults");
    jw_u64(w, "page", t->faults);
    jw_u64(w, "cow", t->cow_faults);
    jw_end(w);
    uint64_t exits = 0;
    for (int i = 0; i < EXIT_COUNT; i++)
        exits += t->exits[i];
    jw_object(w, "exits");
    jw_u64(w, "total", exits);
    for (int i = 0; i < EXIT_COUNT; i++)
        jw_u64(w, exit_reason_name((exit_reason)i), t->exits[i]);
    jw_end(w);
    jw_object(w, "cycles");
    jw_u64(w, "total", t->base + t->tlb + t->walk + t->data + t->fault + t->vmm);
    jw_u64(w, "base", t->base);
    jw_u64(w, "tlb", t->tlb);
    jw_u64(w, "walk", t->walk);
    jw_u64(w, "data", t->data);
    jw_u64(w, "fault", t->fault);
    jw_u64(w, "vmm", t->vmm);
    jw_u64(w, "translation", t->tlb + t->walk + t->vmm - t->first_touch);
    jw_u64(w, "first_touch", t->fault + t->first_touch);
    jw_end(w);
}

/* "vms" and "processes": each VM (the sum of its processes) and each
 * process (exited ones too), adding up exactly to the totals. */
/* Each VM's statistics: the sum of its processes' (freed by the caller). */
static sim_tally *vm_tallies(const vs_sim *s)
{
    sim_tally *vms = vs_calloc(s->n_vms, sizeof *vms);
    for (guint i = 0; i < s->accounts->len; i++) {
        const sim_account *a = &g_array_index(s->accounts, sim_account, i);
        sim_tally_accumulate(&vms[a->vm], &a->t, &(sim_tally){0});
    }
    return vms;
}

static void report_accounts(const vs_sim *s, jw *w)
{
    sim_tally *vms = vm_tallies(s);
    jw_array(w, "vms");
    for (uint32_t v = 0; v < s->n_vms; v++) {
        jw_object(w, NULL);
        jw_u64(w, "vm", v);
        report_tally(&vms[v], w);
        jw_end(w);
    }
    jw_end(w);
    free(vms);
    jw_array(w, "processes");
    for (guint i = 0; i < s->accounts->len; i++) {
        const sim_account *a = &g_array_index(s->accounts, sim_account, i);
        jw_object(w, NULL);
        jw_u64(w, "vm", a->vm);
        jw_u64(w, "stream", a->stream);
        jw_u64(w, "pid", a->pid);
        report_tally(&a->t, w);
        jw_end(w);
    }
    jw_end(w);
}

static void report_intervals(const vs_sim *s, jw *w)
{
    jw_u64(w, "interval_instructions", s->cfg.stats_interval);
    jw_array(w, "intervals");
    for (guint i = 0; i < s->intervals->len; i++) {
        jw_object(w, NULL);
        report_tally(&g_array_index(s->intervals, sim_tally, i), w);
        jw_end(w);
    }
    jw_end(w);
}

/* Where the measured region lies in the input, when the run has one. */
static bool has_region(const vs_sim *s)
{
    return s->cfg.skip_instructions || s->cfg.warmup_instructions || s->cfg.max_instructions || s->roi_began ||
           s->roi_ended;
}

static void report_roi(const vs_sim *s, jw *w)
{
    if (!has_region(s))
        return;
    jw_object(w, "region");
    jw_u64(w, "skipped_instructions", s->skipped);
    jw_u64(w, "warmup_instructions", s->measure_start - s->skipped);
    jw_u64(w, "measured_instructions", s->instructions);
    jw_bool(w, "stopped_at_max", s->stopped && !s->roi_ended);
    jw_bool(w, "began_at_marker", s->roi_began);
    jw_bool(w, "ended_at_marker", s->roi_ended);
    jw_end(w);
}

void sim_report(vs_sim *s, jw *w)
{
    jw_object(w, NULL);
    jw_str(w, "vmemsim", VS_VERSION);
    jw_str(w, "build", vs_build_id);
    jw_str(w, "mode", cfg_mode_name((vs_mode)s->cfg.mode));
    report_trace(s, w);
    jw_u64(w, "refs", s->refs);
    jw_u64(w, "instructions", s->instructions);
    report_roi(s, w);
    jw_object(w, "refs_by_kind");
    for (int k = 0; k < TREC_KIND_COUNT; k++)
        if (trace_kind_is_mem((unsigned)k))
            jw_u64(w, trace_kind_name((unsigned)k), s->refs_by_kind[k]);
    jw_end(w);
    jw_object(w, "events");
    jw_u64(w, "cr3_writes", s->cr3_writes);
    jw_u64(w, "vm_switches", s->vm_switches);
    jw_u64(w, "scheduler_switches", s->sched_switches);
    jw_u64(w, "invlpg", s->invlpgs);
    jw_u64(w, "transactions", s->transactions);
    jw_u64(w, "cda_declarations", s->cdas);
    jw_end(w);
    report_walks(s, w);
    jw_u64(w, "tlb_misses", th_last_level_misses(s->tlbs));
    jw_double(w, "tlb_misses_per_kinst",
              s->instructions ? 1000.0 * (double)th_last_level_misses(s->tlbs) / (double)s->instructions : 0);
    report_cycles(s, w);
    report_vs_native(s, w);
    th_report(s->tlbs, w);
    s->ops->report(s->mode, w);
    report_caches(s, w);
    report_exits(s, w);
    report_os(s, w);
    report_accounts(s, w);
    jw_object(w, "config");
    cfg_each(&s->cfg, echo_config, w);
    jw_end(w);
    report_intervals(s, w);
    jw_end(w);
}

/* A row's identity, the first cells of every row: empty where the block
 * has no such key, so every row of the CSV has the same leading columns. */
static void row_identity(jw_flat_fn cell, void *ctx, const char *scope, const char *vm, const char *stream,
                         const char *pid, const char *interval)
{
    cell(ctx, "scope", scope);
    cell(ctx, "vm", vm ? vm : "");
    cell(ctx, "stream", stream ? stream : "");
    cell(ctx, "pid", pid ? pid : "");
    cell(ctx, "interval", interval ? interval : "");
}

/* One block (a VM, a process, an interval sample) as a flat row. */
static void tally_row(const sim_tally *t, jw_flat_fn cell, void *ctx)
{
    jw *w = jw_new_flat(cell, ctx);
    jw_object(w, NULL);
    report_tally(t, w);
    jw_end(w);
    jw_free(w);
}

void sim_report_rows(vs_sim *s, sim_row_fn begin, jw_flat_fn cell, void *ctx)
{
    char a[24], b[24], c[24];
    begin(ctx);
    row_identity(cell, ctx, "total", NULL, NULL, NULL, NULL);
    jw *w = jw_new_flat(cell, ctx);
    sim_report(s, w);
    jw_free(w);
    sim_tally *vms = vm_tallies(s);
    for (uint32_t v = 0; v < s->n_vms; v++) {
        begin(ctx);
        snprintf(a, sizeof a, "%" PRIu32, v);
        row_identity(cell, ctx, "vm", a, NULL, NULL, NULL);
        tally_row(&vms[v], cell, ctx);
    }
    free(vms);
    for (guint i = 0; i < s->accounts->len; i++) {
        const sim_account *acc = &g_array_index(s->accounts, sim_account, i);
        begin(ctx);
        snprintf(a, sizeof a, "%" PRIu32, acc->vm);
        snprintf(b, sizeof b, "%" PRIu32, acc->stream);
        snprintf(c, sizeof c, "%" PRIu32, acc->pid);
        row_identity(cell, ctx, "process", a, b, c, NULL);
        tally_row(&acc->t, cell, ctx);
    }
    for (guint i = 0; i < s->intervals->len; i++) {
        begin(ctx);
        snprintf(a, sizeof a, "%u", i);
        row_identity(cell, ctx, "interval", NULL, NULL, NULL, a);
        tally_row(&g_array_index(s->intervals, sim_tally, i), cell, ctx);
    }
}

static double pct(uint64_t part, uint64_t whole) { return whole ? 100.0 * (double)part / (double)whole : 0; }

void sim_print_summary(vs_sim *s, FILE *out)
{
    uint64_t total = sim_total_cycles(s), records;
    combined_digest(s, &records);
    uint64_t exits = 0;
    for (int i = 0; i < EXIT_COUNT; i++)
        exits += s->st.exits[i];
    uint64_t misses = th_last_level_misses(s->tlbs);
    fprintf(out, "vmemsim %s, mode %s, %u trace(s), %" PRIu64 " records\n", VS_VERSION,
            cfg_mode_name((vs_mode)s->cfg.mode), s->streams->len, records);
    if (has_region(s))
        fprintf(out, "  region        %" PRIu64 " instructions skipped, %" PRIu64 " warm-up, %" PRIu64 " measured%s%s\n",
                s->skipped, s->measure_start - s->skipped, s->instructions,
                s->roi_began ? ", from the trace's begin marker" : "",
                s->roi_ended ? " to its end marker" : s->stopped ? " (sim.max_instructions reached)"
                                                               : " (to the end of the traces)");
    fprintf(out, "  instructions  %" PRIu64 "   references %" PRIu64 "\n", s->instructions, s->refs);
    fprintf(out, "  TLB misses    %" PRIu64 " (%.3f per 1000 instructions, %.3f%% of references)\n", misses,
            s->instructions ? 1000.0 * (double)misses / (double)s->instructions : 0, pct(misses, s->refs));
    fprintf(out, "  walks         %" PRIu64 "   walk references %" PRIu64 "   per walk %.3f\n", s->st.walks,
            s->st.walk_refs, s->st.walks ? (double)s->st.walk_refs / (double)s->st.walks : 0);
    fprintf(out, "  faults        %" PRIu64 " page, %" PRIu64 " copy-on-write   walk references of faulting walks %" PRIu64
                 "\n",
            s->st.faults, s->st.cow_faults, s->st.fault_walk_refs);
    fprintf(out, "  VM exits      %" PRIu64 "\n", exits);
    fprintf(out, "  cycles        %" PRIu64 " (CPI %.3f): base %.1f%%, TLB %.1f%%, walk %.1f%%, data %.1f%%, "
                 "fault %.1f%%, VMM %.1f%%\n",
            total, s->instructions ? (double)total / (double)s->instructions : 0,
            pct((uint64_t)((double)s->instructions * s->cfg.base_cpi), total), pct(th_cycles(s->tlbs), total),
            pct(s->st.walk_cycles, total), pct(s->data_cycles, total), pct(s->st.fault_cycles, total),
            pct(s->st.exit_cycles, total));
    fprintf(out, "  first touch   %.1f%% of cycles (faults, faulting walks, EPT violations, backing); translation of "
                 "mapped memory %.1f%%\n",
            pct(first_touch_cycles(s), total), pct(translation_cycles(s), total));
    if (s->have_native)
        fprintf(out, "  vs native     overhead %+.1f%% (%" PRIu64 " cycles against %" PRIu64 "; translation %" PRIu64
                     " against %" PRIu64 ")\n",
                100.0 * native_overhead(s), total, s->native_cycles, translation_cycles(s),
                s->native_translation_cycles);
}

double sim_wall_seconds(const vs_sim *s) { return s->wall_seconds; }
uint64_t sim_refs(const vs_sim *s) { return s->refs; }
