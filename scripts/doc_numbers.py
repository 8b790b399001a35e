#!/usr/bin/env python3
"""doc_numbers.py: lists the numbers in docs' prose that may be run results
nobody regenerates or checks (issue 16, "docs can't go stale").

A number is listed when it lies outside a generated block
(<!-- BEGIN generated:X --> ... <!-- END generated:X -->) and outside code
(fenced or `inline`), looks like a result (a decimal, a percentage or a
ratio such as 1.5x / 1.5×), is not a reference (§7.2, Fig. 7.1, Table 8.3,
section 4.4, a version such as 2.6.16), and its paragraph carries no history
label (a commit hash, "session N", "at commit").  A table counts as one
paragraph with the paragraph that introduces it, which is where its label
usually is.

What it cannot tell apart is a paper's value or a configured input from a
run result: its list is the audit's starting point, read by hand; the
checking itself is the tests' (tests/cli_figures_*, cli_vmm_docs,
cli_share_docs, cli_ds_tables, ...), which rebuild the numbers from the
CSVs.

usage: scripts/doc_numbers.py [--list] DOC...
  prints "DOC: N numbers in P paragraphs unlabelled outside generated
  blocks" per doc, and with --list each paragraph's first line number and
  its numbers.  Exit status 0; 2 when a doc cannot be read or a generated
  block is not closed.
"""
import re
import sys

BEGIN = re.compile(r"<!-- BEGIN generated:([\w.-]+) -->")
END = re.compile(r"<!-- END generated:([\w.-]+) -->")
# a history label: a commit hash (7 to 40 hex digits with a digit and a
# letter), a session number, or "at commit"
HISTORY = re.compile(r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b|\bsession \d+|\bat commit\b", re.I)
# a reference, not a result: the number after these words is a section,
# figure, table or equation of a source
REFERENCE = re.compile(r"(?:§|\bFigs?\.|\bFigures?|\bTables?|\bsections?|\bsec\.|\bchapter|\bEq\.)\s*$", re.I)
NUMBER = re.compile(r"(?<![\w.§-])(\d+(?:\.\d+)?\s?%|\d+(?:\.\d+)?\s?[x×](?!\w)|\d+(?:,\d{3})*\.\d+)")
VERSION = re.compile(r"\d+\.\d+\.\d+")


def paragraphs(lines):
    """yields (first line number, text) of each prose paragraph outside
    generated blocks and code fences; a table joins the paragraph before it"""
    block = None
    fence = False
    buf, start = [], 0
    prev = None  # (start, text) of the last paragraph, for a table to join

    def flush():
        nonlocal buf, prev
        if not buf:
            return None
        text = " ".join(buf)
        out = (start, text)
        buf = []
        return out

    for n, line in enumerate(lines, 1):
        m = BEGIN.search(line)
        if m:
            if block is not None:
                raise ValueError(f"line {n}: generated:{m.group(1)} opens inside generated:{block}")
            p = flush()
            if p:
                yield p
                prev = p
            block = m.group(1)
            continue
        m = END.search(line)
        if m:
            if block != m.group(1):
                raise ValueError(f"line {n}: END generated:{m.group(1)} closes {block or 'no block'}")
            block = None
            continue
        if block is not None:
            continue
        if line.lstrip().startswith("```"):
            fence = not fence
            p = flush()
            if p:
                yield p
                prev = p
            continue
        if fence:
            continue
        if not line.strip() or line.startswith("#"):
            p = flush()
            if p:
                yield p
                prev = p
            continue
        if not buf:
            start = n
            # a table's context is the paragraph that introduces it
            if line.lstrip().startswith("|") and prev is not None:
                buf.append(prev[1])
        buf.append(line.strip())
    if block is not None:
        raise ValueError(f"generated:{block} is not closed")
    p = flush()
    if p:
        yield p


def numbers(text):
    """the result-like numbers of a paragraph, references and code left out"""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    out = []
    for m in NUMBER.finditer(text):
        before = text[:m.start()]
        if REFERENCE.search(before[-12:]):
            continue
        around = text[max(0, m.start() - 1):m.end() + 3]
        if VERSION.search(around):
            continue
        out.append(m.group(1))
    return out


def audit(path):
    """(numbers, [(line, [numbers])]) of one doc's unlabelled paragraphs"""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    found = []
    for start, text in paragraphs(lines):
        if HISTORY.search(text):
            continue
        nums = numbers(text)
        if nums:
            found.append((start, nums))
    return sum(len(n) for _, n in found), found


def main(argv):
    listing = "--list" in argv
    docs = [a for a in argv if a != "--list"]
    if not docs:
        print(__doc__.split("usage: ")[1].split("\n")[0], file=sys.stderr)
        return 2
    status = 0
    for doc in docs:
        try:
            total, found = audit(doc)
        except (OSError, ValueError) as e:
            print(f"doc_numbers: {doc}: {e}", file=sys.stderr)
            status = 2
            continue
        print(f"{doc}: {total} numbers in {len(found)} paragraphs unlabelled outside generated blocks")
        if listing:
            for start, nums in found:
                print(f"  {doc}:{start}: {', '.join(nums)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
