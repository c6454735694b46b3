# syntax=docker/dockerfile:1
#
# shrinkray as a container: one static-ish executable on a distroless base.
#
#   docker build -t shrinkray .
#   docker run -p 8080:8080 -v shrinkray-data:/data -e BASE_URL=https://s.example.com shrinkray
#   docker exec <container> shrinkray user create --email you@example.com --password '...' --admin
#
# Build stage: node + `npm ci`, not oven/bun + `bun install`. The repository's
# lockfile is package-lock.json (what CI installs from); `bun install
# --frozen-lockfile` wants bun.lock and would re-resolve instead. Bun itself is
# an npm devDependency, so `npm ci` installs exactly the Bun version the lockfile
# pins (node_modules/.bin/bun), for the build platform, and that is the runtime
# the compiled binary embeds. Building on amd64 or arm64 gives a native binary.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# SCARF_ANALYTICS: swagger-ui-dist pulls in @scarf/scarf, whose postinstall phones home
RUN SCARF_ANALYTICS=false npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && ./dist/shrinkray --help >/dev/null \
 && mkdir -p /out/data

# Runtime stage: the compiled binary needs only glibc (ldd: libc, libpthread,
# libdl, libm), which distroless/cc provides; no shell, no package manager.
# The :nonroot tag runs as uid/gid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /app/dist/shrinkray /usr/local/bin/shrinkray
# a fresh named volume copies this folder's ownership, so the non-root user can write to it
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATA_DIR=/data PORT=8080 HOST=0.0.0.0
VOLUME /data
EXPOSE 8080
USER 65532:65532
# no curl on distroless: the binary checks http://127.0.0.1:$PORT/healthz itself
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/shrinkray", "healthcheck"]
# exec form: shrinkray is PID 1 and receives SIGTERM from `docker stop`,
# which flushes queued clicks before exit (well inside the default 10 s)
ENTRYPOINT ["/usr/local/bin/shrinkray"]
CMD ["serve"]
