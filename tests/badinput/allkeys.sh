#!/usr/bin/env bash
# badinput/allkeys.sh: every machine-config key `run --help-config` lists
# (so a key added later is covered without editing this file) given values
# no key of its type accepts -- junk, empty, overflow, a fraction where an
# integer goes, NaN and infinities where a number goes, an unknown name
# where one of a list goes -- in a config file and, for a sample, as an -o
# override.  Each must exit 1 with an error naming the file and line (or
# the override) and the section and key: never rc 0 with the value ignored
# or defaulted, never a signal.  [tlb.*] and [cache.*] keys are set in the
# first structure of their kind the default machine has.
# usage: allkeys.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect
S=$SRC/traces/samples/gzip.lackey.gz

# section key type, one a line (the type is --help-config's third column)
"$VMEMSIM" run --help-config | awk '
  /^Without \[tlb/ { exit }
  /^Translation modes/ { s = ""; next }
  /^\[tlb\.\*\]/ { s = "tlb.l1d"; next }
  /^\[cache\.\*\]/ { s = "cache.l1d"; next }
  /^\[(tlb|cache)\./ { s = ""; next }
  /^\[/ { s = $1; gsub(/[][]/, "", s); next }
  /^  [a-z_0-9]+ / && s != "" { print s, $1, $3 " " $4 }' >"$T/keys"
[ "$(wc -l <"$T/keys")" -ge 90 ] && ok || bad "--help-config listed only $(wc -l <"$T/keys") keys"

n=0
while read -r sec key type; do
  case $type in
    "a decimal"*) vals=(abc 1.5 '' 99999999999999999999999 1e3 12x) ;;
    "a number"*) vals=(abc nan inf -inf '' 1e999 1.5.5) ;;
    "true or"*) vals=(maybe 2 '' yes!) ;;
    "decimal bytes"*) vals=(1x '' -1 99999999999999999999t 1.5k) ;;
    *'|'* | *,*) vals=(bogus '' 'native native') ;;
    *) vals=(bogus '') ;;
  esac
  for v in "${vals[@]}"; do
    printf '[%s]\n%s = %s\n' "$sec" "$key" "$v" >"$T/k.ini"
    "$VMEMSIM" run -q -c "$T/k.ini" "$S" >"$T/out" 2>"$T/err"
    st=$?
    if [ "$st" -ne 1 ]; then
      bad "[$sec] $key = '$v' ($type): exit $st (wanted 1): $(head -2 "$T/err")"
    elif ! grep -qF "k.ini:2: [$sec] $key" "$T/err"; then
      bad "[$sec] $key = '$v': error does not name k.ini:2: [$sec] $key: $(head -2 "$T/err")"
    else
      ok
    fi
  done
  # the override form, for the first value of every fifth key
  if [ $((n++ % 5)) -eq 0 ]; then
    "$VMEMSIM" run -q -o "$sec.$key=${vals[0]}" "$S" >"$T/out" 2>"$T/err"
    st=$?
    [ "$st" -eq 1 ] && grep -qF -- "-o $sec.$key=${vals[0]}" "$T/err" && ok ||
      bad "-o $sec.$key=${vals[0]}: exit $st: $(head -2 "$T/err")"
  fi
done <"$T/keys"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
