/*
 * bridge.c: from placement to translation cost.  A VM that kept contiguous
 * memory can use contiguous-base translation (hPA = base + gPA, seed 004
 * sec. 5: a 1D walk); the others stay on nested paging (a 2D walk, up to 24
 * references).  The saving is estimated by running one representative trace
 * through the engine in contig and in nested mode, and applying the
 * difference in cycles per instruction to every contiguous VM:
 *   saved = sum over contiguous VMs of (CPI_nested - CPI_contig)
 *           x lifetime_s x cores x ips_per_core
 * The instruction count is an assumption (every core busy at ips_per_core
 * for the VM's lifetime), and all VM classes share the one trace; the
 * per-class rows (by memory size) split the VMs and instructions only.
 */
#include "place_int.h"
#include "sim.h"
#include "mmu/mode.h"

#include <stdlib.h>
#include <string.h>

#define BRIDGE_CLASSES 6        /* memory classes: <=1, <=4, <=16, <=64, <=256, >256 GiB */
#define BRIDGE_CLASS_STEP 2     /* each class 4x (2 orders) above the previous */
#define KIB_PER_GIB (1024ull * 1024)

typedef struct mode_run {
    double instructions, cycles, translation;
} mode_run;

static void collect(void *ctx, const char *path, const char *value)
{
    mode_run *m = ctx;
    if (!strcmp(path, "instructions"))
        m->instructions = strtod(value, NULL);
    else if (!strcmp(path, "cycles.total"))
        m->cycles = strtod(value, NULL);
    else if (!strcmp(path, "cycles.translation"))
        m->translation = strtod(value, NULL);
}

static int run_mode(const place_bridge_in *in, vs_mode mode, mode_run *out, vs_err *err)
{
    vs_config c = in->cfg;
    c.mode = mode;
    vs_sim *s = NULL;
    int rc = sim_new(&c, &s, err);
    if (rc == VS_OK)
        rc = sim_add_trace(s, in->trace_path, -1, err);
    if (rc == VS_OK)
        rc = sim_run(s, NULL, NULL, err);
    if (rc == VS_OK) {
        memset(out, 0, sizeof *out);
        jw *w = jw_new_flat(collect, out);
        sim_report(s, w);
        jw_free(w);
        if (!(out->instructions > 0))
            rc = vs_fail(err, VS_E_USAGE, "%s: the representative trace retired no instruction in %s mode",
                         in->trace_path, cfg_mode_name(mode));
    }
    sim_free(s);
    return rc;
}

static unsigned mem_class(uint64_t mem_kib)
{
    unsigned c = 0;
    for (uint64_t lim = KIB_PER_GIB; c + 1 < BRIDGE_CLASSES && mem_kib > lim; lim <<= BRIDGE_CLASS_STEP)
        c++;
    return c;
}

int place_bridge(const place_bridge_in *in, const place_trace *t, const place_result *r, jw *w, FILE *human,
                 vs_err *err)
{
    mode_run contig, nested;
    int rc = run_mode(in, mode_find("contig"), &contig, err);
    if (rc == VS_OK)
        rc = run_mode(in, mode_find("nested"), &nested, err);
    if (rc != VS_OK)
        return rc;
    double cpi_c = contig.cycles / contig.instructions, cpi_n = nested.cycles / nested.instructions;
    double delta = cpi_n - cpi_c;
    static const char *const class_names[BRIDGE_CLASSES] = {"le1g", "le4g", "le16g", "le64g", "le256g", "gt256g"};
    uint64_t vms[BRIDGE_CLASSES] = {0}, contig_vms[BRIDGE_CLASSES] = {0};
    double instr[BRIDGE_CLASSES] = {0}, total_instr = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (place_result_vm_server(r, i) < 0)
            continue;
        unsigned c = mem_class(t->vm[i].mem_kib);
        vms[c]++;
        if (!place_result_vm_contiguous(r, i))
            continue;
        contig_vms[c]++;
        double n = (double)(t->vm[i].deleted - t->vm[i].created) * t->vm[i].cores * in->ips_per_core;
        instr[c] += n;
        total_instr += n;
    }
    jw_object(w, "translation");
    jw_str(w, "trace", in->trace_path);
    jw_double(w, "ips_per_core", in->ips_per_core);
    jw_double(w, "cpi_contig", cpi_c);
    jw_double(w, "cpi_nested", cpi_n);
    jw_double(w, "translation_cpi_contig", contig.translation / contig.instructions);
    jw_double(w, "translation_cpi_nested", nested.translation / nested.instructions);
    jw_double(w, "delta_cpi", delta);
    jw_double(w, "instructions_contiguous", total_instr);
    jw_double(w, "cycles_saved", delta * total_instr);
    jw_array(w, "classes");
    for (unsigned c = 0; c < BRIDGE_CLASSES; c++) {
        jw_object(w, NULL);
        jw_str(w, "memory", class_names[c]);
        jw_u64(w, "vms", vms[c]);
        jw_u64(w, "contiguous", contig_vms[c]);
        jw_double(w, "instructions", instr[c]);
        jw_double(w, "cycles_saved", delta * instr[c]);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
    if (human)
        fprintf(human, "translation: CPI nested %.4f, contig %.4f (delta %.4f); %.3g cycles saved over %.3g "
                       "instructions of contiguous VMs\n",
                cpi_n, cpi_c, delta, delta * total_instr, total_instr);
    return VS_OK;
}
