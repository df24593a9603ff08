import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it, test } from "node:test";
import fc from "fast-check";
import { acquireCassandra } from "../../../../ci/cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../../../../ci/cassandra-test-settings.js";
import type { AnyPayload } from "../../../protocol/index.js";
import type { EntityRef } from "../../ids.js";
import { silentLogger } from "../../logger.js";
import { isConflict, plain, ref, replayAll } from "../contract-fixtures.js";
import { createInMemoryJournal } from "../in-memory-journal.js";
import type { Journal, ReplayRange } from "../journal.js";
import { journalModelProperty } from "../journal-model-property.js";
import { type CassandraStores, createCassandraStores } from "./create-cassandra-stores.js";

/**
 * docs/tck-catalogue.md K5, differentially: the same operations on the in-memory journal and on the
 * Cassandra journal (partitions of 2 events, so most histories cross boundaries) get the same
 * answers: append outcomes (including stale, ahead and invalid expected sequence numbers),
 * replays of any range and limit, highest sequence numbers.
 */
type Operation =
  | { readonly kind: "append"; readonly entity: number; readonly offset: number; readonly count: number; readonly seed: number }
  | { readonly kind: "replay"; readonly entity: number; readonly range: ReplayRange }
  | { readonly kind: "highest"; readonly entity: number };

const entityIndex = fc.integer({ min: 0, max: 3 });
/** Mostly a current writer (offset 0), sometimes stale, ahead, or below zero. */
const offset = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 2 }) });
/** Ranges that mostly fall on short histories: from near the start, a span or open-ended, a limit or none. */
const range: fc.Arbitrary<ReplayRange> = fc
  .record({
    from: fc.integer({ min: 0, max: 9 }),
    span: fc.oneof(fc.constant(Infinity), fc.integer({ min: -2, max: 8 })),
    max: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 5 })),
  })
  .map(({ from, span, max }) => ({ fromSequenceNumber: from, toSequenceNumber: from + span, max }));
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      entity: entityIndex,
      offset,
      count: fc.integer({ min: 0, max: 4 }),
      seed: fc.nat(255),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("replay" as const), entity: entityIndex, range }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("highest" as const), entity: entityIndex }) },
);

/** What a journal answered, as plain data that deepEqual can compare. */
async function answer(journal: Journal, entities: readonly EntityRef[], op: Operation, expected: number): Promise<unknown> {
  const entity = entities[op.entity];
  assert.ok(entity);
  switch (op.kind) {
    case "append": {
      const events: AnyPayload[] = Array.from({ length: op.count }, (_, i) => ({
        typeUrl: `type.googleapis.com/equivalence.E${(op.seed + i) % 3}`,
        value: Uint8Array.from([op.seed, i, op.entity]),
      }));
      return journal.append(entity, expected, events).then(
        () => "ok",
        (error: unknown) => (isConflict(error) ? "conflict" : error instanceof RangeError ? "invalid" : Promise.reject(error)),
      );
    }
    case "replay":
      return (await replayAll(journal, entity, op.range)).map((e) => ({ sequenceNumber: e.sequenceNumber, payload: plain(e.payload) }));
    case "highest":
      return journal.highestSequenceNumber(entity);
  }
}

const cassandra = await acquireCassandra();

if ("skipped" in cassandra) {
  test("Cassandra journal equivalence with the in-memory journal (K5)", { skip: cassandra.skipped }, () => {});
} else {
  const keyspaces: string[] = [];
  after(async () => {
    await dropTestKeyspaces(cassandra, keyspaces);
    await cassandra.stop();
  });

  describe("Cassandra journal answers as the in-memory journal does (K5)", { timeout: 300_000 }, () => {
    let stores: CassandraStores;
    before(async () => {
      const settings = cassandraTestSettings(cassandra, "journal_equivalence", { partitionSize: 2 });
      keyspaces.push(settings.keyspace);
      stores = await createCassandraStores(settings, silentLogger);
    });
    after(async () => {
      await stores.close();
    });

    it("gives the same answer to every operation of any sequence", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30, size: "max" }), async (operations) => {
          const reference = createInMemoryJournal();
          // Fresh entities per run, two of which would collide if their ids were concatenated.
          const tag = randomUUID();
          const entities = [ref(`${tag}-a-b`, "c"), ref(`${tag}-a`, "b-c"), ref(`${tag}-a-b`, "d"), ref(`${tag}-x`, "c")];
          try {
            for (const [step, op] of operations.entries()) {
              // Expected sequence numbers are relative to the reference's highest: offset 0 is a
              // current writer, negative a stale one (or an invalid negative number), positive ahead.
              const entity = entities[op.entity];
              assert.ok(entity);
              const expected = op.kind === "append" ? (await reference.highestSequenceNumber(entity)) + op.offset : 0;
              const want = await answer(reference, entities, op, expected);
              const got = await answer(stores.journal, entities, op, expected);
              assert.deepEqual(got, want, `step ${step}: ${JSON.stringify({ ...op, expected })}`);
            }
          } finally {
            await reference.close();
          }
        }),
        { numRuns: 40 },
      );
    });
  });

  journalModelProperty(
    `Cassandra (${cassandra.source}), partitions of 3 events`,
    async () => {
      const settings = cassandraTestSettings(cassandra, "journal_model", { partitionSize: 3 });
      keyspaces.push(settings.keyspace);
      const stores = await createCassandraStores(settings, silentLogger);
      return { journal: stores.journal, teardown: () => stores.close() };
    },
    { numRuns: 25 },
  );
}
