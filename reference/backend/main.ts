// The reference backend's composition root: configuration, logger, stores, backend, signals. Wiring only.
import { backendOptionsFrom, createBackend } from "./backend.js";
import { ConfigError, parseBackendConfig, type BackendConfig, type JournalSettings } from "./config/index.js";
import { createLogger, type Logger } from "./logger.js";
import { addReflection } from "./ops/index.js";
import { createInMemoryJournal, createInMemorySnapshotStore, type Journal, type SnapshotStore } from "./persistence/index.js";
import { createOperationalSurface } from "./server/index.js";

interface Stores {
  readonly journal: Journal;
  readonly snapshotStore: SnapshotStore;
  close(): Promise<void>;
}

/** The journal and snapshot store a configuration asks for (the seam for `--journal cassandra`). */
async function createStores(settings: JournalSettings, _logger: Logger): Promise<Stores> {
  switch (settings.kind) {
    case "memory": {
      const journal = createInMemoryJournal();
      const snapshotStore = createInMemorySnapshotStore();
      return { journal, snapshotStore, close: async () => void (await Promise.all([journal.close(), snapshotStore.close()])) };
    }
    case "cassandra":
      throw new ConfigError("--journal cassandra is not wired into the backend yet; use --journal memory");
  }
}

function parseConfig(): BackendConfig | undefined {
  try {
    const parsed = parseBackendConfig(process.argv.slice(2), process.env);
    if (parsed.kind === "help") {
      process.stdout.write(parsed.text + "\n");
      return undefined;
    }
    return parsed.config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`backend: ${error.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
}

async function main(): Promise<void> {
  const config = parseConfig();
  if (!config) return;
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  let stores: Stores;
  try {
    stores = await createStores(config.journal, logger);
  } catch (error) {
    logger.error("cannot open the journal", { journal: config.journal.kind, error });
    process.exitCode = 1;
    return;
  }
  const operations = createOperationalSurface({ addReflection });
  const backend = createBackend(backendOptionsFrom(config), { ...stores, logger, operations });

  let stopping: Promise<void> | undefined;
  const stop = (exitCode: number): Promise<void> =>
    (stopping ??= backend
      .stop()
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
  // A spec that can never be served (SpecError) is a startup error: stop with a failure status.
  backend.serving.catch(() => void stop(1));
}

await main();
