#!/usr/bin/env bash
# Gateway load benchmark: the same SSE workloads, in the same run, direct to the mock (the floor), through nginx, a
# minimal YARP, the Portkey AI gateway and AotPipe (relay on /v1/responses, translation on /v1/chat/completions), and
# AotPipe with artifact persistence off and on (PostgreSQL COPY, encrypted).
#   bench/run-all.sh            full mode: 9 targets x 6 workloads x 3 interleaved rounds (~20 min), writes perf-reports/gateway.md
#   bench/run-all.sh --quick    CI smoke (< 2 min): direct + AotPipe relay + chat (+ chat with persistence on when PostgreSQL
#                               15 is installed), 1 and 50 streams of 100 events; exits non-zero if a stream failed, a frame
#                               was lost or corrupted, or a persisted stream lacked its marker line
# Persistence targets: aotpipe-chat-r = chat on a reasoning stream (mock/gen-N-MS-r: one storable item per stream), no chat
# id, no database (persistence off); aotpipe-chat-pg = the same stream with a chat id, DATABASE_URL on a throwaway
# PostgreSQL 15 cluster (/usr/lib/postgresql/15/bin, fsync on, stopped by PID at exit) and ARTIFACT_ENCRYPTION_KEY
# (persistence on: every stream must end with one marker line); aotpipe-relay-pg = relay with the same settings and a chat
# id (the relay persists nothing by design, DESIGN.md section 2: it shows what configuring the store costs the relay).
# Environment (development runs; all but the last two keep perf-reports/gateway.md untouched):
#   BENCH_TARGETS="aotpipe-chat-r aotpipe-chat-pg"   targets to run (default: all of the mode)
#   BENCH_WORKLOADS="c1 c50 c200"                     workloads to run, by name (c1 c50 c200 c500 c1000 slow)
#   BENCH_ROUNDS=1                                    rounds
#   BENCH_BASE_BIN=/path/to/aotpipe                   an earlier build: targets named <aotpipe target>@base run it,
#                                                     interleaved with the current one (before/after in one run)
#   BENCH_RAMP_MS=600                                 spread each run's first streams over 600 ms (steady-state stream ends
#                                                     instead of bursts; applies to every target of the run)
#   BENCH_NO_PUBLISH=1                                reuse an existing out/aotpipe instead of publishing again
#   BENCH_PORT_BASE=19100                             first of 6 consecutive loopback ports (mock, nginx, YARP, Portkey,
#                                                     AotPipe, PostgreSQL), so that concurrent runs do not collide
# Everything binds 127.0.0.1; every loop is bounded in count and time.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=full
[ "${1:-}" = "--quick" ] && MODE=quick
ulimit -n 65536 2>/dev/null || ulimit -n 4096
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORK=$(mktemp -d /tmp/aotpipe-bench.XXXXXX)
chmod 755 "$WORK"
RESULTS="$WORK/results.txt"
: >"$RESULTS"
PORT_BASE=${BENCH_PORT_BASE:-19100}
MOCK_PORT=$PORT_BASE NGINX_PORT=$((PORT_BASE + 1)) YARP_PORT=$((PORT_BASE + 2)) PORTKEY_PORT=$((PORT_BASE + 3))
AOTPIPE_PORT=$((PORT_BASE + 4)) PG_PORT=$((PORT_BASE + 5))
BUILD="$ROOT/.tmp/bench"
TARGET_PID="" MOCK_PID="" PG_PID="" PG_DIR=""
PG_BIN=/usr/lib/postgresql/15/bin
# Throwaway values for the persistence-on targets: a loopback cluster with trust auth, a fixed 40-character key.
ARTIFACT_KEY=bench-artifact-key-0123456789abcdefghijkl
CHAT_ID=bench-chat-0001

log() { printf '== %s\n' "$*" >&2; }

stop_pid() {
  # Stops one process this script started, by its id; waits at most 5 s before killing it.
  local pid=$1 signal=${2:-TERM}
  [ -n "$pid" ] || return 0
  kill "-$signal" "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
}

# The mock only stops on Ctrl+C, which background jobs ignore: it is killed. PostgreSQL gets SIGINT (fast shutdown).
cleanup() {
  stop_pid "$TARGET_PID"; stop_pid "$MOCK_PID" KILL; stop_pid "$PG_PID" INT
  rm -rf "$WORK"; [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
}
trap cleanup EXIT

# ---------- build ----------
build_all() {
  mkdir -p "$BUILD"
  log "build: mock, load generator"
  dotnet build tests/AotPipe.MockOpenRouter -c Release -v q >"$BUILD/mock-build.log" 2>&1 || { tail -20 "$BUILD/mock-build.log"; exit 2; }
  if [ "$MODE" = quick ]; then
    dotnet build bench/AotPipe.LoadGen -c Release -v q >"$BUILD/loadgen-build.log" 2>&1 || { tail -20 "$BUILD/loadgen-build.log"; exit 2; }
    LOADGEN=(dotnet "$ROOT/bench/AotPipe.LoadGen/bin/Release/net10.0/linux-x64/aotpipe-loadgen.dll")
    [ -x "$ROOT/out/aotpipe" ] || ./build.sh publish >&2 || exit 2
  else
    dotnet publish bench/AotPipe.LoadGen -c Release -o "$BUILD/loadgen" >"$BUILD/loadgen-publish.log" 2>&1 || { tail -20 "$BUILD/loadgen-publish.log"; exit 2; }
    LOADGEN=("$BUILD/loadgen/aotpipe-loadgen")
    if [ "${BENCH_NO_PUBLISH:-0}" = 1 ] && [ -x "$ROOT/out/aotpipe" ]; then log "BENCH_NO_PUBLISH=1: using the existing out/aotpipe"; else ./build.sh publish >&2 || exit 2; fi
    if wants yarp; then
      log "build: YARP baseline (native AOT)"
      dotnet publish bench/YarpBaseline -c Release -o "$BUILD/yarp" >"$BUILD/yarp-publish.log" 2>&1 || { tail -20 "$BUILD/yarp-publish.log"; exit 2; }
    fi
    if wants nginx; then
      command -v nginx >/dev/null || { log "installing nginx-light"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null || exit 2; }
    fi
    if wants portkey && [ ! -f "$BUILD/portkey/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
      log "npm: @portkey-ai/gateway with @hono/node-server pinned to 1.13.8"
      mkdir -p "$BUILD/portkey"
      cat >"$BUILD/portkey/package.json" <<'JSON'
{ "name": "portkey-bench", "version": "1.0.0", "private": true,
  "dependencies": { "@portkey-ai/gateway": "1.15.2", "@hono/node-server": "1.13.8" },
  "overrides": { "@hono/node-server": "1.13.8" } }
JSON
      (cd "$BUILD/portkey" && npm install --no-audit --no-fund >npm.log 2>&1) || { tail -20 "$BUILD/portkey/npm.log"; exit 2; }
    fi
  fi
}

wants() { case " ${TARGETS[*]} " in *" $1 "*) return 0 ;; esac; return 1; }

# ---------- PostgreSQL (persistence-on targets) ----------
# initdb and the server run as the postgres user (PostgreSQL refuses root) in a directory that user owns; loopback only.
start_postgres() {
  [ -x "$PG_BIN/initdb" ] || { log "PostgreSQL 15 not found in $PG_BIN"; return 1; }
  PG_DIR=$(mktemp -d /tmp/aotpipe-bench-pg.XXXXXX)
  chown postgres:postgres "$PG_DIR"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { tail -5 "$PG_DIR/initdb.log"; return 1; }
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=32MB" start >/dev/null \
    || { tail -5 "$PG_DIR/server.log"; return 1; }
  PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
  log "PostgreSQL 15 on 127.0.0.1:$PG_PORT (pid $PG_PID, fsync on)"
}

# ---------- targets ----------
start_mock() {
  dotnet tests/AotPipe.MockOpenRouter/bin/Release/net10.0/mock-openrouter.dll --urls "http://127.0.0.1:$MOCK_PORT" >"$WORK/mock.log" 2>&1 &
  MOCK_PID=$!
  "${LOADGEN[@]}" wait-ready --url "http://127.0.0.1:$MOCK_PORT/" --since-ns "$(date +%s%N)" --label mock --timeout-s 30 >/dev/null || { log "mock did not start"; exit 2; }
  # The mock runs JIT: warm it up (tiered compilation) so its CPU per event is steady before anything is measured.
  "${LOADGEN[@]}" run --url "http://127.0.0.1:$MOCK_PORT/api/v1/responses" --body '{"model":"mock/gen-100-1","input":"x","stream":true}' \
    --streams 200 --concurrency 50 --deltas 100 --warmup 0 --label mock-warmup --timeout-s 60 >/dev/null || { log "mock warm-up failed"; exit 2; }
}

write_nginx_conf() {
  mkdir -p "$WORK/nginx"
  chmod 777 "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
CONF
}

write_portkey_preload() {
  # Portkey listens on every interface; this preload rewrites its listen() to 127.0.0.1.
  cat >"$WORK/bind-loopback.mjs" <<'JS'
import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') {
    if (typeof args[1] === 'string') { args[1] = '127.0.0.1'; } else { args.splice(1, 0, '127.0.0.1'); }
  } else if (args[0] && typeof args[0] === 'object' && args[0].path === undefined) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
JS
}

# Sets TARGET_PID, URL, BODY, HEADERS for one target and records its start-up time. A name ending in @base runs
# BENCH_BASE_BIN instead of out/aotpipe.
start_target() {
  local target=$1 model=$2 port t0 probe ready bin="$ROOT/out/aotpipe" kind=$1 persist=()
  case "$target" in *@base) bin=$BENCH_BASE_BIN; kind=${target%@base} ;; esac
  HEADERS=()
  BODY="{\"model\":\"$model\",\"input\":\"x\",\"stream\":true}"
  [ "$target" = direct ] && { TARGET_PID=""; URL="http://127.0.0.1:$MOCK_PORT/api/v1/responses"; return 0; }
  port=$(target_port "$target")
  # The prober starts before the target so that its own start-up is not counted.
  "${LOADGEN[@]}" wait-ready --url "http://127.0.0.1:$port/healthz" --label "$target" --timeout-s 30 >"$WORK/ready.txt" &
  probe=$!
  sleep 0.5
  t0=$(date +%s%N)
  case "$target" in
    nginx)
      URL="http://127.0.0.1:$port/api/v1/responses"
      nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -e "$WORK/nginx/error.log" >"$WORK/nginx.log" 2>&1 &
      TARGET_PID=$! ;;
    yarp)
      URL="http://127.0.0.1:$port/api/v1/responses"
      "$BUILD/yarp/yarp-baseline" --urls "http://127.0.0.1:$port" --upstream "http://127.0.0.1:$MOCK_PORT/" >"$WORK/yarp.log" 2>&1 &
      TARGET_PID=$! ;;
    portkey)
      URL="http://127.0.0.1:$port/v1/responses"
      HEADERS=(--header "x-portkey-provider: openai" --header "x-portkey-custom-host: http://127.0.0.1:$MOCK_PORT/api/v1")
      NODE_ENV=production node --import "$WORK/bind-loopback.mjs" "$BUILD/portkey/node_modules/@portkey-ai/gateway/build/start-server.js" \
        "--port=$port" --headless >"$WORK/portkey.log" 2>&1 &
      TARGET_PID=$! ;;
    aotpipe-*)
      URL="http://127.0.0.1:$port/v1/responses"
      case "$kind" in aotpipe-chat*)
        URL="http://127.0.0.1:$port/v1/chat/completions"
        BODY="{\"model\":\"$model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}" ;;
      esac
      case "$kind" in *-pg)
        persist=(DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres" ARTIFACT_ENCRYPTION_KEY="$ARTIFACT_KEY")
        HEADERS=(--header "X-OpenWebUI-Chat-Id: $CHAT_ID") ;;
      esac
      (cd "$WORK" && exec env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_GCgen0size=100000 MAX_CONCURRENT_REQUESTS=5000 \
        OPENROUTER_API_BASE_URL="http://127.0.0.1:$MOCK_PORT/api/v1" OPENROUTER_API_KEY=bench LOG_LEVEL=WARNING AOTPIPE_DATA_DIR="$WORK/data" \
        "${persist[@]}" "$bin" serve --urls "http://127.0.0.1:$port") >"$WORK/aotpipe.log" 2>&1 &
      TARGET_PID=$! ;;
  esac
  wait "$probe" || { log "$target did not start"; return 1; }
  ready=$(sed 's/.*ready_ns=\([0-9]*\).*/\1/' "$WORK/ready.txt")
  echo "kind=startup rep=$REP target=$target startup_ms=$(awk -v a="$ready" -v b="$t0" 'BEGIN {printf "%.2f", (a - b) / 1e6}')" >>"$RESULTS"
}

target_port() {
  case "$1" in nginx) echo $NGINX_PORT ;; yarp) echo $YARP_PORT ;; portkey) echo $PORTKEY_PORT ;; *) echo $AOTPIPE_PORT ;; esac
}

# ---------- workloads ----------
# name streams concurrency deltas interval-ms
if [ "$MODE" = quick ]; then
  WORKLOADS=("c1 10 1 100 1" "c50 50 50 100 5")
  TARGETS=(direct aotpipe-relay aotpipe-chat)
  [ -x "$PG_BIN/initdb" ] && TARGETS+=(aotpipe-chat-pg)
  ROUNDS=1
else
  WORKLOADS=("c1 100 1 10 1" "c50 200 50 100 5" "c200 600 200 100 5" "c500 1000 500 100 5" "c1000 1000 1000 100 5" "slow 20 20 20000 0")
  TARGETS=(direct nginx yarp portkey aotpipe-relay aotpipe-chat aotpipe-relay-pg aotpipe-chat-r aotpipe-chat-pg)
  ROUNDS=3
fi
CUSTOM=0
if [ -n "${BENCH_TARGETS:-}" ]; then read -r -a TARGETS <<<"$BENCH_TARGETS"; CUSTOM=1; fi
if [ -n "${BENCH_WORKLOADS:-}" ]; then
  selected=()
  for w in "${WORKLOADS[@]}"; do
    for name in $BENCH_WORKLOADS; do [ "${w%% *}" = "$name" ] && selected+=("$w"); done
  done
  WORKLOADS=("${selected[@]}"); CUSTOM=1
fi
if [ -n "${BENCH_ROUNDS:-}" ]; then ROUNDS=$BENCH_ROUNDS; CUSTOM=1; fi
if [ -n "${BENCH_BASE_BIN:-}" ]; then CUSTOM=1; fi
RAMP_MS=${BENCH_RAMP_MS:-0}
if [ "$RAMP_MS" != 0 ]; then CUSTOM=1; fi
for t in "${TARGETS[@]}"; do
  case "$t" in *@base) [ -x "${BENCH_BASE_BIN:-}" ] || { log "$t needs BENCH_BASE_BIN (an earlier aotpipe binary)"; exit 2; } ;; esac
done
SLOW_SECONDS=5

run_one() {
  local target=$1 workload=$2 streams=$3 conc=$4 deltas=$5 interval=$6 line rc server_pid model markers=0 extra=0
  model="mock/gen-$deltas-$interval"
  # The reasoning stream (8 more upstream events) for the persistence pair; persistence on must append one marker.
  case "${target%@base}" in aotpipe-chat-r|aotpipe-chat-pg) model+="-r"; extra=8 ;; esac
  case "${target%@base}" in aotpipe-chat-pg) markers=1 ;; esac
  start_target "$target" "$model" || { echo "kind=run rep=$REP workload=$workload target=$target failed=start" >>"$RESULTS"; FAILS=$((FAILS + 1)); return; }
  server_pid=${TARGET_PID:-$MOCK_PID}
  if [ "$workload" = slow ]; then
    line=$("${LOADGEN[@]}" slow --url "$URL" --body "$BODY" "${HEADERS[@]}" --clients "$streams" --seconds "$SLOW_SECONDS" \
      --server-pid "$server_pid" --label "$target" --timeout-s 60); rc=$?
  else
    line=$("${LOADGEN[@]}" run --url "$URL" --body "$BODY" "${HEADERS[@]}" --streams "$streams" --concurrency "$conc" --deltas "$deltas" \
      --expect-markers "$markers" --extra-events "$extra" --ramp-ms "$RAMP_MS" --server-pid "$server_pid" --mock-pid "$MOCK_PID" --label "$target" --timeout-s 120); rc=$?
  fi
  echo "kind=run rep=$REP workload=$workload target=$target rc=$rc $line" >>"$RESULTS"
  [ "$rc" = 0 ] || { FAILS=$((FAILS + 1)); log "FAILED: $workload $target: $line"; }
  log "$workload $target: $line"
  stop_pid "$TARGET_PID"; TARGET_PID=""
}

for port in $MOCK_PORT $NGINX_PORT $YARP_PORT $PORTKEY_PORT $AOTPIPE_PORT $PG_PORT; do
  # A leftover listener would answer in place of the target under test.
  if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then log "port $port is in use on this host; stop that process first"; exit 2; fi
done
build_all
case " ${TARGETS[*]} " in *-pg[\ @]*) start_postgres || exit 2 ;; esac
write_nginx_conf
write_portkey_preload
FAILS=0
STARTED=$(date +%s)
for REP in $(seq 1 $ROUNDS); do
  start_mock
  for w in "${WORKLOADS[@]}"; do
    read -r name streams conc deltas interval <<<"$w"
    # Interleaved: every target once per round, the order rotated each round so no target always runs first.
    n=${#TARGETS[@]}
    for i in $(seq 0 $((n - 1))); do
      run_one "${TARGETS[$(((i + REP - 1) % n))]}" "$name" "$streams" "$conc" "$deltas" "$interval"
    done
  done
  stop_pid "$MOCK_PID" KILL; MOCK_PID=""
done
ELAPSED=$(($(date +%s) - STARTED))

{
  echo "kind=meta mode=$MODE elapsed_s=$ELAPSED load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',') aotpipe_bytes=$(stat -c %s "$ROOT/out/aotpipe")" \
    "yarp_bytes=$( [ -f "$BUILD/yarp/yarp-baseline" ] && stat -c %s "$BUILD/yarp/yarp-baseline" || echo 0)" \
    "nginx=$(nginx -v 2>&1 | sed 's/.*nginx\///') node=$(node --version 2>/dev/null) dotnet=$(dotnet --version)"
} >>"$RESULTS"
mkdir -p "$ROOT/.tmp/bench"
[ "$CUSTOM" = 1 ] && MODE_NAME=custom || MODE_NAME=$MODE
cp "$RESULTS" "$ROOT/.tmp/bench/results-$MODE_NAME.txt"
if [ "$MODE" = full ] && [ "$CUSTOM" = 0 ]; then
  python3 bench/report.py "$RESULTS" "$ROOT/perf-reports" || FAILS=$((FAILS + 1))
fi
python3 bench/report.py --summary "$RESULTS"
[ "$FAILS" -eq 0 ]
