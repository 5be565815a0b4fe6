# finmcp as a container: the HTTP transport serving FinOpps and B4B (docs/deployment.md, "Container").
# Built from the clone; not built by `npm test` (no container engine on CI). Node 24 LTS, pinned exactly.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: `prepare` (the build) runs below, once the sources are in.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production \
    FINMCP_TRANSPORT=http \
    FINMCP_HOST=0.0.0.0 \
    FINMCP_PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/generated ./generated
COPY --from=build /app/specs ./specs
# The image's own unprivileged user; nothing in /app is writable by it.
USER node
EXPOSE 3000
# /healthz answers 200 while the server serves (the Host 127.0.0.1:<port> is always accepted).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.FINMCP_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/finmcp.js", "serve", "finopps", "b4b"]
