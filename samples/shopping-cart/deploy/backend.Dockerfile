# The reference backend. Build from the repository root:
#   docker build -f samples/shopping-cart/deploy/backend.Dockerfile -t stateful-serverless-backend .
# Compiled with the repository's own build config; only production dependencies ship.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY reference ./reference
COPY samples ./samples
COPY tck ./tck
RUN npx tsc -p tsconfig.build.json --outDir dist

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
# The protocol's .proto files are found beside package.json (reference/protocol/package-root.ts).
COPY proto ./proto
USER node
# In a container the backend must listen beyond loopback; the user function is its sidecar.
ENV BACKEND_HOST=0.0.0.0 \
    BACKEND_PORT=9000 \
    USER_FUNCTION_ADDRESS=localhost:8080 \
    LOG_FORMAT=json
EXPOSE 9000
ENTRYPOINT ["node", "dist/reference/backend/main.js"]
