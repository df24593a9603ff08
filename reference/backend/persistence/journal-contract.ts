import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { AnyPayload } from "../../protocol/index.js";
import type { EntityRef } from "../ids.js";
import { eventsNumbered, everything, freshEntity, isConflict, plain, pseudoRandomBytes, ref, replayAll } from "./contract-fixtures.js";
import type { Journal, ReplayRange } from "./journal.js";

/** Optional behaviour an adapter may lack; absent flags mean "supported". */
export interface JournalCapabilities {
  /** Size of the "large payload" case in bytes (default 1 MiB, the TCK's E6 size). */
  readonly largePayloadBytes?: number;
}

export interface JournalUnderTest {
  readonly journal: Journal;
  teardown(): Promise<void>;
}

/**
 * The contract every Journal adapter passes (docs/tck-catalogue.md K1, K2). `setup`
 * runs once per suite and the journal is shared by all cases, which is why
 * every case works on fresh, randomly named entities: an adapter may point at
 * a store that already holds data (a Cassandra keyspace from an earlier run).
 */
export function journalContract(name: string, setup: () => Promise<JournalUnderTest>, capabilities: JournalCapabilities = {}): void {
  const largePayloadBytes = capabilities.largePayloadBytes ?? 1024 * 1024;

  describe(`Journal contract: ${name}`, () => {
    let underTest: JournalUnderTest | undefined;
    const journal = (): Journal => {
      assert.ok(underTest, "journal setup did not complete");
      return underTest.journal;
    };

    before(async () => {
      underTest = await setup();
    });
    after(async () => {
      await underTest?.teardown();
    });

    /** An entity with a history of `count` events, sequence numbers 1..count. */
    async function entityWithEvents(count: number): Promise<EntityRef> {
      const entity = freshEntity();
      if (count > 0) await journal().append(entity, 0, eventsNumbered(1, count));
      return entity;
    }

    async function sequencesOf(entity: EntityRef, range: ReplayRange): Promise<number[]> {
      return (await replayAll(journal(), entity, range)).map((e) => e.sequenceNumber);
    }

    describe("K1 replay ranges", () => {
      it("an unknown entity has highest sequence number 0 and replays nothing", async () => {
        const entity = freshEntity();
        assert.equal(await journal().highestSequenceNumber(entity), 0);
        assert.deepEqual(await replayAll(journal(), entity, everything), []);
      });

      it("replays every event in order with sequence numbers from 1", async () => {
        const entity = await entityWithEvents(7);
        const events = await replayAll(journal(), entity, everything);
        assert.deepEqual(
          events.map((e) => e.sequenceNumber),
          [1, 2, 3, 4, 5, 6, 7],
        );
        assert.deepEqual(
          events.map((e) => plain(e.payload)),
          eventsNumbered(1, 7).map(plain),
        );
        assert.equal(await journal().highestSequenceNumber(entity), 7);
      });

      it("replays from a sequence number", async () => {
        const entity = await entityWithEvents(7);
        assert.deepEqual(await sequencesOf(entity, { ...everything, fromSequenceNumber: 5 }), [5, 6, 7]);
      });

      it("replays up to a sequence number", async () => {
        const entity = await entityWithEvents(7);
        assert.deepEqual(await sequencesOf(entity, { ...everything, toSequenceNumber: 3 }), [1, 2, 3]);
      });

      it("replays at most max events", async () => {
        const entity = await entityWithEvents(7);
        assert.deepEqual(await sequencesOf(entity, { fromSequenceNumber: 2, toSequenceNumber: 6, max: 3 }), [2, 3, 4]);
        assert.deepEqual(await sequencesOf(entity, { ...everything, max: 0 }), []);
      });

      it("replays exactly one event when from equals to", async () => {
        const entity = await entityWithEvents(7);
        assert.deepEqual(await sequencesOf(entity, { ...everything, fromSequenceNumber: 4, toSequenceNumber: 4 }), [4]);
      });

      it("replays nothing when from is above to", async () => {
        const entity = await entityWithEvents(7);
        assert.deepEqual(await sequencesOf(entity, { ...everything, fromSequenceNumber: 5, toSequenceNumber: 4 }), []);
      });

      it("replays nothing from beyond the highest sequence number, and the rest when to is beyond it", async () => {
        const entity = await entityWithEvents(3);
        assert.deepEqual(await sequencesOf(entity, { ...everything, fromSequenceNumber: 4 }), []);
        assert.deepEqual(await sequencesOf(entity, { ...everything, fromSequenceNumber: 2, toSequenceNumber: 100 }), [2, 3]);
      });

      it("keeps sequence numbers contiguous across several appends", async () => {
        const entity = freshEntity();
        await journal().append(entity, 0, eventsNumbered(1, 2));
        await journal().append(entity, 2, eventsNumbered(3, 3));
        await journal().append(entity, 3, eventsNumbered(4, 6));
        const events = await replayAll(journal(), entity, everything);
        assert.deepEqual(
          events.map((e) => e.sequenceNumber),
          [1, 2, 3, 4, 5, 6],
        );
        assert.deepEqual(
          events.map((e) => plain(e.payload)),
          eventsNumbered(1, 6).map(plain),
        );
      });

      it("can stop a replay part way and replay again", async () => {
        const entity = await entityWithEvents(5);
        for await (const event of journal().replay(entity, everything)) {
          if (event.sequenceNumber === 2) break;
        }
        assert.deepEqual(await sequencesOf(entity, everything), [1, 2, 3, 4, 5]);
      });
    });

    describe("K2 atomic append with an expected sequence number", () => {
      it("refuses a stale writer with a conflict and writes none of its events", async () => {
        const entity = await entityWithEvents(3);
        await assert.rejects(journal().append(entity, 2, eventsNumbered(100, 102)), isConflict);
        await assert.rejects(journal().append(entity, 0, eventsNumbered(100, 101)), isConflict);
        assert.equal(await journal().highestSequenceNumber(entity), 3);
        assert.deepEqual(
          (await replayAll(journal(), entity, everything)).map((e) => plain(e.payload)),
          eventsNumbered(1, 3).map(plain),
        );
      });

      it("refuses a writer that expects more events than there are", async () => {
        const entity = await entityWithEvents(2);
        await assert.rejects(journal().append(entity, 5, eventsNumbered(6, 6)), isConflict);
        await assert.rejects(journal().append(freshEntity(), 1, eventsNumbered(2, 2)), isConflict);
        assert.equal(await journal().highestSequenceNumber(entity), 2);
      });

      it("lets exactly one of two concurrent writers at the same sequence number win, atomically", async () => {
        const entity = await entityWithEvents(1);
        const a = eventsNumbered(200, 203, "writer-a");
        const b = eventsNumbered(300, 302, "writer-b");
        const outcomes = await Promise.allSettled([journal().append(entity, 1, a), journal().append(entity, 1, b)]);
        const won = outcomes.filter((o) => o.status === "fulfilled").length;
        assert.equal(won, 1, "exactly one writer must win");
        const lost = outcomes.find((o) => o.status === "rejected");
        assert.ok(lost && lost.status === "rejected" && isConflict(lost.reason), "the loser gets a conflict");
        const history = (await replayAll(journal(), entity, everything)).map((e) => plain(e.payload));
        const winner = outcomes[0]?.status === "fulfilled" ? a : b;
        assert.deepEqual(history, [...eventsNumbered(1, 1), ...winner].map(plain), "all of the winner's events, none of the loser's");
      });

      it("treats an empty append as a no-op, whatever the expected sequence number", async () => {
        const entity = await entityWithEvents(2);
        await journal().append(entity, 2, []);
        await journal().append(entity, 0, []);
        assert.equal(await journal().highestSequenceNumber(entity), 2);
        const empty = freshEntity();
        await journal().append(empty, 0, []);
        assert.equal(await journal().highestSequenceNumber(empty), 0);
      });
    });

    describe("identity is the (persistence id, entity id) pair", () => {
      it("never shares a history between pairs that would collide if concatenated", async () => {
        const tag = randomUUID();
        const pairs: EntityRef[] = [
          ref(`${tag}-a-b`, "c"),
          ref(`${tag}-a`, "b-c"),
          ref(`${tag}-a`, "b|c"),
          ref(`${tag}-a|b`, "c"),
          ref(`${tag}-a/b`, "c"),
          ref(`${tag}-a`, "b/c"),
          ref(`${tag}-a:b`, "c"),
          ref(`${tag}-a`, ":b:c"),
          ref(`${tag}-ab`, "c"),
          ref(`${tag}-a`, "bc"),
        ];
        for (const [i, entity] of pairs.entries()) {
          await journal().append(entity, 0, eventsNumbered(1, i + 1, `pair-${i}`));
        }
        for (const [i, entity] of pairs.entries()) {
          assert.equal(await journal().highestSequenceNumber(entity), i + 1);
          const payloads = (await replayAll(journal(), entity, everything)).map((e) => plain(e.payload));
          assert.deepEqual(payloads, eventsNumbered(1, i + 1, `pair-${i}`).map(plain), `history of pair ${i}`);
        }
      });

      it("keeps the same entity id under two persistence ids apart", async () => {
        const shared = randomUUID();
        const cart = ref(`carts-${shared}`, shared);
        const user = ref(`users-${shared}`, shared);
        await journal().append(cart, 0, eventsNumbered(1, 2, "cart"));
        await journal().append(user, 0, eventsNumbered(1, 1, "user"));
        assert.deepEqual(
          (await replayAll(journal(), cart, everything)).map((e) => plain(e.payload)),
          eventsNumbered(1, 2, "cart").map(plain),
        );
        assert.deepEqual(
          (await replayAll(journal(), user, everything)).map((e) => plain(e.payload)),
          eventsNumbered(1, 1, "user").map(plain),
        );
      });
    });

    describe("payloads survive byte for byte", () => {
      it("keeps type urls and every byte value, empty values included", async () => {
        const entity = freshEntity();
        const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
        const payloads: AnyPayload[] = [
          { typeUrl: "type.googleapis.com/com.example.shoppingcart.ItemAdded", value: everyByte },
          { typeUrl: "type.googleapis.com/google.protobuf.Empty", value: new Uint8Array(0) },
          { typeUrl: "example.com/odd/url with spaces/ünïcode", value: Uint8Array.from([0, 0, 0]) },
          { typeUrl: "", value: Uint8Array.from([0xff]) },
        ];
        await journal().append(entity, 0, payloads);
        const replayed = await replayAll(journal(), entity, everything);
        assert.deepEqual(
          replayed.map((e) => plain(e.payload)),
          payloads.map(plain),
        );
      });

      it(`stores and replays a ${largePayloadBytes}-byte payload exactly`, async () => {
        const entity = freshEntity();
        const big = pseudoRandomBytes(largePayloadBytes, 7);
        await journal().append(entity, 0, [{ typeUrl: "type.googleapis.com/test.Big", value: big }]);
        const [event, ...rest] = await replayAll(journal(), entity, everything);
        assert.equal(rest.length, 0);
        assert.ok(event);
        assert.equal(event.payload.typeUrl, "type.googleapis.com/test.Big");
        assert.ok(Buffer.from(event.payload.value).equals(Buffer.from(big)), "large payload bytes differ");
      });

      it("is not changed by a caller reusing its buffers after append", async () => {
        const entity = freshEntity();
        const value = Uint8Array.from([1, 2, 3]);
        await journal().append(entity, 0, [{ typeUrl: "t/x", value }]);
        value.fill(9);
        const [event] = await replayAll(journal(), entity, everything);
        assert.deepEqual(event && plain(event.payload), { typeUrl: "t/x", value: [1, 2, 3] });
      });
    });
  });
}
