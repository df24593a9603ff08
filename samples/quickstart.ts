// `npm start`: the reference backend (in-memory journal) in front of the sample shopping cart, one process.
// Backend flags and environment work as for the backend itself (see --help), e.g. `npm start -- --port 9001`.
// DEBUG=stateserv-event-sourcing shows the protocol traffic on the user function's side; --log-level debug on the backend's.
import { backendOptionsFrom, createBackend } from "../reference/backend/backend.js";
import { ConfigError, parseBackendConfig } from "../reference/backend/config/index.js";
import { createLogger } from "../reference/backend/logger.js";
import {
  addReflection,
  createBackendMetrics,
  startAdminServer,
  toggleDebugOnSignal,
  type AdminServer,
} from "../reference/backend/ops/index.js";
import { createInMemoryJournal, createInMemorySnapshotStore } from "../reference/backend/persistence/index.js";
import { createOperationalSurface } from "../reference/backend/server/index.js";
import { startShoppingCart } from "./shopping-cart/index.js";

async function quickstart(): Promise<number> {
  let config;
  let options;
  try {
    const parsed = parseBackendConfig(process.argv.slice(2), process.env);
    if (parsed.kind === "help") {
      process.stdout.write(parsed.text + "\n");
      return 0;
    }
    config = parsed.config;
    // Reads the TLS files named by the settings: a missing one is a settings error.
    options = backendOptionsFrom(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`quickstart: ${error.message}\n`);
    return 2;
  }
  if (config.journal.kind !== "memory") {
    process.stderr.write("quickstart: runs with the in-memory journal only; start reference/backend/main.ts for another\n");
    return 2;
  }
  if (options.userFunctionTls) {
    // The cart runs in this process on loopback, in plaintext; TLS to a user function needs its own certificate.
    process.stderr.write(
      "quickstart: --user-function-ca and friends need a user function served over TLS; start reference/backend/main.ts and the cart with TLS_CERT/TLS_KEY\n",
    );
    return 2;
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });

  // The user function listens where the backend looks for it (--user-function, the seed's
  // localhost:8080 by default), so the TCK can be pointed at it too; port 0 picks a free one.
  const separator = config.userFunction.lastIndexOf(":");
  const cartHost = config.userFunction.slice(0, separator).replace(/^\[(.*)\]$/, "$1");
  const cart = await startShoppingCart({ host: cartHost, port: Number(config.userFunction.slice(separator + 1)) });
  logger.info("shopping cart user function listening", { address: cart.address });
  const journal = createInMemoryJournal();
  const snapshotStore = createInMemorySnapshotStore();
  const metrics = config.admin ? createBackendMetrics() : undefined;
  const backend = createBackend(
    { ...options, userFunction: `${cartHost.includes(":") ? `[${cartHost}]` : cartHost}:${cart.port}` },
    { journal, snapshotStore, logger, operations: createOperationalSurface({ addReflection }), ...(metrics ? { observer: metrics } : {}) },
  );
  metrics?.activeEntitiesFrom(() => backend.activeEntities);
  let admin: AdminServer | undefined;
  // SIGUSR2 toggles debug logging without a restart (the in-memory carts stay).
  toggleDebugOnSignal(logger, config.logLevel);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await backend.stop();
      await admin?.close();
      await cart.close();
      await Promise.all([journal.close(), snapshotStore.close()]);
    })());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      logger.info("signal received, shutting down", { signal });
      void stop().then(
        () => void (process.exitCode ??= 0),
        (error: unknown) => {
          logger.error("unclean shutdown", { error });
          process.exitCode = 1;
        },
      );
    });
  }

  try {
    const address = await backend.start();
    const service = await backend.serving;
    if (config.admin && metrics) admin = await startAdminServer({ ...config.admin, metrics, logger });
    const { host, port } = address;
    process.stdout.write(
      [
        "",
        `The shopping cart is served at ${address.target} (${service.name}, persistence id ${service.persistenceId}).`,
        "Call it with the sample client (runs the seed's session):",
        `  npx tsx samples/shopping-cart-client/main.ts --host ${host} --port ${port}`,
        `or with grpcurl (server reflection is on${options.tls ? "; add -cacert with your CA" : ""}):`,
        `  grpcurl ${options.tls ? "" : "-plaintext "}-d '{"user_id":"user-1","product_id":"456","name":"Flour","quantity":1}' ${address.target} ${service.name}/AddItem`,
        `  grpcurl ${options.tls ? "" : "-plaintext "}-d '{"user_id":"user-1"}' ${address.target} ${service.name}/GetCart`,
        `Idle carts are passivated after ${config.passivationTimeoutMs / 1000} s (an info line; so is each recovery).`,
        admin
          ? `Metrics: curl ${admin.url}/metrics; debug logs: curl -X PUT --data debug ${admin.url}/log-level (or kill -USR2 ${process.pid}).`
          : `Debug logs without a restart: kill -USR2 ${process.pid}; metrics with --admin-port 9464.`,
        "Ctrl-C stops both.",
        "",
      ].join("\n") + "\n",
    );
    return 0;
  } catch (error) {
    logger.error("quickstart cannot start", { error });
    await stop();
    return 1;
  }
}

process.exitCode = await quickstart();
