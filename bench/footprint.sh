#!/usr/bin/env bash
# Footprint of the published binary (perf-reports/footprint.md): size, start-up time to the first served request,
# idle RSS after start-up. Starts out/aotpipe N times (default 5) on 127.0.0.1 as shipped (the runtime settings are
# built into the binary; no DOTNET_* variable is set) and prints one line per start plus the medians.
#   bench/footprint.sh [N]            FOOTPRINT_PORT (default 19110) and FOOTPRINT_BINARY (default out/aotpipe) override;
#   FOOTPRINT_ENV adds variables to the gateway's environment (e.g. to measure an older binary with its run settings)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${1:-5}
PORT=${FOOTPRINT_PORT:-19110}
BIN=${FOOTPRINT_BINARY:-$ROOT/out/aotpipe}
[ -x "$BIN" ] || ./build.sh publish >&2 || exit 2
dotnet build bench/AotPipe.LoadGen -c Release -v q >/dev/null 2>&1 || exit 2
LOADGEN=(dotnet "$ROOT/bench/AotPipe.LoadGen/bin/Release/net10.0/linux-x64/aotpipe-loadgen.dll")
WORK=$(mktemp -d /tmp/aotpipe-footprint.XXXXXX)
PID=""
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
starts=() idles=()
for i in $(seq 1 "$N"); do
  # The prober starts first, so its own start-up is not counted; then the timestamp, then the gateway.
  "${LOADGEN[@]}" wait-ready --url "http://127.0.0.1:$PORT/healthz" --label aotpipe --timeout-s 30 >"$WORK/ready.txt" &
  PROBE=$!
  sleep 1
  t0=$(date +%s%N)
  (cd "$WORK" && exec env ${FOOTPRINT_ENV:-} OPENROUTER_API_KEY=bench \
    OPENROUTER_API_BASE_URL=http://127.0.0.1:9/api/v1 AOTPIPE_DATA_DIR="$WORK/data" LOG_LEVEL=WARNING \
    "$BIN" serve --urls "http://127.0.0.1:$PORT") >"$WORK/aotpipe.log" 2>&1 &
  PID=$!
  wait "$PROBE" || { echo "start $i failed"; exit 1; }
  ready=$(sed 's/.*ready_ns=\([0-9]*\).*/\1/' "$WORK/ready.txt")
  ms=$(awk -v a="$ready" -v b="$t0" 'BEGIN {printf "%.1f", (a - b) / 1e6}')
  sleep 2
  idle=$(rss "$PID")
  echo "start $i: startup_ms=$ms idle_rss_kb=$idle"
  starts+=("$ms"); idles+=("$idle")
  kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=""
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "binary_bytes=$(stat -c %s "$BIN") startup_ms_median=$(median "${starts[@]}") idle_rss_kb_median=$(median "${idles[@]}") runs=$N"
