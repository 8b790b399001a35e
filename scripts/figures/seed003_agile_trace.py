# seed003_agile_trace.py: a gdb extension that counts, over one whole
# `vmemsim run` (warm-up included), what docs/vmm.md section 8 says of the
# shadow tables of the points where agile is slower than the best static
# approach, and that no counter of the run's JSON holds:
#   - the host frames taken for shadow tables (hv_alloc_table, seen at its
#     pt_mem_attach call) and given back (hv_free_table), and how the frames
#     still held at the end fall on the page colours of a cache
#     (frame % COLOURS; gdb variable $colours, set by the caller: cache size /
#     (ways x 4 KiB), 2 for configs/barcelona.ini's 16 KiB 2-way level 1);
#   - agile's switches to nested (switch_to_nested in sim/mmu/mode_agile.c),
#     per guest table (its gkey): how many tables, how many switched more than
#     once, and the most switches of one table.
# Only breakpoints that never stop: the run is the same run, only slower.
# At the exit it prints one line, "TRACE key=value ...", which
# scripts/figures/seed003_agile_slow.sh turns into a CSV row.  Needs a binary
# with debug information (CMAKE_BUILD_TYPE RelWithDebInfo or Debug).
#   usage: gdb -batch -nx -ex 'set $colours = 2' -x seed003_agile_trace.py -ex run --args vmemsim run ...
import gdb

alloc = 0
freed = 0
live = set()
switches = {}


class Attach(gdb.Breakpoint):
    """A frame attached as a table page: counted when hv_alloc_table did it."""

    def stop(self):
        global alloc
        f = gdb.selected_frame()
        if f.older() is not None and f.older().name() == "hv_alloc_table":
            alloc += 1
            live.add(int(f.read_var("pfn")))
        return False


class Free(gdb.Breakpoint):
    def stop(self):
        global freed
        freed += 1
        live.discard(int(gdb.selected_frame().read_var("pfn")))
        return False


class Switch(gdb.Breakpoint):
    def stop(self):
        k = int(gdb.parse_and_eval("s->gkey"))
        switches[k] = switches.get(k, 0) + 1
        return False


def report(_event):
    colours = int(gdb.parse_and_eval("$colours"))
    per = [0] * colours
    for p in live:
        per[p % colours] += 1
    print("TRACE allocated=%d freed=%d live=%d colours=%s switches=%d tables_switched=%d switched_again=%d most_switches=%d exit=%d" % (
        alloc, freed, len(live), "/".join(str(n) for n in per), sum(switches.values()), len(switches),
        sum(1 for v in switches.values() if v > 1), max(switches.values(), default=0),
        getattr(_event, "exit_code", -1)))


for cls, where in ((Attach, "pt_mem_attach"), (Free, "hv_free_table"), (Switch, "switch_to_nested")):
    if cls(where, internal=True).pending:
        raise gdb.GdbError("seed003_agile_trace.py: no function %s in the binary (build with debug information)" % where)
gdb.events.exited.connect(report)
