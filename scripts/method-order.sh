#!/usr/bin/env bash
# Regenerates src/AotPipe.Server/method-order.txt, the code layout the native compiler follows
# (perf-reports/footprint.md, "Start-up code laid out together").
#
# Native AOT places methods in no particular order, so the few thousand methods that start-up and a first request run are
# spread over the whole 11 MB code section, and the kernel maps every 64 KB neighbourhood they touch: most of the code
# ends up resident in an idle gateway. This script lists the methods a real start and a few requests execute (exact,
# from valgrind's callgrind, not sampled): the start-up ones first, then those only the requests ran, each group sorted
# by name; the publish (IlcOrderFile) then lays them out together.
#
#   scripts/method-order.sh [OUTPUT]     needs valgrind and python3 (apt-get install valgrind); binds 127.0.0.1 only
#
# Run it after larger changes to start-up or the request path. A stale list is harmless: names the compiler no longer
# knows are skipped and new methods are placed after the listed ones; the script prints how many it matched.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUTPUT=${1:-$ROOT/src/AotPipe.Server/method-order.txt}
MOCK_PORT=${METHOD_ORDER_PORT:-19530}
GATEWAY_PORT=$((MOCK_PORT + 1))
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed"; exit 2; }
WORK=$(mktemp -d /tmp/aotpipe-method-order.XXXXXX)
MOCK_PID="" GATEWAY_PID=""
cleanup() {
  [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null
  [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

driver=clang
command -v clang >/dev/null || driver=$(basename "$(ls /usr/bin/clang-1[0-9] | sort -V | tail -n 1)")
echo "== publish with a symbol table (the layout does not change the names)"
dotnet publish src/AotPipe.Server -c Release -o "$WORK/publish" -p:StripSymbols=false -p:CppCompilerAndLinker="$driver" >"$WORK/publish.log" 2>&1 \
  || { tail -n 30 "$WORK/publish.log"; exit 2; }
# valgrind reads the symbol table; the DWARF of a native AOT binary only slows it down.
objcopy --strip-debug "$WORK/publish/aotpipe" "$WORK/aotpipe"
cp "$WORK/publish"/*.so "$WORK/"
dotnet build tests/AotPipe.MockOpenRouter -c Release -v q >/dev/null
dotnet build bench/AotPipe.LoadGen -c Release -v q >/dev/null
LOADGEN=(dotnet "$ROOT/bench/AotPipe.LoadGen/bin/Release/net10.0/linux-x64/aotpipe-loadgen.dll")

echo "== mock OpenRouter on 127.0.0.1:$MOCK_PORT"
dotnet tests/AotPipe.MockOpenRouter/bin/Release/net10.0/mock-openrouter.dll --urls "http://127.0.0.1:$MOCK_PORT" >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!
"${LOADGEN[@]}" wait-ready --url "http://127.0.0.1:$MOCK_PORT/" --label mock --timeout-s 30 >/dev/null

echo "== gateway under callgrind on 127.0.0.1:$GATEWAY_PORT"
# GCHeapHardLimit (hex, 512 MiB): valgrind cannot reserve the GC's default address range.
(cd "$WORK" && exec env OPENROUTER_API_BASE_URL="http://127.0.0.1:$MOCK_PORT/api/v1" OPENROUTER_API_KEY=order LOG_LEVEL=WARNING \
  AOTPIPE_DATA_DIR="$WORK/data" DOTNET_GCHeapHardLimit=20000000 \
  valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" ./aotpipe serve --urls "http://127.0.0.1:$GATEWAY_PORT") >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
G="http://127.0.0.1:$GATEWAY_PORT"
for _ in $(seq 1 120); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$G/healthz")" = 200 ] && break
  sleep 1
done
sleep 2
callgrind_control -d "$GATEWAY_PID" >/dev/null 2>&1   # callgrind.out.1: start-up, first /healthz and the idle timers

for path in /healthz /readyz /v1/models /metrics /openapi/v1.json; do curl -s -o /dev/null "$G$path"; done
json='Content-Type: application/json'
curl -s -o /dev/null -N "$G/v1/responses" -H "$json" -d '{"model":"mock/gen-20-1","input":"x","stream":true}'
curl -s -o /dev/null "$G/v1/responses" -H "$json" -d '{"model":"mock/gen-5-1","input":"x"}'
curl -s -o /dev/null -N "$G/v1/chat/completions" -H "$json" -H 'X-OpenWebUI-Chat-Id: method-order' \
  -d '{"model":"mock/gen-20-1-r","stream":true,"messages":[{"role":"user","content":"x"}]}'
curl -s -o /dev/null "$G/v1/chat/completions" -H "$json" -d '{"model":"mock/gen-5-1","messages":[{"role":"user","content":"x"}]}'
curl -s -o /dev/null "$G/v1/chat/completions" -H "$json" -d '{"model":'
"${LOADGEN[@]}" run --url "$G/v1/responses" --body '{"model":"mock/gen-20-1","input":"x","stream":true}' \
  --streams 40 --concurrency 8 --deltas 20 --label relay --timeout-s 120 >/dev/null
"${LOADGEN[@]}" run --url "$G/v1/chat/completions" --body '{"model":"mock/gen-20-1","stream":true,"messages":[{"role":"user","content":"x"}]}' \
  --streams 40 --concurrency 8 --deltas 20 --label chat --timeout-s 120 >/dev/null
callgrind_control -d "$GATEWAY_PID" >/dev/null 2>&1   # callgrind.out.2: the requests
kill "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true; GATEWAY_PID=""

echo "== method list"
python3 - "$OUTPUT" "$WORK"/callgrind.out.1 "$WORK"/callgrind.out.2 <<'EOF'
import re, sys
# callgrind names each object and function once, as "ob=(N) name" / "fn=(N) name", and by number afterwards.
# Managed code lives in the binary's __managedcode section, which valgrind reports as object "???" with resolved names.
# Each dump's new names are sorted, so that a rerun changes only the lines whose methods changed.
output, dumps = sys.argv[1], sys.argv[2:]
names, seen = [], set()
for dump in dumps:
    group = []
    objects, functions, current = {}, {}, None
    for line in open(dump, errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line)
        if not m:
            continue
        kind, number, name = m.groups()
        table = objects if kind.endswith("ob") else functions
        if name:
            table[number] = name
        if kind == "ob":
            current = objects.get(number)
        elif kind == "fn" and current is not None and (current == "???" or current.endswith("/aotpipe")):
            function = re.sub(r"'\d+$", "", functions.get(number, ""))  # callgrind marks recursion depth as 'N
            # Managed symbols are single tokens; C++ runtime functions (with a signature) and raw addresses are not ordered by the compiler.
            if function and not function.startswith("0x") and "(" not in function and " " not in function and function not in seen:
                seen.add(function)
                group.append(function)
    names.extend(sorted(group))
with open(output, "w") as out:
    out.write("\n".join(names) + "\n")
print(f"{len(names)} methods -> {output}")
EOF
