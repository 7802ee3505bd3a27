#!/usr/bin/env bash
# Runs the commands shown in README.md and docs/*.md against the published binary and the bundled mock OpenRouter.
#   ./build.sh publish && scripts/docs-smoke.sh
# Everything stays on 127.0.0.1 and uses IP literals (no DNS). Prints one line per check and a summary;
# exit 0 only when every check passed and no documented command is missing from the binary.
#
# Excluded, because they need Docker, the real OpenRouter, or an operator's own Open WebUI or database:
#   docker build / docker run (README "Container"), OPENROUTER_API_KEY=sk-or-... ./build.sh run,
#   the Open WebUI admin steps and the valve export query (docs/migrating-from-the-python-pipe.md),
#   psql against an existing database (same page).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${AOTPIPE_BINARY:-$ROOT/out/aotpipe}
WORK=$(mktemp -d)
OK=0; FAILED=0; MISSING=0; SKIPPED=0
PIDS=()

stop() {
  # The mock's host swallows SIGTERM without ending the process: wait briefly, then kill it.
  kill "$1" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null
}
cleanup() { for pid in "${PIDS[@]}"; do stop "$pid"; done; rm -rf "$WORK"; }
trap cleanup EXIT

pass() { OK=$((OK + 1)); printf 'ok       %s\n' "$1"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAILED   %s%s\n' "$1" "${2:+: $2}"; }
skip() { SKIPPED=$((SKIPPED + 1)); printf 'skipped  %s (%s)\n' "$1" "$2"; }
missing() { MISSING=$((MISSING + 1)); printf 'MISSING  %s: the binary does not know this command yet\n' "$1"; }

# Runs a command capturing stdout/stderr/exit code in OUT/ERR/RC.
run() { "$@" >"$WORK/out" 2>"$WORK/err" </dev/null; RC=$?; OUT=$(cat "$WORK/out"); ERR=$(cat "$WORK/err"); }
run_stdin() { local input=$1; shift; "$@" <"$input" >"$WORK/out" 2>"$WORK/err"; RC=$?; OUT=$(cat "$WORK/out"); ERR=$(cat "$WORK/err"); }
is_missing() { [ "$RC" -eq 2 ] && grep -q "unknown command" <<<"$ERR"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_healthy() {
  for _ in $(seq 1 100); do "$BIN" healthcheck "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

if [ ! -x "$BIN" ]; then echo "no binary at $BIN: run ./build.sh publish first"; exit 2; fi
echo "docs smoke against $BIN"

# :: CLI basics (README, configuration.md)
run "$BIN" --help; [ "$RC" -eq 0 ] && grep -q "check-url" <<<"$OUT" && pass "aotpipe --help" || fail "aotpipe --help" "rc=$RC"
run "$BIN" --version; [ "$RC" -eq 0 ] && grep -q '^aotpipe ' <<<"$OUT" && pass "aotpipe --version" || fail "aotpipe --version" "rc=$RC"
OPENROUTER_API_KEY=sk-or-v1-docs-smoke run "$BIN" config
[ "$RC" -eq 0 ] && grep -q '^OPENROUTER_API_KEY=(set, masked)$' <<<"$OUT" && ! grep -q 'docs-smoke' <<<"$OUT" \
  && pass "aotpipe config masks secrets" || fail "aotpipe config masks secrets" "rc=$RC"
MAX_CONCURRENT_REQUESTS=0 run "$BIN" config
[ "$RC" -eq 2 ] && grep -q MAX_CONCURRENT_REQUESTS <<<"$ERR" && pass "aotpipe config names a bad setting (exit 2)" || fail "aotpipe config bad setting" "rc=$RC"

# :: Generated configuration reference (configuration.md header)
if command -v dotnet >/dev/null; then
  run dotnet run --project tools/ConfigDocGen -- --check
  [ "$RC" -eq 0 ] && pass "dotnet run --project tools/ConfigDocGen -- --check" || fail "configuration.md is stale" "$ERR"
else
  skip "dotnet run --project tools/ConfigDocGen" "no dotnet SDK"
fi

# :: Generated OpenAPI document (architecture.md, "Where to change what")
if command -v dotnet >/dev/null; then
  run dotnet run --project tools/OpenApiDocGen -- --check
  [ "$RC" -eq 0 ] && pass "dotnet run --project tools/OpenApiDocGen -- --check" || fail "openapi-v1.json is stale" "$ERR"
else
  skip "dotnet run --project tools/OpenApiDocGen" "no dotnet SDK"
fi

# :: Secrets (security.md, migrating)
export WEBUI_SECRET_KEY=t0p-secret
printf '%s\n' "sk-or-v1-0123456789abcdef" >"$WORK/secret.txt"
run_stdin "$WORK/secret.txt" "$BIN" encrypt-secret
ENCRYPTED=$OUT
[ "$RC" -eq 0 ] && [[ "$ENCRYPTED" == encrypted:gAAAAA* ]] && pass "aotpipe encrypt-secret" || fail "aotpipe encrypt-secret" "rc=$RC"
OPENROUTER_API_KEY=$ENCRYPTED run "$BIN" config
[ "$RC" -eq 0 ] && pass "encrypted: value accepted by aotpipe config" || fail "encrypted: value accepted" "rc=$RC $ERR"
OPENROUTER_API_KEY=$ENCRYPTED WEBUI_SECRET_KEY=other run "$BIN" config
[ "$RC" -eq 2 ] && grep -q OPENROUTER_API_KEY <<<"$ERR" && pass "undecryptable secret fails loudly (exit 2)" || fail "undecryptable secret fails loudly" "rc=$RC"
unset WEBUI_SECRET_KEY
run_stdin "$WORK/secret.txt" env -u WEBUI_SECRET_KEY "$BIN" encrypt-secret
[ "$RC" -eq 2 ] && pass "encrypt-secret without WEBUI_SECRET_KEY exits 2" || fail "encrypt-secret without key" "rc=$RC"

# :: Inbound key hash (security.md)
KEY=docs-smoke-inbound-key
HASH=$(printf '%s' "$KEY" | sha256sum | cut -c1-64)
AOTPIPE_API_KEYS="openwebui:sha256:$HASH" run "$BIN" config
[ "$RC" -eq 0 ] && [ ${#HASH} -eq 64 ] && pass "hashed inbound key accepted" || fail "hashed inbound key" "rc=$RC $ERR"
if command -v openssl >/dev/null; then
  STRONG=$(openssl rand -base64 32)
  ARTIFACT_ENCRYPTION_KEY=$STRONG run "$BIN" config
  [ "$RC" -eq 0 ] && [ ${#STRONG} -eq 44 ] && pass "openssl rand -base64 32 as ARTIFACT_ENCRYPTION_KEY" || fail "artifact key from openssl" "rc=$RC"
else
  skip "openssl rand -base64 32" "openssl not installed"
fi

# :: Artifact table name (migrating; DESIGN.md section 4 test vector)
ARTIFACT_ENCRYPTION_KEY=artifact-key-1 PIPE_ID=openrouter_responses
NAME="response_items_${PIPE_ID}_$(printf '%s' "${ARTIFACT_ENCRYPTION_KEY}${PIPE_ID}" | sha256sum | cut -c1-8)"
[ "$NAME" = response_items_openrouter_responses_2b207cf2 ] && pass "table-name one-liner" || fail "table-name one-liner" "$NAME"
unset ARTIFACT_ENCRYPTION_KEY PIPE_ID

# :: Egress policy (security.md, migrating)
check_url() {
  local url=$1 want=$2 want_rc=$3
  run "$BIN" check-url "$url"
  [ "$RC" -eq "$want_rc" ] && [ "$OUT" = "$want" ] && pass "check-url $url -> $want" || fail "check-url $url" "got '$OUT' rc=$RC"
}
check_url https://169.254.169.254/latest/meta-data/ "block: private-address" 1
check_url http://203.0.113.7/a.png "block: insecure-http" 1
check_url https://user@203.0.113.7/a.png "block: userinfo" 1
check_url https://203.0.113.7:8443/a.png "block: port" 1
check_url https://localhost/a.png "block: localhost" 1
check_url https://93.184.215.14/a.png "allow" 0
ALLOW_INSECURE_HTTP=true ALLOW_INSECURE_HTTP_HOSTS=93.184.215.14 run "$BIN" check-url http://93.184.215.14/a.png
[ "$RC" -eq 0 ] && [ "$OUT" = allow ] && pass "check-url with an http allowlist entry" || fail "check-url http allowlist" "got '$OUT' rc=$RC"

# :: Redaction (security.md)
{ printf '{"image":"data:image/png;base64,'; head -c 600 /dev/zero | base64 -w0; printf '"}\n'; } >"$WORK/gateway.log"
run_stdin "$WORK/gateway.log" "$BIN" redact
if is_missing; then missing "aotpipe redact"
elif [ "$RC" -eq 0 ] && grep -q 'REDACTED' <<<"$OUT" && [ ${#OUT} -lt 300 ]; then pass "aotpipe redact < gateway.log"
else fail "aotpipe redact" "rc=$RC"; fi

# :: Session-log archive (security.md)
if command -v 7zz >/dev/null; then
  mkdir -p "$WORK/archive-src" "$WORK/session_logs/alice/chat-1"
  printf '{"created_at":"2026-01-01T00:00:00.000Z"}' >"$WORK/archive-src/meta.json"
  printf '{"ts":"2026-01-01T00:00:00.000Z","level":"INFO","message":"hello"}\n' >"$WORK/archive-src/logs.jsonl"
  (cd "$WORK/archive-src" && 7zz a -tzip -mem=AES256 -pzip-password "$WORK/session_logs/alice/chat-1/msg-1.zip" meta.json logs.jsonl >/dev/null)
  SESSION_LOG_ZIP_PASSWORD=zip-password run "$BIN" session-log extract "$WORK/session_logs/alice/chat-1/msg-1.zip" --out "$WORK/incident-42"
  if is_missing; then missing "aotpipe session-log extract"
  elif [ "$RC" -eq 0 ] && grep -q hello "$WORK/incident-42/logs.jsonl" 2>/dev/null; then pass "aotpipe session-log extract ZIP --out DIR"
  else fail "aotpipe session-log extract" "rc=$RC $ERR"; fi
  SESSION_LOG_ZIP_PASSWORD=wrong run "$BIN" session-log extract "$WORK/session_logs/alice/chat-1/msg-1.zip" --out "$WORK/incident-43"
  if is_missing; then :
  elif [ "$RC" -eq 1 ]; then pass "session-log extract with a wrong password exits 1"
  else fail "session-log extract wrong password" "rc=$RC"; fi
else
  skip "aotpipe session-log extract" "7zz not installed to build a test archive (apt-get install 7zip)"
fi

# :: Key rotation (security.md), on the embedded store in a scratch directory
mkdir -p "$WORK/data"
AOTPIPE_DATA_DIR="$WORK/data" ARTIFACT_ENCRYPTION_KEY="new-key-0123456789abcdef0123456789ab" \
  ARTIFACT_ENCRYPTION_KEY_PREVIOUS="old-key-0123456789abcdef0123456789ab" run "$BIN" rotate-artifact-key
if is_missing; then missing "aotpipe rotate-artifact-key"
elif [ "$RC" -eq 0 ]; then pass "aotpipe rotate-artifact-key (nothing to move)"
else fail "aotpipe rotate-artifact-key" "rc=$RC $ERR"; fi

# :: Serving (README, migrating, architecture): the gateway against the bundled mock
if ! command -v python3 >/dev/null; then
  skip "serve against the mock" "python3 needed to pick free ports"
elif ! dotnet build tests/AotPipe.MockOpenRouter -c Release -v q >"$WORK/mock-build.log" 2>&1; then
  fail "build the bundled mock" "$(tail -n 5 "$WORK/mock-build.log")"
else
  MOCK_PORT=$(free_port); PORT=$(free_port)
  dotnet tests/AotPipe.MockOpenRouter/bin/Release/net10.0/mock-openrouter.dll --urls "http://127.0.0.1:$MOCK_PORT" >"$WORK/mock.log" 2>&1 &
  PIDS+=($!)
  # The migration page's start-up, with a hashed inbound key, on loopback instead of 0.0.0.0.
  GATEWAY_KEY=docs-smoke-gateway-key
  OPENROUTER_API_BASE_URL="http://127.0.0.1:$MOCK_PORT/api/v1" OPENROUTER_API_KEY=demo-key \
    AOTPIPE_API_KEYS="openwebui:sha256:$(printf '%s' "$GATEWAY_KEY" | sha256sum | cut -c1-64)" \
    AOTPIPE_DATA_DIR="$WORK/serve-data" "$BIN" serve --urls "http://127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
  PIDS+=($!)
  BASE="http://127.0.0.1:$PORT"
  if wait_healthy "$BASE"; then
    pass "aotpipe serve --urls $BASE; aotpipe healthcheck $BASE"
    curl -fsS "$BASE/healthz" >/dev/null && pass "curl /healthz" || fail "curl /healthz"
    READY=$(curl -fsS "$BASE/readyz") && pass "curl /readyz -> $READY" || fail "curl /readyz"
    STREAM=$(curl -fsSN "$BASE/v1/chat/completions" -H "Authorization: Bearer $GATEWAY_KEY" -H 'Content-Type: application/json' \
      -d '{"model":"openai/gpt-5.2","stream":true,"messages":[{"role":"user","content":"hi"}]}')
    [ $? -eq 0 ] && grep -q '^data: \[DONE\]' <<<"$STREAM" && grep -q 'chat.completion.chunk' <<<"$STREAM" \
      && pass "curl -N /v1/chat/completions (stream)" || fail "streamed chat completion"
    BODY=$(curl -fsS "$BASE/v1/chat/completions" -H "Authorization: Bearer $GATEWAY_KEY" -H 'Content-Type: application/json' \
      -d '{"model":"openai/gpt-5.2","messages":[{"role":"user","content":"hi"}]}')
    [ $? -eq 0 ] && grep -q '"object":"chat.completion"' <<<"$BODY" && pass "curl /v1/chat/completions (non-stream)" || fail "non-stream chat completion"
    curl -fsS "$BASE/v1/models" -H "Authorization: Bearer $GATEWAY_KEY" | grep -q '"object":"list"' && pass "curl /v1/models" || fail "curl /v1/models"
  else
    fail "aotpipe serve against the mock" "$(tail -n 5 "$WORK/serve.log")"
  fi
  run "$BIN" healthcheck "http://127.0.0.1:$(free_port)"
  [ "$RC" -eq 1 ] && pass "aotpipe healthcheck on a closed port exits 1" || fail "healthcheck closed port" "rc=$RC"
  run timeout 20 "$BIN" serve --urls "http://0.0.0.0:$(free_port)"
  [ "$RC" -eq 2 ] && grep -q AOTPIPE_API_KEYS <<<"$ERR" && pass "serve on 0.0.0.0 without keys exits 2" || fail "serve on 0.0.0.0 without keys" "rc=$RC"
fi

echo "docs smoke: $OK ok, $FAILED failed, $MISSING missing commands, $SKIPPED skipped"
[ "$FAILED" -eq 0 ] && [ "$MISSING" -eq 0 ]
