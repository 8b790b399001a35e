/*
 * ckpt_report.c: applies every calibrated technique to every transaction and
 * reports tracking cost, data processed (bytes copied to the helper), copy
 * cost and total -- per transaction, per operation and summed -- in the
 * layout of seeds 000/001 (Figures 11-18), plus the break-even WPPs and the
 * microbenchmark speedups that check the calibration (Figures 8 and 10).
 *
 * Invariant: sums run over transactions in trace order, so output is
 * byte-for-byte deterministic.
 */
#include "ckpt.h"
#include "json.h"
#include "version.h"

#include <inttypes.h>
#include <string.h>

#define NS_PER_MS 1e6
#define BYTES_PER_MB 1e6 /* the seeds report data processed in decimal MB */

void ckpt_evaluate(const ckpt_calib *c, const ckpt_scan *s, double opt, ckpt_result *r)
{
    memset(r, 0, sizeof(*r));
    r->stats = *ckpt_scan_stats(s);
    r->opt = opt;
    size_t n;
    const ckpt_txn *tx = ckpt_scan_txns(s, &n);
    for (int t = 0; t < CKPT_TECH_COUNT; t++)
        if ((r->available[t] = ckpt_tech_available(c, (ckpt_tech)t)))
            r->form[t] = ckpt_tech_form(c, (ckpt_tech)t);
    for (size_t i = 0; i < n; i++) {
        r->writes += tx[i].writes;
        r->pages += tx[i].pages;
        r->words += tx[i].words;
        r->bytes += tx[i].bytes;
        r->cda_bytes = tx[i].cda_bytes;
        for (int t = 0; t < CKPT_TECH_COUNT; t++) {
            if (!r->available[t])
                continue;
            r->tech[t].tracking_ns += ckpt_form_tracking(&r->form[t], &tx[i]);
            r->tech[t].copy_bytes += ckpt_form_copy_bytes(&r->form[t], &tx[i]);
        }
    }
    for (int t = 0; t < CKPT_TECH_COUNT; t++)
        r->tech[t].copy_ns = (double)r->tech[t].copy_bytes * c->copy_ns_per_byte;
    r->breakeven_user = ckpt_breakeven_wpp(c, false);
    r->breakeven_hv = ckpt_breakeven_wpp(c, true);
    r->speedup_emul = ckpt_microbench_speedup(c, false);
    r->speedup_pt = ckpt_microbench_speedup(c, true);
    r->mb_wpp = c->mb_wpp;
    r->mb_ppt = c->mb_ppt;
    r->mb_cda_kib = c->mb_cda_kib;
}

static double per(double x, double n)
{
    return n > 0 ? x / n : 0;
}

void ckpt_report_json(const ckpt_result *r, const char *trace, const char *calib, FILE *out)
{
    double n = (double)r->stats.txns;
    jw *w = jw_new_json(out);
    jw_object(w, NULL);
    jw_str(w, "vmemsim", VS_VERSION);
    jw_str(w, "build", vs_build_id);
    jw_str(w, "trace", trace);
    jw_str(w, "calibration", calib);
    jw_u64(w, "transactions", r->stats.txns);
    jw_double(w, "ops_per_txn", r->opt);
    jw_object(w, "analysis");
    jw_u64(w, "cda_areas", r->stats.cda_areas);
    jw_u64(w, "cda_bytes", r->cda_bytes);
    jw_u64(w, "cda_writes", r->writes);
    jw_u64(w, "unique_pages", r->pages);
    jw_u64(w, "unique_words", r->words);
    jw_u64(w, "unique_bytes", r->bytes);
    jw_double(w, "writes_per_txn", per((double)r->writes, n));
    jw_double(w, "ppt", per((double)r->pages, n));
    jw_double(w, "wpp", per((double)r->writes, (double)r->pages));
    jw_double(w, "words_per_txn", per((double)r->words, n));
    jw_double(w, "bytes_per_txn", per((double)r->bytes, n));
    jw_u64(w, "stores", r->stats.stores);
    jw_u64(w, "writes_outside_txn", r->stats.writes_outside_txn);
    jw_u64(w, "writes_outside_cda", r->stats.writes_outside_cda);
    jw_end(w);
    jw_object(w, "techniques");
    for (int t = 0; t < CKPT_TECH_COUNT; t++) {
        if (!r->available[t])
            continue;
        const ckpt_tech_total *x = &r->tech[t];
        double total = x->tracking_ns + x->copy_ns;
        jw_object(w, ckpt_tech_name((ckpt_tech)t));
        jw_str(w, "level", r->form[t].hypervisor ? "hypervisor" : "user");
        jw_str(w, "grain", r->form[t].grain == CKPT_GRAIN_WORD ? "word" : "page");
        jw_double(w, "tracking_ns_per_txn", per(x->tracking_ns, n));
        jw_double(w, "tracking_ns_per_op", per(x->tracking_ns, n * r->opt));
        jw_double(w, "tracking_ns_total", x->tracking_ns);
        jw_u64(w, "copy_bytes_total", x->copy_bytes);
        jw_double(w, "copy_ns_total", x->copy_ns);
        jw_double(w, "total_ns_per_txn", per(total, n));
        jw_double(w, "total_ns", total);
        jw_end(w);
    }
    jw_end(w);
    jw_object(w, "breakeven_wpp");
    jw_double(w, "user", r->breakeven_user);
    jw_double(w, "hypervisor", r->breakeven_hv);
    jw_end(w);
    jw_object(w, "microbench");
    jw_double(w, "wpp", r->mb_wpp);
    jw_double(w, "ppt", r->mb_ppt);
    jw_double(w, "cda_kib", r->mb_cda_kib);
    jw_double(w, "speedup_emul", r->speedup_emul);
    jw_double(w, "speedup_pt", r->speedup_pt);
    jw_end(w);
    jw_end(w);
    jw_free(w);
}

void ckpt_report_text(const ckpt_result *r, const char *trace, const char *calib, FILE *out)
{
    double n = (double)r->stats.txns;
    fprintf(out, "trace        %s\ncalibration  %s\n", trace, calib);
    fprintf(out, "transactions %" PRIu64 " (OPT %g), CDA %" PRIu64 " bytes in %" PRIu64 " area(s)\n",
            r->stats.txns, r->opt, r->cda_bytes, r->stats.cda_areas);
    fprintf(out, "per txn      %.2f writes, %.2f pages (PPT), %.2f words, %.2f bytes; WPP %.2f\n",
            per((double)r->writes, n), per((double)r->pages, n), per((double)r->words, n),
            per((double)r->bytes, n), per((double)r->writes, (double)r->pages));
    if (r->stats.writes_outside_txn || r->stats.writes_outside_cda)
        fprintf(out, "not costed   %" PRIu64 " CDA writes outside transactions, %" PRIu64
                     " transaction writes outside the CDA\n",
                r->stats.writes_outside_txn, r->stats.writes_outside_cda);
    fprintf(out, "\n%-11s %-10s %14s %12s %12s %11s %12s\n", "technique", "level", "track ns/txn", "track ns/op",
            "copied MB", "copy ms", "total ms");
    for (int t = 0; t < CKPT_TECH_COUNT; t++) {
        if (!r->available[t])
            continue;
        const ckpt_tech_total *x = &r->tech[t];
        fprintf(out, "%-11s %-10s %14.1f %12.1f %12.3f %11.3f %12.3f\n", ckpt_tech_name((ckpt_tech)t),
                r->form[t].hypervisor ? "hypervisor" : "user", per(x->tracking_ns, n),
                per(x->tracking_ns, n * r->opt), (double)x->copy_bytes / BYTES_PER_MB, x->copy_ns / NS_PER_MS,
                (x->tracking_ns + x->copy_ns) / NS_PER_MS);
    }
    fprintf(out, "\nbreak-even WPP: user %.3f, hypervisor %.3f\n", r->breakeven_user, r->breakeven_hv);
    fprintf(out, "microbenchmark (WPP %g, PPT %g, CDA %g KiB): hypervisor speedup emul %.2fx, pt %.2fx\n",
            r->mb_wpp, r->mb_ppt, r->mb_cda_kib, r->speedup_emul, r->speedup_pt);
}
