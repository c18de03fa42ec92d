#!/usr/bin/env bash
# Loopback load test of `stemgap serve` (release) with wrk: for each path,
# CONNS connections for DURATION, latency percentiles and errors, and the
# server's resident memory before and after. Bounded: every wrk run stops by
# itself, and the server is stopped at the end. Targets aside, remember the
# load generator shares the machine's cores with the server. The server
# primes its cache (site pages, every 2024 profile and API answer) in the
# background after it prints "serving on"; the script waits for the end of
# priming (logged), so the first run does not measure a cold cache.
# wrk asks for brotli or gzip as browsers do (the cache keeps compressed
# bodies; a client accepting neither costs an inflate per request).
#
#   bash dev/bench/web.sh [STORE] [SOURCES_DIR]
#   DURATION=30s CONNS=64 THREADS=2 bash dev/bench/web.sh stemgap.db ../shared/data
set -euo pipefail
cd "$(dirname "$0")/../.."
db=${1:-stemgap.db}
sources=${2:-../shared/data}
duration=${DURATION:-30s}
conns=${CONNS:-64}
threads=${THREADS:-2}
if ! command -v wrk >/dev/null; then
  apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -p stemgap --quiet
out=$(mktemp)
log=$(mktemp)
STEMGAP_LOG=info ./target/release/stemgap serve --db "$db" --sources "$sources" --addr 127.0.0.1:0 >"$out" 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -f "$out" "$log"' EXIT
for _ in $(seq 600); do
  grep -q '^serving on' "$out" && break
  sleep 0.1
done
addr=$(sed -n 's|^serving on http://\([^/]*\)/.*|\1|p' "$out")
[ -n "$addr" ] || { echo "the server did not start" >&2; exit 1; }
# The server answers at once and primes its cache in the background: wait
# for the end of priming (logged), so the runs measure a primed cache.
for _ in $(seq 1200); do
  grep -q 'cache primed' "$log" && break
  sleep 0.1
done
rss() { awk '/VmRSS/ {print $2/1024 " MB"}' "/proc/$pid/status"; }
echo "server $addr, pid $pid, RSS at start $(rss); $conns connections, $threads wrk threads, $duration per path"
# A three-condition Explore query (cached after its first answer).
explore3='/api/v1/explore?f=uk_imd_score:top_fifth&f=fe_stem_achievements_per_1000:below_median&f=hei_count:eq:0'
if [ -n "${EXPLORE_ONLY:-}" ]; then set -- "$explore3"; else set -- \
  /constituency/E14001172 \
  "$explore3" \
  '/api/v1/constituencies/E14001172' \
  '/api/v1/indicators/level4_share?boundaries=2024' \
  '/api/v1/locate?postcode=SW1A+0AA' \
  /; fi
for path in "$@"; do
  echo "== GET $path"
  wrk -t"$threads" -c"$conns" -d"$duration" --timeout 5s --latency -H "Accept-Encoding: br, gzip" "http://$addr$path" \
    | grep -E 'Requests/sec|Non-2xx|Socket errors|^ +(50|90|99)%|Latency  ' || true
  echo "   server RSS after: $(rss)"
done

# Explore uncached: three conditions with a different threshold on every
# request (the cache keeps only its first 200 answers), as the API and as
# the page (hex map and table).
for target in api/v1/explore explore; do
  lua=$(mktemp --suffix=.lua)
  cat >"$lua" <<LUA
math.randomseed(7)
request = function()
  local t = string.format("%.6f", 10 + math.random() * 30)
  return wrk.format("GET", "/$target?f=uk_imd_score:gt:" .. t .. "&f=level4_share:below_median&f=hei_count:eq:0")
end
LUA
  echo "== GET /$target, three conditions, a new threshold each request (uncached)"
  wrk -t"$threads" -c"$conns" -d"$duration" --timeout 5s --latency -s "$lua" "http://$addr" \
    | grep -E 'Requests/sec|Non-2xx|Socket errors|^ +(50|90|99)%|Latency  ' || true
  rm -f "$lua"
done
[ -n "${EXPLORE_ONLY:-}" ] && exit 0

# A mixed load: every 2024 seat's page and API answer in turn, for
# MIXED (default 60s), with the server's memory every 10 s.
mixed=${MIXED:-60s}
lua=$(mktemp --suffix=.lua)
codes=$(curl -s "http://$addr/api/v1/constituencies?boundaries=2024" | grep -o '"url":"/api/v1/constituencies/[A-Z][0-9]*' | cut -d/ -f5)
{
  echo 'paths = {'
  for c in $codes; do
    echo "  \"/constituency/$c?boundaries=2024\", \"/api/v1/constituencies/$c?boundaries=2024\","
  done
  echo '}'
  echo 'i = 0'
  echo 'request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end'
} >"$lua"
echo "== mixed: $(echo "$codes" | wc -w) seats x (page + API), $mixed"
( for _ in $(seq 100); do sleep 10; kill -0 "$pid" 2>/dev/null || break; echo "   RSS $(rss)"; done ) &
sampler=$!
wrk -t"$threads" -c"$conns" -d"$mixed" --timeout 5s --latency -H "Accept-Encoding: br, gzip" -s "$lua" "http://$addr" \
  | grep -E 'Requests/sec|Non-2xx|Socket errors|^ +(50|90|99)%|Latency  ' || true
kill "$sampler" 2>/dev/null || true
echo "   server RSS after: $(rss)"
rm -f "$lua"
