#!/usr/bin/env bash
# Every default cites its source (the brief): each key `vmemsim run
# --help-config` lists must have a row in docs/model.md's "Defaults and their
# sources" table, with the built-in default and a non-empty source cell.  A
# seeded fault (one row's default changed) proves the check can fail.
# usage: cli_defaults_sourced.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

# section.key default, one per line, from --help-config's key tables ([tlb.*]
# and [cache.*] become tlb.NAME and cache.NAME, as the docs write them)
"$VMEMSIM" run --help-config | awk '
  /^Without \[tlb/ { exit }
  /^Translation modes/ { s = ""; next }
  /^\[/ { s = $1; gsub(/[][]/, "", s); sub(/\*$/, "NAME", s); next }
  /^  [a-z_0-9]+ / && s != "" { print s "." $1, $2 }' >"$T/keys"
[ "$(wc -l <"$T/keys")" -ge 90 ] && ok || bad "--help-config listed only $(wc -l <"$T/keys") keys"

# check DOC: every key has a row "| key | default | source |" with a source
check() {
  awk -F'|' '/^## Defaults and their sources/ { p = 1; next } /^## / { p = 0 }
    p && NF >= 5 { k = $2; d = $3; s = $4; gsub(/^ +| +$/, "", k); gsub(/^ +| +$/, "", d); gsub(/^ +| +$/, "", s)
      split(d, w, " "); print k, w[1], (s == "" ? "NOSOURCE" : "ok") }' "$1" >"$T/rows"
  local key def got src
  while read -r key def; do
    read -r got src < <(awk -v k="$key" '$1 == k { print $2, $3; exit }' "$T/rows")
    if [ -z "${got:-}" ]; then bad "$1: no row for $key in 'Defaults and their sources'"
    elif [ "$got" != "$def" ]; then bad "$1: $key's row says $got, the built-in default is $def"
    elif [ "$src" != ok ]; then bad "$1: $key's row cites no source"
    else ok; fi
  done <"$T/keys"
}
check "$SRC/docs/model.md"

# seeded fault: cost.vmexit's row with another default must be caught
sed 's/^| cost.vmexit | 1500 |/| cost.vmexit | 1501 |/' "$SRC/docs/model.md" >"$T/bad.md"
# shellcheck disable=SC2030,SC2031 # the subshell's counts stay there
if (fails=0 && check "$T/bad.md" >/dev/null && [ "$fails" -gt 0 ]); then ok; else bad "a changed default in the table went unnoticed"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
