import { setTimeout as delay } from "node:timers/promises";
import { createBackend } from "../../../reference/backend/backend.js";
import { discoverUserService, type UserService } from "../../../reference/backend/discovery/index.js";
import type { Server } from "@grpc/grpc-js";
import { createLogger } from "../../../reference/backend/logger.js";
import { addReflection, createHealthService } from "../../../reference/backend/ops/index.js";
import {
  createInMemoryJournal,
  createInMemorySnapshotStore,
  type Journal,
  type SnapshotStore,
} from "../../../reference/backend/persistence/index.js";
import { createStorageFaultSwitch } from "./storage-fault-switch.js";
import type { BackendLauncher } from "../driver/backend-launcher.js";
import { createInProcessBackendLauncher } from "../driver/in-process-backend-launcher.js";

export interface ReferenceBackendLauncherOptions {
  readonly description?: string;
  /** The stores every start shares (default in memory); e.g. a Cassandra journal and snapshot store. */
  readonly stores?: { readonly journal: Journal; readonly snapshotStore: SnapshotStore };
  /** Wraps the journal, e.g. with a deliberate defect. */
  readonly journal?: (journal: Journal) => Journal;
  readonly snapshotStore?: (store: SnapshotStore) => SnapshotStore;
  /** A deliberate defect: the per-entity queue holds this many more (or fewer) than the relay buffer asked for. */
  readonly queueCapacityOffBy?: number;
  /**
   * A deliberate defect (A5): starts slowly, calls ready() once this many ms after it
   * listens, and does not retry within the hour if the user function refused it.
   */
  readonly readyOnceAfterMs?: number;
  /** How server reflection is added once the user's service is served (default: the reference's own, ops/add-reflection.ts). */
  readonly reflection?: (server: Server, service: UserService) => void;
}

/**
 * The reference backend started in process, on the in-memory stores unless
 * others are given. The stores
 * outlive each backend, so restarts keep the journal (durable for the kit).
 */
export function createReferenceBackendLauncher(options: ReferenceBackendLauncherOptions = {}): BackendLauncher {
  const faults = createStorageFaultSwitch();
  const journal = faults.journal((options.journal ?? ((j) => j))(options.stores?.journal ?? createInMemoryJournal()));
  const snapshotStore = faults.snapshotStore(
    (options.snapshotStore ?? ((s) => s))(options.stores?.snapshotStore ?? createInMemorySnapshotStore()),
  );
  return createInProcessBackendLauncher({
    description: options.description ?? "reference backend in process (in-memory journal)",
    durable: true,
    storageFaults: faults,
    async launch(request) {
      let output = "";
      const logger = createLogger({ level: "info", format: "text", write: (line) => (output = (output + line + "\n").slice(-100_000)) });
      const health = createHealthService();
      const backend = createBackend(
        {
          port: 0,
          userFunction: request.userFunction,
          entity: {
            passivationTimeoutMs: request.settings.passivationTimeoutMs,
            relayTimeoutMs: request.settings.relayTimeoutMs,
            queueCapacity: request.settings.relayBuffer + (options.queueCapacityOffBy ?? 0),
          },
          shutdownGraceMs: 5_000,
        },
        {
          journal,
          snapshotStore,
          logger,
          ...(options.readyOnceAfterMs === undefined
            ? {}
            : {
                discover: async (signal: AbortSignal) => {
                  await delay(options.readyOnceAfterMs, undefined, { signal });
                  return discoverUserService({
                    target: request.userFunction,
                    logger,
                    signal,
                    backoff: { initialMs: 3_600_000, maxMs: 3_600_000 },
                  });
                },
              }),
          operations: {
            attach: (server) => health.addTo(server),
            serving: (server, service) => {
              (options.reflection ?? addReflection)(server, service);
              health.setStatus("", "SERVING");
              health.setStatus(service.name, "SERVING");
            },
            stopping: () => health.close(),
          },
        },
      );
      const address = await backend.start();
      let stopped = false;
      const exited = backend.serving.then(
        () => new Promise<string>(() => {}),
        (error: unknown) => (stopped ? "stopped" : `startup failed: ${(error as Error).message}`),
      );
      return {
        target: address.target,
        output: () => output,
        exited,
        stop: async () => {
          stopped = true;
          await backend.stop();
        },
        // The kit cannot kill -9 its own process: the backend goes, the stores it shares with the next start stay.
        // This backend writes before it replies, so nothing it acknowledged is in flight; only a backend
        // started as a process (--backend-command) shows what a real kill -9 loses (H8).
        kill: async () => {
          stopped = true;
          await backend.stop();
        },
      };
    },
  });
}
