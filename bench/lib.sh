# bench/lib.sh: helpers shared by the benchmark scripts that source it
# (modes.sh, champsim.sh).  Never run by CTest.

now() { date +%s.%N; }

# The median of the numbers on stdin, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# bench_prefix TRACE LINES DIR: prints the path of the first LINES lines of
# the (lackey, maybe gzip'd) TRACE, written once under DIR and reused; TRACE
# itself when LINES is 0.
bench_prefix() {
  local trace=$1 lines=$2 dir=$3 out
  if [ "$lines" -le 0 ]; then
    echo "$trace"
    return
  fi
  out=$dir/$(basename "$trace" .gz).head$lines.gz
  if [ ! -f "$out" ]; then
    { zcat -f "$trace" || true; } | head -n "$lines" | gzip -1 >"$out.tmp" # zcat dies of SIGPIPE at LINES
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

# write_block DOC NAME HEADING BLOCK: replaces the generated block NAME of DOC
# with BLOCK (which carries its own BEGIN/END markers), or appends it under a
# new section HEADING when DOC has none yet.
write_block() {
  local doc=$1 name=$2 heading=$3 block=$4
  if grep -q "<!-- BEGIN generated:$name -->" "$doc"; then
    awk -v block="$block" -v begin="<!-- BEGIN generated:$name -->" -v end="<!-- END generated:$name -->" '
      $0 == begin { print block; skip = 1; next }
      $0 == end { skip = 0; next }
      !skip { print }' "$doc" >"$doc.tmp"
  else
    { cat "$doc"; printf '\n## %s\n\n%s\n' "$heading" "$block"; } >"$doc.tmp"
  fi
  mv "$doc.tmp" "$doc"
}
