/*
 * policy.c: the placement policies of seed 004 and two classic ones.  Each
 * looks at the running (switched-on) servers in switch-on order and, if none
 * can host the VM, switches on the next server that can ("a new server is
 * turned on and used").
 *   contig     Algorithm 1: the first running server that can give the VM
 *              contiguous memory; else a new server; else (all on) the first
 *              running server with enough resources.
 *   max        Algorithm 2: the fitting server with the most free memory.
 *   min        Algorithm 3: the fitting server with the least free memory.
 *   first-fit  the first fitting server (CloudSim VmAllocationPolicyFirstFit).
 *   best-fit   the fitting server left tightest: least free memory plus free
 *              cores after placement, each as a share of the server's.
 * "Available resources" is memory, the resource contiguity is about; ties
 * go to more free cores, then to the earlier server, so runs are
 * deterministic.  The pseudocode of Algorithms 2 and 3 keeps the last
 * fitting server it scans; we follow the prose (most / least available).
 */
#include "place_int.h"

#include <string.h>

/* Scores a fitting server; the lowest score wins (ties: the earlier server). */
typedef double score_fn(const place_server *s, uint32_t cores, uint64_t frames);

#define CORE_TIEBREAK 1e-6 /* below one frame of memory: cores only break ties */

static double score_max(const place_server *s, uint32_t cores, uint64_t frames)
{
    (void)cores, (void)frames;
    return -((double)place_server_avail_frames(s) + CORE_TIEBREAK * (double)place_server_free_cores(s));
}

static double score_min(const place_server *s, uint32_t cores, uint64_t frames)
{
    (void)cores, (void)frames;
    return (double)place_server_avail_frames(s) + CORE_TIEBREAK * (double)place_server_free_cores(s);
}

static double score_best(const place_server *s, uint32_t cores, uint64_t frames)
{
    double mem = (double)place_server_avail_frames(s), cpu = (double)place_server_free_cores(s);
    return (mem - (double)frames) / (double)place_server_total_frames(s) +
           (cpu - cores) / (double)place_server_total_cores(s);
}

/* Every fitting server scores alike, so the first wins. */
static double score_first(const place_server *s, uint32_t cores, uint64_t frames)
{
    (void)s, (void)cores, (void)frames;
    return 0;
}

#define POLICY_NAME_ROW(ID, NAME, SCORE) NAME,
#define POLICY_SCORE_ROW(ID, NAME, SCORE) SCORE,
static const char *const names[PLACE_POLICY_COUNT] = {PLACE_POLICY_ROWS(POLICY_NAME_ROW)};
static score_fn *const scores[PLACE_POLICY_COUNT] = {PLACE_POLICY_ROWS(POLICY_SCORE_ROW)};

const char *place_policy_name(place_policy p) { return p < PLACE_POLICY_COUNT ? names[p] : "?"; }

int place_policy_parse(const char *s, place_policy *p, vs_err *err)
{
    for (int i = 0; i < PLACE_POLICY_COUNT; i++)
        if (!strcmp(s, names[i])) {
            *p = (place_policy)i;
            return VS_OK;
        }
    return vs_fail(err, VS_E_USAGE, "--policy %s: expected " PLACE_POLICY_CHOICES, s);
}

int place_fleet_switch_on(place_fleet *f, uint32_t cores, uint64_t frames)
{
    const place_dc *dc = f->dc;
    for (uint32_t i = 0; i < dc->servers; i++) {
        const place_gen *g = &dc->gens[f->gen_of[i]];
        if (f->srv[i] || g->cores < cores || g->ram_mib * 1024 / dc->page_kib < frames)
            continue;
        place_server *s = place_server_new(g, dc->page_kib, dc->max_order, &dc->host, f->err);
        if (!s) {
            f->failed = 1;
            return -1;
        }
        if (!place_server_fits(s, cores, frames)) { /* the host's own memory leaves too little */
            place_server_free(s);
            continue;
        }
        f->srv[i] = s;
        f->on[f->n_on++] = i;
        return (int)i;
    }
    return -1;
}

int place_policy_choose(place_policy p, place_fleet *f, uint32_t cores, uint64_t frames)
{
    if (p == PLACE_CONTIG) {
        for (uint32_t k = 0; k < f->n_on; k++) {
            const place_server *s = f->srv[f->on[k]];
            if (place_server_fits(s, cores, frames) && place_server_has_contig(s, cores, frames))
                return (int)f->on[k];
        }
        int fresh = place_fleet_switch_on(f, cores, frames);
        if (fresh >= 0 || f->failed)
            return fresh;
        p = PLACE_FIRST_FIT; /* all on, none contiguous: the first server with the resources */
    }
    int best = -1;
    double best_score = 0;
    for (uint32_t k = 0; k < f->n_on; k++) {
        const place_server *s = f->srv[f->on[k]];
        if (!place_server_fits(s, cores, frames))
            continue;
        double sc = scores[p](s, cores, frames);
        if (best < 0 || sc < best_score) {
            best = (int)f->on[k];
            best_score = sc;
        }
        if (scores[p] == score_first)
            break; /* no later server can score lower */
    }
    return best >= 0 ? best : place_fleet_switch_on(f, cores, frames);
}
