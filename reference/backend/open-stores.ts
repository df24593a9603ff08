import type { JournalSettings } from "./config/index.js";
import { entityId, persistenceId } from "./ids.js";
import type { Logger } from "./logger.js";
import {
  StorageError,
  createInMemoryJournal,
  createInMemorySnapshotStore,
  type Journal,
  type SnapshotStore,
  watchJournalAvailability,
} from "./persistence/index.js";
import { createCassandraStores, type CassandraSettings, type CassandraStores } from "./persistence/cassandra/index.js";

/** The journal and snapshot store a configuration asks for. */
export interface Stores {
  readonly journal: Journal;
  readonly snapshotStore: SnapshotStore;
  /**
   * Resolves once the stores are usable; for Cassandra it keeps retrying,
   * logging each failure, until connected or `signal` aborts. The backend
   * serves nothing (health NOT_SERVING) until then.
   */
  ready(signal: AbortSignal): Promise<void>;
  /**
   * Tells `listener` when the journal stops being writable (an operation failed `unavailable`)
   * and when it is writable again (a probe succeeded), so health can say NOT_SERVING meanwhile.
   * The in-memory journal never changes.
   */
  onAvailability(listener: (available: boolean) => void): void;
  close(): Promise<void>;
}

export interface OpenStoresOptions {
  readonly logger: Logger;
  /** Waits between connection attempts: doubling from `initialMs` up to `maxMs`. */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
  /** While the journal is unavailable, probe it this often (ms); 500 by default. */
  readonly probeEveryMs?: number;
  /** Report the journal unavailable only once it has failed this long (ms); 0 (the default): at once. */
  readonly unavailableAfterMs?: number;
}

/** Opens the stores of `settings` (validated already: config/ parsed them); for Cassandra, connecting is `ready()`. */
export function openStores(settings: JournalSettings, options: OpenStoresOptions): Stores {
  switch (settings.kind) {
    case "memory": {
      const journal = createInMemoryJournal();
      const snapshotStore = createInMemorySnapshotStore();
      return {
        journal,
        snapshotStore,
        ready: async () => {},
        onAvailability: () => {},
        close: async () => void (await Promise.all([journal.close(), snapshotStore.close()])),
      };
    }
    case "cassandra":
      return openCassandraStores(settings.cassandra, options);
  }
}

function openCassandraStores(settings: CassandraSettings, options: OpenStoresOptions): Stores {
  const { initialMs, maxMs } = options.retry ?? { initialMs: 500, maxMs: 10_000 };
  const where = settings.contactPoints.join(",");
  let connected: CassandraStores | undefined;
  let closed = false;

  const stores = (): CassandraStores => {
    if (!connected) throw StorageError.unavailable(`Cassandra at ${where} is not connected yet`);
    return connected;
  };
  // Delegates, so the backend can be built before the connection exists.
  const delegate: Journal = {
    append: (entity, expected, events) => Promise.resolve().then(() => stores().journal.append(entity, expected, events)),
    replay: (entity, range) => ({
      [Symbol.asyncIterator]: () => stores().journal.replay(entity, range)[Symbol.asyncIterator](),
    }),
    highestSequenceNumber: (entity) => Promise.resolve().then(() => stores().journal.highestSequenceNumber(entity)),
    close: async () => {},
  };
  const listeners: ((available: boolean) => void)[] = [];
  const probeEntity = { persistenceId: persistenceId("backend-health"), entityId: entityId("probe") };
  const watched = watchJournalAvailability(delegate, {
    // A serial read: it needs the replicas a commit needs, and the driver re-prepares statements
    // a restarted node forgot on the way.
    probe: () => delegate.highestSequenceNumber(probeEntity),
    onChange: (available) => {
      options.logger[available ? "info" : "error"](
        available ? "journal writable again" : "journal unavailable; health NOT_SERVING until it is back",
        { contactPoints: where, keyspace: settings.keyspace },
      );
      for (const listener of listeners) listener(available);
    },
    probeEveryMs: options.probeEveryMs ?? 500,
    unavailableAfterMs: options.unavailableAfterMs ?? 0,
  });
  const journal = watched.journal;
  const snapshotStore: SnapshotStore = {
    save: (entity, snapshot) => Promise.resolve().then(() => stores().snapshotStore.save(entity, snapshot)),
    latest: (entity, max) => Promise.resolve().then(() => stores().snapshotStore.latest(entity, max)),
    close: async () => {},
  };

  const ready = async (signal: AbortSignal): Promise<void> => {
    let waitMs = initialMs;
    for (let attempt = 1; !connected; attempt++) {
      signal.throwIfAborted();
      try {
        const opened = await createCassandraStores(settings, options.logger);
        if (closed || signal.aborted) {
          await opened.close();
          signal.throwIfAborted();
          throw new Error("stores closed while connecting");
        }
        connected = opened;
      } catch (error) {
        if (signal.aborted || closed) throw error;
        options.logger.error("cannot reach Cassandra; the backend serves nothing until it can", {
          contactPoints: where,
          keyspace: settings.keyspace,
          attempt,
          retryInMs: waitMs,
          error: error instanceof Error ? error.message : String(error),
        });
        await abortableDelay(waitMs, signal);
        waitMs = Math.min(waitMs * 2, maxMs);
      }
    }
  };

  return {
    journal,
    snapshotStore,
    ready,
    onAvailability: (listener) => void listeners.push(listener),
    close: async () => {
      closed = true;
      watched.stop();
      await connected?.close();
    },
  };
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
