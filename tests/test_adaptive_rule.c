/*
 * test_adaptive_rule.c: adaptive's switch decision (mode_adaptive.c, the cost
 * policy) follows its cost estimate with hysteresis, checked against a naive
 * model over random sequences of policy windows.
 *
 * The naive model keeps the whole history since the process's last switch
 * and asks, window by window, the question of the age rule (Harchol-Balter
 * and Downey, SIGMETRICS'96) in its plainest form: had the process run the
 * other mode for as long again as it has run this one, at this window's
 * excess per instruction, would the cycles lost pay for the switch?  It
 * counts the age by adding up the windows, where the mode keeps a running
 * sum, and compares cycles lost with the price instruction by instruction
 * (an integer loop), where the mode divides.
 *
 * A seeded fault proves the comparison can fail: a rule without hysteresis
 * (switch whenever the other mode is estimated cheaper) must disagree with
 * the naive model on the same sequences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vs_test.h"
#include "mmu/mode.h"

#define SEQUENCES 100
#define WINDOWS 60
#define WINDOW_INST 1000 /* instructions of a window (small: the naive model walks them one by one) */
#define MAX_PER_INST 40  /* cycles per instruction a window may cost in either mode */
#define MAX_PRICE 400000 /* cycles a switch may cost: some windows' worth of excess, so both outcomes occur */

typedef bool (*rule_fn)(double cur, double est, double inst, double age, double price);

/* The naive age rule over the history: windows[first..now] were run in the current mode. */
static bool naive_switches(const uint64_t *cur, const uint64_t *est, int first, int now, uint64_t price)
{
    if (cur[now] <= est[now])
        return false;
    uint64_t age = 0;
    for (int w = first; w <= now; w++)
        age += WINDOW_INST;
    /* cycles lost over `age` more instructions at this window's excess per instruction */
    uint64_t lost = 0, excess = cur[now] - est[now];
    for (uint64_t i = 0; i < age; i++) {
        lost += excess; /* per instruction: excess / WINDOW_INST, so WINDOW_INST of them make one excess */
        if (lost >= price * WINDOW_INST)
            return true;
    }
    return false;
}

/* A process's windows in a random phase structure: each mode is cheaper in
 * turn, for a random number of windows, with noise.  Both columns are the
 * costs of the mode the process is in and of the other at that window. */
static void gen(uint64_t *rng, uint64_t *cost_a, uint64_t *cost_b)
{
    bool a_cheaper = vs_rng_next(rng) & 1;
    for (int w = 0; w < WINDOWS;) {
        int phase = 1 + (int)(vs_rng_next(rng) % 12);
        for (int k = 0; k < phase && w < WINDOWS; k++, w++) {
            uint64_t lo = WINDOW_INST * (1 + vs_rng_next(rng) % (MAX_PER_INST / 2));
            uint64_t hi = lo + WINDOW_INST * (vs_rng_next(rng) % (MAX_PER_INST / 2));
            cost_a[w] = a_cheaper ? lo : hi;
            cost_b[w] = a_cheaper ? hi : lo;
        }
        a_cheaper = !a_cheaper;
    }
}

/* Replays one sequence through `rule` and through the naive model; returns
 * the windows where they differ and counts the switches of the rule. */
static int replay(rule_fn rule, uint64_t seed, int *switches)
{
    uint64_t rng = seed, cost[2][WINDOWS], cur[WINDOWS], est[WINDOWS];
    gen(&rng, cost[0], cost[1]);
    uint64_t price = 1 + vs_rng_next(&rng) % MAX_PRICE;
    int mode = 0, first = 0, differ = 0;
    double age = 0;
    for (int w = 0; w < WINDOWS; w++) {
        cur[w] = cost[mode][w];
        est[w] = cost[1 - mode][w];
        age += WINDOW_INST;
        bool got = rule((double)cur[w], (double)est[w], WINDOW_INST, age, (double)price);
        bool want = naive_switches(cur, est, first, w, price);
        differ += got != want;
        if (want) { /* follow the naive model, so both see the same history */
            mode = 1 - mode;
            first = w + 1;
            age = 0;
            (*switches)++;
        }
    }
    return differ;
}

static void follows_the_naive_model(void **state)
{
    (void)state;
    int differ = 0, switches = 0;
    for (uint64_t s = 1; s <= SEQUENCES; s++)
        differ += replay(mode_adaptive_switch_pays, s, &switches);
    print_message("  %d sequences of %d windows: %d switches, %d decisions differ\n", SEQUENCES, WINDOWS, switches,
                  differ);
    assert_int_equal(differ, 0);
    assert_true(switches > SEQUENCES); /* the sequences do exercise switching */
}

/* Hysteresis: right after a switch the process needs the switch's price of
 * excess per instruction to go back; long in its mode, a small excess does. */
static void hysteresis(void **state)
{
    (void)state;
    const double inst = WINDOW_INST, price = 100000;
    /* 10 cycles an instruction too many: not after one window, yes after ten */
    assert_false(mode_adaptive_switch_pays(20 * inst, 10 * inst, inst, inst, price));
    assert_true(mode_adaptive_switch_pays(20 * inst, 10 * inst, inst, 10 * inst, price));
    /* never toward a mode estimated no cheaper, however old */
    assert_false(mode_adaptive_switch_pays(10 * inst, 10 * inst, inst, 1e12, 0));
    assert_false(mode_adaptive_switch_pays(10 * inst, 11 * inst, inst, 1e12, 0));
    /* a window without instructions decides nothing */
    assert_false(mode_adaptive_switch_pays(20 * inst, 0, 0, 1e12, 0));
}

/* The seeded fault: no hysteresis. */
static bool greedy(double cur, double est, double inst, double age, double price)
{
    (void)inst, (void)age, (void)price;
    return cur > est;
}

static void seeded_fault_is_caught(void **state)
{
    (void)state;
    int differ = 0, switches = 0;
    for (uint64_t s = 1; s <= SEQUENCES; s++)
        differ += replay(greedy, s, &switches);
    print_message("  the rule without hysteresis differs on %d decisions\n", differ);
    assert_true(differ > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(follows_the_naive_model),
        cmocka_unit_test(hysteresis),
        cmocka_unit_test(seeded_fault_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
