import type { AnyPayload } from "../../protocol/index.js";
import type { EntityRef } from "../ids.js";

export interface PersistedEvent {
  readonly sequenceNumber: number;
  /** Stored and replayed byte for byte, type url included. */
  readonly payload: AnyPayload;
}

export interface ReplayRange {
  /** First sequence number wanted (inclusive, at least 1). */
  readonly fromSequenceNumber: number;
  /** Last sequence number wanted (inclusive); `Infinity` for all. */
  readonly toSequenceNumber: number;
  /** At most this many events; `Infinity` for no limit. */
  readonly max: number;
}

/** The event journal port. Every adapter passes `journal-contract.ts`. */
export interface Journal {
  /**
   * Appends `events` atomically at `expectedSequenceNumber + 1` onwards: all of
   * them or none. Rejects with a `conflict` StorageError when the entity's
   * highest sequence number is not `expectedSequenceNumber` (a stale or second
   * writer), with `unavailable` when the store fails. An empty list is a no-op.
   */
  append(entity: EntityRef, expectedSequenceNumber: number, events: readonly AnyPayload[]): Promise<void>;
  /** The events within `range`, in sequence order, read lazily (never the whole history at once). */
  replay(entity: EntityRef, range: ReplayRange): AsyncIterable<PersistedEvent>;
  /** The highest persisted sequence number, 0 for an entity with no events. */
  highestSequenceNumber(entity: EntityRef): Promise<number>;
  close(): Promise<void>;
}
