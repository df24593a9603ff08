import type { EntityRef } from "../ids.js";
import { copyPayload } from "./copy-payload.js";
import type { SnapshotStore, StoredSnapshot } from "./snapshot-store.js";
import { StorageError } from "./storage-error.js";

/** A snapshot store held in process memory: the default, lost on restart. */
export function createInMemorySnapshotStore(): SnapshotStore {
  return new InMemorySnapshotStore();
}

class InMemorySnapshotStore implements SnapshotStore {
  /** persistence id → entity id → snapshots in ascending sequence order. */
  private readonly snapshots = new Map<string, Map<string, StoredSnapshot[]>>();
  private closed = false;

  async save(entity: EntityRef, snapshot: StoredSnapshot): Promise<void> {
    this.ensureOpen();
    if (!Number.isSafeInteger(snapshot.sequenceNumber) || snapshot.sequenceNumber < 0) {
      throw new RangeError(`snapshot sequence number must be an integer ≥ 0, got ${snapshot.sequenceNumber}`);
    }
    let byEntity = this.snapshots.get(entity.persistenceId);
    if (!byEntity) {
      byEntity = new Map();
      this.snapshots.set(entity.persistenceId, byEntity);
    }
    let list = byEntity.get(entity.entityId);
    if (!list) {
      list = [];
      byEntity.set(entity.entityId, list);
    }
    const stored = { sequenceNumber: snapshot.sequenceNumber, payload: copyPayload(snapshot.payload) };
    const at = list.findIndex((s) => s.sequenceNumber >= snapshot.sequenceNumber);
    if (at < 0) list.push(stored);
    else if (list[at]?.sequenceNumber === snapshot.sequenceNumber) list[at] = stored;
    else list.splice(at, 0, stored);
  }

  async latest(entity: EntityRef, maxSequenceNumber = Infinity): Promise<StoredSnapshot | undefined> {
    this.ensureOpen();
    const list = this.snapshots.get(entity.persistenceId)?.get(entity.entityId) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const snapshot = list[i];
      if (snapshot && snapshot.sequenceNumber <= maxSequenceNumber) {
        return { sequenceNumber: snapshot.sequenceNumber, payload: copyPayload(snapshot.payload) };
      }
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.snapshots.clear();
  }

  private ensureOpen(): void {
    if (this.closed) throw StorageError.unavailable("the in-memory snapshot store is closed");
  }
}
