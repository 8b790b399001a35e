/*
 * test_mlp.c: overlapped data misses (sim/mlp.h) against a naive model that
 * steps the clock one cycle at a time and keeps every miss it ever saw: a
 * fetch waits while some unfinished miss is `rob` or more instructions
 * back, a miss waits while `buffers` misses are unfinished, a drain waits
 * while any is.  Random sequences of fetches, misses, other work and drains,
 * fetches gated by mlp_stall_at as the engine gates them; every stall must
 * agree.  A seeded fault (a reference with one more miss buffer) must be
 * caught, so the comparison can fail.  Then the closed forms: an isolated
 * miss costs its latency less the reorder buffer's worth of work; rob = 1
 * and one buffer is the serial model; a burst of independent misses costs
 * about one latency.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sim/mlp.h"

#define STEPS 6000 /* random operations per geometry (the naive model is quadratic) */

typedef struct ref {
    uint32_t rob, buffers, n;
    uint64_t instr[STEPS], done[STEPS];
} ref;

static uint32_t unfinished(const ref *r, uint64_t t)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < r->n; i++)
        k += r->done[i] > t;
    return k;
}

static bool rob_blocked(const ref *r, uint64_t instr, uint64_t t)
{
    for (uint32_t i = 0; i < r->n; i++)
        if (r->done[i] > t && instr - r->instr[i] >= r->rob)
            return true;
    return false;
}

static uint64_t ref_fetch(const ref *r, uint64_t instr, uint64_t now)
{
    uint64_t t = now;
    while (rob_blocked(r, instr, t))
        t++;
    return t - now;
}

static uint64_t ref_miss(ref *r, uint64_t instr, uint64_t now, uint64_t latency)
{
    uint64_t t = now;
    while (unfinished(r, t) >= r->buffers)
        t++;
    r->instr[r->n] = instr;
    r->done[r->n++] = t + latency;
    return t - now;
}

static uint64_t ref_drain(const ref *r, uint64_t now)
{
    uint64_t t = now;
    while (unfinished(r, t) > 0)
        t++;
    return t - now;
}

/* Drives both with the same random program; true if every stall agreed. */
static bool agree(uint32_t rob, uint32_t buffers, uint32_t ref_buffers, unsigned seed)
{
    static ref r;
    r = (ref){.rob = rob, .buffers = ref_buffers};
    mlp *m = mlp_new(rob, buffers);
    srand(seed);
    uint64_t now = 0, instr = 0;
    bool same = true;
    for (int i = 0; i < STEPS && same; i++) {
        uint64_t a = 0, b = 0;
        switch (rand() % 8) {
        case 0: /* other serial work: a walk, a fetch miss, the base CPI */
            now += (uint64_t)(rand() % 60);
            break;
        case 1: /* a miss of the instruction last fetched, at the latency of some level */
        case 2: {
            uint64_t lat = 1 + (uint64_t)(rand() % 300);
            a = mlp_miss(m, instr, now, lat);
            b = ref_miss(&r, instr, now, lat);
            break;
        }
        case 3:
            if (rand() % 20 == 0) {
                a = mlp_drain(m, now);
                b = ref_drain(&r, now);
                assert_true(mlp_stall_at(m) == UINT64_MAX); /* mlp.c's invariant: nothing outstanding after a drain */
            }
            break;
        default: /* the next fetch, gated as sim.c gates it */
            instr++;
            now++;
            a = instr >= mlp_stall_at(m) ? mlp_fetch(m, instr, now) : 0;
            b = ref_fetch(&r, instr, now);
            break;
        }
        same = a == b;
        now += a;
    }
    mlp_free(m);
    return same;
}

static void matches_naive_model(void **state)
{
    (void)state;
    static const uint32_t geom[][2] = {{1, 1}, {72, 8}, {72, 1}, {4, 8}, {200, 3}, {16, 16}};
    for (size_t g = 0; g < sizeof geom / sizeof geom[0]; g++)
        for (unsigned seed = 1; seed <= 3; seed++)
            assert_true(agree(geom[g][0], geom[g][1], geom[g][1], seed));
}

static void seeded_fault_is_caught(void **state)
{
    (void)state;
    assert_false(agree(72, 8, 9, 1));
}

static void isolated_miss_costs_latency_less_rob(void **state)
{
    (void)state;
    mlp *m = mlp_new(72, 8);
    uint64_t now = 0, stalled = 0;
    assert_int_equal(mlp_miss(m, 0, now, 167), 0);
    for (uint64_t i = 1; i <= 200; i++) { /* one cycle per instruction */
        now++;
        uint64_t s = mlp_fetch(m, i, now);
        stalled += s;
        now += s;
    }
    assert_int_equal(stalled, 167 - 72); /* the ROB fills at instruction 72, cycle 72 */
    mlp_free(m);
}

static void rob_one_is_serial(void **state)
{
    (void)state;
    mlp *m = mlp_new(1, 1);
    uint64_t now = 0, stalled = 0;
    for (uint64_t i = 1; i <= 10; i++) {
        now += mlp_fetch(m, i, now);
        assert_int_equal(mlp_miss(m, i, now, 100), 0);
    }
    stalled = mlp_fetch(m, 11, now);
    assert_int_equal(stalled, 100); /* each miss waited for in full before the next fetch */
    mlp_free(m);
}

static void burst_costs_one_latency(void **state)
{
    (void)state;
    mlp *m = mlp_new(72, 8);
    uint64_t now = 0;
    for (uint64_t i = 1; i <= 8; i++)
        assert_int_equal(mlp_miss(m, i, now, 170), 0);
    assert_int_equal(mlp_miss(m, 9, now, 170), 170); /* a ninth waits for a buffer */
    assert_int_equal(mlp_drain(m, now + 170), 170);  /* then its own latency */
    assert_int_equal(mlp_stall_at(m), UINT64_MAX);
    mlp_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_naive_model),
        cmocka_unit_test(seeded_fault_is_caught),
        cmocka_unit_test(isolated_miss_costs_latency_less_rob),
        cmocka_unit_test(rob_one_is_serial),
        cmocka_unit_test(burst_costs_one_latency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
