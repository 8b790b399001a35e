#!/usr/bin/env python3
"""runstat.py: run one command and append "wall user sys vmhwm_kib anon_kib"
to OUT -- wall seconds, its user and system CPU seconds (wait4), its peak
resident set (VmHWM, the kernel's high-water mark, as /usr/bin/time's %M)
and its peak anonymous resident memory (RssAnon), both read from
/proc/PID/status every SAMPLE_S seconds.  Never run by CTest.

    bench/runstat.py OUT CMD [ARGS...]     (exit status: the command's)

Why sample: the kernel keeps a high-water mark of the whole resident set
only, and that includes the file pages mapped (the binary, its shared
libraries), which vary from run to run as the page cache and fault-around
map more or fewer of them; the anonymous part (heap, thread stacks: the
simulated state) is what a change to vmemsim moves, and it has no
high-water mark.  A vmemsim run's anonymous memory only grows until the
simulation ends (tables, arrays and the read-ahead's batches are freed
after the report), so the largest sample misses at most the growth of one
sampling period.  Measuring from outside the process works for any binary,
a baseline built before this script included.  VmHWM is sampled too, not
taken from wait4's ru_maxrss: that one includes the forked copy of this
Python process before the exec (about 14 MiB), which /usr/bin/time, a
small C program, does not add.  Samples are kept only once the child is no
longer this interpreter (it has exec'd), so the fork's copy never counts.
CMD should exec the measured program in place (taskset does), so that the
child's pid is the program's.  The sampler's own CPU, measured with
`runstat.py OUT sleep 3` against Python's start-up alone on the shared
2-vCPU machine (load average 12-17): about 0.1 s per 3 s of run, 3 % of a
core, taken beside the measured run; the start-up comes before the child
starts and is not in its times.
"""
import os
import subprocess
import sys
import time

SAMPLE_S = 0.005  # 5 ms: at least 60 samples in the shortest (0.3 s) benchmark run


def status(pid):
    """(Name, VmHWM KiB, RssAnon KiB) of /proc/PID/status; None once gone."""
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("Name", "VmHWM", "RssAnon"):
                    fields[key] = value.split()[0] if value.split() else ""
    except (FileNotFoundError, ProcessLookupError):
        return None
    if "VmHWM" not in fields:  # a zombie: its memory is gone
        return None
    return fields["Name"], int(fields["VmHWM"]), int(fields["RssAnon"])


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: bench/runstat.py OUT CMD [ARGS...]")
    out, cmd = sys.argv[1], sys.argv[2:]
    me = status(os.getpid())[0]
    start = time.monotonic()
    child = subprocess.Popen(cmd)
    hwm = anon = 0
    while True:
        pid, wstatus, ru = os.wait4(child.pid, os.WNOHANG)
        if pid == child.pid:
            break
        st = status(child.pid)
        if st and st[0] != me:
            hwm, anon = max(hwm, st[1]), max(anon, st[2])
        time.sleep(SAMPLE_S)
    wall = time.monotonic() - start
    with open(out, "a") as f:
        f.write(f"{wall:.3f} {ru.ru_utime:.3f} {ru.ru_stime:.3f} {hwm} {anon}\n")
    sys.exit(os.waitstatus_to_exitcode(wstatus))


if __name__ == "__main__":
    main()
