import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { AnyPayload } from "../../protocol/index.js";
import { freshEntity, plain, pseudoRandomBytes, ref } from "./contract-fixtures.js";
import type { SnapshotStore, StoredSnapshot } from "./snapshot-store.js";

/** Optional behaviour an adapter may lack; absent flags mean "supported". */
export interface SnapshotStoreCapabilities {
  /** Size of the "large snapshot" case in bytes (default 1 MiB, the TCK's F6 size). */
  readonly largePayloadBytes?: number;
}

export interface SnapshotStoreUnderTest {
  readonly snapshotStore: SnapshotStore;
  teardown(): Promise<void>;
}

/**
 * The contract every SnapshotStore adapter passes (docs/tck-catalogue.md K3). Like
 * the journal contract: one store per suite, a fresh entity per case.
 */
export function snapshotStoreContract(
  name: string,
  setup: () => Promise<SnapshotStoreUnderTest>,
  capabilities: SnapshotStoreCapabilities = {},
): void {
  const largePayloadBytes = capabilities.largePayloadBytes ?? 1024 * 1024;

  describe(`SnapshotStore contract: ${name}`, () => {
    let underTest: SnapshotStoreUnderTest | undefined;
    const store = (): SnapshotStore => {
      assert.ok(underTest, "snapshot store setup did not complete");
      return underTest.snapshotStore;
    };

    before(async () => {
      underTest = await setup();
    });
    after(async () => {
      await underTest?.teardown();
    });

    const state = (label: string): AnyPayload => ({
      typeUrl: "type.googleapis.com/contract.State",
      value: new TextEncoder().encode(label),
    });
    const plainSnapshot = (s: StoredSnapshot | undefined) =>
      s === undefined ? undefined : { sequenceNumber: s.sequenceNumber, payload: plain(s.payload) };
    const expected = (sequenceNumber: number, payload: AnyPayload) => ({ sequenceNumber, payload: plain(payload) });

    it("has no snapshot for an unknown entity", async () => {
      assert.equal(await store().latest(freshEntity()), undefined);
      assert.equal(await store().latest(freshEntity(), 10), undefined);
    });

    it("offers the latest snapshot", async () => {
      const entity = freshEntity();
      await store().save(entity, { sequenceNumber: 5, payload: state("at-5") });
      await store().save(entity, { sequenceNumber: 10, payload: state("at-10") });
      assert.deepEqual(plainSnapshot(await store().latest(entity)), expected(10, state("at-10")));
    });

    it("offers the latest regardless of the order snapshots were saved in", async () => {
      const entity = freshEntity();
      await store().save(entity, { sequenceNumber: 10, payload: state("at-10") });
      await store().save(entity, { sequenceNumber: 5, payload: state("at-5") });
      assert.deepEqual(plainSnapshot(await store().latest(entity)), expected(10, state("at-10")));
    });

    it("offers the latest at or below a sequence number", async () => {
      const entity = freshEntity();
      for (const n of [5, 10, 15]) await store().save(entity, { sequenceNumber: n, payload: state(`at-${n}`) });
      assert.deepEqual(plainSnapshot(await store().latest(entity, 15)), expected(15, state("at-15")));
      assert.deepEqual(plainSnapshot(await store().latest(entity, 14)), expected(10, state("at-10")));
      assert.deepEqual(plainSnapshot(await store().latest(entity, 10)), expected(10, state("at-10")));
      assert.deepEqual(plainSnapshot(await store().latest(entity, 9)), expected(5, state("at-5")));
      assert.equal(await store().latest(entity, 4), undefined);
    });

    it("overwrites a snapshot saved again at the same sequence number", async () => {
      const entity = freshEntity();
      await store().save(entity, { sequenceNumber: 5, payload: state("first") });
      await store().save(entity, { sequenceNumber: 5, payload: state("second") });
      assert.deepEqual(plainSnapshot(await store().latest(entity)), expected(5, state("second")));
      assert.deepEqual(plainSnapshot(await store().latest(entity, 5)), expected(5, state("second")));
    });

    it("never shares snapshots between pairs that would collide if concatenated", async () => {
      const tag = randomUUID();
      const a = ref(`${tag}-a-b`, "c");
      const b = ref(`${tag}-a`, "b-c");
      const c = ref(`${tag}-a`, "b/c");
      await store().save(a, { sequenceNumber: 1, payload: state("a") });
      await store().save(b, { sequenceNumber: 2, payload: state("b") });
      assert.deepEqual(plainSnapshot(await store().latest(a)), expected(1, state("a")));
      assert.deepEqual(plainSnapshot(await store().latest(b)), expected(2, state("b")));
      assert.equal(await store().latest(c), undefined);
    });

    it("keeps type url and bytes exactly, every byte value and empty values included", async () => {
      const entity = freshEntity();
      const everyByte: AnyPayload = {
        typeUrl: "example.com/odd url/ünïcode",
        value: Uint8Array.from({ length: 256 }, (_, i) => i),
      };
      await store().save(entity, { sequenceNumber: 3, payload: everyByte });
      assert.deepEqual(plainSnapshot(await store().latest(entity)), expected(3, everyByte));
      const emptyState: AnyPayload = { typeUrl: "type.googleapis.com/google.protobuf.Empty", value: new Uint8Array(0) };
      await store().save(entity, { sequenceNumber: 4, payload: emptyState });
      assert.deepEqual(plainSnapshot(await store().latest(entity)), expected(4, emptyState));
    });

    it(`stores and offers a ${largePayloadBytes}-byte snapshot exactly`, async () => {
      const entity = freshEntity();
      const big = pseudoRandomBytes(largePayloadBytes, 11);
      await store().save(entity, { sequenceNumber: 42, payload: { typeUrl: "type.googleapis.com/test.Big", value: big } });
      const latest = await store().latest(entity);
      assert.equal(latest?.sequenceNumber, 42);
      assert.equal(latest.payload.typeUrl, "type.googleapis.com/test.Big");
      assert.ok(Buffer.from(latest.payload.value).equals(Buffer.from(big)), "large snapshot bytes differ");
    });

    it("is not changed by a caller reusing its buffer after save", async () => {
      const entity = freshEntity();
      const value = Uint8Array.from([1, 2, 3]);
      await store().save(entity, { sequenceNumber: 1, payload: { typeUrl: "t/x", value } });
      value.fill(9);
      assert.deepEqual((await store().latest(entity))?.payload.value.join(","), "1,2,3");
    });
  });
}
