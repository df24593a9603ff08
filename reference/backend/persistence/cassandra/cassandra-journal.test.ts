import assert from "node:assert/strict";
import { after, before, describe, it, test } from "node:test";
import { Client, type QueryOptions, types } from "cassandra-driver";
import { acquireCassandra } from "../../../../ci/cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../../../../ci/cassandra-test-settings.js";
import type { EntityRef } from "../../ids.js";
import { silentLogger } from "../../logger.js";
import { eventsNumbered, everything, freshEntity, isConflict, plain, pseudoRandomBytes, replayAll } from "../contract-fixtures.js";
import { journalContract } from "../journal-contract.js";
import { StorageError } from "../storage-error.js";
import type { CassandraSettings } from "./cassandra-settings.js";
import { createCassandraJournal } from "./cassandra-journal.js";
import { type CassandraStores, createCassandraStores } from "./create-cassandra-stores.js";

const cassandra = await acquireCassandra();

if ("skipped" in cassandra) {
  test("Cassandra journal", { skip: cassandra.skipped }, () => {});
} else {
  const keyspaces: string[] = [];
  const openStores: CassandraStores[] = [];
  after(async () => {
    await Promise.all(openStores.map((stores) => stores.close()));
    await dropTestKeyspaces(cassandra, keyspaces);
    await cassandra.stop();
  });

  const settingsFor = (prefix: string, overrides: Partial<CassandraSettings> = {}): CassandraSettings => {
    const settings = cassandraTestSettings(cassandra, prefix, overrides);
    keyspaces.push(settings.keyspace);
    return settings;
  };
  const open = async (settings: CassandraSettings): Promise<CassandraStores> => {
    const stores = await createCassandraStores(settings, silentLogger);
    openStores.push(stores);
    return stores;
  };

  journalContract(`Cassandra (${cassandra.source})`, async () => {
    const stores = await createCassandraStores(settingsFor("journal_contract"), silentLogger);
    return { journal: stores.journal, teardown: () => stores.close() };
  });

  // The whole contract again with tiny partitions: every case then crosses partition boundaries.
  journalContract(`Cassandra (${cassandra.source}), partitions of 3 events`, async () => {
    const stores = await createCassandraStores(settingsFor("journal_contract_p3", { partitionSize: 3 }), silentLogger);
    return { journal: stores.journal, teardown: () => stores.close() };
  });

  describe("K4 Cassandra journal partitions of 3 events", { timeout: 120_000 }, () => {
    let settings: CassandraSettings;
    let stores: CassandraStores;
    let client: Client;

    before(async () => {
      settings = settingsFor("journal_partitions", { partitionSize: 3 });
      stores = await open(settings);
      client = new Client({
        contactPoints: [...cassandra.contactPoints],
        localDataCenter: cassandra.localDataCenter,
        ...(cassandra.credentials && { credentials: { ...cassandra.credentials } }),
      });
    });
    after(async () => {
      await client.shutdown();
    });

    /** All staged rows of an entity (journal_events), committed or not, as `partition/sequence`. */
    async function storedRows(entity: EntityRef): Promise<string[]> {
      const rows: string[] = [];
      for (let partition = 0; partition < 10; partition++) {
        const result = await client.execute(
          `SELECT partition_nr, sequence_nr FROM ${settings.keyspace}.journal_events ` +
            `WHERE persistence_id = ? AND entity_id = ? AND partition_nr = ?`,
          [entity.persistenceId, entity.entityId, types.Long.fromNumber(partition)],
          { prepare: true },
        );
        for (const row of result.rows) rows.push(`${String(row.get("partition_nr"))}/${String(row.get("sequence_nr"))}`);
      }
      return rows;
    }

    it("writes one append across three partitions and replays any range of it", async () => {
      const entity = freshEntity();
      await stores.journal.append(entity, 0, eventsNumbered(1, 8));
      assert.deepEqual(await storedRows(entity), ["0/1", "0/2", "0/3", "1/4", "1/5", "1/6", "2/7", "2/8"]);
      const replayed = await replayAll(stores.journal, entity, everything);
      assert.deepEqual(
        replayed.map((e) => plain(e.payload)),
        eventsNumbered(1, 8).map(plain),
      );
      const middle = await replayAll(stores.journal, entity, { fromSequenceNumber: 3, toSequenceNumber: 7, max: Infinity });
      assert.deepEqual(
        middle.map((e) => e.sequenceNumber),
        [3, 4, 5, 6, 7],
      );
      const limited = await replayAll(stores.journal, entity, { fromSequenceNumber: 2, toSequenceNumber: Infinity, max: 4 });
      assert.deepEqual(
        limited.map((e) => e.sequenceNumber),
        [2, 3, 4, 5],
      );
    });

    it("pages through a history longer than one fetch without losing or repeating events", async () => {
      const paged = await open({ ...settings, fetchSize: 2 });
      const entity = freshEntity();
      await paged.journal.append(entity, 0, eventsNumbered(1, 10));
      await paged.journal.append(entity, 10, eventsNumbered(11, 11));
      const replayed = await replayAll(paged.journal, entity, everything);
      assert.deepEqual(
        replayed.map((e) => plain(e.payload)),
        eventsNumbered(1, 11).map(plain),
      );
    });

    it("a conflicting append across a boundary leaves nothing behind", async () => {
      const entity = freshEntity();
      await stores.journal.append(entity, 0, eventsNumbered(1, 2));
      await assert.rejects(stores.journal.append(entity, 1, eventsNumbered(50, 55, "stale")), isConflict);
      assert.equal(await stores.journal.highestSequenceNumber(entity), 2);
      assert.deepEqual(
        (await replayAll(stores.journal, entity, everything)).map((e) => plain(e.payload)),
        eventsNumbered(1, 2).map(plain),
      );
      assert.deepEqual(await storedRows(entity), [], "the loser deletes the staged rows it wrote (1..2 were inline)");
      await assert.rejects(
        stores.journal
          .append(entity, 2, eventsNumbered(50, 51, "ahead"))
          .then(() => stores.journal.append(entity, 2, eventsNumbered(60, 62, "stale"))),
        isConflict,
      );
      assert.deepEqual(await storedRows(entity), ["0/3", "1/4"], "only the winner's staged rows stay");
    });

    it("ignores rows of an attempt that crashed between writing and committing", async () => {
      const entity = freshEntity();
      await stores.journal.append(entity, 0, eventsNumbered(1, 2));
      // What a writer that died before its commit leaves: rows at 3..5 across a boundary, no commit.
      const crashed = types.Uuid.random();
      for (const sequenceNumber of [3, 4, 5]) {
        await client.execute(
          `INSERT INTO ${settings.keyspace}.journal_events ` +
            `(persistence_id, entity_id, partition_nr, sequence_nr, attempt_id, type_url, payload) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [
            entity.persistenceId,
            entity.entityId,
            types.Long.fromNumber(Math.floor((sequenceNumber - 1) / 3)),
            types.Long.fromNumber(sequenceNumber),
            crashed,
            "type.googleapis.com/contract.crashed",
            Buffer.from("crashed"),
          ],
          { prepare: true },
        );
      }
      assert.equal(await stores.journal.highestSequenceNumber(entity), 2);
      assert.deepEqual(
        (await replayAll(stores.journal, entity, everything)).map((e) => e.sequenceNumber),
        [1, 2],
      );
      // The next writer is not blocked by the leftovers, and only its events count.
      await stores.journal.append(entity, 2, eventsNumbered(3, 4));
      const replayed = await replayAll(stores.journal, entity, everything);
      assert.deepEqual(
        replayed.map((e) => plain(e.payload)),
        eventsNumbered(1, 4).map(plain),
      );
    });

    it("stores 1 MiB events across a boundary, byte for byte", async () => {
      const entity = freshEntity();
      await stores.journal.append(entity, 0, eventsNumbered(1, 1));
      const big = [2, 3, 4, 5].map((seed) => ({
        typeUrl: `type.googleapis.com/test.Big${seed}`,
        value: pseudoRandomBytes(1024 * 1024, seed),
      }));
      await stores.journal.append(entity, 1, big);
      const replayed = await replayAll(stores.journal, entity, { fromSequenceNumber: 2, toSequenceNumber: Infinity, max: Infinity });
      assert.equal(replayed.length, 4);
      for (const [i, event] of replayed.entries()) {
        const want = big[i];
        assert.ok(want);
        assert.equal(event.sequenceNumber, i + 2);
        assert.equal(event.payload.typeUrl, want.typeUrl);
        assert.ok(Buffer.from(event.payload.value).equals(Buffer.from(want.value)), `bytes of event ${i + 2}`);
      }
    });
  });

  describe("Cassandra journal, large appends in one partition", { timeout: 120_000 }, () => {
    it("splits ten 1 MiB events into several write batches and still commits them as one", async () => {
      const stores = await open(settingsFor("journal_large"));
      const entity = freshEntity();
      const big = Array.from({ length: 10 }, (_, i) => ({
        typeUrl: "type.googleapis.com/test.Big",
        value: pseudoRandomBytes(1024 * 1024, 100 + i),
      }));
      await stores.journal.append(entity, 0, big);
      let count = 0;
      for await (const event of stores.journal.replay(entity, everything)) {
        const want = big[count];
        assert.ok(want);
        assert.ok(Buffer.from(event.payload.value).equals(Buffer.from(want.value)), `bytes of event ${count + 1}`);
        count++;
      }
      assert.equal(count, 10);
    });
  });

  describe("Cassandra journal, two writers (two clients) on one entity", { timeout: 120_000 }, () => {
    let writerA: CassandraStores;
    let writerB: CassandraStores;

    before(async () => {
      const settings = settingsFor("journal_writers", { partitionSize: 4 });
      writerA = await open(settings);
      writerB = await open(settings);
    });

    it("lets exactly one writer commit each sequence number; the loser gets a conflict", async () => {
      const entity = freshEntity();
      for (let round = 0; round < 10; round++) {
        const expected = await writerA.journal.highestSequenceNumber(entity);
        const a = eventsNumbered(1, 1 + (round % 3), `a${round}`);
        const b = eventsNumbered(1, 2, `b${round}`);
        const outcomes = await Promise.allSettled([
          writerA.journal.append(entity, expected, a),
          writerB.journal.append(entity, expected, b),
        ]);
        assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1, `round ${round}: one winner`);
        const lost = outcomes.find((o) => o.status === "rejected");
        assert.ok(lost?.status === "rejected" && isConflict(lost.reason), `round ${round}: the loser gets a conflict`);
        const winner = outcomes[0]?.status === "fulfilled" ? a : b;
        const tail = await replayAll(writerB.journal, entity, {
          fromSequenceNumber: expected + 1,
          toSequenceNumber: Infinity,
          max: Infinity,
        });
        assert.deepEqual(
          tail.map((e) => plain(e.payload)),
          winner.map(plain),
          `round ${round}: all of the winner's events only`,
        );
      }
    });

    it("racing writers that retry on conflict build one history 1..n without gaps or duplicates", async (t) => {
      const entity = freshEntity();
      const committed = new Map<number, string>();
      let conflicts = 0;
      const target = 40;
      async function write(name: string, stores: CassandraStores): Promise<void> {
        // Bounded, so a journal that never lets anyone commit fails the test instead of hanging it.
        for (let round = 0; round < 500;) {
          const expected = await stores.journal.highestSequenceNumber(entity);
          if (expected >= target) return;
          const count = 1 + (round % 3);
          const events = eventsNumbered(1, count, `${name}-${round++}`);
          try {
            await stores.journal.append(entity, expected, events);
            events.forEach((event, i) => {
              assert.ok(!committed.has(expected + 1 + i), `sequence number ${expected + 1 + i} committed twice`);
              committed.set(expected + 1 + i, new TextDecoder().decode(event.value));
            });
          } catch (error) {
            if (!isConflict(error)) throw error;
            conflicts++;
          }
        }
        assert.fail(`writer ${name} could not reach ${target} events in 500 appends`);
      }
      await Promise.all([write("a", writerA), write("b", writerB)]);
      const history = await replayAll(writerA.journal, entity, everything);
      assert.deepEqual(
        history.map((e) => e.sequenceNumber),
        Array.from({ length: history.length }, (_, i) => i + 1),
      );
      assert.ok(history.length >= target);
      assert.deepEqual(
        history.map((e) => new TextDecoder().decode(e.payload.value)),
        history.map((e) => committed.get(e.sequenceNumber)),
        "every replayed event is the one its acknowledged writer wrote",
      );
      assert.equal(committed.size, history.length, "every acknowledged event is in the history");
      t.diagnostic(`conflicts: ${conflicts}`);
    });
  });

  describe("Cassandra journal, a commit that reaches Cassandra twice", { timeout: 120_000 }, () => {
    it("counts it as committed (never as a conflict that would delete its rows)", async () => {
      const settings = settingsFor("journal_resent", { partitionSize: 3 });
      const stores = await open(settings);
      const client = new Client({
        contactPoints: [...cassandra.contactPoints],
        localDataCenter: cassandra.localDataCenter,
        ...(cassandra.credentials && { credentials: { ...cassandra.credentials } }),
      });
      try {
        // A real client whose every batch is delivered twice, as a re-send after a lost answer would be.
        const resending = new Proxy(client, {
          get(target, property) {
            if (property === "batch") {
              // The promise form (the journal never passes a callback): Parameters<> would pick the
              // last overload, a callback form that returns void.
              type Queries = Parameters<Client["batch"]>[0];
              return async (queries: Queries, options?: QueryOptions) => {
                await target.batch(queries, options);
                return target.batch(queries, options);
              };
            }
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === "function" ? value.bind(target) : value;
          },
        });
        const journal = createCassandraJournal({
          client: resending,
          keyspace: settings.keyspace,
          partitionSize: stores.partitionSize,
          consistency: "QUORUM",
          serialConsistency: "SERIAL",
          fetchSize: 64,
          logger: silentLogger,
        });
        const entity = freshEntity();
        await journal.append(entity, 0, eventsNumbered(1, 4));
        await journal.append(entity, 4, eventsNumbered(5, 5));
        const history = await replayAll(stores.journal, entity, everything);
        assert.deepEqual(
          history.map((e) => plain(e.payload)),
          eventsNumbered(1, 5).map(plain),
        );
        // A real conflict is still one.
        await assert.rejects(journal.append(entity, 2, eventsNumbered(9, 9)), isConflict);
      } finally {
        await client.shutdown();
      }
    });
  });

  describe("Cassandra journal round trips and the authority partition", { timeout: 120_000 }, () => {
    let settings: CassandraSettings;
    let stores: CassandraStores;
    let client: Client;
    before(async () => {
      settings = settingsFor("journal_authority", { partitionSize: 3 });
      stores = await open(settings);
      client = new Client({
        contactPoints: [...cassandra.contactPoints],
        localDataCenter: cassandra.localDataCenter,
        ...(cassandra.credentials && { credentials: { ...cassandra.credentials } }),
      });
    });
    after(async () => {
      await client.shutdown();
    });

    /** A journal on a real client whose requests are counted, and whose roll-forwards can be lost. */
    function journalOn(options: { loseRollForwards: boolean }) {
      const requests: string[] = [];
      const wrapped = new Proxy(client, {
        get(target, property) {
          if (property === "execute" || property === "batch") {
            return async (...args: unknown[]) => {
              const query = property === "batch" ? "batch" : String(args[0]);
              requests.push(query);
              if (options.loseRollForwards && query.includes("IF highest_sequence_nr = null")) {
                throw new Error("simulated crash of the writer before its roll-forward");
              }
              return (Reflect.get(target, property, target) as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const journal = createCassandraJournal({
        client: wrapped,
        keyspace: settings.keyspace,
        partitionSize: stores.partitionSize,
        consistency: "QUORUM",
        serialConsistency: "SERIAL",
        fetchSize: 64,
        logger: silentLogger,
      });
      return { journal, requests };
    }

    it("an append inside one partition is one request to Cassandra", async () => {
      const { journal, requests } = journalOn({ loseRollForwards: false });
      const entity = freshEntity();
      await journal.append(entity, 0, eventsNumbered(1, 1));
      assert.deepEqual(requests, ["batch"], "the first append: one conditional batch");
      requests.length = 0;
      await journal.append(entity, 1, eventsNumbered(2, 3));
      assert.deepEqual(requests, ["batch"], "two more events in the same partition: one conditional batch");
      assert.deepEqual(
        (await replayAll(stores.journal, entity, everything)).map((e) => plain(e.payload)),
        eventsNumbered(1, 3).map(plain),
      );
    });

    it("an append committed by a writer that died before rolling forward is rolled forward by the next writer", async () => {
      const { journal: dying } = journalOn({ loseRollForwards: true });
      const entity = freshEntity();
      await dying.append(entity, 0, eventsNumbered(1, 2));
      await dying.append(entity, 2, eventsNumbered(3, 5)); // committed in partition 0, partition 1 never told
      // Another process (no hints): the history is all there, and only a writer at 5 may append.
      const other = await open(settings);
      assert.equal(await other.journal.highestSequenceNumber(entity), 5);
      assert.deepEqual(
        (await replayAll(other.journal, entity, everything)).map((e) => plain(e.payload)),
        eventsNumbered(1, 5).map(plain),
      );
      await assert.rejects(other.journal.append(entity, 2, eventsNumbered(90, 90)), isConflict, "stale writer");
      await assert.rejects(other.journal.append(entity, 4, eventsNumbered(90, 90)), isConflict, "writer inside the last append");
      await assert.rejects(other.journal.append(entity, 6, eventsNumbered(90, 90)), isConflict, "writer ahead of the journal");
      await other.journal.append(entity, 5, eventsNumbered(6, 6));
      await assert.rejects(stores.journal.append(entity, 5, eventsNumbered(91, 91)), isConflict, "the roll-forward did not reopen 5");
      assert.equal(await stores.journal.highestSequenceNumber(entity), 6);
      assert.deepEqual(
        (await replayAll(stores.journal, entity, everything)).map((e) => plain(e.payload)),
        eventsNumbered(1, 6).map(plain),
      );
    });

    it("an append jumping over whole partitions: highest, replay from its middle, and stale writers", async () => {
      const entity = freshEntity();
      await stores.journal.append(entity, 0, eventsNumbered(1, 1));
      await stores.journal.append(entity, 1, eventsNumbered(2, 11)); // partitions 1 and 2 stay empty
      const other = await open(settings);
      assert.equal(await other.journal.highestSequenceNumber(entity), 11);
      const middle = await replayAll(other.journal, entity, { fromSequenceNumber: 5, toSequenceNumber: 9, max: Infinity });
      assert.deepEqual(
        middle.map((e) => plain(e.payload)),
        eventsNumbered(5, 9).map(plain),
      );
      await assert.rejects(other.journal.append(entity, 6, eventsNumbered(90, 90)), isConflict, "writer at a skipped partition");
      await other.journal.append(entity, 11, eventsNumbered(12, 12));
      const tail = await replayAll(stores.journal, entity, { fromSequenceNumber: 10, toSequenceNumber: Infinity, max: Infinity });
      assert.deepEqual(
        tail.map((e) => plain(e.payload)),
        eventsNumbered(10, 12).map(plain),
      );
    });
  });

  describe("Cassandra schema", { timeout: 120_000 }, () => {
    it("keeps the partition size recorded by the first store of a keyspace", async () => {
      const settings = settingsFor("schema_partition_size", { partitionSize: 3 });
      const first = await open(settings);
      const later = await open({ ...settings, partitionSize: 7 });
      assert.equal(first.partitionSize, 3);
      assert.equal(later.partitionSize, 3);
      const entity = freshEntity();
      await first.journal.append(entity, 0, eventsNumbered(1, 5));
      assert.deepEqual(
        (await replayAll(later.journal, entity, everything)).map((e) => plain(e.payload)),
        eventsNumbered(1, 5).map(plain),
      );
    });

    it("creates a NetworkTopologyStrategy keyspace for the local data centre", async () => {
      const settings = settingsFor("schema_nts", {
        replication: { class: "NetworkTopologyStrategy", dataCenters: { [cassandra.localDataCenter]: 1 } },
      });
      const stores = await open(settings);
      const entity = freshEntity();
      await stores.journal.append(entity, 0, eventsNumbered(1, 2));
      assert.equal(await stores.journal.highestSequenceNumber(entity), 2);
      const client = new Client({
        contactPoints: [...cassandra.contactPoints],
        localDataCenter: cassandra.localDataCenter,
        ...(cassandra.credentials && { credentials: { ...cassandra.credentials } }),
      });
      try {
        const row = (
          await client.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", [settings.keyspace], {
            prepare: true,
          })
        ).first();
        assert.match(String((row?.get("replication") as Record<string, string> | undefined)?.["class"]), /NetworkTopologyStrategy/);
      } finally {
        await client.shutdown();
      }
    });

    it("refuses a keyspace holding the earlier journal format instead of showing its entities empty", async () => {
      const settings = settingsFor("schema_earlier_format");
      const client = new Client({
        contactPoints: [...cassandra.contactPoints],
        localDataCenter: cassandra.localDataCenter,
        ...(cassandra.credentials && { credentials: { ...cassandra.credentials } }),
      });
      try {
        await client.execute(
          `CREATE KEYSPACE ${settings.keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
        );
        await client.execute(
          `CREATE TABLE ${settings.keyspace}.journal_commits (persistence_id text, entity_id text, from_sequence_nr bigint, ` +
            `PRIMARY KEY ((persistence_id, entity_id), from_sequence_nr))`,
        );
      } finally {
        await client.shutdown();
      }
      // Closed at once if opened after all, so a failing run does not keep the process alive.
      const opening = createCassandraStores(settings, silentLogger).then((stores) => stores.close());
      await assert.rejects(opening, (error: unknown) => {
        assert.ok(error instanceof StorageError);
        assert.match(error.message, /earlier format \(table journal_commits\)/);
        return true;
      });
    });

    it("fails clearly when told not to create a schema that is absent", async () => {
      const settings = cassandraTestSettings(cassandra, "schema_absent", { createSchema: false });
      await assert.rejects(createCassandraStores(settings, silentLogger), (error: unknown) => {
        assert.ok(error instanceof StorageError);
        assert.equal(error.kind, "unavailable");
        assert.match(error.message, new RegExp(settings.keyspace));
        return true;
      });
    });
  });

  describe("Cassandra journal failures", { timeout: 120_000 }, () => {
    it("reports an unreachable Cassandra as unavailable", async () => {
      const settings = cassandraTestSettings(cassandra, "unreachable", { contactPoints: ["127.0.0.1:1"] });
      await assert.rejects(createCassandraStores(settings, silentLogger), (error: unknown) => {
        assert.ok(error instanceof StorageError);
        assert.equal(error.kind, "unavailable");
        assert.match(error.message, /127\.0\.0\.1:1/);
        return true;
      });
    });

    it("reports a key Cassandra cannot take (over 65,535 bytes) as rejected and a request over its frame limit as too-large, never unavailable", async () => {
      const stores = await open(settingsFor("journal_refusals"));
      const kind = (error: unknown) => (error instanceof StorageError ? error.kind : `not a StorageError: ${String(error)}`);
      const longKey: EntityRef = { ...freshEntity(), entityId: "k".repeat(70 * 1024) as EntityRef["entityId"] };
      await assert.rejects(
        stores.journal.append(longKey, 0, eventsNumbered(1, 1)),
        (error: unknown) => (assert.equal(kind(error), "rejected"), true),
      );
      const huge = [{ typeUrl: "type.googleapis.com/t.Huge", value: new Uint8Array(16 * 1024 * 1024) }];
      await assert.rejects(
        stores.journal.append(freshEntity(), 0, huge),
        (error: unknown) => (assert.equal(kind(error), "too-large"), true),
      );
    });

    it("refuses to work once closed", async () => {
      const stores = await createCassandraStores(settingsFor("journal_closed"), silentLogger);
      await stores.close();
      await assert.rejects(stores.journal.highestSequenceNumber(freshEntity()), (error: unknown) => {
        return error instanceof StorageError && error.kind === "unavailable";
      });
      await assert.rejects(stores.snapshotStore.latest(freshEntity()), StorageError);
    });
  });
}
