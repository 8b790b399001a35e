/*
 * place_int.h: helpers shared by the placement trace readers (trace.c).
 */
#ifndef VS_PLACE_INT_H
#define VS_PLACE_INT_H

#include "place.h"

/* Order of the smallest block holding n frames, and of the largest within n (n >= 1). */
static inline unsigned place_ceil_log2(uint64_t n) { return n <= 1 ? 0 : 64 - (unsigned)__builtin_clzll(n - 1); }
static inline unsigned place_floor_log2(uint64_t n) { return 63 - (unsigned)__builtin_clzll(n); }

/* A cursor over text lines; lineno counts from 1 for the line last returned. */
typedef struct place_lines {
    const char *p, *end;
    size_t lineno;
} place_lines;

void place_lines_init(place_lines *l, const char *data, size_t len);
/* VS_OK, or an error naming origin, line and offset of the first NUL byte:
 * the line copies end at a NUL, so the rest of its line would be skipped
 * unread (every VM trace format is text). */
int place_check_text(const char *data, size_t len, const char *origin, vs_err *err);
/* Copies the next line (without "\r\n") into buf (grown as needed); false at the end. */
bool place_lines_next(place_lines *l, char **buf, size_t *cap);
/* Splits s in place at every occurrence of sep; returns the field count
 * (at most max, the last field keeping any rest). */
int place_split(char *s, const char *sep, char **fields, int max);
/* Whole-field number parsing (leading/trailing blanks allowed). */
bool place_parse_double(const char *s, double *v);
bool place_parse_i64(const char *s, int64_t *v);

#endif

/* ---- the fleet and the result, shared by policy.c, replay.c, report.c ---- */

typedef struct place_fleet {
    const place_dc *dc;
    unsigned *gen_of;    /* per server */
    place_server **srv; /* per server; NULL while switched off */
    uint32_t *on;        /* switched-on servers in switch-on order */
    uint32_t n_on;
    vs_err *err;         /* set when switching on fails (bad geometry) */
    int failed;
} place_fleet;

/* Switches on the first off server (index order) whose capacity fits; -1 if none. */
int place_fleet_switch_on(place_fleet *f, uint32_t cores, uint64_t frames);
/* The server a policy picks for the VM (maybe switching one on), or -1. */
int place_policy_choose(place_policy p, place_fleet *f, uint32_t cores, uint64_t frames);

typedef struct place_sample {
    int64_t t;
    uint32_t server;
    uint64_t free_frames;
    double unusable, fragmentation;
} place_sample;

struct place_result {
    place_dc dc;
    place_policy policy;
    char format[PLACE_NAME_MAX];
    size_t n_vms;
    int32_t *server_of; /* per VM, -1 = rejected */
    bool *contig;       /* per VM */
    unsigned *gen_of;   /* per server */
    bool *used;         /* per server: ever switched on */
    place_totals tot;
    place_sample *samples;
    size_t n_samples, cap_samples;
};
