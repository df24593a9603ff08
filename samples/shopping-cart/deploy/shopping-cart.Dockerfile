# The shopping-cart sample user function. Build from the repository root:
#   docker build -f samples/shopping-cart/deploy/shopping-cart.Dockerfile -t shopping-cart .

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
# The sample's .proto files are found beside package.json (reference/protocol/package-root.ts).
COPY proto ./proto
USER node
# All interfaces, so the kubelet's probe reaches it; only the backend in the same pod calls it.
ENV HOST=0.0.0.0 \
    PORT=8080
EXPOSE 8080
ENTRYPOINT ["node", "dist/samples/shopping-cart/main.js"]
