import type { Client } from "cassandra-driver";
import type { EntityRef } from "../../ids.js";
import type { SnapshotStore, StoredSnapshot } from "../snapshot-store.js";
import { StorageError } from "../storage-error.js";
import { cassandraTables } from "./cassandra-schema.js";
import type { CassandraConsistency } from "./cassandra-settings.js";
import { consistencyCode } from "./consistency-code.js";
import { fromLong, toLong } from "./sequence-number-long.js";
import { describeEntity } from "./describe-entity.js";
import { storageErrorFromDriver } from "./storage-error-from-driver.js";

export interface CassandraSnapshotStoreOptions {
  readonly client: Client;
  readonly keyspace: string;
  readonly consistency: CassandraConsistency;
  /** Runs once, on the first close() (e.g. releasing a client shared with the journal). */
  readonly onClose?: () => Promise<void>;
}

/**
 * Snapshots in one partition per (persistence id, entity id), newest first, so "the latest at
 * or below n" is a one-row read. Saving again at a sequence number overwrites: a snapshot is a
 * pure function of the events up to it, so any of the writers' copies is right.
 */
export function createCassandraSnapshotStore(options: CassandraSnapshotStoreOptions): SnapshotStore {
  return new CassandraSnapshotStore(options);
}

class CassandraSnapshotStore implements SnapshotStore {
  private readonly consistency: number;
  private readonly insert: string;
  private readonly selectLatest: string;
  private readonly selectLatestAtOrBelow: string;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: CassandraSnapshotStoreOptions) {
    this.consistency = consistencyCode(options.consistency);
    const table = `${options.keyspace}.${cassandraTables.snapshots}`;
    this.insert = `INSERT INTO ${table} (persistence_id, entity_id, sequence_nr, type_url, payload) VALUES (?, ?, ?, ?, ?)`;
    const select = `SELECT sequence_nr, type_url, payload FROM ${table} WHERE persistence_id = ? AND entity_id = ?`;
    this.selectLatest = `${select} LIMIT 1`;
    this.selectLatestAtOrBelow = `${select} AND sequence_nr <= ? LIMIT 1`;
  }

  async save(entity: EntityRef, snapshot: StoredSnapshot): Promise<void> {
    this.ensureOpen();
    const { sequenceNumber, payload } = snapshot;
    if (!Number.isSafeInteger(sequenceNumber) || sequenceNumber < 0) {
      throw new RangeError(`snapshot sequence number must be an integer ≥ 0, got ${sequenceNumber}`);
    }
    try {
      await this.options.client.execute(
        this.insert,
        [
          entity.persistenceId,
          entity.entityId,
          toLong(sequenceNumber),
          payload.typeUrl,
          Buffer.from(payload.value.buffer, payload.value.byteOffset, payload.value.byteLength),
        ],
        { prepare: true, consistency: this.consistency },
      );
    } catch (error) {
      throw storageErrorFromDriver(error, `saving the snapshot at ${sequenceNumber} of ${describeEntity(entity)}`);
    }
  }

  async latest(entity: EntityRef, maxSequenceNumber?: number): Promise<StoredSnapshot | undefined> {
    this.ensureOpen();
    if (maxSequenceNumber !== undefined && maxSequenceNumber < 0) return undefined;
    const bounded = maxSequenceNumber !== undefined && Number.isFinite(maxSequenceNumber);
    try {
      const result = await this.options.client.execute(
        bounded ? this.selectLatestAtOrBelow : this.selectLatest,
        bounded ? [entity.persistenceId, entity.entityId, toLong(Math.floor(maxSequenceNumber))] : [entity.persistenceId, entity.entityId],
        { prepare: true, consistency: this.consistency },
      );
      const row = result.first();
      if (!row) return undefined;
      const typeUrl: unknown = row.get("type_url");
      const payload: unknown = row.get("payload");
      return {
        sequenceNumber: fromLong(row.get("sequence_nr"), "sequence_nr"),
        payload: {
          typeUrl: typeof typeUrl === "string" ? typeUrl : "",
          // A copy: the driver's buffers may be views into a larger frame.
          value: Buffer.isBuffer(payload) ? new Uint8Array(payload) : new Uint8Array(0),
        },
      };
    } catch (error) {
      throw storageErrorFromDriver(error, `reading the latest snapshot of ${describeEntity(entity)}`);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.options.onClose?.() ?? Promise.resolve();
    return this.closing;
  }

  private ensureOpen(): void {
    if (this.closing !== undefined) throw StorageError.unavailable("the Cassandra snapshot store is closed");
  }
}
