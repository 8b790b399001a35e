#!/bin/bash
# same_json.sh OLD_VMEMSIM NEW_VMEMSIM OUTDIR TRACE...: the proof that a speed change
# changed no result ("speed never changes a result", docs/performance.md).  Runs both
# binaries on each trace with every configs/*.ini in its own mode and with
# configs/skylake.ini in every translation mode, and compares their JSON byte for
# byte once the top-level "build" member (the binary's own version string) is dropped.
# Prints one line a comparison; exits 1 if any run failed or differed.
set -u
[ $# -ge 4 ] || { echo "usage: $0 OLD_VMEMSIM NEW_VMEMSIM OUTDIR TRACE..." >&2; exit 2; }
OLD=$1 NEW=$2 OUT=$3
shift 3
CFG=$(cd "$(dirname "$0")/../configs" && pwd)
MODES="native nested shadow shadow-cache contig agile adaptive"
mkdir -p "$OUT"
fail=0 n=0
without_build() { sed '/^  "build": /d' "$1"; }
runs=""
for c in "$CFG"/*.ini; do runs="$runs $(basename "$c" .ini):"; done
for m in $MODES; do runs="$runs skylake:$m"; done
for tr in "$@"; do
    t=$(basename "$tr")
    for r in $runs; do
        c=${r%%:*} m=${r#*:}
        opt=()
        [ -n "$m" ] && opt=(-o "machine.mode=$m")
        base="$OUT/$t.$c.${m:-own}"
        ok=1
        for w in old new; do
            bin=$OLD
            [ $w = new ] && bin=$NEW
            nice "$bin" run -q -c "$CFG/$c.ini" "${opt[@]}" --json="$base.$w.json" "$tr" >/dev/null 2>"$base.$w.err" ||
                { echo "FAIL $w $t $c ${m:-own}: $(head -1 "$base.$w.err")"; ok=0; }
        done
        n=$((n + 1))
        if [ $ok = 1 ] && [ -s "$base.old.json" ] && cmp -s <(without_build "$base.old.json") <(without_build "$base.new.json"); then
            echo "same $t $c ${m:-own} ($(wc -c <"$base.new.json") bytes)"
        else
            echo "DIFF $t $c ${m:-own}"
            fail=1
        fi
    done
done
echo "$n comparisons, $([ $fail = 0 ] && echo 'all byte-identical but for build' || echo 'SOME DIFFER')"
exit $fail
