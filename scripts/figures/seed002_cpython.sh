#!/usr/bin/env bash
# seed002_cpython.sh: a real case for `vmemsim share` (docs/sharing.md, "A real
# case: two runs of one interpreter"): two runs of python3 doing the same
# seeded work are dumped with gcore 1 s and 4 s after their start; every
# policy runs over the 4 s dumps, and ksm over the timeline of both (a@0,
# b@0, a@3, b@3), priced on this machine's calibration.  Rewrites the
# share-cpython block of docs/sharing.md.
# NOT BYTE-DETERMINISTIC: the dumps are of live processes (ASLR, heap
# layout), so the numbers move a little from run to run.
#   usage: scripts/figures/seed002_cpython.sh   (see lib.sh for VMEMSIM, FIG_WORK)
#   Needs jq, gdb (gcore) and python3; dumps go to $FIG_WORK/seed002_cpython/.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/seed002_lib.sh"
live_tools seed002_cpython.sh
D=$WORK/seed002_cpython
rm -rf "$D"
mkdir -p "$D"
# The work: the standard library a small service imports, then 150,000
# seeded records built and kept; it idles until it is killed.
WORKLOAD='
import json, decimal, sqlite3, email.parser, http.client, xml.dom.minidom, random, time
r = random.Random(1)
data = [{"k": r.random(), "s": str(r.random()), "n": i} for i in range(150000)]
print("ready", flush=True)
time.sleep(600)
'
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for v in a b; do
  PYTHONHASHSEED=0 "$PY" -u -c "$WORKLOAD" >"$D/$v.out" &
  PIDS+=($!)
done
# dump VM v (index i) at second s after the start
dump() {
  gcore -o "$D/$1.$3" "${PIDS[$2]}" >"$D/gcore.log" 2>&1 ||
    { echo "figures: gcore could not dump pid ${PIDS[$2]} (ptrace restricted?); see $D/gcore.log" >&2; exit 1; }
  mv "$D/$1.$3.${PIDS[$2]}" "$D/$1.$3.core"
}
sleep 1
dump a 0 1
dump b 1 1
sleep 3
dump a 0 4
dump b 1 4
grep -q ready "$D/a.out" && grep -q ready "$D/b.out" ||
  echo "figures: seed002_cpython: a run had not finished its records at 4 s (a loaded machine); the dumps show it mid-way" >&2
cleanup
wait 2>/dev/null || true
PIDS=()

SH=("$VMEMSIM" share -q --json -)
for p in "xen-thesis" "xen-thesis --zero-pages" "ksm" "esx"; do
  # shellcheck disable=SC2086 # $p carries the policy's options
  "${SH[@]}" -p $p a="$D/a.4.core" b="$D/b.4.core" | jq -c --arg p "$p" '{p: $p} + .'
done >"$D/policies.jsonl"
"${SH[@]}" -p ksm --calibration "$ROOT/configs/share/current.ini" --sample 1 \
  a@0="$D/a.1.core" b@0="$D/b.1.core" a@3="$D/a.4.core" b@3="$D/b.4.core" >"$D/timeline.json"

PYV=$("$PY" --version | cut -d' ' -f2)
BLOCK=$({
  jq -r --arg v "$PYV" '"Measured by scripts/figures/seed002_cpython.sh (Python \($v)): the runs have \(.vms[0].pages) and \(.vms[1].pages) pages of dumped mappings at 4 s.\n"' "$D/timeline.json"
  echo "| policy | shared | sharing | saved | within VM | between VMs | zero pages |"
  echo "|---|---|---|---|---|---|---|"
  jq -r 'def p(x): (x * 10 | round / 10 | tostring) + "%";
    "| " + (if .p == "xen-thesis" then "xen-thesis (zero pages filtered)" elif .p == "xen-thesis --zero-pages" then "xen-thesis `--zero-pages`" else .p end)
    + " | \(.pages_shared) | \(.pages_sharing) | \(p(.saved_percent)) | \(p(.within_vm_percent)) | \(p(.between_vm_percent)) | "
    + (if .p == "xen-thesis" then "(filtered)" elif .params.zero_pages then p(.zero_percent) else "shared as content" end) + " |"' \
    "$D/policies.jsonl"
  echo
  jq -r '"Timeline with ksm (defaults \(.params.pages_to_scan) pages / \(.params.sleep_millisecs) ms; snapshots at 0 s and 3 s):\n" +
    ([.timeline[] | select(.at != "converged") | "- at \(.t) s: \(.pages_sharing) sharing, \(.full_scans) full scans"] | join("\n")) + "\n" +
    "- the 3 s snapshots break \(.cow_breaks) shares;\n" +
    ([.timeline[] | select(.at == "converged")][0] as $c | "- converged at \($c.t * 10 | round / 10) s: \($c.pages_shared) shared / \($c.pages_sharing) sharing.\n") +
    "\nCosts of that run on the current calibration (configs/share/current.ini, \(.costs.freq_mhz) MHz): scanning \(.costs.nested.scan_cycles / 1e9 * 100 | round / 100) G cycles; sharing under nested paging \(.costs.nested.share_cycles / 1e6 * 10 | round / 10) M cycles, under shadow paging \(.costs.shadow.share_cycles / 1e9 * 10 | round / 10) G cycles (\(.costs.shadow.seconds * 10 | round / 10) s in all)."' \
    "$D/timeline.json"
})
write_block "$ROOT/docs/sharing.md" share-cpython "$BLOCK"
