#!/usr/bin/env bash
# The Dockerfile's build stage, runnable without Docker: publish the native binary into DIR with only what the
# runtime image needs (the binary and SQLite's native library), and check that it starts.
#   container-build.sh DIR [full|lean]   the edition (docs/architecture.md, "Editions"); full by default
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: container-build.sh DIR [full|lean]}
edition=${2:-full}
driver=clang
command -v clang >/dev/null || driver=$(basename "$(ls /usr/bin/clang-1[0-9] | sort -V | tail -n 1)")
dotnet publish src/AotPipe.Server -c Release -o "$dest.publish" -p:AotPipeEdition="$edition" -p:CppCompilerAndLinker="$driver" -p:DebugType=none -p:GenerateDocumentationFile=false
mkdir -p "$dest"
cp "$dest.publish/aotpipe" "$dest/"
cp "$dest.publish"/*.so "$dest/" 2>/dev/null || true
rm -rf "$dest.publish"
"$dest/aotpipe" --version
