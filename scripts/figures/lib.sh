# lib.sh: what the figure scripts share (sourced, not run).  Each figure
# script regenerates one figure or table of a seed paper into docs/figures/
# as NAME.csv (always), NAME.png and NAME.svg (when gnuplot is installed).
#   VMEMSIM   the binary (default: build/vmemsim, else the first vmemsim on PATH)
#   FIG_WORK  full sweep results and generated traces (default /tmp/vmemsim-figures);
#             a figure script reuses (--resume) a finished sweep there
#   JOBS      points run in parallel (default: the number of cores)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -z "${VMEMSIM:-}" ]; then
  if [ -x "$ROOT/build/vmemsim" ]; then VMEMSIM=$ROOT/build/vmemsim; else VMEMSIM=$(command -v vmemsim || true); fi
fi
[ -n "$VMEMSIM" ] && [ -x "$VMEMSIM" ] || { echo "figures: no vmemsim binary: build it, or set VMEMSIM=path" >&2; exit 1; }
VMEMSIM=$(realpath "$VMEMSIM")
OUT=$ROOT/docs/figures
WORK=${FIG_WORK:-${TMPDIR:-/tmp}/vmemsim-figures}
JOBS=${JOBS:-$(nproc)}
mkdir -p "$OUT" "$WORK"

# fig_sweep NAME: runs configs/sweeps/NAME.ini into $WORK/NAME.csv (resuming
# a finished or interrupted run of the same file) and prints the CSV's path.
fig_sweep() {
  local csv=$WORK/$1.csv
  if ! "$VMEMSIM" sweep "$ROOT/configs/sweeps/$1.ini" -q -j "$JOBS" --resume --trace-dir "$WORK/traces" \
      --out "$csv" >&2; then
    echo "figures: $csv is not from the current $1.ini; running it again" >&2
    rm -f "$csv"
    "$VMEMSIM" sweep "$ROOT/configs/sweeps/$1.ini" -q -j "$JOBS" --trace-dir "$WORK/traces" --out "$csv" >&2
  fi
  echo "$csv"
}

# fig_made OUT CHECK CMD...: runs CMD, which writes the file OUT, unless OUT
# already holds what this CMD gives: OUT is not empty, the command CHECK
# accepts it (CHECK OUT succeeds), and its key, kept in OUT.key, is this one
# -- the SHA-256 of the binary's bytes (its content fingerprint: a rebuild
# that changes the code changes it whatever the files' times say, one that
# changes nothing keeps the cache), of the command line, and of every input
# file it names (configs, traces; OUT itself excluded).  The key is written
# last, after CMD succeeded and CHECK accepted OUT, so a run that fails or is
# cut off leaves no key and is never taken for a cached one.
fig_made() {
  local out=$1 check=$2
  shift 2
  local key arg
  key=$({ sha256sum <"$VMEMSIM"; printf '%s\n' "$@"
          for arg in "$@"; do [ "$arg" != "$out" ] && [ -f "$arg" ] && sha256sum <"$arg"; done; true; } | sha256sum)
  if [ -s "$out" ] && [ -f "$out.key" ] && [ "$(cat "$out.key")" = "$key" ] && "$check" "$out"; then
    return 0
  fi
  rm -f "$out" "$out.key"
  "$@" || { rm -f "$out"; return 1; }
  "$check" "$out" || { echo "figures: $out: $check refuses what this wrote: $*" >&2; rm -f "$out"; return 1; }
  echo "$key" >"$out.key"
}

# fig_json_whole FILE: FILE is one whole JSON document (not cut: jq parses it).
fig_json_whole() { jq -e . "$1" >/dev/null 2>&1; }
# fig_nonempty FILE: FILE is not empty (for outputs only the key vouches for).
fig_nonempty() { [ -s "$1" ]; }

# fig_cached OUT CMD...: fig_made for a run whose output OUT is a JSON document.
fig_cached() { fig_made "$1" fig_json_whole "${@:2}"; }

# AWK_CSV: an awk function splitting one CSV record (quoted fields allowed;
# the config echo has some) into f[1..n]; records never span lines here.
AWK_CSV='
  function split_csv(line, f,    n, i, c, q, cur) {
    n = 0; cur = ""; q = 0
    for (i = 1; i <= length(line); i++) {
      c = substr(line, i, 1)
      if (q) { if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0 } else cur = cur c }
      else if (c == "\"") q = 1
      else if (c == ",") { f[++n] = cur; cur = "" }
      else cur = cur c
    }
    f[++n] = cur
    return n
  }'

# csv_cols CSV COL...: those columns (by header name), as CSV.
csv_cols() {
  local csv=$1
  shift
  awk -v want="$*" "$AWK_CSV"'
    BEGIN { nw = split(want, w, " ") }
    NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i
              for (j = 1; j <= nw; j++) if (!(w[j] in col)) { print "csv_cols: no column " w[j] > "/dev/stderr"; exit 1 }
              line = ""; for (j = 1; j <= nw; j++) line = line (j > 1 ? "," : "") w[j]; print line; next }
    { split_csv($0, f); line = ""; for (j = 1; j <= nw; j++) line = line (j > 1 ? "," : "") f[col[w[j]]]; print line }
  ' "$csv"
}

# csv_max_key CSV PREFIX: per row, the largest N of the non-empty, non-zero
# columns PREFIX.N (e.g. walk_hist.N: the most references of a walk).
csv_max_key() {
  awk -v pre="$2." "$AWK_CSV"'
    NR == 1 { n = split_csv($0, h); print pre "max"; next }
    { split_csv($0, f); m = 0
      for (i = 1; i <= n; i++) if (index(h[i], pre) == 1 && f[i] != "" && f[i] + 0 > 0) {
        k = substr(h[i], length(pre) + 1) + 0; if (k > m) m = k }
      print m }' "$1"
}

# have_gnuplot NAME: true when gnuplot can draw; otherwise says what was
# written and what was skipped.
have_gnuplot() {
  if command -v gnuplot >/dev/null; then return 0; fi
  echo "figures: gnuplot is not installed: wrote $OUT/$1.csv; skipped $1.png and $1.svg (apt-get install gnuplot)" >&2
  return 1
}

# plot NAME GNUPLOT-BODY: runs the body twice, once per terminal.
plot() {
  local name=$1 body=$2
  have_gnuplot "$name" || return 0
  gnuplot <<GP
set terminal pngcairo size 800,480 font ",10"
set output "$OUT/$name.png"
$body
GP
  gnuplot <<GP
set terminal svg size 800,480 font "sans,10" background "white"
set output "$OUT/$name.svg"
$body
GP
  echo "figures: wrote $OUT/$name.csv, $name.png, $name.svg" >&2
}

# doc_block DOC NAME BODY [OUT]: DOC with the lines between its
# "<!-- BEGIN generated:NAME -->" and "<!-- END generated:NAME -->" markers
# replaced by the file BODY ("-": standard input), written to OUT (default:
# DOC itself, through a temporary file).  DOC must hold each marker once.
# The one writer of every generated block in docs/.
doc_block() {
  local doc=$1 name=$2 body=$3 out=${4:-$1} stdin_body=""
  local b="<!-- BEGIN generated:$name -->" e="<!-- END generated:$name -->"
  [ "$(grep -cxF "$b" "$doc")" = 1 ] && [ "$(grep -cxF "$e" "$doc")" = 1 ] ||
    { echo "figures: $doc: expected one '$b' and one '$e' line" >&2; return 1; }
  if [ "$body" = - ]; then
    stdin_body=$(mktemp)
    cat >"$stdin_body"
    body=$stdin_body
  fi
  awk -v b="$b" -v e="$e" -v f="$body" '
    $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
    $0 == e { skip = 0 }
    !skip' "$doc" >"$out.tmp" && mv "$out.tmp" "$out"
  [ -z "$stdin_body" ] || rm -f "$stdin_body"
  [ "$out" != "$doc" ] || echo "figures: rewrote the generated:$name block of $doc" >&2
}
