import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createBackend, type Backend } from "../../../reference/backend/backend.js";
import { silentLogger } from "../../../reference/backend/logger.js";
import { createInMemoryJournal, createInMemorySnapshotStore } from "../../../reference/backend/persistence/index.js";
import { createShoppingCartClient, runSeedSession, type ShoppingCartClient } from "../../../samples/shopping-cart-client/index.js";
import { startShoppingCart } from "../../../samples/shopping-cart/index.js";
import type { RunningUserFunction } from "../../../reference/support/index.js";
import { startInterceptor, type RunningInterceptor, type ViolationReport } from "../driver/interceptor.js";
import { formatTranscript } from "../../kit/transcript/intercept-transcript.js";

/**
 * The sample end to end with the kit in the middle:
 * client → reference backend → interceptor → sample shopping cart.
 */
describe("intercept mode, end to end on the sample", () => {
  const passivationTimeoutMs = 300;
  let dir: string;
  let cart: RunningUserFunction;
  let interceptor: RunningInterceptor;
  let backend: Backend;
  let client: ShoppingCartClient;
  const violations: ViolationReport[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tck-e2e-"));
    cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    interceptor = await startInterceptor({
      listen: "127.0.0.1:0",
      target: cart.address,
      transcriptDir: dir,
      onViolation: (r) => violations.push(r),
    });
    backend = createBackend(
      { host: "127.0.0.1", port: 0, userFunction: interceptor.address, entity: { passivationTimeoutMs } },
      { journal: createInMemoryJournal(), snapshotStore: createInMemorySnapshotStore(), logger: silentLogger },
    );
    const address = await backend.start();
    await backend.serving;
    client = createShoppingCartClient(address.target);
  });

  after(async () => {
    client?.close();
    await backend?.stop();
    await interceptor?.close();
    await cart?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const noViolations = () =>
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

  it("runs the seed's session through the interceptor without a violation", async () => {
    const lines: string[] = [];
    await runSeedSession(client, (l) => lines.push(l));
    assert.match(lines.join("\n"), /8 × Flour/);
    noViolations();
  });

  it("recovers a passivated cart from snapshot plus events, and the replay matches what was acknowledged", async () => {
    await client.addItem("user-2", "1", "Eggs", 2);
    for (let i = 0; i < 6; i++) await client.addItem("user-2", "2", "Milk", 1);
    await client.removeItem("user-2", "1");
    // Idle past the passivation timeout: the backend completes the stream.
    await waitFor(() => backend.activeEntities === 0, 5_000, "passivation of every entity");
    const cartAfter = await client.getCart("user-2");
    assert.deepEqual(cartAfter.items, [{ productId: "2", name: "Milk", quantity: 6 }]);
    noViolations();
    // The recovery stream offered the snapshot at 5 and replayed 6..8: all checked against the acknowledged history.
    // GetCart opened the newest stream (nothing else runs now); its file is written asynchronously, so
    // wait (bounded) until it holds the reply, then judge it.
    const newest = join(dir, `s${interceptor.summary().streams}.jsonl`);
    const newestText = () => (existsSync(newest) ? readFileSync(newest, "utf8") : "");
    await waitFor(() => newestText().includes('"kind":"to-backend"'), 5_000, `the reply in ${newest}`);
    const recovered = newestText();
    assert.ok(
      recovered.includes('"init":{"entityId":"user-2","snapshot":{"sequence":5'),
      "the recovery stream of user-2 opened with the snapshot at sequence 5",
    );
    assert.equal((recovered.match(/"event":/g) ?? []).length, 3, "events 6, 7 and 8 replayed");
    assert.ok(interceptor.summary().streams >= 3);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
