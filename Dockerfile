# Ferje worker, ingress and codec server (one image, the command picks the role).
#   docker build -t ferje .        docker run ferje worker | ingress | codec-server
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci: reproducible installs from the committed lockfile.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts ./scripts
COPY bin ./bin
# tsc emits dist/ and the prebuilt workflow bundle (dist/workflow-bundle.js) that NODE_ENV=production workers load.
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    FERJE_DATA_DIR=/var/lib/ferje \
    FERJE_INGRESS_HOST=0.0.0.0 \
    FERJE_CODEC_SERVER_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN mkdir -p /var/lib/ferje && chown node:node /var/lib/ferje
USER node
VOLUME ["/var/lib/ferje"]
# bin/ferje makes a worker process's memory settings (docs/cost-and-scale.md) and runs bin/ferje.js in the same process.
ENTRYPOINT ["bin/ferje"]
CMD ["worker"]
