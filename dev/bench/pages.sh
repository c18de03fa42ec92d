#!/usr/bin/env bash
# Page weight and server memory on the real store (not a timed test): starts
# `stemgap serve` (release), waits for the cache to be primed, prints the
# start-up time and the server's resident memory after priming, then each page's plain, gzip and brotli size as
# sent, and checks the budgets of issue 13 (profile <= 60 KB and indicator
# page <= 150 KB compressed) and issue 15 (start-up to "serving on" <= 1 s,
# <= 250 MB resident after priming);
# then writes the static site (`stemgap site`) and checks its total size
# against what a free static host accepts (<= 300 MB; SITE=0 skips it).
# Exits 1 when a budget is exceeded. The server is stopped at the end.
#
#   bash dev/bench/pages.sh [STORE]
set -euo pipefail
cd "$(dirname "$0")/../.."
db=${1:-stemgap.db}
bin=${BIN:-./target/release/stemgap}
[ -n "${BIN:-}" ] || cargo build --release -p stemgap --quiet
out=$(mktemp)
log=$(mktemp)
started=$(date +%s%N)
STEMGAP_LOG=info "$bin" serve --db "$db" --addr 127.0.0.1:0 >"$out" 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -f "$out" "$log"' EXIT
for _ in $(seq 9000); do
  grep -q '^serving on' "$out" && break
  sleep 0.01
done
addr=$(sed -n 's|^serving on http://\([^/]*\)/.*|\1|p' "$out")
[ -n "$addr" ] || { echo "the server did not start" >&2; exit 1; }
ms=$((($(date +%s%N) - started) / 1000000))
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "start-up to \"serving on\": $ms ms (budget 1000 ms); RSS then: $((rss_kb / 1024)) MB"
# The cache is primed in the background; its end is logged.
for _ in $(seq 1200); do
  grep -q 'cache primed' "$log" && break
  sleep 0.1
done
grep -q 'cache primed' "$log" || { echo "the cache was not primed in 120 s" >&2; exit 1; }
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "RSS after priming: $((rss_kb / 1024)) MB (budget 250 MB)"
fail=0
[ "$ms" -le 1000 ] || { echo "start-up over its budget"; fail=1; }
[ "$rss_kb" -le $((250 * 1024)) ] || { echo "over the memory budget after priming"; fail=1; }
size() { curl -s -o /dev/null -w '%{size_download}' -H "Accept-Encoding: $2" "http://$addr$1"; }
printf '%-48s %9s %9s %9s %9s\n' path plain gzip br budget
check() {
  local path=$1 budget=${2:-}
  local plain gz br
  plain=$(size "$path" identity); gz=$(size "$path" gzip); br=$(size "$path" br)
  printf '%-48s %9s %9s %9s %9s\n' "$path" "$plain" "$gz" "$br" "${budget:--}"
  if [ -n "$budget" ] && [ "$gz" -gt "$budget" ]; then
    echo "  over budget: $gz > $budget bytes (gzip)"; fail=1
  fi
}
check /constituency/E14001172 61440
check '/constituency/E14000530?boundaries=2010' 61440
check /constituency/S14000027 61440
check /indicator/level4_share 153600
check '/indicator/stem_professionals_share?boundaries=2010' 153600
check /
check /findings
check /api/v1/constituencies/E14001172
check /download/2024.csv
check /download/2024.parquet
check /download/2024.xlsx
check /download/2024.geojson
check /download/2024-long.csv
check /download/2024-long.parquet
check /download/2024-long.xlsx
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
# Not a budget: the downloads above (each set-wide table built on request,
# the long workbook streamed) and their kept answers add to it.
echo "RSS at the end, after the downloads: $((rss_kb / 1024)) MB"
if [ "${SITE:-1}" != 0 ]; then
  site=$(mktemp -d)
  trap 'kill "$pid" 2>/dev/null; rm -f "$out" "$log"; rm -rf "$site"' EXIT
  "$bin" site --db "$db" --out "$site" >/dev/null
  bytes=$(du -sb "$site" | cut -f1)
  files=$(find "$site" -type f | wc -l)
  echo "static site: $files files, $((bytes / 1000000)) MB (budget 300 MB); largest parts:"
  (cd "$site" && du -sb -- * | sort -rn | head -8 | awk '{printf "  %-28s %6d MB\n", $2, $1 / 1000000}')
  [ "$bytes" -le $((300 * 1000 * 1000)) ] || { echo "  over the static site's budget"; fail=1; }
fi
exit $fail
