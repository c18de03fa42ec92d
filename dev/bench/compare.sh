#!/usr/bin/env bash
# The full build of this checkout side by side with another commit, in one
# run on one machine: both release binaries are built (the other in a git
# worktree under target/), then their builds alternate, RUNS times each,
# on the same sources. Prints each side's median wall time, CPU time
# (user + sys) and peak RSS (the largest and the median of the runs: which
# thread holds what at the peak varies from run to run), and the ratios
# this / other.
#
#   bash dev/bench/compare.sh REV [SOURCES_DIR] [RUNS]
#
# Alternating the runs spreads the machine's noise over both sides; the
# CPU time is the steadier figure on a busy machine. On a shared host whose
# load changes (one day's sets ranged from 1.07 to 1.22 for the same two
# binaries), add the instruction counts: with CALLGRIND=1 each side's build
# also runs once under valgrind's callgrind, which counts the same on any
# day. (Under valgrind SHA-256 runs in software, not on the CPU's SHA
# instructions, adding ~2.6 G to both sides alike.)
set -euo pipefail
cd "$(dirname "$0")/../.."
rev=${1:?usage: compare.sh REV [SOURCES_DIR] [RUNS]}
sources=${2:-../shared/data}
runs=${3:-7}
root=$(pwd)
other="$root/target/compare-worktree"
sha=$(git rev-parse --verify "$rev^{commit}")
if [ -d "$other" ]; then
  git worktree remove --force "$other" >/dev/null 2>&1 || rm -rf "$other"
fi
git worktree add --detach "$other" "$sha" >/dev/null
trap 'git worktree remove --force "$other" >/dev/null 2>&1 || true' EXIT
echo "building this checkout ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with uncommitted changes')) and $rev (${sha:0:7}) in release"
cargo build --release -p stemgap --quiet
# The other commit builds in its own target directory, seeded with a copy
# of this one's release artefacts: dependencies that did not change are not
# compiled again (their fingerprints do not depend on the checkout's path),
# the workspace crates are.
mkdir -p "$other/target"
cp -a target/release "$other/target/"
CARGO_TARGET_DIR="$other/target" cargo build --release -p stemgap --quiet --manifest-path "$other/Cargo.toml"
this_bin="$root/target/release/stemgap"
other_bin="$other/target/release/stemgap"
tmp=$(mktemp -d)
for i in $(seq "$runs"); do
  for side in this other; do
    bin=this_bin; [ "$side" = other ] && bin=other_bin
    /usr/bin/time -f '%e %U %S %M' "${!bin}" build --sources "$sources" --db "$tmp/$side.db" \
      2>&1 >/dev/null | tail -1 >> "$tmp/$side.txt"
  done
done
median() { sort -n | awk '{ v[NR]=$1 } END { print v[int((NR+1)/2)] }'; }
summary() {
  local wall cpu peak mid
  wall=$(awk '{ print $1 }' "$1" | median)
  cpu=$(awk '{ print $2 + $3 }' "$1" | median)
  peak=$(awk '{ print $4 }' "$1" | sort -n | tail -1)
  mid=$(awk '{ print $4 }' "$1" | median)
  echo "$wall $cpu $((peak / 1024)) $((mid / 1024))"
}
read -r tw tc tm tmm < <(summary "$tmp/this.txt")
read -r ow oc om omm < <(summary "$tmp/other.txt")
printf 'full build, release, %d alternating runs each, sources %s\n' "$runs" "$sources"
printf '  this  (%s): wall median %.2f s, CPU median %.2f s, peak RSS max %d MB, median %d MB\n' "$(git rev-parse --short HEAD)" "$tw" "$tc" "$tm" "$tmm"
printf '  other (%s): wall median %.2f s, CPU median %.2f s, peak RSS max %d MB, median %d MB\n' "${sha:0:7}" "$ow" "$oc" "$om" "$omm"
awk -v tw="$tw" -v ow="$ow" -v tc="$tc" -v oc="$oc" -v tm="$tm" -v om="$om" -v tmm="$tmm" -v omm="$omm" \
  'BEGIN { printf "  ratio this/other: wall %.2f, CPU %.2f, peak RSS max %.2f, median %.2f\n", tw/ow, tc/oc, tm/om, tmm/omm }'
if [ "${CALLGRIND:-0}" = 1 ]; then
  count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" build --sources "$sources" \
      --db "$tmp/cg.db" 2>&1 >/dev/null | awk '/refs:/ { gsub(",", "", $NF); print $NF }'
  }
  ti=$(count "$this_bin")
  oi=$(count "$other_bin")
  awk -v ti="$ti" -v oi="$oi" 'BEGIN { printf "  instructions (callgrind): this %.2f G, other %.2f G, ratio %.2f\n", ti/1e9, oi/1e9, ti/oi }'
fi
rm -rf "$tmp"
