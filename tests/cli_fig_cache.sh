#!/usr/bin/env bash
# The figure scripts' run cache (fig_made and fig_cached in
# scripts/figures/lib.sh): a cached JSON is reused only when the binary's bytes, the command line and
# every input file are those that made it, and it is a whole document.  A
# rebuild to the same bytes (a newer mtime) keeps it; a changed binary with
# an older mtime, a changed trace, a cut or empty cached file do not; a failed
# run leaves nothing behind.
# usage: cli_fig_cache.sh VMEMSIM SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib_cli.sh" # VMEMSIM, SRC, T, ok, bad, expect

cp "$VMEMSIM" "$T/vmemsim"
printf 'I  00400000,4\n L 10000000,8\n S 10001000,8\n' >"$T/t.lackey"
# runner: the binary under test, counting its runs
printf '#!/bin/sh\necho run >>"%s/count"\nexec "%s/vmemsim" "$@"\n' "$T" "$T" >"$T/runner"
chmod +x "$T/runner"
J=$T/work/out.json
export VMEMSIM=$T/vmemsim FIG_WORK=$T/work
source "$SRC/scripts/figures/lib.sh"
set +e +o pipefail # lib.sh's strict mode: the checks below count failures themselves

runs() { [ -f "$T/count" ] && wc -l <"$T/count" || echo 0; }
# cached WANT WHAT: one fig_cached call, which must leave WANT runs in all and a whole JSON
cached() {
  fig_cached "$J" "$T/runner" run -q --json "$J" "$T/t.lackey" 2>"$T/err" || { bad "$2: fig_cached failed"; cat "$T/err"; return; }
  [ "$(runs)" -eq "$1" ] || { bad "$2: $(runs) runs, wanted $1"; return; }
  jq -e .refs "$J" >/dev/null && ok || bad "$2: $J is no whole JSON"
}

cached 1 "first call"
cached 1 "same binary, command and trace"
touch -d '+1 hour' "$VMEMSIM"
cached 1 "the binary rebuilt to the same bytes (newer mtime)"
printf '\0' >>"$VMEMSIM" && touch -d '-1 day' "$VMEMSIM"
cached 2 "the binary changed, with an older mtime than the cache"
head -c 40 "$J" >"$J.cut" && mv "$J.cut" "$J"
cached 3 "the cached file cut"
: >"$J"
cached 4 "the cached file empty"
printf ' L 20000000,8\n' >>"$T/t.lackey"
cached 5 "the trace changed"
[ "$(jq .refs "$J")" = 4 ] && ok || bad "the rerun did not read the changed trace"
cached 5 "the changed trace again"
# a run that fails leaves no output and no key, so nothing is taken for cached
fig_cached "$J" "$T/runner" run -q --json "$J" "$T/no-such.lackey" 2>/dev/null && bad "a failed run succeeded" || ok
[ ! -e "$J" ] && [ ! -e "$J.key" ] && ok || bad "a failed run left $J or its key"


# fig_made: the same cache for an output that is not JSON (a generated trace),
# which its CHECK (here fig_nonempty) vouches for
V=$T/work/t.vmt
made() {
  fig_made "$V" fig_nonempty "$T/runner" gen ckptmicro "$@" -o "$V" 2>"$T/err" || { bad "fig_made failed"; cat "$T/err"; }
}
rm -f "$T/count"
made cda=1 ppt=2 wpp=4 txns=3
made cda=1 ppt=2 wpp=4 txns=3
[ "$(runs)" -eq 1 ] && [ -s "$V" ] && ok || bad "fig_made: $(runs) runs for one command twice, wanted 1"
made cda=1 ppt=4 wpp=4 txns=3
[ "$(runs)" -eq 2 ] && ok || bad "fig_made: a changed command line was taken from the cache"
rm -f "$V.key"
made cda=1 ppt=4 wpp=4 txns=3
[ "$(runs)" -eq 3 ] && ok || bad "fig_made: an output without its key (a run cut off) was reused"
# a CHECK that refuses the output: no output, no key, a failure
fig_made "$V" false "$T/runner" gen ckptmicro cda=1 ppt=2 wpp=4 txns=3 -o "$V" 2>/dev/null && bad "a refused output succeeded" || ok
[ ! -e "$V" ] && [ ! -e "$V.key" ] && ok || bad "a refused output left $V or its key"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
