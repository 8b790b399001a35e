/*
 * sim.c: machine construction and the run loop (see sim.h).
 *
 * The hot loop handles one memory record in a few steps: the TLB hierarchy
 * (tlb/hier.h) is asked for the translation; a hit yields the physical
 * address at once; a miss (or a store to a read-only entry) goes to the
 * mode, whose translation the hierarchy then fills.  The physical address
 * then goes through the cache hierarchy.  Cycles are kept as separate sums
 * (base, TLB, walk, data, fault, VMM) so the breakdown is exact and the
 * total is their sum.
 *
 * No single source: each cost term is the model of the module that charges
 * it (tlb/, pwc/, mmu/mode_*.c, mem/, mlp.c), which cites its own.
 *
 * Invariants between records (struct vs_sim, sim_int.h):
 *  - sim_total_cycles is exactly base + TLB + walk + data + fault + VMM
 *    cycles; every cycle charged lands in one term, never two;
 *  - the per-process accounts plus what has accrued since `mark` equal the
 *    totals: each counter gain is charged to exactly one account (`charged`),
 *    at the next change of account;
 *  - `fetched` counts the instructions read over every stream and phase;
 *    `skipped` <= `fetched`, and once measuring (SIM_MEASURE) `skipped` <=
 *    `measure_start` <= `fetched`: statistics restart at each phase change,
 *    so what is reported was gained since measurement began;
 *  - `next_boundary` is the nearest of the phase's end and the next interval
 *    sample (set_next_boundary), so no boundary is crossed unseen;
 *  - `mlp_stall_at` is mlp_stall_at(mlp): the first instruction whose
 *    fetch may wait for an outstanding miss (UINT64_MAX without mlp).
 */
#include "sim_int.h"
#include "tlb/repl.h"

#include <assert.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* TLB prefetches translate for the running process, without side effects. */
static bool probe_running(void *ctx, uint64_t va, tlb_entry *out, uint32_t *refs)
{
    const vs_sim *s = ctx;
    return s->running && mode_probe(&s->running->sp, va, out, refs);
}

static int build_tlbs(vs_sim *s, vs_err *err)
{
    tlb_params p[CFG_MAX_TLBS];
    for (uint32_t i = 0; i < s->cfg.n_tlbs; i++) {
        const cfg_tlb *c = &s->cfg.tlbs[i];
        p[i] = (tlb_params){.name = c->name,
                            .level = c->level,
                            .kind = (tlb_kind)c->kind,
                            .entries = c->entries,
                            .ways = c->ways,
                            .page_sizes = c->page_sizes,
                            .latency = c->latency,
                            .repl = repl_at((unsigned)c->replacement),
                            .seed = s->cfg.seed + i,
                            .prefetcher = (unsigned)c->prefetcher,
                            .prefetch_buffer = c->prefetch_buffer,
                            .prefetch_table = c->prefetch_table};
    }
    s->tlbs = th_new(p, s->cfg.n_tlbs, err);
    if (!s->tlbs)
        return VS_E_CONFIG;
    th_set_probe(s->tlbs, probe_running, s);
    return VS_OK;
}

static uint64_t sim_clock(const void *ctx) { return sim_total_cycles(ctx); }

static int build_memory(vs_sim *s, vs_err *err)
{
    mh_cache_params caches[MH_MAX_CACHES];
    for (uint32_t i = 0; i < s->cfg.n_caches; i++) {
        const cfg_cache *c = &s->cfg.caches[i];
        caches[i] = (mh_cache_params){.name = c->name,
                                      .level = c->level,
                                      .side = (mh_side)c->side,
                                      .size = c->size,
                                      .ways = c->ways,
                                      .line = c->line,
                                      .latency = c->latency,
                                      .repl = repl_at((unsigned)c->replacement),
                                      .prefetcher = (unsigned)c->prefetcher,
                                      .prefetch = {.degree = c->prefetch_degree,
                                                   .distance = c->prefetch_distance,
                                                   .streams = c->prefetch_streams,
                                                   .max_stride = c->prefetch_max_stride},
                                      .prefetch_outstanding = c->prefetch_outstanding,
                                      .prefetch_line_cycles = c->prefetch_line_cycles};
        if (c->level == 1) {
            if (c->side != MH_SIDE_INST)
                s->l1_latency[TH_DATA] = c->latency;
            if (c->side != MH_SIDE_DATA)
                s->l1_latency[TH_INST] = c->latency;
        }
    }
    mh_params p = {.caches = caches,
                   .n_caches = s->cfg.n_caches,
                   .dram_latency = s->cfg.dram_latency,
                   .walk_level = s->cfg.walk_level,
                   .seed = s->cfg.seed};
    s->mem = mh_new(&p, err);
    if (!s->mem)
        return VS_E_CONFIG;
    mh_set_clock(s->mem, sim_clock, s); /* prefetches arrive on the machine's time */
    s->mlp_stall_at = UINT64_MAX;
    if (s->cfg.rob)
        s->mlp = mlp_new(s->cfg.rob, s->cfg.miss_buffers);
    return VS_OK;
}

static int build_machine(vs_sim *s, vs_err *err)
{
    bool virtualized = s->info->flags & MODE_F_HYPERVISOR;
    if (!virtualized && s->cfg.vm_count != 1)
        return vs_fail(err, VS_E_CONFIG,
                       "config: [vm] count = %u but [machine] mode = %s runs no VMs; expected count = 1",
                       s->cfg.vm_count, s->info->name);
    if (virtualized) {
        hv_params hp = {.levels = s->cfg.host_levels,
                        .page_size = (vs_pgsz)s->cfg.host_page_size,
                        .mem_bytes = s->cfg.host_mem,
                        .max_order = s->cfg.host_max_order,
                        .contig_backing = (s->info->flags & MODE_F_CONTIG_BACKING) && s->cfg.contig_backing,
                        .contig_segments = s->cfg.contig_segments,
                        .group_by_mobility = s->cfg.host_group_by_mobility};
        int rc = hv_new(&hp, &s->hv, err);
        if (rc != VS_OK)
            return rc;
    }
    s->n_vms = s->cfg.vm_count;
    s->vms = vs_calloc(s->n_vms, sizeof *s->vms);
    for (uint32_t i = 0; i < s->n_vms; i++) {
        sim_vm *vm = &s->vms[i];
        vm->sim = s;
        vm->id = i;
        vm->tag = (uint16_t)s->next_tag++;
        vm->procs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
        vm->next_pid = 1;
        os_params op = {.levels = s->cfg.guest_levels,
                        .policy = (os_page_policy)s->cfg.guest_page_size,
                        .mem_bytes = s->cfg.guest_mem,
                        .max_order = 20,
                        .reserved_frames = s->cfg.vm_reserved >> VS_PAGE_SHIFT_4K};
        os_hooks hooks = sim_os_hooks_template;
        hooks.ctx = vm;
        int rc = os_new(&op, &hooks, &vm->os, err);
        if (rc != VS_OK)
            return rc;
        if (virtualized) {
            rc = hv_vm_new(s->hv, i, s->cfg.guest_mem, &vm->hv, err);
            if (rc != VS_OK)
                return rc;
        }
    }
    return VS_OK;
}

int sim_new(const vs_config *cfg, vs_sim **out, vs_err *err)
{
    vs_sim *s = vs_calloc(1, sizeof *s);
    s->cfg = *cfg;
    s->streams = g_ptr_array_new();
    s->intervals = g_array_new(FALSE, TRUE, sizeof(sim_tally));
    s->events = g_array_new(FALSE, FALSE, sizeof(sim_event));
    s->accounts = g_array_new(FALSE, TRUE, sizeof(sim_account));
    s->charged = -1;
    int rc = cfg_validate(cfg, "config", err);
    if (rc == VS_OK)
        rc = build_tlbs(s, err);
    if (rc == VS_OK)
        rc = build_memory(s, err);
    if (rc == VS_OK) {
        s->info = mode_get(cfg->mode);
        if (!s->info)
            rc = vs_fail(err, VS_E_CONFIG, "config: [machine] mode = %d is not a registered mode", cfg->mode);
        else
            s->ops = s->info->ops;
    }
    if (rc == VS_OK)
        rc = build_machine(s, err);
    if (rc == VS_OK) {
        s->env = (mode_env){.cfg = &s->cfg,
                            .mem = s->mem,
                            .hv = s->hv,
                            .st = &s->st,
                            .tlb_flush_tag = sim_tlb_flush_tag,
                            .tlb_invlpg = sim_tlb_invlpg,
                            .tlb_flush_all = sim_tlb_flush_all,
                            .sim = s};
        rc = s->ops->create(&s->env, &s->mode, err);
    }
    if (rc != VS_OK) {
        sim_free(s);
        return rc;
    }
    s->quantum_left = cfg->quantum;
    s->next_tick = s->ops->tick ? cfg->adapt_interval : UINT64_MAX;
    *out = s;
    return VS_OK;
}

static void stream_free(sim_stream *st)
{
    tee_unref(st->tee, st->tee_id);
    g_hash_table_destroy(st->pids);
    free(st->path);
    free(st);
}

void sim_free(vs_sim *s)
{
    if (!s)
        return;
    for (guint i = 0; i < s->streams->len; i++)
        stream_free(g_ptr_array_index(s->streams, i));
    g_ptr_array_free(s->streams, TRUE);
    if (s->mode)
        s->ops->destroy(s->mode);
    for (uint32_t i = 0; s->vms && i < s->n_vms; i++) {
        if (s->vms[i].os)
            os_free(s->vms[i].os);
        g_hash_table_destroy(s->vms[i].procs);
    }
    free(s->vms);
    if (s->hv)
        hv_free(s->hv);
    th_free(s->tlbs);
    mh_free(s->mem);
    mlp_free(s->mlp);
    g_array_free(s->intervals, TRUE);
    g_array_free(s->events, TRUE);
    g_array_free(s->accounts, TRUE);
    free(s);
}

int sim_add_trace_shared(vs_sim *const *sims, unsigned n, const char *path, int vm, vs_err *err)
{
    for (unsigned i = 0; i < n; i++)
        if (vm >= (int)sims[i]->n_vms)
            return vs_fail(err, VS_E_USAGE, "%s: assigned to VM %d, but [vm] count = %u", path, vm, sims[i]->n_vms);
    trace_reader *reader;
    int rc = trace_open(path, TFMT_AUTO, &reader, err);
    if (rc != VS_OK)
        return rc;
    trace_fmt fmt = trace_reader_fmt(reader);
    tee *t = tee_new(ra_start(reader, RA_AUTO), n);
    for (unsigned i = 0; i < n; i++) {
        vs_sim *s = sims[i];
        sim_stream *st = vs_calloc(1, sizeof *st);
        st->pids = g_hash_table_new(g_direct_hash, g_direct_equal);
        st->path = vs_strdup(path);
        st->fmt = fmt;
        st->tee = t;
        st->tee_id = i;
        st->vm = &s->vms[vm >= 0 ? (uint32_t)vm : s->streams->len % s->n_vms];
        g_ptr_array_add(s->streams, st);
    }
    return VS_OK;
}

int sim_add_trace(vs_sim *s, const char *path, int vm, vs_err *err)
{
    return sim_add_trace_shared(&s, 1, path, vm, err);
}

static uint64_t base_cycles(const vs_sim *s) { return (uint64_t)((double)s->instructions * s->cfg.base_cpi + 0.5); }

uint64_t sim_total_cycles(const vs_sim *s)
{
    return base_cycles(s) + th_cycles(s->tlbs) + s->st.walk_cycles +
           s->data_cycles + s->st.fault_cycles + s->st.exit_cycles;
}

static sim_tally tally_now(const vs_sim *s)
{
    sim_tally t = {.refs = s->refs,
                   .instructions = s->instructions,
                   .tlb_misses = th_last_level_misses(s->tlbs),
                   .walks = s->st.walks,
                   .walk_refs = s->st.walk_refs,
                   .fault_walk_refs = s->st.fault_walk_refs,
                   .faults = s->st.faults,
                   .cow_faults = s->st.cow_faults,
                   /* the rounded total of the moment: the accounts' base cycles add up to it exactly */
                   .base = base_cycles(s),
                   .tlb = th_cycles(s->tlbs),
                   .walk = s->st.walk_cycles,
                   .data = s->data_cycles,
                   .fault = s->st.fault_cycles,
                   .vmm = s->st.exit_cycles,
                   .first_touch = s->st.first_touch_cycles};
    memcpy(t.exits, s->st.exits, sizeof t.exits);
    return t;
}

/* sim_tally is uint64_t fields only: it is added up as an array of them. */
void sim_tally_accumulate(sim_tally *dst, const sim_tally *now, const sim_tally *since)
{
    uint64_t *d = (uint64_t *)dst;
    const uint64_t *n = (const uint64_t *)now, *m = (const uint64_t *)since;
    for (size_t i = 0; i < sizeof *dst / sizeof(uint64_t); i++)
        d[i] += n[i] - m[i];
}

void sim_charge_to(vs_sim *s, const sim_proc *p)
{
    sim_tally now = tally_now(s);
    if (s->charged >= 0)
        sim_tally_accumulate(&g_array_index(s->accounts, sim_account, (guint)s->charged).t, &now, &s->mark);
    s->mark = now;
    if (p)
        s->charged = (int)p->account;
}

os_counters sim_os_counters(const vs_sim *s)
{
    os_counters sum = {0};
    for (uint32_t i = 0; i < s->n_vms; i++) {
        const os_counters *c = os_get_counters(s->vms[i].os);
        for (int k = 0; k < VS_PG_COUNT; k++)
            sum.pages_mapped[k] += c->pages_mapped[k];
        sum.faults_map += c->faults_map;
        sum.faults_cow += c->faults_cow;
        sum.pages_resident += c->pages_resident;
        sum.tables_resident += c->tables_resident;
        sum.ptes_written += c->ptes_written;
        sum.procs_created += c->procs_created;
        sum.forks += c->forks;
        sum.execs += c->execs;
        sum.exits += c->exits;
        sum.thp_fallbacks += c->thp_fallbacks;
    }
    return sum;
}

/* The end of a skip or a warm-up: every statistic starts again from zero
 * while every piece of state (TLB, page-walk-cache and cache contents, page
 * tables, shadow tables, host backing, processes) stays as it is.  The OSes'
 * and the host's event counters are not owned here: they are remembered and
 * subtracted when reported. */
static void reset_stats(vs_sim *s)
{
    memset(&s->st, 0, sizeof s->st);
    th_reset_stats(s->tlbs);
    mh_reset_stats(s->mem);
    s->ops->reset_stats(s->mode);
    memset(s->refs_by_kind, 0, sizeof s->refs_by_kind);
    s->instructions = s->refs = s->data_cycles = 0;
    if (s->mlp) { /* the clock restarts: misses in flight are the phase's that ended */
        mlp_clear(s->mlp);
        s->mlp_stall_at = UINT64_MAX;
    }
    s->cr3_writes = s->vm_switches = s->sched_switches = s->invlpgs = 0;
    s->transactions = s->cdas = 0;
    g_array_set_size(s->intervals, 0);
    s->last = (sim_tally){0};
    for (guint i = 0; i < s->accounts->len; i++)
        g_array_index(s->accounts, sim_account, i).t = (sim_tally){0};
    s->mark = tally_now(s);
    s->os_base = sim_os_counters(s);
    if (s->hv)
        s->hv_base = *hv_get_counters(s->hv);
}

static void take_interval(vs_sim *s)
{
    sim_tally now = tally_now(s), d = {0};
    sim_tally_accumulate(&d, &now, &s->last);
    g_array_append_val(s->intervals, d);
    s->last = now;
}

/* The running stream's first memory reference before any switch record:
 * the trace is one process. */
static int start_default_process(vs_sim *s, sim_stream *st, vs_err *err)
{
    if (st->started)
        return vs_fail(err, VS_E_FORMAT,
                       "%s: memory reference while no process runs (after an exit); expected a 'switch' record "
                       "first",
                       st->path);
    st->started = true;
    int rc = sim_proc_for(s, st->vm, st->vm->next_pid++, &st->cur, err);
    return rc == VS_OK ? sim_switch_to(s, st->vm, st->cur, err) : rc;
}

void sim_serialise(vs_sim *s)
{
    if (s->mlp) {
        s->data_cycles += mlp_drain(s->mlp, sim_total_cycles(s));
        s->mlp_stall_at = UINT64_MAX;
    }
}

/* A data reference that missed the L1 and needs `stall` cycles more: with
 * overlap (mlp.h) it is outstanding while the core goes on; the core waits
 * now only if every miss buffer is busy.  s->instructions counts the
 * instruction it belongs to. */
static void data_miss(vs_sim *s, uint32_t stall)
{
    s->data_cycles += mlp_miss(s->mlp, s->instructions, sim_total_cycles(s), stall);
    s->mlp_stall_at = mlp_stall_at(s->mlp);
}

/* The fetch of the next instruction finds the reorder buffer full behind an
 * unfinished miss: the core waits for it. */
static void rob_full(vs_sim *s)
{
    s->data_cycles += mlp_fetch(s->mlp, s->instructions + 1, sim_total_cycles(s));
    s->mlp_stall_at = mlp_stall_at(s->mlp);
}

/* The translation took an exception or a VM exit (fault or VMM cycles
 * grew by `serial`): the core waited for its misses in flight before them,
 * i.e. before those cycles. */
static void serialise_before(vs_sim *s, uint64_t serial)
{
    uint64_t now = sim_total_cycles(s) - serial;
    s->data_cycles += mlp_drain(s->mlp, now);
    s->mlp_stall_at = UINT64_MAX;
}

/* The physical address of va for the running process p, past the TLB
 * hierarchy's repeat-hit shortcut (th_repeat): a full lookup, and on a miss
 * the mode's translation and the fill.  Kept out of line so that the
 * common case keeps its values in registers. */
static __attribute__((noinline)) int translate(vs_sim *s, sim_proc *p, th_class cls, bool write, uint64_t va,
                                               uint64_t *pa, vs_err *err)
{
    tlb_entry e;
    if (!th_lookup_past_repeat(s->tlbs, cls, va, p->sp.tag, write, &e)) {
        unsigned access = (write ? ACCESS_WRITE : 0) | (cls == TH_INST ? ACCESS_FETCH : 0);
        uint64_t serial = s->st.exit_cycles + s->st.fault_cycles;
        int rc = sim_translate(s, p, va, access, &e, err);
        if (rc != VS_OK)
            return rc;
        if (s->mlp && s->st.exit_cycles + s->st.fault_cycles != serial)
            serialise_before(s, s->st.exit_cycles + s->st.fault_cycles - serial);
        /* under the tag the mode leaves: it may have switched the process's tag (adaptive) */
        th_fill(s->tlbs, cls, va, p->sp.tag, &e);
    }
    uint64_t offset_mask = (1ull << vs_pgsz_shift(e.size)) - 1;
    *pa = e.pa_base | (va & offset_mask);
    return VS_OK;
}

/* The memory reference r of the running process p (s->running).  Inlined
 * into both loops (run_refs is the hot one): a call here cost its register
 * saves and restores on every reference. */
static inline __attribute__((always_inline)) int run_access(vs_sim *s, sim_proc *p, const trace_rec *r,
                                                            vs_err *err)
{
    th_class cls = r->kind == TREC_IFETCH ? TH_INST : TH_DATA;
    bool write = r->kind == TREC_STORE || r->kind == TREC_RMW;
    s->refs++; /* after the process is known: its account is charged */
    /* instruction number s->instructions + 1 is fetched: s->instructions before it */
    if (cls == TH_INST && VS_UNLIKELY(s->instructions + 1 >= s->mlp_stall_at))
        rob_full(s);
    uint64_t pa;
    if (!th_repeat(s->tlbs, cls, r->addr, p->sp.tag, write, &pa)) {
        int rc = translate(s, p, cls, write, r->addr, &pa, err);
        if (rc != VS_OK)
            return rc;
    }
    if (VS_UNLIKELY(s->observer != NULL))
        s->observer(s->observer_ctx, p->vm->id, p->sp.pid, r->addr, pa);
    uint32_t lat = mh_access(s->mem, pa, cls == TH_INST ? MH_INST : MH_DATA, write, NULL);
    if (s->cfg.data_stalls && lat > s->l1_latency[cls]) {
        if (s->mlp && cls == TH_DATA)
            data_miss(s, lat - s->l1_latency[cls]);
        else
            s->data_cycles += lat - s->l1_latency[cls];
    }
    return VS_OK;
}

/* The general loop's memory reference: the stream's first one starts its
 * process. */
static int mem_access(vs_sim *s, sim_stream *st, const trace_rec *r, vs_err *err)
{
    if (VS_UNLIKELY(!s->running)) {
        int rc = start_default_process(s, st, err);
        if (rc != VS_OK)
            return rc;
    }
    return run_access(s, s->running, r, err);
}

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* The instruction count (s->fetched) at which the current phase ends. */
static uint64_t phase_end(const vs_sim *s)
{
    switch (s->phase) {
    case SIM_SKIP:
        return s->cfg.skip_instructions;
    case SIM_WARMUP:
        return sat_add(s->cfg.skip_instructions, s->cfg.warmup_instructions);
    case SIM_MEASURE:
        break;
    }
    uint64_t end = s->cfg.max_instructions ? sat_add(s->measure_start, s->cfg.max_instructions) : UINT64_MAX;
    return s->roi_ended && s->roi_end < end ? s->roi_end : end;
}

/* Measurement begins at instruction s->fetched: statistics restart. */
static void start_measuring(vs_sim *s)
{
    s->phase = SIM_MEASURE;
    reset_stats(s);
    s->measure_start = s->fetched;
    s->next_interval = s->cfg.stats_interval ? sat_add(s->fetched, s->cfg.stats_interval) : UINT64_MAX;
}

static void set_next_boundary(vs_sim *s)
{
    uint64_t end = phase_end(s);
    s->next_boundary = end < s->next_interval ? end : s->next_interval;
}

/* Called before the fetch of instruction s->fetched + 1 whenever s->fetched
 * reaches s->next_boundary: every boundary of the region of interest and of
 * the interval samples lies between two instructions, so an instruction's
 * data references always count with its fetch.  True: stop the run. */
static bool cross_boundary(vs_sim *s)
{
    while (s->phase != SIM_MEASURE && s->fetched >= phase_end(s)) {
        if (s->phase == SIM_SKIP)
            s->skipped = s->fetched;
        if (s->phase == SIM_WARMUP) {
            start_measuring(s);
        } else {
            s->phase++;
            reset_stats(s);
        }
    }
    if (s->phase == SIM_MEASURE && s->fetched >= phase_end(s))
        return true;
    if (s->fetched >= s->next_interval) {
        take_interval(s);
        s->next_interval = sat_add(s->next_interval, s->cfg.stats_interval);
    }
    set_next_boundary(s);
    return false;
}

void sim_roi_marker(vs_sim *s, bool begin)
{
    if (begin) {
        if (s->phase == SIM_SKIP)
            s->skipped = s->fetched;
        start_measuring(s);
        s->roi_began = true;
    } else if (s->phase == SIM_MEASURE && !s->roi_ended) {
        s->roi_ended = true;
        s->roi_end = s->fetched;
    }
    set_next_boundary(s);
}

static int refill(sim_stream *st, vs_err *err)
{
    long n = tee_next(st->tee, st->tee_id, &st->buf, err);
    if (n < 0)
        return (int)n;
    st->base += (uint64_t)st->n;
    st->n = n;
    st->pos = 0;
    if (n == 0) {
        st->done = true;
        st->digest = tee_digest(st->tee);
    }
    return VS_OK;
}

/* An address the hardware could not have issued: the trace is corrupt, and
 * no TLB or page table is probed with it (the probes assume canonical
 * addresses).  INVLPG and kmap carry one too. */
static bool va_in_range(const vs_sim *s, const trace_rec *r)
{
    return !(trace_kind_is_mem(r->kind) || r->kind == TREC_INVLPG || r->kind == TREC_KMAP) ||
           pt_va_canonical(r->addr, s->cfg.guest_levels);
}

/* Names the trace and the record (1-based, in decoded records) that an
 * engine, mode or OS error arose from. */
static int at_record(const sim_stream *st, int rc, vs_err *err)
{
    if (!err)
        return rc;
    char why[VS_ERR_MSG_MAX];
    const char *m = err->msg;
    size_t k = strlen(st->path);
    if (strncmp(m, st->path, k) == 0 && m[k] == ':') /* already names the file */
        m += k + 1 + (m[k + 1] == ' ');
    snprintf(why, sizeof why, "%s", m);
    return vs_fail(err, rc, "%s: record %llu: %s", st->path,
                   (unsigned long long)(st->base + (uint64_t)st->pos), why);
}

/* Picks the next stream with records left, round-robin after `from` (which
 * may itself be the answer).  A stream whose batch is used up is refilled
 * first, so a stream that has just ended is never scheduled again.  *found
 * is false when every stream is done. */
static int next_stream(vs_sim *s, unsigned from, unsigned *out, bool *found, vs_err *err)
{
    unsigned n = s->streams->len;
    *found = false;
    for (unsigned k = 1; k <= n; k++) {
        unsigned i = (from + k) % n;
        sim_stream *st = g_ptr_array_index(s->streams, i);
        if (!st->done && st->pos == st->n) {
            int rc = refill(st, err);
            if (rc != VS_OK)
                return rc;
        }
        if (!st->done) {
            *out = i;
            *found = true;
            return VS_OK;
        }
    }
    return VS_OK;
}

/* Makes st the running stream.  A stream that has not run yet gets its first
 * process lazily, on its first memory reference, so a trace that opens with
 * its own switch record has no extra process. */
static int stream_enter(vs_sim *s, sim_stream *st, vs_err *err)
{
    if (!st->cur) {
        s->running = NULL;
        return VS_OK;
    }
    return sim_switch_to(s, st->vm, st->cur, err);
}

/* This machine reads no more of its traces. */
static void leave_traces(vs_sim *s)
{
    for (guint i = 0; i < s->streams->len; i++) {
        sim_stream *st = g_ptr_array_index(s->streams, i);
        tee_leave(st->tee, st->tee_id);
    }
}

static double input_fraction(vs_sim *s)
{
    double sum = 0;
    for (guint i = 0; i < s->streams->len; i++) {
        sim_stream *st = g_ptr_array_index(s->streams, i);
        double f = tee_fraction(st->tee);
        if (f < 0)
            return -1;
        sum += f;
    }
    return s->streams->len ? sum / s->streams->len : -1;
}

/* After sim.max_instructions: the rest of every trace is read (decoded,
 * not simulated), so the provenance digest is that of the whole input and
 * does not depend on how far the reader thread had got.  Every stream
 * leaves its tee first, so machines still reading a shared trace never wait
 * for this one. */
static int drain(vs_sim *s, vs_err *err)
{
    leave_traces(s);
    for (guint i = 0; i < s->streams->len; i++) {
        sim_stream *st = g_ptr_array_index(s->streams, i);
        if (st->done)
            continue;
        int rc = tee_drain(st->tee, st->tee_id, err);
        if (rc != VS_OK)
            return rc;
        st->done = true;
        st->digest = tee_digest(st->tee);
    }
    return VS_OK;
}

/* The number of instructions fetched (s->fetched) before whose fetch the
 * general loop of sim_run has something to do besides simulating: a
 * boundary of the region of interest or of an interval sample, the end of
 * the scheduling quantum (several streams), or an adaptation tick (which
 * follows the fetch that reaches it, hence one earlier). */
static uint64_t fetch_limit(const vs_sim *s, bool multi)
{
    uint64_t limit = s->next_boundary;
    if (multi && s->fetched + s->quantum_left < limit)
        limit = s->fetched + s->quantum_left;
    if (s->next_tick != UINT64_MAX) {
        uint64_t tick = sat_add(s->next_tick, s->skipped) - 1; /* next_tick >= 1: adapt_interval > 0 */
        if (tick < limit)
            limit = tick;
    }
    return limit;
}

/* The common case of sim_run's loop, hoisted out of it: measuring, a
 * process running, memory records of stream st, none of them before a
 * limit.  Every record it takes is simulated exactly as the general loop
 * would (the same calls in the same order, the same counters); it stops
 * before the first record the general loop must see -- a control record, a
 * non-canonical address (the general loop reports it), an instruction fetch
 * at fetch_limit, or one that would reach the next progress report
 * (refs_limit) -- or at the end of the batch. */
static int run_refs(vs_sim *s, sim_stream *st, uint64_t fetch_limit, uint64_t refs_limit, vs_err *err)
{
    const trace_rec *buf = st->buf;
    long pos = st->pos, n = st->n;
    /* Only control records change the running process, and they end this
     * loop, so it is loaded once. */
    sim_proc *p = s->running;
    assert(p);
    /* pt_va_canonical as one add and shift: a canonical va plus half the
     * va space lies below the whole of it (a 32-bit va: below it already). */
    unsigned levels = s->cfg.guest_levels, va_bits = pt_va_bits(levels);
    uint64_t va_bias = pt_is_32bit(levels) ? 0 : 1ull << (va_bits - 1);
    /* The limits as a count of fetches left and a record index, in locals,
     * instead of s->fetched and s->refs reloaded after every call: each
     * record taken adds one to s->refs (mem_access), so s->refs reaches
     * refs_limit at record refs_stop. */
    uint64_t fetch_room = fetch_limit > s->fetched ? fetch_limit - s->fetched : 0;
    uint64_t refs_room = refs_limit > s->refs ? refs_limit - s->refs : 0;
    long refs_stop = refs_room < (uint64_t)(n - pos) ? pos + (long)refs_room : n;
    for (; pos < n; pos++) {
        const trace_rec *r = &buf[pos];
        if (!trace_kind_is_mem(r->kind) || (r->addr + va_bias) >> va_bits != 0)
            break;
        bool fetch = r->kind == TREC_IFETCH;
        if (fetch && (fetch_room == 0 || pos >= refs_stop))
            break;
        s->refs_by_kind[r->kind]++;
        int rc = run_access(s, p, r, err);
        if (VS_UNLIKELY(rc != VS_OK)) {
            st->pos = pos + 1; /* at_record names the record taken, as the general loop does */
            return at_record(st, rc, err);
        }
        if (fetch) {
            s->instructions++;
            s->fetched++;
            s->quantum_left--;
            fetch_room--;
        }
    }
    st->pos = pos;
    return VS_OK;
}

int sim_run(vs_sim *s, sim_progress_fn progress, void *ctx, vs_err *err)
{
    if (s->streams->len == 0)
        return vs_fail(err, VS_E_USAGE, "no trace to run");
    double start = now_seconds();
    uint64_t next_progress = 1u << 20;
    unsigned idx = 0;
    int rc = stream_enter(s, g_ptr_array_index(s->streams, 0), err);
    bool multi = s->streams->len > 1;
    s->quantum_left = s->cfg.quantum;
    s->phase = SIM_SKIP;
    s->next_interval = UINT64_MAX;
    cross_boundary(s); /* into the first phase that is not empty */
    while (rc == VS_OK) {
        sim_stream *st = g_ptr_array_index(s->streams, idx);
        if (st->pos == st->n) {
            rc = refill(st, err);
            if (rc != VS_OK)
                break;
            if (st->done) {
                unsigned nxt;
                bool found;
                rc = next_stream(s, idx, &nxt, &found, err);
                if (rc != VS_OK || !found)
                    break;
                idx = nxt;
                s->cur_stream = idx;
                s->sched_switches++;
                s->quantum_left = s->cfg.quantum;
                rc = stream_enter(s, g_ptr_array_index(s->streams, idx), err);
                continue;
            }
        }
        if (s->phase == SIM_MEASURE && s->running) {
            rc = run_refs(s, st, fetch_limit(s, multi), progress ? next_progress - 1 : UINT64_MAX, err);
            if (rc != VS_OK)
                break;
            if (st->pos == st->n)
                continue;
        }
        const trace_rec *r = &st->buf[st->pos];
        /* Switch at an instruction boundary: before the fetch that would
         * start the next quantum, never between an instruction and its data. */
        if (multi && r->kind == TREC_IFETCH && s->quantum_left == 0) {
            s->quantum_left = s->cfg.quantum;
            unsigned nxt;
            bool found;
            rc = next_stream(s, idx, &nxt, &found, err);
            if (rc == VS_OK && found && nxt != idx) {
                idx = nxt;
                s->cur_stream = idx;
                s->sched_switches++;
                rc = stream_enter(s, g_ptr_array_index(s->streams, idx), err);
                continue;
            }
            if (rc != VS_OK)
                break;
        }
        if (r->kind == TREC_IFETCH && VS_UNLIKELY(s->fetched >= s->next_boundary) && cross_boundary(s)) {
            s->stopped = true;
            break;
        }
        st->pos++;
        if (VS_UNLIKELY(!va_in_range(s, r))) {
            if (pt_is_32bit(s->cfg.guest_levels)) /* a 32-bit guest's address never wraps: it is refused */
                rc = vs_fail(err, VS_E_FORMAT,
                             "%s address 0x%llx is above 4 GiB: the guest has 32-bit paging (guest.levels = 2), "
                             "whose addresses have 32 bits",
                             trace_kind_name(r->kind), (unsigned long long)r->addr);
            else
                rc = vs_fail(err, VS_E_FORMAT,
                             "%s address 0x%llx is not canonical for %u-level paging (bits 63..%u must copy bit %u)",
                             trace_kind_name(r->kind), (unsigned long long)r->addr, s->cfg.guest_levels,
                             pt_va_bits(s->cfg.guest_levels), pt_va_bits(s->cfg.guest_levels) - 1);
            rc = at_record(st, rc, err);
            break;
        }
        if (VS_UNLIKELY(s->phase == SIM_SKIP) && trace_kind_is_mem(r->kind)) {
            /* fast-forward: only the instruction count (and the schedule it drives) moves */
            if (r->kind == TREC_IFETCH) {
                s->fetched++;
                s->quantum_left--;
            }
            continue;
        }
        s->refs_by_kind[r->kind]++;
        if (VS_LIKELY(trace_kind_is_mem(r->kind))) {
            rc = mem_access(s, st, r, err);
            if (rc != VS_OK) {
                rc = at_record(st, rc, err);
                break;
            }
            if (r->kind != TREC_IFETCH)
                continue;
            s->instructions++;
            s->fetched++;
            s->quantum_left--;
            if (VS_UNLIKELY(s->fetched - s->skipped >= s->next_tick)) {
                s->ops->tick(s->mode, s->fetched - s->skipped);
                s->next_tick += s->cfg.adapt_interval;
            }
            if (VS_UNLIKELY(s->refs >= next_progress) && progress) {
                next_progress += 1u << 20;
                sim_progress pr = {.refs = s->refs, .fraction = input_fraction(s),
                                   .seconds = now_seconds() - start};
                progress(ctx, &pr);
            }
        } else if ((rc = sim_control(s, st, r, err)) != VS_OK) {
            rc = at_record(st, rc, err);
        }
    }
    if (rc == VS_OK && s->stopped)
        rc = drain(s, err);
    leave_traces(s);
    if (s->phase == SIM_MEASURE)
        sim_serialise(s); /* the run ends when its last data arrive */
    if (rc == VS_OK && s->phase != SIM_MEASURE)
        rc = vs_fail(err, VS_E_USAGE,
                     "the traces ended after %llu instructions, before measurement began (sim.skip_instructions "
                     "%llu + sim.warmup_instructions %llu); nothing was measured",
                     (unsigned long long)s->fetched, (unsigned long long)s->cfg.skip_instructions,
                     (unsigned long long)s->cfg.warmup_instructions);
    sim_charge_to(s, NULL);
    if (rc == VS_OK && s->cfg.stats_interval) {
        sim_tally now = tally_now(s); /* a last, partial sample, unless nothing happened since the last one */
        if (memcmp(&now, &s->last, sizeof now) != 0)
            take_interval(s);
    }
    s->wall_seconds = now_seconds() - start;
    if (rc == VS_OK && progress) {
        sim_progress pr = {.refs = s->refs, .fraction = 1.0, .seconds = s->wall_seconds};
        progress(ctx, &pr);
    }
    return rc;
}

typedef struct machine_job {
    vs_sim *sim;
    sim_progress_fn progress;
    void *ctx;
    int rc;
    vs_err err;
} machine_job;

static gpointer run_machine(gpointer data)
{
    machine_job *j = data;
    j->rc = sim_run(j->sim, j->progress, j->ctx, &j->err);
    return NULL;
}

unsigned sim_run_machines(vs_sim *const *sims, unsigned n, sim_progress_fn progress, void *ctx, int *rcs,
                          vs_err *errs)
{
    machine_job *jobs = vs_calloc(n, sizeof *jobs);
    GThread **threads = vs_calloc(n, sizeof *threads);
    for (unsigned i = 0; i < n; i++) {
        jobs[i] = (machine_job){.sim = sims[i], .progress = i == 0 ? progress : NULL, .ctx = ctx};
        if (n > 1)
            threads[i] = g_thread_new("vmemsim-machine", run_machine, &jobs[i]);
        else
            run_machine(&jobs[i]);
    }
    unsigned failed = 0;
    for (unsigned i = 0; i < n; i++) {
        if (threads[i])
            g_thread_join(threads[i]);
        rcs[i] = jobs[i].rc;
        errs[i] = jobs[i].err;
        failed += jobs[i].rc != VS_OK;
    }
    free(threads);
    free(jobs);
    return failed;
}

void sim_set_observer(vs_sim *s, sim_observer_fn fn, void *ctx)
{
    s->observer = fn;
    s->observer_ctx = ctx;
}

int sim_reference_translate(vs_sim *s, uint32_t vm, uint32_t pid, uint64_t va, uint64_t *pa)
{
    if (vm >= s->n_vms)
        return VS_E_USAGE;
    sim_vm *v = &s->vms[vm];
    os_proc *p = os_proc_find(v->os, pid);
    uint64_t gpa;
    if (!p || !pt_lookup(os_proc_tree(p), va, &gpa, NULL, NULL))
        return VS_E_USAGE;
    if (!v->hv) {
        *pa = gpa;
        return VS_OK;
    }
    const hv_segment *seg = hv_vm_segment_of(v->hv, gpa);
    if (seg) {
        *pa = seg->hpa_base + (gpa - seg->gpa_base);
        return VS_OK;
    }
    return hv_translate(v->hv, gpa, pa, NULL) ? VS_OK : VS_E_USAGE;
}
