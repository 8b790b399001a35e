# seed002_lib.sh: what the seed 002 figure scripts share (sourced after lib.sh).

# write_block FILE NAME CONTENT: replaces the lines between
# <!-- BEGIN generated:NAME --> and <!-- END generated:NAME --> in FILE.
write_block() {
  local file=$1 name=$2 content=$3
  grep -qx "<!-- BEGIN generated:$name -->" "$file" && grep -qx "<!-- END generated:$name -->" "$file" ||
    { echo "figures: $file has no generated:$name block" >&2; exit 1; }
  awk -v name="$name" -v content="$content" '
    $0 == "<!-- BEGIN generated:" name " -->" { print; printf "%s\n", content; skip = 1; next }
    $0 == "<!-- END generated:" name " -->" { skip = 0 }
    !skip' "$file" >"$file.tmp" && mv "$file.tmp" "$file"
  echo "figures: wrote the generated:$name block of $file" >&2
}

# AWK_TH: an awk function th(x): x rounded to an integer with thousands
# separators (mawk has no %' flag).
AWK_TH='
  function th(x,    s, r) {
    s = sprintf("%.0f", x); r = ""
    while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
    return s r
  }'
