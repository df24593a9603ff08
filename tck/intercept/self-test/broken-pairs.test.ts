import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBackend } from "../../../reference/backend/backend.js";
import type { EntityStateMachineConfig } from "../../../reference/backend/entity/entity-protocol.js";
import type { EntityRef } from "../../../reference/backend/ids.js";
import { silentLogger } from "../../../reference/backend/logger.js";
import {
  createInMemoryJournal,
  createInMemorySnapshotStore,
  type SnapshotStore,
  type StoredSnapshot,
} from "../../../reference/backend/persistence/index.js";
import type { RunningUserFunction } from "../../../reference/support/index.js";
import { createShoppingCartClient, type ShoppingCartClient } from "../../../samples/shopping-cart-client/index.js";
import { startShoppingCart } from "../../../samples/shopping-cart/index.js";
import { startRawShoppingCart } from "../../kit/doubles/raw-subjects/raw-shopping-cart.js";
import { startInterceptor, type RunningInterceptor, type ViolationReport } from "../driver/interceptor.js";
import { formatTranscript } from "../../kit/transcript/intercept-transcript.js";

/**
 * Intercept mode's live checks on real pairs with one side broken on purpose:
 * client → reference backend → interceptor → shopping cart. A broken user function
 * behind the reference backend, or the sample cart behind a reference backend whose
 * snapshot store is broken; each must end in the right violation, naming the side at
 * fault. (The correct pair raises none: end-to-end.test.ts, failed-append.test.ts.)
 */
interface Pair {
  readonly client: ShoppingCartClient;
  readonly interceptor: RunningInterceptor;
  readonly violations: ViolationReport[];
  /** Resolves at the first violation. */
  readonly violated: Promise<void>;
}

async function withPair(
  setup: {
    userFunction: () => Promise<RunningUserFunction>;
    entity?: Partial<EntityStateMachineConfig>;
    snapshotStore?: SnapshotStore;
    answerTimeoutMs?: number;
  },
  body: (pair: Pair) => Promise<void>,
): Promise<void> {
  const userFunction = await setup.userFunction();
  const violations: ViolationReport[] = [];
  let markViolated!: () => void;
  const violated = new Promise<void>((resolve) => (markViolated = resolve));
  const interceptor = await startInterceptor({
    listen: "127.0.0.1:0",
    target: userFunction.address,
    ...(setup.answerTimeoutMs ? { answerTimeoutMs: setup.answerTimeoutMs } : {}),
    onViolation: (r) => {
      violations.push(r);
      markViolated();
    },
  });
  const backend = createBackend(
    { host: "127.0.0.1", port: 0, userFunction: interceptor.address, ...(setup.entity ? { entity: setup.entity } : {}) },
    { journal: createInMemoryJournal(), snapshotStore: setup.snapshotStore ?? createInMemorySnapshotStore(), logger: silentLogger },
  );
  const address = await backend.start();
  await backend.serving;
  const client = createShoppingCartClient(address.target);
  try {
    await body({ client, interceptor, violations, violated });
  } finally {
    client.close();
    await backend.stop();
    await interceptor.close();
    await userFunction.close();
  }
}

const show = (violations: readonly ViolationReport[]) =>
  violations
    .map(
      (v) =>
        `${v.violation.side}: ${v.violation.cause} — ${v.violation.item} ${v.violation.rule}: expected ${v.violation.expected}, got ${v.violation.actual}\n${formatTranscript(v.transcript)}`,
    )
    .join("\n\n");

const items = (violations: readonly ViolationReport[]) => violations.map((v) => `${v.violation.side} ${v.violation.item}`);

/** Adds `count` units of one product, one AddItem each. */
async function addUnits(client: ShoppingCartClient, user: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await client.addItem(user, "p1", "Flour", 1);
}

/** Waits until every stream opened so far has ended: the entity went idle and was passivated. */
const passivation = (interceptor: RunningInterceptor) => interceptor.settled();

describe("intercept mode against broken pairs", { timeout: 60_000 }, () => {
  it("a user function that hangs on GetCart: D3, the user function at fault, naming the command, the stream and the wait", async () => {
    const answerTimeoutMs = 200;
    // The backend waits longer than the interceptor: the interceptor's own clock reports.
    await withPair(
      {
        userFunction: () => startRawShoppingCart({ faults: { hangsOnCommandId: 3 } }),
        entity: { relayTimeoutMs: 20 * answerTimeoutMs },
        answerTimeoutMs,
      },
      async ({ client, interceptor, violations, violated }) => {
        await addUnits(client, "hang-1", 2);
        // Command 3 on the stream: never answered.
        const hung = client.getCart("hang-1").then(
          () => "answered",
          () => "failed",
        );
        await Promise.race([violated, hung]);
        assert.deepEqual(items(violations), ["user function D3"], show(violations));
        const v = violations[0]!.violation;
        assert.match(v.cause, /^did not answer Command 3 \(GetCart\) on stream s1 within 200 ms/);
        assert.match(v.actual, /^no answer after \d+ ms/);
        assert.equal(violations[0]!.stream, "s1");
        // The backend gives up at its relay timeout and cancels the stream: not reported again.
        assert.equal(await hung, "failed");
        await interceptor.settled();
        assert.deepEqual(items(violations), ["user function D3"], show(violations));
      },
    );
  });

  it("a user function that hangs, behind a backend whose relay timeout equals the answer timeout: still D3 when the backend cancels first", async () => {
    const bound = 600;
    await withPair(
      {
        userFunction: () => startRawShoppingCart({ faults: { hangsOnCommandId: 1 } }),
        entity: { relayTimeoutMs: bound },
        answerTimeoutMs: bound,
      },
      async ({ client, interceptor, violations }) => {
        await assert.rejects(client.getCart("hang-2"));
        await interceptor.settled();
        assert.deepEqual(items(violations), ["user function D3"], show(violations));
        assert.match(violations[0]!.violation.cause, /^did not answer Command 1 \(GetCart\)/);
      },
    );
  });

  it("a user function that ignores snapshots, with a short passivation timeout: H9, the user function at fault", async () => {
    await withPair(
      {
        userFunction: () => startRawShoppingCart({ snapshotEvery: 3, faults: { ignoresSnapshot: true } }),
        entity: { passivationTimeoutMs: 200 },
      },
      async ({ client, interceptor, violations }) => {
        // Four events: a snapshot at 3, event 4 after it.
        await addUnits(client, "forgets", 4);
        const before = await client.getCart("forgets");
        await passivation(interceptor);
        // The new stream offers the snapshot at 3 and replays event 4: this cart keeps only event 4.
        const after = await client.getCart("forgets");
        assert.notDeepEqual(after, before, "the broken cart really answers differently");
        await interceptor.settled();
        assert.deepEqual(items(violations), ["user function H9"], show(violations));
        const v = violations[0]!.violation;
        assert.match(v.cause, /^answered GetCart differently on stream s2 than on stream s1 with no event in between/);
        assert.match(v.expected, /the answer stream s1 gave at sequence 4/);
        assert.match(v.actual, /stream s2 answers at sequence 4/);
      },
    );
  });

  it("a user function that applies replayed events twice, with a short passivation timeout: H9, the user function at fault", async () => {
    await withPair(
      {
        userFunction: () => startRawShoppingCart({ snapshotEvery: 1000, faults: { appliesReplayedEventsTwice: true } }),
        entity: { passivationTimeoutMs: 200 },
      },
      async ({ client, interceptor, violations }) => {
        // Two events and no snapshot: the new stream replays both, and this cart counts each twice.
        await addUnits(client, "doubles", 2);
        const before = await client.getCart("doubles");
        await passivation(interceptor);
        const after = await client.getCart("doubles");
        assert.notDeepEqual(after, before, "the broken cart really answers differently");
        await interceptor.settled();
        assert.deepEqual(items(violations), ["user function H9"], show(violations));
        assert.match(
          violations[0]!.violation.cause,
          /^answered GetCart differently on stream s2 than on stream s1 with no event in between/,
        );
      },
    );
  });

  it("a backend whose snapshot store offers the snapshot before the latest: F4 stale snapshot offer, the backend at fault", async () => {
    await withPair(
      {
        userFunction: () => startShoppingCart({ host: "127.0.0.1", port: 0 }),
        snapshotStore: olderSnapshotStore(createInMemorySnapshotStore()),
        entity: { passivationTimeoutMs: 200 },
      },
      async ({ client, interceptor, violations }) => {
        // Twelve events: snapshots at 5 and 10, both acknowledged by the next command.
        await addUnits(client, "stale", 12);
        await passivation(interceptor);
        // The recovery is right (the backend replays 6..12 after the older snapshot): only the offer is wrong.
        assert.equal((await client.getCart("stale")).items[0]?.quantity, 12);
        await interceptor.settled();
        assert.deepEqual(items(violations), ["backend F4"], show(violations));
        const v = violations[0]!.violation;
        assert.equal(v.rule, "Init offers the latest acknowledged snapshot");
        assert.match(v.cause, /^offered a stale snapshot \(sequence 5\) though one was acknowledged at sequence 10/);
        assert.equal(violations[0]!.stream, "s2");
      },
    );
  });

  it("a backend whose snapshot store shifts the sequence by one: F4 at a sequence where no snapshot was acknowledged, the backend at fault, and the wrong state it causes is the backend's too", async () => {
    await withPair(
      {
        userFunction: () => startShoppingCart({ host: "127.0.0.1", port: 0 }),
        snapshotStore: shiftedSnapshotStore(createInMemorySnapshotStore(), -1),
        entity: { passivationTimeoutMs: 200 },
      },
      async ({ client, interceptor, violations }) => {
        // Six events: the snapshot at 5, acknowledged by the sixth AddItem.
        await addUnits(client, "shifted", 6);
        const before = await client.getCart("shifted");
        await passivation(interceptor);
        // The backend offers the snapshot of 5 as of 4 and replays 5 and 6: the cart counts event 5 twice.
        const after = await client.getCart("shifted");
        assert.notDeepEqual(after, before, "the shifted snapshot really changes the state");
        await interceptor.settled();
        assert.deepEqual(items(violations), ["backend F4", "backend H9"], show(violations));
        assert.equal(violations[0]!.violation.rule, "a snapshot is offered at a sequence at which one was acknowledged");
        assert.match(violations[0]!.violation.cause, /^offered a snapshot at sequence 4, where no snapshot was acknowledged/);
        assert.match(violations[1]!.violation.cause, /^its F4 on stream s2 gave the user function another state/);
      },
    );
  });
});

/** Answers `latest` with the snapshot before the latest one (breaks F4: a stale offer). */
function olderSnapshotStore(inner: SnapshotStore): SnapshotStore {
  return {
    save: (entity, snapshot) => inner.save(entity, snapshot),
    async latest(entity: EntityRef, maxSequenceNumber?: number): Promise<StoredSnapshot | undefined> {
      const newest = await inner.latest(entity, maxSequenceNumber);
      if (!newest) return undefined;
      return inner.latest(entity, newest.sequenceNumber - 1);
    },
    close: () => inner.close(),
  };
}

/** Answers `latest` with the right payload at a sequence shifted by `by` (breaks F4 and the recovery). */
function shiftedSnapshotStore(inner: SnapshotStore, by: number): SnapshotStore {
  return {
    save: (entity, snapshot) => inner.save(entity, snapshot),
    async latest(entity: EntityRef, maxSequenceNumber?: number): Promise<StoredSnapshot | undefined> {
      const newest = await inner.latest(entity, maxSequenceNumber);
      return newest && { ...newest, sequenceNumber: newest.sequenceNumber + by };
    },
    close: () => inner.close(),
  };
}
