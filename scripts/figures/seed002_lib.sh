# seed002_lib.sh: what the seed 002 figure scripts share (sourced after lib.sh).

# write_block FILE NAME CONTENT: lib.sh's doc_block with the block's text
# given as a string.
write_block() { printf '%s\n' "$3" | doc_block "$1" "$2" -; }

# AWK_TH: an awk function th(x): x rounded to an integer with thousands
# separators (mawk has no %' flag).
AWK_TH='
  function th(x,    s, r) {
    s = sprintf("%.0f", x); r = ""
    while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
    return s r
  }'

# live_tools SCRIPT: checks for what the scripts that dump live python3
# processes need (jq, gdb's gcore, python3), naming SCRIPT, and sets PY.
live_tools() {
  local t
  for t in jq gcore; do
    command -v $t >/dev/null || { echo "figures: $1 needs $t (apt-get install ${t/gcore/gdb})" >&2; exit 1; }
  done
  PY=$(command -v /usr/bin/python3 python3 | head -1)
  [ -n "$PY" ] || { echo "figures: $1 needs python3" >&2; exit 1; }
}
