import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { createBackend, type Backend } from "../../../reference/backend/backend.js";
import { silentLogger } from "../../../reference/backend/logger.js";
import { createInMemoryJournal, createInMemorySnapshotStore } from "../../../reference/backend/persistence/index.js";
import {
  createShoppingCartClient,
  formatCart,
  seedProduct,
  seedUser,
  ShoppingCartCallError,
  type ShoppingCartClient,
} from "../../../samples/shopping-cart-client/index.js";
import { startShoppingCart } from "../../../samples/shopping-cart/index.js";
import type { RunningUserFunction } from "../../../reference/support/index.js";
import { createStorageFaultSwitch } from "../../backend/self-test/storage-fault-switch.js";
import { startInterceptor, type RunningInterceptor, type ViolationReport } from "../driver/interceptor.js";
import { formatTranscript, type InterceptTranscriptEntry } from "../../kit/transcript/intercept-transcript.js";

/**
 * A correct backend whose journal append fails once, through the interceptor:
 * client → reference backend → interceptor → sample shopping cart. The backend
 * fails the call UNAVAILABLE and cancels the stream; the next stream replays only
 * the events that were persisted. The interceptor must tell that cancel from a
 * half-close (grpc-js emits `end` before `cancelled`), count none of the
 * cancelled stream's events as persisted, and record the stream as cancelled.
 */
describe("intercept mode: a failed journal append is no violation", () => {
  let dir: string;
  let cart: RunningUserFunction;
  let interceptor: RunningInterceptor;
  let backend: Backend;
  let client: ShoppingCartClient;
  const faults = createStorageFaultSwitch();
  const violations: ViolationReport[] = [];
  let stopped = false;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tck-failed-append-"));
    cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    interceptor = await startInterceptor({
      listen: "127.0.0.1:0",
      target: cart.address,
      transcriptDir: dir,
      onViolation: (r) => violations.push(r),
    });
    backend = createBackend(
      { host: "127.0.0.1", port: 0, userFunction: interceptor.address },
      { journal: faults.journal(createInMemoryJournal()), snapshotStore: createInMemorySnapshotStore(), logger: silentLogger },
    );
    const address = await backend.start();
    await backend.serving;
    client = createShoppingCartClient(address.target);
  });

  after(async () => {
    client?.close();
    if (!stopped) await backend?.stop();
    await interceptor?.close();
    await cart?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the seed's session with the third AddItem's write failing: 0 violations, the stream recorded as cancelled by the backend", async () => {
    const { productId, name } = seedProduct;
    await client.getCart(seedUser);
    // Events 1 and 2 are persisted.
    await client.addItem(seedUser, productId, name, 1);
    await client.addItem(seedUser, productId, name, 1);
    // Event 3's write fails: the backend fails the call and cancels the stream.
    faults.failNextJournalWrite(seedUser);
    const failed = await client.addItem(seedUser, productId, name, 1).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failed instanceof ShoppingCartCallError, `the AddItem whose write failed is refused; got ${String(failed)}`);
    assert.equal(failed.code, grpc.status.UNAVAILABLE, `the AddItem whose write failed ends UNAVAILABLE; got ${failed.message}`);
    // The rest of the seed's session: the next stream replays events 1 and 2 only.
    const afterFailure = await client.getCart(seedUser);
    assert.deepEqual(afterFailure.items, [{ productId, name, quantity: 2 }], "the failed AddItem left no trace");
    for (let i = 3; i <= 8; i++) await client.addItem(seedUser, productId, name, 1);
    assert.match(formatCart(seedUser, await client.getCart(seedUser)), /8 × Flour/);
    await client.removeItem(seedUser, productId);
    assert.deepEqual((await client.getCart(seedUser)).items, []);

    assert.equal(
      violations.length,
      0,
      violations
        .map(
          (v) =>
            `${v.violation.item} ${v.violation.rule}: expected ${v.violation.expected}, got ${v.violation.actual}\n${formatTranscript(v.transcript)}`,
        )
        .join("\n\n"),
    );

    // Stopping the backend passivates the live stream; then every transcript is complete.
    await backend.stop();
    stopped = true;
    await interceptor.settled();
    // The first stream (events 1 and 2, then the failed write) ended cancelled by the backend.
    const streams = readdirSync(dir).sort();
    assert.ok(streams.length >= 2, `at least two streams (the cancelled one and its replacement), got ${streams.join(", ")}`);
    const first = readFileSync(join(dir, "s1.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as InterceptTranscriptEntry);
    const end = first.at(-1);
    assert.equal(end?.kind, "end", `the first stream's transcript ends with its end entry; got ${JSON.stringify(end)}`);
    assert.equal(end.kind === "end" ? end.outcome : undefined, "cancelled-by-backend", `the first stream's end: ${JSON.stringify(end)}`);
    assert.ok(!first.some((e) => e.kind === "backend-half-close"), "no half-close is recorded for the cancelled stream");
    const second = readFileSync(join(dir, "s2.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as InterceptTranscriptEntry);
    assert.equal(
      second.filter((e) => e.kind === "to-user-function" && "event" in (e.message as object)).length,
      2,
      "the replacement stream replays events 1 and 2",
    );
    const secondEnd = second.at(-1);
    assert.equal(
      secondEnd?.kind === "end" ? secondEnd.outcome : undefined,
      "completed",
      `the replacement stream, passivated at shutdown: ${JSON.stringify(secondEnd)}`,
    );
  });
});
