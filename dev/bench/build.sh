#!/usr/bin/env bash
# Benchmark of the full build (release): wall time over several runs and peak
# memory (maximum resident set size), on the real sources.
#
#   bash dev/bench/build.sh [SOURCES_DIR] [RUNS]
#
# With CALLGRIND=1 it also counts instructions with valgrind's callgrind,
# which is repeatable on a noisy machine (wall time is not).
set -euo pipefail
cd "$(dirname "$0")/../.."
sources=${1:-../shared/data}
runs=${2:-5}
cargo build --release -p stemgap --quiet
db=$(mktemp -d)/bench.db
walls=()
for _ in $(seq "$runs"); do
  out=$(/usr/bin/time -f '%e %M' ./target/release/stemgap build --sources "$sources" --db "$db" 2>&1 >/dev/null | tail -1)
  walls+=("$out")
done
printf '%s\n' "${walls[@]}" | sort -n | awk -v runs="$runs" '
  { w[NR]=$1; if ($2>m) m=$2 }
  END { printf "full build, release, %d runs: wall min %.2f s, median %.2f s, max %.2f s; peak RSS %.0f MB\n", runs, w[1], w[int((NR+1)/2)], w[NR], m/1024 }'
if [ "${CALLGRIND:-0}" = 1 ]; then
  valgrind --tool=callgrind --callgrind-out-file=/tmp/stemgap.callgrind \
    ./target/release/stemgap build --sources "$sources" --db "$db" 2>&1 | grep -E 'refs|Collected' || true
fi
rm -f "$db"
