#!/usr/bin/env bash
# One entry point for newcomers and CI:
#   ./build.sh run [--demo]   publish the native binary and run the gateway (--demo: against the bundled mock)
#   ./build.sh test           install missing prerequisites, build, test, publish, smoke-test; last line "N passed, N failed"
#   ./build.sh publish        native AOT publish to out/ with the zero-warning gate
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
OUT="$ROOT/out"
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
  log "native AOT publish -> $OUT"
  local logfile="$ROOT/.tmp/publish.log"
  mkdir -p "$ROOT/.tmp"
  if ! dotnet publish src/AotPipe.Server -c Release -o "$OUT" -p:CppCompilerAndLinker="$(clang_driver)" >"$logfile" 2>&1; then
    tail -n 40 "$logfile"; return 1
  fi
  # The zero-warning gate: any IL/trim/AOT analysis warning fails the publish.
  if grep -E "warning (IL[0-9]+|SYSLIB|CS[0-9]+)" "$logfile"; then
    echo "publish produced warnings (see above)"; return 1
  fi
  log "binary: $(stat -c %s "$OUT/aotpipe") bytes"
}

cmd_run() {
  ensure_prerequisites run
  publish || exit 2
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
  step "native AOT publish with zero warnings" publish
  export AOTPIPE_BINARY="$OUT/aotpipe"
  for project in tests/AotPipe.Tests tests/AotPipe.IntegrationTests; do
    log "dotnet test $project"
    dotnet test "$project" -c Release --no-build >"$ROOT/.tmp/test.log" 2>&1
    grep -E "^\s+(Failed|Skipped) |\[FAIL\]|Passed!|Failed!" "$ROOT/.tmp/test.log" | head -60
    count_dotnet_test "$ROOT/.tmp/test.log"
  done
  if [ -x "$OUT/aotpipe" ]; then step "published binary smoke run" smoke_binary; fi
  if [ -x "$OUT/aotpipe" ]; then step "gateway load smoke (bench/run-all.sh --quick)" bench/run-all.sh --quick; fi
  step "container build steps (scripts/container-build.sh)" container_build
  step "docs smoke (every command the docs show)" ./scripts/docs-smoke.sh
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

case "${1:-help}" in
  run) shift; cmd_run "$@" ;;
  test) cmd_test ;;
  publish) ensure_prerequisites run; publish ;;
  *) sed -n '2,5p' "$0"; exit 2 ;;
esac
