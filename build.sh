#!/usr/bin/env bash
# One entry point for newcomers and CI:
#   ./build.sh run [--demo]   publish the native binary and run the gateway (--demo: against the bundled mock)
#   ./build.sh test           install missing prerequisites, build, test, publish, smoke-test; last line "N passed, N failed"
#   ./build.sh publish        native AOT publish to out/ with the zero-warning gate (full edition)
#   ./build.sh publish-lean   the lean edition (no PostgreSQL store, no Redis cache) to out-lean/, same gate
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
OUT="$ROOT/out"
OUT_LEAN="$ROOT/out-lean"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log() { printf '== %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  # Installs Debian packages only when missing; one apt-get update per run.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq >/dev/null && APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_prerequisites() {
  # Native AOT needs a C toolchain; Debian ships versioned clang drivers without a plain 'clang'.
  if ! command -v clang >/dev/null && ! ls /usr/bin/clang-1[0-9] >/dev/null 2>&1; then apt_install clang; fi
  command -v clang >/dev/null || ls /usr/bin/clang-1[0-9] >/dev/null 2>&1 || apt_install clang
  apt_install zlib1g-dev
  if [ "${1:-}" = test ]; then
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
    command -v 7zz >/dev/null || apt_install 7zip
    command -v node >/dev/null || apt_install nodejs npm
    python3 -c 'import cryptography' >/dev/null 2>&1 || apt_install python3-cryptography
    command -v redis-server >/dev/null || apt_install redis-server
  fi
}

clang_driver() {
  if command -v clang >/dev/null; then echo clang; else basename "$(ls /usr/bin/clang-1[0-9] | sort -V | tail -n 1)"; fi
}

publish() {
  # publish [full|lean]: the full edition goes to out/, the lean edition (perf-reports/footprint.md, "Editions") to out-lean/.
  local edition=${1:-full} out=$OUT
  [ "$edition" = lean ] && out=$OUT_LEAN
  log "native AOT publish ($edition edition) -> $out"
  local logfile="$ROOT/.tmp/publish-$edition.log"
  mkdir -p "$ROOT/.tmp"
  if ! dotnet publish src/AotPipe.Server -c Release -o "$out" -p:AotPipeEdition="$edition" -p:CppCompilerAndLinker="$(clang_driver)" >"$logfile" 2>&1; then
    tail -n 40 "$logfile"; return 1
  fi
  # The zero-warning gate: any IL/trim/AOT analysis warning fails the publish.
  if grep -E "warning (IL[0-9]+|SYSLIB|CS[0-9]+)" "$logfile"; then
    echo "publish produced warnings (see above)"; return 1
  fi
  log "binary: $(stat -c %s "$out/aotpipe") bytes"
}

cmd_run() {
  ensure_prerequisites run
  publish full || exit 2
  local demo=0
  if [ "${1:-}" = "--demo" ]; then demo=1; shift; fi
  if [ $demo = 1 ] || [ -z "${OPENROUTER_API_KEY:-}" ]; then
    log "demo mode: starting the bundled mock OpenRouter on 127.0.0.1:9100"
    dotnet build tests/AotPipe.MockOpenRouter -c Release -v q >/dev/null || exit 2
    dotnet tests/AotPipe.MockOpenRouter/bin/Release/net10.0/mock-openrouter.dll --urls http://127.0.0.1:9100 &
    MOCK_PID=$!
    trap 'kill $MOCK_PID 2>/dev/null' EXIT
    export OPENROUTER_API_BASE_URL=http://127.0.0.1:9100/api/v1 OPENROUTER_API_KEY=${OPENROUTER_API_KEY:-demo-key}
    log "try: curl -N http://127.0.0.1:8080/v1/chat/completions -H 'Content-Type: application/json' -d '{\"model\":\"openai/gpt-5.2\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}'"
  fi
  "$OUT/aotpipe" serve "$@"
}

PASSED=0
FAILED=0
count_dotnet_test() {
  # Reads the VSTest summary lines ("Passed!  - Failed: 0, Passed: 12, ...") of one run.
  local logfile=$1 p f
  p=$(grep -E '^(Passed|Failed)!' "$logfile" | grep -Eo 'Passed: +[0-9]+' | awk '{s+=$2} END {print s+0}')
  f=$(grep -E '^(Passed|Failed)!' "$logfile" | grep -Eo 'Failed: +[0-9]+' | awk '{s+=$2} END {print s+0}')
  # A test host that crashed prints no summary: count it as a failure rather than as nothing.
  grep -qE '^(Passed|Failed)!' "$logfile" || f=$((f + 1))
  PASSED=$((PASSED + ${p:-0})); FAILED=$((FAILED + ${f:-0}))
}

step() {
  # A smoke step counts as one test.
  local name=$1; shift
  if "$@"; then PASSED=$((PASSED + 1)); log "ok: $name"; else FAILED=$((FAILED + 1)); log "FAILED: $name"; fi
}

smoke_binary() {
  local bin="$OUT/aotpipe" port=18089 pid ok=1
  "$bin" --version | grep -q '^aotpipe ' || return 1
  "$bin" config | grep -q '^OPENROUTER_API_KEY=(unset)' || return 1
  OPENROUTER_API_KEY=sk-smoke "$bin" config | grep -q 'sk-smoke' && return 1
  MAX_CONCURRENT_REQUESTS=0 "$bin" serve >/dev/null 2>&1; [ $? -eq 2 ] || return 1
  "$bin" serve --urls "http://127.0.0.1:$port" >"$ROOT/.tmp/smoke.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do "$bin" healthcheck "http://127.0.0.1:$port" >/dev/null 2>&1 && { ok=0; break; }; sleep 0.1; done
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
  return $ok
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

smoke_lean() {
  # Publishes the lean edition and checks: it names its edition, serves /healthz and a streamed /v1/responses through the
  # mock, and refuses DATABASE_URL / REDIS_URL at start-up (exit 2, setting named) instead of ignoring them.
  publish lean || return 1
  local bin="$OUT_LEAN/aotpipe" port mock_port pid mock_pid ok=1 out
  "$bin" config | grep -q '^# aotpipe lean edition' || { echo "config does not name the lean edition"; return 1; }
  out=$(DATABASE_URL=postgres://smoke@127.0.0.1:1/db "$bin" serve --urls http://127.0.0.1:1 2>&1 </dev/null)
  [ $? -eq 2 ] && grep -q 'DATABASE_URL' <<<"$out" && grep -q 'lean edition' <<<"$out" || { echo "DATABASE_URL not refused: $out"; return 1; }
  out=$(REDIS_URL=redis://127.0.0.1:1 "$bin" serve --urls http://127.0.0.1:1 2>&1 </dev/null)
  [ $? -eq 2 ] && grep -q 'REDIS_URL' <<<"$out" || { echo "REDIS_URL not refused: $out"; return 1; }
  out=$(DATABASE_URL=postgres://smoke@127.0.0.1:1/db ARTIFACT_ENCRYPTION_KEY=lean-new-key-0123456789abcdef0123456789ab ARTIFACT_ENCRYPTION_KEY_PREVIOUS=lean-old-key-0123456789abcdef0123456789ab \
    AOTPIPE_DATA_DIR="$ROOT/.tmp/lean-data" "$bin" rotate-artifact-key 2>&1 </dev/null)
  [ $? -eq 2 ] && grep -q 'DATABASE_URL' <<<"$out" || { echo "rotate-artifact-key did not refuse DATABASE_URL: $out"; return 1; }
  dotnet build tests/AotPipe.MockOpenRouter -c Release -v q >"$ROOT/.tmp/lean-mock-build.log" 2>&1 || { tail -n 5 "$ROOT/.tmp/lean-mock-build.log"; return 1; }
  mock_port=$(free_port); port=$(free_port)
  dotnet tests/AotPipe.MockOpenRouter/bin/Release/net10.0/mock-openrouter.dll --urls "http://127.0.0.1:$mock_port" >"$ROOT/.tmp/lean-mock.log" 2>&1 &
  mock_pid=$!
  AOTPIPE_DATA_DIR="$ROOT/.tmp/lean-data" OPENROUTER_API_KEY=sk-lean-smoke OPENROUTER_API_BASE_URL="http://127.0.0.1:$mock_port/api/v1" \
    "$bin" serve --urls "http://127.0.0.1:$port" >"$ROOT/.tmp/lean-smoke.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    # Ready when the gateway answers /healthz and the mock answers anything (a 404 is an answer).
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mock_port/" 2>/dev/null)" != 000 ] \
      && "$bin" healthcheck "http://127.0.0.1:$port" >/dev/null 2>&1 && { ok=0; break; }
    sleep 0.1
  done
  if [ $ok = 0 ]; then
    out=$(curl -sS -N --max-time 20 "http://127.0.0.1:$port/v1/responses" -H 'Content-Type: application/json' \
      -d '{"model":"openai/gpt-5.2","stream":true,"input":"hi"}' 2>&1)
    grep -q 'response.completed' <<<"$out" || { echo "streamed /v1/responses failed: ${out:0:400}"; ok=1; }
  else
    echo "lean gateway or mock did not become ready"; tail -n 20 "$ROOT/.tmp/lean-smoke.log"
  fi
  kill -TERM $pid $mock_pid 2>/dev/null; wait $pid $mock_pid 2>/dev/null
  return $ok
}

container_build() {
  rm -rf "$ROOT/.tmp/container" && ./scripts/container-build.sh "$ROOT/.tmp/container" >"$ROOT/.tmp/container.log" 2>&1 \
    && [ -x "$ROOT/.tmp/container/aotpipe" ] && log "container image payload: $(du -sh "$ROOT/.tmp/container" | cut -f1)"
}

cmd_test() {
  ensure_prerequisites test
  mkdir -p "$ROOT/.tmp"
  log "build (warnings are errors)"
  if ! dotnet build AotPipe.sln -c Release >"$ROOT/.tmp/build.log" 2>&1; then
    grep -E "error|warn" "$ROOT/.tmp/build.log" | sort -u | head -40
    echo "0 passed, 1 failed"; exit 1
  fi
  step "code formatting (dotnet format whitespace)" dotnet format whitespace AotPipe.sln --verify-no-changes
  step "native AOT publish with zero warnings" publish full
  export AOTPIPE_BINARY="$OUT/aotpipe"
  for project in tests/AotPipe.Tests tests/AotPipe.IntegrationTests; do
    log "dotnet test $project"
    # A hung test fails the run within minutes and is named (the suites take well under one minute), instead of
    # holding CI until its time limit.
    dotnet test "$project" -c Release --no-build --blame-hang-timeout 5m --blame-hang-dump-type none >"$ROOT/.tmp/test.log" 2>&1
    grep -E "^\s+(Failed|Skipped) |\[FAIL\]|Passed!|Failed!|aborted|hang|Blame|running when" "$ROOT/.tmp/test.log" | head -60
    count_dotnet_test "$ROOT/.tmp/test.log"
  done
  if [ -x "$OUT/aotpipe" ]; then step "published binary smoke run" smoke_binary; fi
  step "lean edition: publish with zero warnings, /healthz, streamed /v1/responses, DATABASE_URL refused" smoke_lean
  if [ -x "$OUT/aotpipe" ]; then step "gateway load smoke (bench/run-all.sh --quick)" bench/run-all.sh --quick; fi
  step "container build steps (scripts/container-build.sh)" container_build
  step "docs smoke (every command the docs show)" ./scripts/docs-smoke.sh
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

case "${1:-help}" in
  run) shift; cmd_run "$@" ;;
  test) cmd_test ;;
  publish) ensure_prerequisites run; publish full ;;
  publish-lean) ensure_prerequisites run; publish lean ;;
  *) sed -n '2,6p' "$0"; exit 2 ;;
esac
