/*
 * share_run_int.h: the state of one `vmemsim share` run, shared by the
 * driver (share_run.c), the CoW replay (share_cow.c) and the report
 * (share_report.c).
 */
#ifndef VS_SHARE_RUN_INT_H
#define VS_SHARE_RUN_INT_H

#include "share_int.h"

#include <glib.h>

typedef struct share_snap {
    uint32_t vm;
    double t;
    share_image *img;
    size_t order; /* insertion order: ties at one time keep it */
} share_snap;

typedef struct share_sample {
    double t;
    char label[16];
    share_counters c;
    share_vm_stats *vms;
} share_sample;

typedef struct share_cow_result {
    uint64_t records, stores, breaks_copy, breaks_convert;
    share_counters after;
} share_cow_result;

struct share_run {
    share_params p;
    share_cost cost;
    vs_config cfg;
    share_snap *snaps;
    size_t n_snaps;
    char **vm_names;
    uint32_t n_vms;
    share_model *m;
    share_sample *samples;
    size_t n_samples;
    double sample_every;
    double t_last, converge_s;
    uint64_t converge_visits;
    share_counters final;
    share_events ev_converged;
    char *cow_path;
    uint32_t cow_vm;
    share_cow_result cow;
};

int share_cow_replay(share_run *r, vs_err *err);

#endif
