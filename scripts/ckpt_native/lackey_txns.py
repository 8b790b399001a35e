#!/usr/bin/env python3
"""lackey_txns.py MARK LO HI < stores: per-operation stores and pages of a
scripts/ckpt_native program, from Valgrind lackey's --trace-mem lines.

Reads lackey's store (" S addr,size") and modify (" M addr,size") lines.
A store to MARK (the program's txn_mark) starts the next operation; a store
or modify inside the heap [LO, HI) counts as one write, and every 4 KiB page
its bytes touch as written, as `vmemsim ckpt` counts W and PPT.  Prints
"OPS WRITES_PER_OP PAGES_PER_OP"; exits 1 on a malformed line or no
operations."""
import sys

PAGE_SHIFT = 12  # 4 KiB pages, the unit page tracking protects


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: lackey_txns.py MARK LO HI < lackey-trace")
    mark, lo, hi = (int(a, 16) for a in sys.argv[1:])
    ops = writes = pages = 0
    cur = None  # the open operation's page set
    for n, line in enumerate(sys.stdin, 1):
        if len(line) < 4 or line[0] != " " or line[1] not in "SM":
            continue
        try:
            addr, size = line[3:].split(",")
            addr, size = int(addr, 16), int(size)
        except ValueError:
            sys.exit(f"lackey_txns.py: stdin line {n}: not 'S addr,size': {line.rstrip()}")
        if addr == mark:
            if cur is not None:
                ops += 1
                pages += len(cur)
            cur = set()
        elif cur is not None and lo <= addr < hi:
            writes += 1
            cur.update(range(addr >> PAGE_SHIFT, ((addr + size - 1) >> PAGE_SHIFT) + 1))
    if ops == 0:
        sys.exit("lackey_txns.py: no operations (no store to the marker)")
    print(f"{ops} {writes / ops:.2f} {pages / ops:.2f}")


main()
