import type { AnyPayload } from "../../protocol/index.js";
import type { EntityRef } from "../ids.js";

export interface StoredSnapshot {
  /** The sequence number of the last event the snapshot includes. */
  readonly sequenceNumber: number;
  /** Stored and offered byte for byte. */
  readonly payload: AnyPayload;
}

/** The snapshot store port. Every adapter passes `snapshot-store-contract.ts`. */
export interface SnapshotStore {
  /** Saves a snapshot; a second save at the same sequence number overwrites the first. */
  save(entity: EntityRef, snapshot: StoredSnapshot): Promise<void>;
  /** The snapshot with the highest sequence number at or below `maxSequenceNumber` (default: any). */
  latest(entity: EntityRef, maxSequenceNumber?: number): Promise<StoredSnapshot | undefined>;
  close(): Promise<void>;
}
