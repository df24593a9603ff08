import type { Journal, SnapshotStore } from "../../../reference/backend/persistence/index.js";
import { StorageError } from "../../../reference/backend/persistence/index.js";
import type { StorageFaults } from "../driver/backend-launcher.js";

/** Wraps a journal and snapshot store so scenarios can make one write fail (E7, F5). */
export function createStorageFaultSwitch(): StorageFaults & {
  journal(inner: Journal): Journal;
  snapshotStore(inner: SnapshotStore): SnapshotStore;
} {
  const failingAppends = new Set<string>();
  const failingSaves = new Set<string>();
  return {
    failNextJournalWrite: (entityId) => void failingAppends.add(entityId),
    failNextSnapshotSave: (entityId) => void failingSaves.add(entityId),
    journal: (inner) => ({
      append(entity, expected, events) {
        if (events.length > 0 && failingAppends.delete(entity.entityId))
          return Promise.reject(StorageError.unavailable("injected journal write failure"));
        return inner.append(entity, expected, events);
      },
      replay: (entity, range) => inner.replay(entity, range),
      highestSequenceNumber: (entity) => inner.highestSequenceNumber(entity),
      close: () => inner.close(),
    }),
    snapshotStore: (inner) => ({
      save(entity, snapshot) {
        if (failingSaves.delete(entity.entityId)) return Promise.reject(StorageError.unavailable("injected snapshot write failure"));
        return inner.save(entity, snapshot);
      },
      latest: (entity, max) => inner.latest(entity, max),
      close: () => inner.close(),
    }),
  };
}
