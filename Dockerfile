# The CPOR claims bot as a container image (Azure Container Apps runs it: infra/azure.bicep).
# Build:  docker build -t cpor-bot .          (or in the registry: az acr build --image cpor-bot:TAG .)
# Run:    docker run -p 3978:3978 --env-file .env cpor-bot
# The same image runs the timer sweep: node --disable-warning=DEP0111 dist/app/cli/sweep.js

# ---- build: every dependency, TypeScript compiled into dist/ ----------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed to compile (botbuilder-dialogs' tidy-up runs in the
# runtime stage, where the installed tree is kept).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app ./app
COPY src ./src
COPY bot ./bot
COPY cards ./cards
COPY data ./data
RUN npm run build

# ---- runtime: production dependencies only, non-root ----------------------------------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    npm_config_update_notifier=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY data ./data
# The PoE template Word documents the bot fills (src/services/poeTemplate.ts).
COPY assets ./assets
COPY scripts/buildIfSourcesPresent.js ./scripts/
# AsyncLocalStorage (the turn's ids on every log line; OpenTelemetry's context with Application Insights)
# on Node 22's async context frames instead of async hooks, which otherwise run for every promise: a
# status turn costs some 7% less CPU, a dialog step 11% (docs/performance.md, session 11). Node 24 does
# this by default (then drop this line: test/process/asyncContextFrames.test.ts says so).
ENV NODE_OPTIONS=--experimental-async-context-frame
# The node image's unprivileged user; the app's files stay root-owned and read-only to it.
USER node
EXPOSE 3978
# Container Apps probes /healthz/live and /healthz/ready itself; this is for docker run and compose.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The production start command (npm run start:prod), without npm in between: signals reach the bot.
CMD ["node", "--max-old-space-size=224", "--disable-warning=DEP0111", "dist/app/main.js"]
