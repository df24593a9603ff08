// A deliberately broken backend for the command-mode A5 self-test: the reference backend on
// in-memory stores, taking the reference backend's command line, that starts slowly and
// calls ready() once (READY_ONCE_AFTER_MS after it listens, default 3000) and does not retry
// within the hour if the user function refused it.
import { setTimeout as delay } from "node:timers/promises";
import { backendOptionsFrom, createBackend } from "../../../reference/backend/backend.js";
import { parseBackendConfig } from "../../../reference/backend/config/index.js";
import { discoverUserService } from "../../../reference/backend/discovery/index.js";
import { createLogger } from "../../../reference/backend/logger.js";
import { createInMemoryJournal, createInMemorySnapshotStore } from "../../../reference/backend/persistence/index.js";

const parsed = parseBackendConfig(process.argv.slice(2), process.env);
if (parsed.kind === "help") throw new Error("no --help here: this is a self-test fixture");
const config = parsed.config;
const readyAfterMs = Number(process.env["READY_ONCE_AFTER_MS"] ?? 3_000);
const logger = createLogger({ level: "info", format: "text" });
const backend = createBackend(backendOptionsFrom(config), {
  journal: createInMemoryJournal(),
  snapshotStore: createInMemorySnapshotStore(),
  logger,
  discover: async (signal) => {
    await delay(readyAfterMs, undefined, { signal });
    logger.info("calling ready() once, without retrying", {});
    return discoverUserService({ target: config.userFunction, logger, signal, backoff: { initialMs: 3_600_000, maxMs: 3_600_000 } });
  },
});
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void backend.stop().then(() => process.exit(0)));
await backend.start();
