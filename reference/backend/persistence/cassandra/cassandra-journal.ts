/**
 * The event journal on Cassandra.
 *
 * Two tables (see cassandra-schema.ts). `journal_entries` ((persistence_id, entity_id,
 * partition_nr), sequence_nr) is the committed history, bucketed: partition p covers sequence
 * numbers p·size+1 .. (p+1)·size. Each of its partitions has a static `highest_sequence_nr`, and
 * every row in it was written by an applied lightweight transaction (LWT) on that partition, so
 * every row there is committed. `journal_events` ((persistence_id, entity_id, partition_nr),
 * sequence_nr, attempt_id) holds the staged rows of large or boundary-crossing appends, keyed by a
 * random attempt id so two writers racing never overwrite each other.
 *
 * Who may append after sequence number e: the *authority* partition A(e) = partitionOf(e)
 * (partition 0 for e = 0). An append with expected e is one LWT on A(e) with the condition
 * `highest_sequence_nr = e` (`= null` for e = 0), so Paxos lets exactly one of several writers with
 * the same expectation win and refuses stale writers and writers ahead of the journal.
 *
 * 1. Inline append (the common case: the events stay inside A(e) and fit one batch): ONE round
 *    trip. The conditional single-partition batch sets highest = last and inserts the event rows
 *    (sequence_nr, attempt_id, type_url, payload). All or nothing, by Paxos.
 * 2. Staged append (it crosses into a later partition, or is too large for one batch): the events
 *    are written to `journal_events` under the attempt id (invisible: nothing names them yet),
 *    then the same LWT on A(e) sets highest = last and inserts one marker row at sequence_nr =
 *    first with `staged_to = last` and the attempt id. The LWT is the commit point: before it
 *    nothing is visible, after it every event is durable. Then, when last lies in a later
 *    partition Q, a second LWT *rolls forward*: Q's highest = last IF Q's highest = null, which
 *    makes Q the authority for the next append. If the writer dies before rolling forward, the
 *    next writer (or reader) sees Q empty, walks back to the nearest non-empty partition, finds
 *    its highest pointing into Q and rolls forward itself (any partition that was ever the
 *    authority has a highest that either lies inside it — it is still the authority — or points
 *    to the next one; partitions a long staged append jumps over stay empty forever).
 *    Round trips: the staged writes, the commit, and the roll-forward when crossing.
 * 3. Read. The highest is found by following that chain with SERIAL reads from the entity's
 *    partition last seen by this process (partition 0 when unknown): usually one read, one more
 *    per partition boundary crossed since. `highestSequenceNumber` (the freshness check before a
 *    command) reads at the journal consistency instead: it must see every acknowledged append,
 *    not finish one in flight (the conditional append refuses a stale writer anyway). Replay then reads `journal_entries` partition by
 *    partition from the record covering `from`; a marker row is expanded from `journal_events`,
 *    keeping only rows of the attempt it names, so rows of lost or crashed attempts never appear.
 *
 * A commit that times out has an unknown outcome: it is reported `unavailable` and its staged rows
 * are kept (they may be committed); the backend restarts the entity, whose replay shows the truth.
 * The driver never re-sends a commit, and a "not applied" is double-checked (SERIAL) against the
 * row at `first` before it counts as a conflict, so a writer never reports or discards an append
 * that in fact committed. Rows are never updated in place, so QUORUM reads after the SERIAL read
 * of the highest see every committed event.
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

/** Limits of one write batch of staged rows, well inside Cassandra's default mutation size (16 MiB). */
const maxBatchBytes = 4 * 1024 * 1024;
const maxBatchRows = 100;
/** Larger appends are staged: a Paxos proposal is kept in system.paxos, so keep it small. */
const maxInlineBytes = 256 * 1024;
/** Entities whose last seen authority partition this process remembers (a hint only). */
const maxRememberedEntities = 10_000;
/** The driver's default policy re-sends after some errors whatever the statement; commits must not be. */
const noRetry = new policies.retry.FallthroughRetryPolicy();

export function createCassandraJournal(options: CassandraJournalOptions): Journal {
  return new CassandraJournal(options);
}

interface Located {
  /** The entity's committed highest sequence number (0 when empty). */
  readonly highest: number;
  /** The partition holding it (its authority, or the one a pending roll-forward starts from). */
  readonly partition: number;
}

class CassandraJournal implements Journal {
  private readonly client: Client;
  private readonly partitionSize: number;
  private readonly fetchSize: number;
  private readonly consistency: number;
  private readonly serialConsistency: number;
  private readonly logger: Logger;
  private readonly cql: ReturnType<typeof statements>;
  /** Entity key → a partition known to be non-empty: where following the chain may start. */
  private readonly lastSeenPartition = new Map<string, number>();
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
    const expected = expectedSequenceNumber;
    const first = expected + 1;
    const last = expected + events.length;
    checkSequenceNumber(last, "the last sequence number of the append");
    const attemptId = types.Uuid.random();
    const authority = this.authorityOf(expected);
    const bytes = events.reduce((sum, payload) => sum + payload.value.byteLength + payload.typeUrl.length, 0);
    const inline = this.partitionOf(last) === authority && events.length <= maxBatchRows && bytes <= maxInlineBytes;
    const what = `events ${first}..${last} of ${describeEntity(entity)}`;

    if (!inline) {
      try {
        await this.writeStaged(entity, first, attemptId, events);
      } catch (error) {
        throw storageErrorFromDriver(error, `writing ${what}`);
      }
    }
    const commit: { query: string; params: unknown[] }[] = [
      {
        query: this.cql.claimHighest,
        params: [toLong(last), entity.persistenceId, entity.entityId, toLong(authority), expected === 0 ? null : toLong(expected)],
      },
    ];
    if (inline) {
      for (const [index, payload] of events.entries()) {
        commit.push({
          query: this.cql.insertEntry,
          params: [
            entity.persistenceId,
            entity.entityId,
            toLong(authority),
            toLong(first + index),
            attemptId,
            payload.typeUrl,
            bufferOf(payload),
          ],
        });
      }
    } else {
      commit.push({
        query: this.cql.insertMarker,
        params: [entity.persistenceId, entity.entityId, toLong(authority), toLong(first), attemptId, toLong(last)],
      });
    }

    // At most two tries: the second only after rolling forward an authority a dead writer left pending.
    for (let tries = 1; ; tries++) {
      let applied: boolean;
      try {
        const outcome = await this.client.batch(commit, {
          prepare: true,
          consistency: this.consistency,
          serialConsistency: this.serialConsistency,
          // Never re-send a commit: a re-sent commit that had already applied answers "not applied".
          retry: noRetry,
        });
        applied = outcome.wasApplied();
      } catch (error) {
        // Outcome unknown (e.g. a CAS write timeout): keep the staged rows, they may be committed.
        throw storageErrorFromDriver(error, `committing ${what}`);
      }
      // Belt and braces against a re-sent commit: "not applied" because this very attempt won.
      if (applied || (await this.committedBy(entity, authority, first, attemptId))) {
        await this.settleAfterCommit(entity, authority, last);
        return;
      }
      if (tries === 1 && (await this.rolledForwardTo(entity, authority, expected))) continue;
      if (!inline) await this.discardStaged(entity, first, attemptId, events.length);
      const actual = await this.highestSequenceNumber(entity).catch(() => undefined);
      throw StorageError.conflict(
        `journal of ${describeEntity(entity)} is at sequence number ${actual ?? "(unknown)"}, writer expected ${expected}`,
      );
    }
  }

  async *replay(entity: EntityRef, range: ReplayRange): AsyncGenerator<PersistedEvent> {
    this.ensureOpen();
    const from = Math.max(1, range.fromSequenceNumber);
    if (!(range.max > 0) || !(from <= range.toSequenceNumber)) return;
    const doing = `replaying ${describeEntity(entity)} from ${from}`;
    try {
      const located = await this.locate(entity);
      const upper = Math.min(range.toSequenceNumber, located.highest);
      if (from > upper) return;
      const start = from === 1 ? { partition: 0, sequenceNumber: 1 } : await this.recordCovering(entity, from);
      let next = from;
      let delivered = 0;
      const missing = (read: number) =>
        StorageError.unavailable(`journal of ${describeEntity(entity)} misses committed event ${next} (read ${read})`);
      for (let partition = start.partition; partition <= located.partition && next <= upper;) {
        const low = partition === start.partition ? start.sequenceNumber : next;
        const rows = pagedRows(
          this.client,
          this.cql.selectEntries,
          [entity.persistenceId, entity.entityId, toLong(partition), toLong(low), toLong(upper)],
          { consistency: this.consistency, fetchSize: this.fetchSize },
        );
        for await (const row of rows) {
          if (isStaticOnly(row)) continue;
          const sequenceNumber = fromLong(row.get("sequence_nr"), "sequence_nr");
          const stagedTo: unknown = row.get("staged_to");
          if (stagedTo === null || stagedTo === undefined) {
            if (sequenceNumber < next) continue;
            if (sequenceNumber !== next) throw missing(sequenceNumber);
            yield { sequenceNumber, payload: payloadOf(row) };
            next++;
            if (++delivered >= range.max) return;
          } else {
            const to = Math.min(upper, fromLong(stagedTo, "staged_to"));
            if (to < next) continue;
            if (sequenceNumber > next) throw missing(sequenceNumber);
            const attemptId = String(row.get("attempt_id"));
            for await (const staged of this.stagedRows(entity, next, to)) {
              if (String(staged.get("attempt_id")) !== attemptId) continue; // another, uncommitted attempt
              const stagedNumber = fromLong(staged.get("sequence_nr"), "sequence_nr");
              if (stagedNumber !== next) throw missing(stagedNumber);
              yield { sequenceNumber: stagedNumber, payload: payloadOf(staged) };
              next++;
              if (++delivered >= range.max) return;
            }
            if (next <= to) throw missing(to);
          }
          if (next > upper) return;
        }
        // The record of `next` is in the partition of `next - 1` (see the top of this file).
        partition = Math.max(partition + 1, this.partitionOf(next - 1));
      }
      if (next <= upper) {
        throw StorageError.unavailable(`journal of ${describeEntity(entity)} misses committed events ${next}..${upper}`);
      }
    } catch (error) {
      throw storageErrorFromDriver(error, doing);
    }
  }

  async highestSequenceNumber(entity: EntityRef): Promise<number> {
    this.ensureOpen();
    try {
      // The journal consistency, not SERIAL: this read serves the freshness check before a command,
      // where an acknowledged append (its Paxos commit done at that consistency) must be seen, and
      // an append still in flight may be missed — the command's own conditional append then fails
      // on it and the entity recovers (SERIAL) and retries. Saves a Paxos round per command.
      return (await this.locate(entity, this.consistency)).highest;
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

  private partitionOf(sequenceNumber: number): number {
    return Math.floor((sequenceNumber - 1) / this.partitionSize);
  }

  /** The partition whose highest decides who may append after `sequenceNumber`. */
  private authorityOf(sequenceNumber: number): number {
    return sequenceNumber === 0 ? 0 : this.partitionOf(sequenceNumber);
  }

  /**
   * A partition's highest; undefined when empty. SERIAL by default (sees every commit acknowledged
   * so far and finishes one in flight); `consistency` when the caller may miss one in flight.
   */
  private async readPartitionHighest(
    entity: EntityRef,
    partition: number,
    consistency = this.serialConsistency,
  ): Promise<number | undefined> {
    const result = await this.client.execute(this.cql.selectHighest, [entity.persistenceId, entity.entityId, toLong(partition)], {
      prepare: true,
      consistency,
    });
    const value: unknown = result.first()?.get("highest_sequence_nr");
    return value === null || value === undefined ? undefined : fromLong(value, "highest_sequence_nr");
  }

  /** Follows the chain of highests from the last partition seen (or 0) to the entity's highest. */
  private async locate(entity: EntityRef, consistency = this.serialConsistency): Promise<Located> {
    const key = entityKey(entity);
    let partition = this.lastSeenPartition.get(key) ?? 0;
    let highest = await this.readPartitionHighest(entity, partition, consistency);
    if (highest === undefined && partition !== 0) {
      partition = 0;
      highest = await this.readPartitionHighest(entity, 0, consistency);
    }
    if (highest === undefined) return { highest: 0, partition: 0 };
    for (;;) {
      const pointsTo = this.partitionOf(highest);
      if (pointsTo === partition) break;
      const further = await this.readPartitionHighest(entity, pointsTo, consistency);
      if (further === undefined) break; // a roll-forward pending: `highest` is still the entity's
      partition = pointsTo;
      highest = further;
    }
    this.remember(key, partition);
    return { highest, partition };
  }

  private remember(key: string, partition: number): void {
    this.lastSeenPartition.delete(key);
    this.lastSeenPartition.set(key, partition);
    if (this.lastSeenPartition.size > maxRememberedEntities) {
      const oldest = this.lastSeenPartition.keys().next();
      if (!oldest.done) this.lastSeenPartition.delete(oldest.value);
    }
  }

  /** After a commit on `authority` up to `last`: make the partition of `last` the authority. */
  private async settleAfterCommit(entity: EntityRef, authority: number, last: number): Promise<void> {
    const target = this.partitionOf(last);
    if (target !== authority) {
      try {
        await this.rollForward(entity, target, last);
      } catch (error) {
        // Committed all the same: the next writer or reader rolls forward (see the top of this file).
        this.logger.warn("could not roll the journal's authority forward after a commit; the next access will", {
          persistenceId: entity.persistenceId,
          entityId: entity.entityId,
          error: error instanceof Error ? error.message : String(error),
        });
        this.remember(entityKey(entity), authority);
        return;
      }
    }
    this.remember(entityKey(entity), target);
  }

  private async rollForward(entity: EntityRef, partition: number, highest: number): Promise<void> {
    await this.client.execute(this.cql.rollForward, [toLong(highest), entity.persistenceId, entity.entityId, toLong(partition)], {
      prepare: true,
      consistency: this.consistency,
      serialConsistency: this.serialConsistency,
      retry: noRetry,
    });
  }

  /**
   * After "not applied" on an empty authority partition: whether a dead writer left the roll-forward
   * into it pending at exactly `expected`. Rolls it forward if so (also when not at `expected`).
   */
  private async rolledForwardTo(entity: EntityRef, authority: number, expected: number): Promise<boolean> {
    if (authority === 0) return false;
    try {
      if ((await this.readPartitionHighest(entity, authority)) !== undefined) return false;
      for (let partition = authority - 1; partition >= 0; partition--) {
        const highest = await this.readPartitionHighest(entity, partition);
        if (highest === undefined) continue;
        if (this.partitionOf(highest) !== authority) return false;
        await this.rollForward(entity, authority, highest);
        return highest === expected;
      }
      return false;
    } catch (error) {
      throw storageErrorFromDriver(error, `checking the journal partitions of ${describeEntity(entity)}`);
    }
  }

  /** The partition and sequence number of the record (event row or marker) holding `from`. */
  private async recordCovering(entity: EntityRef, from: number): Promise<{ partition: number; sequenceNumber: number }> {
    for (let partition = this.partitionOf(from); partition >= 0; partition--) {
      const result = await this.client.execute(
        this.cql.selectEntryAtOrBefore,
        [entity.persistenceId, entity.entityId, toLong(partition), toLong(from)],
        { prepare: true, consistency: this.consistency },
      );
      const row = result.first();
      if (row && !isStaticOnly(row)) return { partition, sequenceNumber: fromLong(row.get("sequence_nr"), "sequence_nr") };
    }
    return { partition: 0, sequenceNumber: 1 };
  }

  private async writeStaged(entity: EntityRef, first: number, attemptId: types.Uuid, events: readonly AnyPayload[]): Promise<void> {
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
        query: this.cql.insertStaged,
        params: [
          entity.persistenceId,
          entity.entityId,
          toLong(partition),
          toLong(sequenceNumber),
          attemptId,
          payload.typeUrl,
          bufferOf(payload),
        ],
      });
      batchBytes += bytes;
    }
    await flush();
  }

  /** Whether the record at `first` in the authority partition is this attempt's (read SERIAL: settled commits only). */
  private async committedBy(entity: EntityRef, authority: number, first: number, attemptId: types.Uuid): Promise<boolean> {
    try {
      const result = await this.client.execute(
        this.cql.selectAttemptAt,
        [entity.persistenceId, entity.entityId, toLong(authority), toLong(first)],
        { prepare: true, consistency: this.serialConsistency },
      );
      return String(result.first()?.get("attempt_id")) === attemptId.toString();
    } catch (error) {
      // Unknown whether it committed: keep the rows and let the entity reload to find out.
      throw storageErrorFromDriver(error, `checking the commit of events from ${first} of ${describeEntity(entity)}`);
    }
  }

  /** Best effort: staged rows of a lost attempt are invisible anyway, deleting them only saves space. */
  private async discardStaged(entity: EntityRef, first: number, attemptId: types.Uuid, count: number): Promise<void> {
    try {
      for (let sequenceNumber = first; sequenceNumber < first + count; sequenceNumber++) {
        await this.client.execute(
          this.cql.deleteStaged,
          [entity.persistenceId, entity.entityId, toLong(this.partitionOf(sequenceNumber)), toLong(sequenceNumber), attemptId],
          { prepare: true, consistency: this.consistency },
        );
      }
    } catch (error) {
      this.logger.warn("could not delete the staged rows of a conflicting append; they stay invisible", {
        persistenceId: entity.persistenceId,
        entityId: entity.entityId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Staged rows of every attempt within [from, upper], in (sequence number, attempt id) order. */
  private async *stagedRows(entity: EntityRef, from: number, upper: number): AsyncGenerator<types.Row> {
    for (let partition = this.partitionOf(from); partition <= this.partitionOf(upper); partition++) {
      const low = Math.max(from, partition * this.partitionSize + 1);
      const high = Math.min(upper, (partition + 1) * this.partitionSize);
      yield* pagedRows(
        this.client,
        this.cql.selectStaged,
        [entity.persistenceId, entity.entityId, toLong(partition), toLong(low), toLong(high)],
        { consistency: this.consistency, fetchSize: this.fetchSize },
      );
    }
  }
}

function statements(keyspace: string) {
  const entries = `${keyspace}.${cassandraTables.entries}`;
  const staged = `${keyspace}.${cassandraTables.events}`;
  const entity = `persistence_id = ? AND entity_id = ? AND partition_nr = ?`;
  return {
    claimHighest: `UPDATE ${entries} SET highest_sequence_nr = ? WHERE ${entity} IF highest_sequence_nr = ?`,
    rollForward: `UPDATE ${entries} SET highest_sequence_nr = ? WHERE ${entity} IF highest_sequence_nr = null`,
    insertEntry:
      `INSERT INTO ${entries} (persistence_id, entity_id, partition_nr, sequence_nr, attempt_id, type_url, payload) ` +
      `VALUES (?, ?, ?, ?, ?, ?, ?)`,
    insertMarker:
      `INSERT INTO ${entries} (persistence_id, entity_id, partition_nr, sequence_nr, attempt_id, staged_to) ` + `VALUES (?, ?, ?, ?, ?, ?)`,
    selectHighest: `SELECT highest_sequence_nr FROM ${entries} WHERE ${entity} LIMIT 1`,
    selectAttemptAt: `SELECT attempt_id FROM ${entries} WHERE ${entity} AND sequence_nr = ?`,
    selectEntryAtOrBefore: `SELECT sequence_nr FROM ${entries} WHERE ${entity} AND sequence_nr <= ? ORDER BY sequence_nr DESC LIMIT 1`,
    selectEntries:
      `SELECT sequence_nr, attempt_id, type_url, payload, staged_to FROM ${entries} ` +
      `WHERE ${entity} AND sequence_nr >= ? AND sequence_nr <= ?`,
    insertStaged:
      `INSERT INTO ${staged} (persistence_id, entity_id, partition_nr, sequence_nr, attempt_id, type_url, payload) ` +
      `VALUES (?, ?, ?, ?, ?, ?, ?)`,
    deleteStaged: `DELETE FROM ${staged} WHERE ${entity} AND sequence_nr = ? AND attempt_id = ?`,
    selectStaged:
      `SELECT sequence_nr, attempt_id, type_url, payload FROM ${staged} ` + `WHERE ${entity} AND sequence_nr >= ? AND sequence_nr <= ?`,
  };
}

/** The row Cassandra returns for a partition that holds only its static column. */
function isStaticOnly(row: types.Row): boolean {
  const sequenceNumber: unknown = row.get("sequence_nr");
  return sequenceNumber === null || sequenceNumber === undefined;
}

function entityKey(entity: EntityRef): string {
  return JSON.stringify([entity.persistenceId, entity.entityId]);
}

function bufferOf(payload: AnyPayload): Buffer {
  return Buffer.from(payload.value.buffer, payload.value.byteOffset, payload.value.byteLength);
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
