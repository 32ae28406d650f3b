# syntax=docker/dockerfile:1
# Roster's container: `roster controller` reconciling on a schedule and serving the status API.
#
#   docker build -t roster .
#   docker run -p 8080:8080 -e DATABASE_URL=… -e AZURE_TENANT_ID=… -e AZURE_CLIENT_ID=… \
#     -e AZURE_CLIENT_CERTIFICATE_PATH=/secrets/roster.pem -v "$PWD:/config:ro" -v …:/secrets:ro roster
#
# Debian (glibc), not Alpine: sharp's prebuilt platform binaries come in through optional
# dependencies resolved for the build stage, so both stages must share one libc and one arch.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Only what `npm ci` and the build read, so a change to docs or tests keeps the cache.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
COPY templates ./templates
COPY desired-state ./desired-state
# The same install as .ci/run: `npm ci` runs `prepare`, which is `npm run build` (tsc into dist/).
RUN npm ci --no-audit --no-fund
# Keep the production dependencies only; `prune` runs no lifecycle script, so dist/ stays.
RUN npm prune --omit=dev --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the runtime user: the process cannot alter its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/templates ./templates
# The desired-state folder Roster reads (`-C`, default the working directory): the shipped
# example settings and templates, replaced by mounting your own repository at /config.
COPY --from=build /app/desired-state /config/desired-state
COPY --from=build /app/templates /config/templates
WORKDIR /config
# The image's `node` user, written numerically so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
# No curl in slim images: Node's own fetch checks liveness. The port matches CMD's --port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# V8 options as the `roster` command starts with them (src/cli/memory-profile.ts).
ENTRYPOINT ["node", "--max-semi-space-size=4", "/app/dist/cli/main.js"]
CMD ["controller", "--host", "0.0.0.0", "--port", "8080"]
