# The kit (the `tck` command) as an image, for those without Node. Build from the repository root:
#   docker build -f samples/shopping-cart/deploy/tck.Dockerfile -t tck .
# and run it beside the implementation under test, e.g.
#   docker run --rm --network host tck user-function --target 127.0.0.1:8080
# The image installs the package exactly as `npm pack` makes it (what ci/package/packed-kit.test.ts
# installs and runs): built JavaScript only, no TypeScript at run time.

FROM node:20-bookworm-slim AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json README.md ./
COPY proto ./proto
COPY features ./features
COPY docs ./docs
COPY reference ./reference
COPY samples ./samples
COPY tck ./tck
RUN mkdir /pack && npm pack --pack-destination /pack

FROM node:20-bookworm-slim
ENV NODE_ENV=production
COPY --from=pack /pack /pack
RUN npm install -g --no-audit --no-fund /pack/*.tgz && rm -rf /pack && npm cache clean --force
USER node
ENTRYPOINT ["tck"]
