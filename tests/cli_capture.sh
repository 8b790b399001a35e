#!/usr/bin/env bash
# traces/capture --max-lines stops the traced program once it has its lines,
# also when the program ignores SIGPIPE (CPython does; env --ignore-signal
# makes vmemsim do it here).  Valgrind then ignores the EPIPE of its closed log
# fd, so without the explicit stop the capture lasted as long as the whole
# program (minutes under Lackey): `timeout` turns that into a failure.  The traced
# program writes its output with a temp file and a rename, so its absence
# proves the program was stopped before it finished.
# usage: cli_capture.sh VMEMSIM SOURCE_DIR
set -eu
command -v valgrind >/dev/null || { echo "valgrind missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
timeout 120 env --ignore-signal=PIPE bash "$2/traces/capture" -o "$t/cut.lackey.gz" --max-lines 5000 -- \
    "$1" gen worst refs=20000000 -o "$t/never.vmt"
lines=$(zcat "$t/cut.lackey.gz" | wc -l)
[ "$lines" -eq 5000 ] || { echo "expected 5000 lines, got $lines" >&2; exit 1; }
[ ! -e "$t/never.vmt" ] || { echo "the traced program ran to the end" >&2; exit 1; }
[ ! -e "$t/cut.lackey.gz.pid" ] || { echo "pid file left behind" >&2; exit 1; }
"$1" trace info "$t/cut.lackey.gz" >/dev/null
echo ok
