# lib_cli.sh: the preamble the CLI test scripts share -- sourced, not run
# (the tests/CMakeLists.txt glob runs only cli_*.sh, so this file is no test).
# From the script's arguments VMEMSIM SOURCE_DIR it sets VMEMSIM and SRC, makes
# a scratch directory T removed at exit, and defines the ok/bad counters
# (passes, fails) and expect().  Each script prints its own
# "N passed, N failed" line and exits non-zero on any failure.
set -u
VMEMSIM=$(realpath "$1")
SRC=$(realpath "$2")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS PATTERN -- CMD...: exit status and a stderr pattern
expect() {
  local status=$1 pattern=$2
  shift 3
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" -ne "$status" ]; then bad "exit $got (wanted $status): $*"; cat "$T/err"; return; fi
  if [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$T/err"; then
    bad "stderr lacks /$pattern/: $*"; cat "$T/err"; return
  fi
  ok
}

# caught CHECK DOC MESSAGE: CHECK, run on DOC (a copy with a seeded fault),
# must fail at least once; its failures are then not counted, or MESSAGE is
caught() {
  local before=$fails
  "$1" "$2" >/dev/null
  if [ $((fails - before)) -ge 1 ]; then fails=$before; ok; else bad "$3"; fi
}

# has_phrases TEXT WHERE PHRASE...: each PHRASE is in TEXT (a doc's prose as
# one line, so that a phrase may span its line breaks), or WHERE lacks it
has_phrases() {
  local text=$1 where=$2 phrase
  shift 2
  for phrase in "$@"; do
    case "$text" in *"$phrase"*) ok ;; *) bad "$where lacks '$phrase'" ;; esac
  done
}

# vmt_file FILE BODY COUNT: an uncompressed .vmt (codec none) holding the
# records BODY and COUNT (printf escapes: every record's bytes, and the
# LEB128 record count), with the end record's CRC-32 taken from gzip's trailer.
vmt_file() {
  { printf '\x89VMT\r\n\x1a\n\x01\x00\x00\x00\x00\x00\x00\x00%b\x0f%b' "$2" "$3"
    printf '%b' "$2" | gzip -c | tail -c8 | head -c4; } >"$1"
}
