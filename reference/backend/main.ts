// The reference backend's composition root: configuration, logger, stores, backend, signals. Wiring only.
import { backendOptionsFrom, createBackend, type BackendOptions } from "./backend.js";
import { ConfigError, parseBackendConfig, type BackendConfig } from "./config/index.js";
import { discoverUserService } from "./discovery/index.js";
import { userFunctionCredentials } from "./entity/index.js";
import { createLogger } from "./logger.js";
import { openStores } from "./open-stores.js";
import { addReflection, createBackendMetrics, startAdminServer, toggleDebugOnSignal, type AdminServer } from "./ops/index.js";
import { createOperationalSurface } from "./server/index.js";

function parseConfig(): { config: BackendConfig; options: BackendOptions } | undefined {
  try {
    const parsed = parseBackendConfig(process.argv.slice(2), process.env);
    if (parsed.kind === "help") {
      process.stdout.write(parsed.text + "\n");
      return undefined;
    }
    // Reads the TLS files: one that is missing is a settings error, before anything starts.
    return { config: parsed.config, options: backendOptionsFrom(parsed.config) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`backend: ${error.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
}

async function main(): Promise<void> {
  const parsed = parseConfig();
  if (!parsed) return;
  const { config, options } = parsed;
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  // The journal's settings were all checked by parseConfig(); connecting to Cassandra is stores.ready().
  const stores = openStores(config.journal, { logger, unavailableAfterMs: config.journalUnhealthyAfterMs });
  const operations = createOperationalSurface({ addReflection });
  // Health follows the journal: NOT_SERVING while it cannot be written, SERVING once it can again.
  stores.onAvailability((available) => operations.storageAvailable(available));
  // The user service is served once the user function answered ready() and the stores are usable;
  // until then health says NOT_SERVING.
  const discover = async (signal: AbortSignal) => {
    const [service] = await Promise.all([
      discoverUserService({
        target: config.userFunction,
        logger,
        signal,
        credentials: userFunctionCredentials(options.userFunctionTls),
      }),
      stores.ready(signal),
    ]);
    return service;
  };
  // Metrics only with the admin server (--admin-port): nobody could read them otherwise.
  const metrics = config.admin ? createBackendMetrics() : undefined;
  const backend = createBackend(options, {
    journal: stores.journal,
    snapshotStore: stores.snapshotStore,
    logger,
    operations,
    discover,
    ...(metrics ? { observer: metrics } : {}),
  });
  metrics?.activeEntitiesFrom(() => backend.activeEntities);
  let admin: AdminServer | undefined;

  // SIGUSR2 toggles debug logging (and back to the configured level), without a restart.
  toggleDebugOnSignal(logger, config.logLevel);

  let stopping: Promise<void> | undefined;
  const stop = (exitCode: number): Promise<void> =>
    (stopping ??= backend
      .stop()
      .then(() => admin?.close())
      .then(() => stores.close())
      .then(
        () => void (process.exitCode = exitCode),
        (error: unknown) => {
          logger.error("unclean shutdown", { error });
          process.exitCode = 1;
        },
      ));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) {
        logger.warn("second signal: exiting without waiting", { signal });
        process.exit(1);
      }
      logger.info("signal received, shutting down", { signal });
      void stop(0);
    });
  }

  try {
    await backend.start();
  } catch (error) {
    logger.error("cannot listen", { host: config.host, port: config.port, error });
    await stop(1);
    return;
  }
  if (config.admin && metrics) {
    try {
      admin = await startAdminServer({ ...config.admin, metrics, logger });
      logger.info("admin server listening", { url: admin.url, metrics: `${admin.url}/metrics` });
    } catch (error) {
      logger.error("cannot listen for the admin server", { host: config.admin.host, port: config.admin.port, error });
      await stop(1);
      return;
    }
  }
  // A spec that can never be served (SpecError) is a startup error: stop with a failure status.
  backend.serving.catch(() => void stop(1));
}

await main();
