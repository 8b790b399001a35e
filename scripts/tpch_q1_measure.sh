#!/usr/bin/env bash
# tpch_q1_measure.sh: the per-row cost of TPC-H Q1 (pricing summary report)
# in a real database engine on this machine -- the measurement behind
# the tpch generator's row (workloads/wl_tpch.c, docs/workloads.md).  The engine:
# the sqlite3 command-line shell (Debian's sqlite3 package).  The table: a
# lineitem-shaped one (TPC-H's columns Q1 reads, plus an order key and a
# comment) of 100,000 and of 200,000 rows, built outside the measurement; Q1
# is run on each under valgrind --tool=cachegrind --cache-sim=yes, and the
# difference between the two runs, per row, is the scan's cost without the
# shell's start-up: instructions (I refs), data accesses (D refs), the share
# of them that are stores, L1 data-cache misses (cachegrind simulates this
# machine's D1) and table bytes per row.  The tpch generator
# (workloads/wl_tpch.c) takes its per-row work from these numbers.
#   usage: scripts/tpch_q1_measure.sh [WORKDIR]     (default: a new mktemp -d)
set -euo pipefail
W=${1:-$(mktemp -d)}
mkdir -p "$W"
cd "$W"
SMALL=100000
LARGE=200000
make_table() { # rows -> db file
  rm -f "db$1"
  sqlite3 "db$1" <<SQL
CREATE TABLE lineitem(l_orderkey INTEGER, l_quantity REAL, l_extendedprice REAL, l_discount REAL, l_tax REAL,
  l_returnflag TEXT, l_linestatus TEXT, l_shipdate TEXT, l_comment TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
INSERT INTO lineitem SELECT i, 1 + i % 50, 900.0 + (i % 100000) / 10.0, (i % 11) / 100.0, (i % 9) / 100.0,
  substr('ARN', 1 + i % 3, 1), substr('OF', 1 + i % 2, 1), date('1992-01-01', '+' || (i % 2500) || ' days'),
  substr('the quick brown fox jumps over the lazy dog', 1 + i % 20, 23) FROM n;
SQL
}
Q1="SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice),
  sum(l_extendedprice * (1 - l_discount)), sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)),
  avg(l_quantity), avg(l_extendedprice), avg(l_discount), count(*)
FROM lineitem WHERE l_shipdate <= date('1998-12-01', '-90 days')
GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus;"
refs() { # rows -> "I D D-writes D1-misses"
  echo "$Q1" | valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file="$W/cg.$1" sqlite3 "db$1" \
    >/dev/null 2>"$W/log.$1"
  awk '/ I +refs:/ { gsub(",", "", $4); i = $4 } / D +refs:/ { gsub(",", ""); d = $4; w = $8 }
    / D1 +misses:/ { gsub(",", "", $4); m = $4 } END { print i, d, w, m }' "$W/log.$1"
}
for r in $SMALL $LARGE; do make_table $r; done
read -r i1 d1 w1 m1 < <(refs $SMALL)
read -r i2 d2 w2 m2 < <(refs $LARGE)
b1=$(stat -c %s "db$SMALL") b2=$(stat -c %s "db$LARGE")
echo "sqlite $(sqlite3 --version | awk '{ print $1 }')"
awk -v i1="$i1" -v i2="$i2" -v d1="$d1" -v d2="$d2" -v w1="$w1" -v w2="$w2" -v m1="$m1" -v m2="$m2" -v b1="$b1" -v b2="$b2" -v n=$((LARGE - SMALL)) 'BEGIN {
  printf "instructions_per_row %.0f\ndata_accesses_per_row %.0f\nbytes_per_row %.1f\n", (i2 - i1) / n, (d2 - d1) / n, (b2 - b1) / n
  printf "store_share %.4f\nd1_misses_per_row %.2f\n", (w2 - w1) / (d2 - d1), (m2 - m1) / n
  printf "instructions_per_4k_page %.0f\n", (i2 - i1) / n * 4096 / ((b2 - b1) / n) }'
