/**
 * The event journal on Cassandra.
 *
 * How an append stays atomic, even across partitions, with exactly one writer per sequence number:
 *
 * 1. Write. Every append attempt gets a random attempt id. Its events go to `journal_events`,
 *    keyed ((persistence_id, entity_id, partition_nr), sequence_nr, attempt_id), partition number
 *    = (sequenceNumber - 1) / partitionSize. Because the attempt id is part of the key, two writers
 *    racing for the same sequence numbers write different rows and never overwrite each other,
 *    whatever their clocks; a slow writer's late rows cannot damage a committed history.
 * 2. Commit. One lightweight transaction on the entity's `journal_commits` partition: set the
 *    static `highest_sequence_nr` to the new highest IF it still equals the expected sequence
 *    number, and in the same single-partition batch add a commit record (from, to, attempt id).
 *    Paxos lets exactly one of several writers with the same expectation win; the others get
 *    "not applied", i.e. a `conflict`, and delete their own rows (no one else can ever name them).
 * 3. Read. Replay reads the committed highest with a SERIAL read (finishing any commit in
 *    flight), then walks the events of the range partition by partition, page by page, and keeps
 *    only rows whose attempt id is the one the commit record for that sequence number names.
 *    Rows of failed, abandoned or crashed attempts (written, never committed) are thereby
 *    invisible; a crash between write and commit leaves only such garbage, never a partial append.
 *
 * A commit that times out has an unknown outcome: it is reported `unavailable` and its rows are
 * kept (they may be committed); the backend restarts the entity, whose replay reveals the truth.
 * The driver never re-sends a commit (a re-sent commit that had applied would answer "not
 * applied"), and a "not applied" is double-checked against the commit record before it counts
 * as a conflict, so a writer never deletes rows it has in fact committed.
 * Rows are never updated in place, so QUORUM writes plus QUORUM reads after the SERIAL read of
 * the highest always see every committed event. The commit partition grows by one small row per
 * append; the events of one append may be split into several write batches (invisible until the
 * commit, so splitting costs no atomicity) to stay under Cassandra's mutation size limit.
 */
import type { Client } from "cassandra-driver";
import { policies, types } from "cassandra-driver";
import type { AnyPayload } from "../../../protocol/index.js";
import type { EntityRef } from "../../ids.js";
import type { Logger } from "../../logger.js";
import type { Journal, PersistedEvent, ReplayRange } from "../journal.js";
import { StorageError } from "../storage-error.js";
import type { CassandraConsistency, CassandraSerialConsistency } from "./cassandra-settings.js";
import { cassandraTables } from "./cassandra-schema.js";
import { consistencyCode } from "./consistency-code.js";
import { pagedRows } from "./paged-rows.js";
import { fromLong, toLong } from "./sequence-number-long.js";
import { describeEntity } from "./describe-entity.js";
import { storageErrorFromDriver } from "./storage-error-from-driver.js";

export interface CassandraJournalOptions {
  readonly client: Client;
  readonly keyspace: string;
  /** Events per partition: must be the keyspace's recorded size (see ensureCassandraSchema). */
  readonly partitionSize: number;
  readonly consistency: CassandraConsistency;
  readonly serialConsistency: CassandraSerialConsistency;
  readonly fetchSize: number;
  readonly logger: Logger;
  /** Runs once, on the first close() (e.g. releasing a client shared with the snapshot store). */
  readonly onClose?: () => Promise<void>;
}

/** Limits of one write batch of event rows, well inside Cassandra's default mutation size (16 MiB). */
const maxBatchBytes = 4 * 1024 * 1024;
const maxBatchRows = 100;
/** The driver's default policy re-sends after some errors whatever the statement; commits must not be. */
const noRetry = new policies.retry.FallthroughRetryPolicy();

export function createCassandraJournal(options: CassandraJournalOptions): Journal {
  return new CassandraJournal(options);
}

interface CommitRecord {
  readonly from: number;
  readonly to: number;
  readonly attemptId: string;
}

class CassandraJournal implements Journal {
  private readonly client: Client;
  private readonly partitionSize: number;
  private readonly fetchSize: number;
  private readonly consistency: number;
  private readonly serialConsistency: number;
  private readonly logger: Logger;
  private readonly cql: ReturnType<typeof statements>;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: CassandraJournalOptions) {
    if (!Number.isSafeInteger(options.partitionSize) || options.partitionSize < 1) {
      throw new RangeError(`partitionSize must be a positive integer, got ${options.partitionSize}`);
    }
    this.client = options.client;
    this.partitionSize = options.partitionSize;
    this.fetchSize = options.fetchSize;
    this.consistency = consistencyCode(options.consistency);
    this.serialConsistency = consistencyCode(options.serialConsistency);
    this.logger = options.logger;
    this.cql = statements(options.keyspace);
  }

  async append(entity: EntityRef, expectedSequenceNumber: number, events: readonly AnyPayload[]): Promise<void> {
    this.ensureOpen();
    checkSequenceNumber(expectedSequenceNumber, "expectedSequenceNumber");
    if (events.length === 0) return;
    const first = expectedSequenceNumber + 1;
    const last = expectedSequenceNumber + events.length;
    checkSequenceNumber(last, "the last sequence number of the append");
    const attemptId = types.Uuid.random();

    try {
      await this.writeAttempt(entity, first, attemptId, events);
    } catch (error) {
      throw storageErrorFromDriver(error, `writing events ${first}..${last} of ${describeEntity(entity)}`);
    }

    let outcome: types.ResultSet;
    try {
      outcome = await this.client.batch(
        [
          {
            query: this.cql.commitHighest,
            params: [
              toLong(last),
              entity.persistenceId,
              entity.entityId,
              expectedSequenceNumber === 0 ? null : toLong(expectedSequenceNumber),
            ],
          },
          {
            query: this.cql.insertCommitRecord,
            params: [entity.persistenceId, entity.entityId, toLong(first), toLong(last), attemptId],
          },
        ],
        {
          prepare: true,
          consistency: this.consistency,
          serialConsistency: this.serialConsistency,
          // Never re-send a commit: a re-sent commit that had already applied answers "not applied".
          retry: noRetry,
        },
      );
    } catch (error) {
      // Outcome unknown (e.g. a CAS write timeout): keep the rows, they may have been committed.
      throw storageErrorFromDriver(error, `committing events ${first}..${last} of ${describeEntity(entity)}`);
    }

    if (!outcome.wasApplied()) {
      // Belt and braces against a re-sent commit: "not applied" because this very attempt won.
      if (await this.committedBy(entity, first, attemptId)) return;
      const actual = fromLong(outcome.first()?.get("highest_sequence_nr"), "highest_sequence_nr");
      await this.discardAttempt(entity, first, attemptId, events.length);
      throw StorageError.conflict(
        `journal of ${describeEntity(entity)} is at sequence number ${actual}, writer expected ${expectedSequenceNumber}`,
      );
    }
  }

  async *replay(entity: EntityRef, range: ReplayRange): AsyncGenerator<PersistedEvent> {
    this.ensureOpen();
    const from = Math.max(1, range.fromSequenceNumber);
    if (!(range.max > 0) || !(from <= range.toSequenceNumber)) return;
    const doing = `replaying ${describeEntity(entity)} from ${from}`;
    const commits = this.commitRecords(entity, from)[Symbol.asyncIterator]();
    try {
      const upper = Math.min(range.toSequenceNumber, await this.readHighest(entity));
      if (from > upper) return;
      let commit = (await commits.next()).value as CommitRecord | undefined;
      let next = from;
      let delivered = 0;
      for await (const row of this.attemptRows(entity, from, upper)) {
        const sequenceNumber = fromLong(row.get("sequence_nr"), "sequence_nr");
        while (commit !== undefined && commit.to < sequenceNumber) {
          commit = (await commits.next()).value as CommitRecord | undefined;
        }
        const committed =
          commit !== undefined && commit.from <= sequenceNumber && String(row.get("attempt_id")) === commit.attemptId;
        if (!committed) continue; // written by an attempt that never committed
        if (sequenceNumber !== next) {
          throw StorageError.unavailable(`journal of ${describeEntity(entity)} misses committed event ${next} (read ${sequenceNumber})`);
        }
        yield { sequenceNumber, payload: payloadOf(row) };
        next++;
        if (++delivered >= range.max) return;
      }
      if (next <= upper) {
        throw StorageError.unavailable(`journal of ${describeEntity(entity)} misses committed events ${next}..${upper}`);
      }
    } catch (error) {
      throw storageErrorFromDriver(error, doing);
    } finally {
      await commits.return?.(undefined);
    }
  }

  async highestSequenceNumber(entity: EntityRef): Promise<number> {
    this.ensureOpen();
    try {
      return await this.readHighest(entity);
    } catch (error) {
      throw storageErrorFromDriver(error, `reading the highest sequence number of ${describeEntity(entity)}`);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.options.onClose?.() ?? Promise.resolve();
    return this.closing;
  }

  private ensureOpen(): void {
    if (this.closing !== undefined) throw StorageError.unavailable("the Cassandra journal is closed");
  }

  /** SERIAL: sees every commit acknowledged so far and finishes one caught in flight. */
  private async readHighest(entity: EntityRef): Promise<number> {
    const result = await this.client.execute(this.cql.selectHighest, [entity.persistenceId, entity.entityId], {
      prepare: true,
      consistency: this.serialConsistency,
    });
    return fromLong(result.first()?.get("highest_sequence_nr"), "highest_sequence_nr");
  }

  private partitionOf(sequenceNumber: number): number {
    return Math.floor((sequenceNumber - 1) / this.partitionSize);
  }

  private async writeAttempt(
    entity: EntityRef,
    first: number,
    attemptId: types.Uuid,
    events: readonly AnyPayload[],
  ): Promise<void> {
    let batch: { query: string; params: unknown[] }[] = [];
    let batchBytes = 0;
    let batchPartition = this.partitionOf(first);
    const flush = async () => {
      if (batch.length === 1 && batch[0]) {
        await this.client.execute(batch[0].query, batch[0].params, { prepare: true, consistency: this.consistency });
      } else if (batch.length > 1) {
        // One partition per batch: applied as one mutation, exempt from multi-partition batch limits.
        await this.client.batch(batch, { prepare: true, logged: false, consistency: this.consistency });
      }
      batch = [];
      batchBytes = 0;
    };
    for (const [index, payload] of events.entries()) {
      const sequenceNumber = first + index;
      const partition = this.partitionOf(sequenceNumber);
      const bytes = payload.value.byteLength + payload.typeUrl.length;
      if (partition !== batchPartition || batch.length >= maxBatchRows || (batch.length > 0 && batchBytes + bytes > maxBatchBytes)) {
        await flush();
        batchPartition = partition;
      }
      batch.push({
        query: this.cql.insertEvent,
        params: [
          entity.persistenceId,
          entity.entityId,
          toLong(partition),
          toLong(sequenceNumber),
          attemptId,
          payload.typeUrl,
          Buffer.from(payload.value.buffer, payload.value.byteOffset, payload.value.byteLength),
        ],
      });
      batchBytes += bytes;
    }
    await flush();
  }

  /** Whether the commit record at `first` names this attempt (read SERIAL: settled commits only). */
  private async committedBy(entity: EntityRef, first: number, attemptId: types.Uuid): Promise<boolean> {
    try {
      const result = await this.client.execute(
        this.cql.selectCommitAt,
        [entity.persistenceId, entity.entityId, toLong(first)],
        { prepare: true, consistency: this.serialConsistency },
      );
      return String(result.first()?.get("attempt_id")) === attemptId.toString();
    } catch (error) {
      // Unknown whether it committed: keep the rows and let the entity reload to find out.
      throw storageErrorFromDriver(error, `checking the commit of events from ${first} of ${describeEntity(entity)}`);
    }
  }

  /** Best effort: rows of a lost attempt are invisible anyway, deleting them only saves space. */
  private async discardAttempt(entity: EntityRef, first: number, attemptId: types.Uuid, count: number): Promise<void> {
    try {
      for (let sequenceNumber = first; sequenceNumber < first + count; sequenceNumber++) {
        await this.client.execute(
          this.cql.deleteEvent,
          [entity.persistenceId, entity.entityId, toLong(this.partitionOf(sequenceNumber)), toLong(sequenceNumber), attemptId],
          { prepare: true, consistency: this.consistency },
        );
      }
    } catch (error) {
      this.logger.warn("could not delete the rows of a conflicting append; they stay invisible", {
        persistenceId: entity.persistenceId,
        entityId: entity.entityId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Commit records from the one covering `from` onwards, ascending, read lazily. */
  private async *commitRecords(entity: EntityRef, from: number): AsyncGenerator<CommitRecord> {
    const options = { prepare: true, consistency: this.consistency, fetchSize: this.fetchSize };
    const covering = await this.client.execute(
      this.cql.selectCoveringCommit,
      [entity.persistenceId, entity.entityId, toLong(from)],
      options,
    );
    const first = covering.first();
    if (first) {
      const record = commitRecordOf(first);
      if (record.to >= from) yield record;
    }
    yield* mapRows(
      pagedRows(this.client, this.cql.selectCommitsAfter, [entity.persistenceId, entity.entityId, toLong(from)], options),
      commitRecordOf,
    );
  }

  /** Event rows of every attempt within [from, upper], in (sequence number, attempt id) order. */
  private async *attemptRows(entity: EntityRef, from: number, upper: number): AsyncGenerator<types.Row> {
    for (let partition = this.partitionOf(from); partition <= this.partitionOf(upper); partition++) {
      const low = Math.max(from, partition * this.partitionSize + 1);
      const high = Math.min(upper, (partition + 1) * this.partitionSize);
      yield* pagedRows(
        this.client,
        this.cql.selectEvents,
        [entity.persistenceId, entity.entityId, toLong(partition), toLong(low), toLong(high)],
        { consistency: this.consistency, fetchSize: this.fetchSize },
      );
    }
  }
}

function statements(keyspace: string) {
  const events = `${keyspace}.${cassandraTables.events}`;
  const commits = `${keyspace}.${cassandraTables.commits}`;
  return {
    insertEvent:
      `INSERT INTO ${events} (persistence_id, entity_id, partition_nr, sequence_nr, attempt_id, type_url, payload) ` +
      `VALUES (?, ?, ?, ?, ?, ?, ?)`,
    deleteEvent:
      `DELETE FROM ${events} WHERE persistence_id = ? AND entity_id = ? AND partition_nr = ? ` +
      `AND sequence_nr = ? AND attempt_id = ?`,
    selectEvents:
      `SELECT sequence_nr, attempt_id, type_url, payload FROM ${events} ` +
      `WHERE persistence_id = ? AND entity_id = ? AND partition_nr = ? AND sequence_nr >= ? AND sequence_nr <= ?`,
    commitHighest:
      `UPDATE ${commits} SET highest_sequence_nr = ? WHERE persistence_id = ? AND entity_id = ? ` +
      `IF highest_sequence_nr = ?`,
    insertCommitRecord:
      `INSERT INTO ${commits} (persistence_id, entity_id, from_sequence_nr, to_sequence_nr, attempt_id) ` +
      `VALUES (?, ?, ?, ?, ?)`,
    selectHighest: `SELECT highest_sequence_nr FROM ${commits} WHERE persistence_id = ? AND entity_id = ? LIMIT 1`,
    selectCommitAt:
      `SELECT attempt_id FROM ${commits} WHERE persistence_id = ? AND entity_id = ? AND from_sequence_nr = ?`,
    selectCoveringCommit:
      `SELECT from_sequence_nr, to_sequence_nr, attempt_id FROM ${commits} ` +
      `WHERE persistence_id = ? AND entity_id = ? AND from_sequence_nr <= ? ORDER BY from_sequence_nr DESC LIMIT 1`,
    selectCommitsAfter:
      `SELECT from_sequence_nr, to_sequence_nr, attempt_id FROM ${commits} ` +
      `WHERE persistence_id = ? AND entity_id = ? AND from_sequence_nr > ?`,
  };
}

function commitRecordOf(row: types.Row): CommitRecord {
  return {
    from: fromLong(row.get("from_sequence_nr"), "from_sequence_nr"),
    to: fromLong(row.get("to_sequence_nr"), "to_sequence_nr"),
    attemptId: String(row.get("attempt_id")),
  };
}

async function* mapRows<T>(rows: AsyncIterable<types.Row>, map: (row: types.Row) => T): AsyncGenerator<T> {
  for await (const row of rows) yield map(row);
}

function payloadOf(row: types.Row): AnyPayload {
  const typeUrl: unknown = row.get("type_url");
  const payload: unknown = row.get("payload");
  // A copy: the driver's buffers may be views into a larger frame.
  const value = Buffer.isBuffer(payload) ? new Uint8Array(payload) : new Uint8Array(0);
  return { typeUrl: typeof typeUrl === "string" ? typeUrl : "", value };
}

function checkSequenceNumber(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be an integer ≥ 0, got ${value}`);
}
