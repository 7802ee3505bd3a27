# syntax=docker/dockerfile:1
# Build: native AOT in the SDK image. The same steps run without Docker in scripts/container-build.sh.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# EDITION=lean builds the lean edition (no PostgreSQL store, no Redis cache; docs/architecture.md, "Editions").
ARG EDITION=full
RUN ./scripts/container-build.sh /app "$EDITION"

# Run: only the native binary (and SQLite's native library for the embedded store) on runtime-deps.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-bookworm-slim
WORKDIR /app
COPY --from=build /app/ ./
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    AOTPIPE_DATA_DIR=/data \
    SESSION_LOG_DIR=/data/session_logs
VOLUME ["/data"]
USER 64198:64198
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=4s --retries=3 CMD ["/app/aotpipe", "healthcheck", "http://127.0.0.1:8080"]
ENTRYPOINT ["/app/aotpipe", "serve"]
