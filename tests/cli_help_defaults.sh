#!/usr/bin/env bash
# One table drives parsing, --help and the echo (the brief): the defaults that
# `vmemsim share --help` prints must be the parameters a run without those
# options echoes in its JSON, and `vmemsim trace` must print its usage on
# stdout with status 0 only when asked (--help), on stderr with status 2
# when the subcommand is missing.  A seeded fault (a changed help default)
# proves the comparison can fail.
# usage: cli_help_defaults.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

head -c 8192 /dev/zero >"$T/raw.img" # two zero pages: the smallest snapshot
"$VMEMSIM" share --help >"$T/help"
# same HELP_FILE POLICY OPTION JSON_KEY: the "(N)" --OPTION's help ends with
# equals the number the POLICY run echoes as JSON_KEY
same() {
  local want got
  want=$(sed -n "s/^ *--$3=[A-Z]* .*(\([0-9.e+]*\))\$/\1/p" "$1")
  got=$("$VMEMSIM" share -q --policy "$2" --json - "raw:0:$T/raw.img" | sed -n "s/^ *\"$4\": \([0-9.]*\),\{0,1\}\$/\1/p" | head -1)
  if [ -n "$want" ] && [ -n "$got" ] && awk -v a="$want" -v b="$got" 'BEGIN { exit !(a + 0 == b + 0) }'; then ok
  else bad "share --help says --$3 defaults to '${want}', a $2 run echoes $4 = '${got}'"; fi
}
same "$T/help" ksm pages-to-scan pages_to_scan
same "$T/help" ksm sleep-millisecs sleep_millisecs
same "$T/help" ksm max-page-sharing max_page_sharing
same "$T/help" xen-thesis index-entries index_entries
same "$T/help" xen-thesis period period_s
same "$T/help" esx scan-rate scan_rate
same "$T/help" esx seed seed
# seeded fault
sed 's/ksm: pages per batch (100)/ksm: pages per batch (101)/' "$T/help" >"$T/badhelp"
if (fails=0 && same "$T/badhelp" ksm pages-to-scan pages_to_scan >/dev/null && [ "$fails" -gt 0 ]); then ok; else bad "a changed help default went unnoticed"; fi

# trace: usage asked for vs. a missing subcommand
"$VMEMSIM" trace --help >"$T/out" 2>"$T/err" && [ -s "$T/out" ] && [ ! -s "$T/err" ] && ok || bad "trace --help: not status 0 with the usage on stdout"
grep -q -- '--warmup-instructions' "$T/out" && ok || bad "trace --help omits trace info's --warmup-instructions"
"$VMEMSIM" trace >"$T/out" 2>"$T/err"
[ $? -eq 2 ] && [ ! -s "$T/out" ] && grep -q usage "$T/err" && ok || bad "trace without a subcommand: not status 2 with the usage on stderr"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
