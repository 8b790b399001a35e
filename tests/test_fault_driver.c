/*
 * test_fault_driver.c: the engine's fault driver (sim_fault.c).  Under
 * every mode with a hypervisor, running out of host memory on a first touch
 * stops the run with an error that names the trace's file and the record
 * being simulated.  (That every mode completes faults, copy-on-write after
 * fork and exits within the one retry bound is test_modes_differential's.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "mmu/mode.h"
#include "vs_test.h"

#define N_PAGES 8192 /* 32 MiB of 4 KiB pages: more than a 16 MiB host can back */

/* Stores to N_PAGES distinct pages (each a first touch), one per record. */
static char *write_touches(void)
{
    trace_rec *r = calloc(N_PAGES + 1, sizeof *r);
    r[0] = (trace_rec){.kind = TREC_SWITCH, .id = 0};
    for (uint64_t i = 0; i < N_PAGES; i++)
        r[i + 1] = (trace_rec){.kind = TREC_STORE, .addr = 0x10000000ull + (i << 12), .size = 8};
    char *path = vt_write_vmt("touch.vmt", r, N_PAGES + 1);
    free(r);
    return path;
}

static void errors_name_file_and_record(void **state)
{
    (void)state;
    char *path = write_touches();
    for (vs_mode m = 0; m < (vs_mode)mode_count(); m++) {
        if (!(mode_get(m)->flags & MODE_F_HYPERVISOR))
            continue; /* host memory is the hypervisor's */
        vs_config cfg;
        vs_err err = {0};
        cfg_defaults(&cfg);
        cfg.mode = m;
        cfg.host_mem = 16ull << 20;
        cfg.host_max_order = 18;
        cfg.contig_backing = false;
        vs_sim *s = NULL;
        assert_int_equal(sim_new(&cfg, &s, &err), VS_OK);
        assert_int_equal(sim_add_trace(s, path, -1, &err), VS_OK);
        int rc = sim_run(s, NULL, NULL, &err);
        sim_free(s);
        print_message("%-16s %s\n", mode_get(m)->name, err.msg);
        assert_true(rc < 0);
        if (!strstr(err.msg, path) || !strstr(err.msg, ": record ") || !strstr(err.msg, "host"))
            fail_msg("%s: the error should name %s, the record and the host memory: %s", mode_get(m)->name, path,
                     err.msg);
    }
    g_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(errors_name_file_and_record)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
