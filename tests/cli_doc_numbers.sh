#!/usr/bin/env bash
# scripts/doc_numbers.py, the audit of issue 16 ("docs can't go stale"),
# lists only unlabelled result-like numbers outside generated blocks: on a
# fixture with one of each case it must list exactly the two numbers of the
# unlabelled paragraph; a block left open must be an error naming the doc;
# and the docs it audits must parse.  The seeded fault is the fixture's
# label removed: its number must then be listed.
# usage: cli_doc_numbers.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

AUDIT=$SRC/scripts/doc_numbers.py
cat >"$T/doc.md" <<'MD'
# A doc

The ratio is 3.45 % and agile is 1.5x slower.

Measured at commit abc1234: 6.78 M cycles.

<!-- BEGIN generated:x -->
| a | 1.23 |
<!-- END generated:x -->

As §7.2 and Fig. 7.1 say, `opt=2.5` is set.

    not fenced, but indented: 4.44 is still prose

```
9.99
```

The table below was measured in session 12:

| row | 5.55 |
MD
python3 "$AUDIT" --list "$T/doc.md" >"$T/out" 2>"$T/err" && ok || bad "doc_numbers failed: $(cat "$T/err")"
# the unlabelled paragraph's two numbers and the indented line's one, nothing else
[ "$(grep -c "^  " "$T/out")" -eq 2 ] && grep -q ":3: 3.45 %, 1.5x$" "$T/out" && grep -q ": 4.44$" "$T/out" && ok ||
  { cat "$T/out"; bad "doc_numbers listed other numbers than 3.45 %, 1.5x and 4.44"; }
# the seeded fault: without its label, the commit's paragraph is listed
sed 's/Measured at commit abc1234:/Measured:/' "$T/doc.md" >"$T/bad.md"
python3 "$AUDIT" --list "$T/bad.md" | grep -q ": 6.78$" && ok || bad "an unlabelled measurement went unlisted"
# a block left open: exit 2, the doc named
sed '/END generated:x/d' "$T/doc.md" >"$T/open.md"
expect 2 "open.md: generated:x is not closed" -- python3 "$AUDIT" "$T/open.md"
for d in figures checkpoint placement sharing vmm workloads; do
  python3 "$AUDIT" "$SRC/docs/$d.md" >/dev/null && ok || bad "doc_numbers cannot parse docs/$d.md"
done

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
