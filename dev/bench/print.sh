#!/usr/bin/env bash
# Benchmark of `stemgap site` (targets: <= 10 s) and `stemgap brief --all`
# (650 HTML briefs, <= 5 s) with the release binary on a real store: wall
# time over several runs and peak memory. The output goes to a temporary
# directory, removed afterwards.
#
#   bash dev/bench/print.sh STORE [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
db=${1:?usage: bash dev/bench/print.sh STORE [RUNS]}
runs=${2:-3}
cargo build --release -p stemgap --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bench() {
  local name=$1; shift
  local walls=()
  for i in $(seq "$runs"); do
    rm -rf "$out/run"
    walls+=("$(/usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1)")
  done
  printf '%s\n' "${walls[@]}" | sort -n | awk -v runs="$runs" -v name="$name" '
    { w[NR]=$1; if ($2>m) m=$2 }
    END { printf "%s, release, %d runs: wall min %.2f s, median %.2f s, max %.2f s; peak RSS %.0f MB\n", name, runs, w[1], w[int((NR+1)/2)], w[NR], m/1024 }'
}
bench "stemgap site" ./target/release/stemgap site --db "$db" --out "$out/run"
bench "stemgap brief --all (2024)" ./target/release/stemgap brief --all --boundaries 2024 --db "$db" --out "$out/run"
