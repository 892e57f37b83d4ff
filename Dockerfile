# Multi-stage build on the official Bun image: install, build the console and the
# single executable, then run it as a non-root user with data in /data.
FROM oven/bun:1 AS build
WORKDIR /app
COPY package.json bun.lock bunfig.toml tsconfig.json ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun run build

FROM oven/bun:1-slim AS run
WORKDIR /app
RUN useradd --system --uid 10001 --home /data switchboard && mkdir -p /data && chown switchboard /data
COPY --from=build /app/dist/switchboard /app/switchboard
USER switchboard
# Read at process start, so they must be in the environment: Bun's fetch runs at most 256
# requests at once unless told otherwise (a gateway holding long LLM streams needs far
# more), and the allocator keeps freed pages instead of returning them to the OS every few
# milliseconds (about a fifth of the gateway's CPU per call), and the JavaScript heap is sized
# as on a 1 GiB machine whatever the host's RAM (see docs/performance.md).
ENV DATA_DIR=/data PORT=3000 HOST=0.0.0.0 BUN_CONFIG_MAX_HTTP_REQUESTS=65535 MIMALLOC_PURGE_DELAY=-1 BUN_JSC_forceRAMSize=1073741824
# The single executable's embedded database is PGlite in /data/pg (the PostgreSQL server
# child process of `bun start` needs binaries that cannot run from inside the executable);
# set DATABASE_URL for a PostgreSQL server.
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["/app/switchboard", "healthcheck"]
ENTRYPOINT ["/app/switchboard"]
