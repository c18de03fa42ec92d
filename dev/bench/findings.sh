#!/usr/bin/env bash
# Benchmark of the findings step (F1-F6, spatial structure with its
# permutations, the sensitivity grid and every bootstrap) on the real data.
#
#   bash dev/bench/findings.sh [SOURCES_DIR] [RUNS]
#
# `stemgap findings --check` reads the figures back from a built store and
# recomputes every finding; the step's own cost is the inclusive instruction
# count of `stemgap_findings::compute` under callgrind (repeatable on a noisy
# machine), split by analysis. Wall time of the whole check is given too.
set -euo pipefail
cd "$(dirname "$0")/../.."
sources=${1:-../shared/data}
runs=${2:-5}
cargo build --profile profiling -p stemgap --quiet
bin=./target/profiling/stemgap
db=$(mktemp -d)/bench.db
$bin build --sources "$sources" --db "$db" >/dev/null
walls=()
for _ in $(seq "$runs"); do
  walls+=("$(/usr/bin/time -f '%e' $bin findings --check --db "$db" 2>&1 >/dev/null | tail -1)")
done
printf '%s\n' "${walls[@]}" | sort -n | awk -v runs="$runs" '
  { w[NR]=$1 } END { printf "findings --check (read store + recompute + compare), %d runs: wall min %.2f s, median %.2f s\n", runs, w[1], w[int((NR+1)/2)] }'
out=$(mktemp)
valgrind --tool=callgrind --callgrind-out-file="$out" $bin findings --check --db "$db" >/dev/null 2>&1
echo "inclusive instructions (callgrind); the analyses run as tasks on every core:"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null |
  grep -E ':stemgap_findings::(compute|spatial::spatial_parts|analyses::[a-z0-9_]+|inclusion::f7|gaps::register|data::Dataset::new) \[' |
  sed -E 's/^ *([0-9,]+) .*:(stemgap_findings::[^ ]+) .*/\1 \2/' |
  awk '{ n = $1; gsub(",", "", n); printf "  %6.0f M  %s\n", n / 1e6, $2 }'
rm -f "$db" "$out"
