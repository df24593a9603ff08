import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { acquireCassandra, uniqueKeyspace } from "../../ci/cassandra-for-tests.js";
import { dropTestKeyspaces } from "../../ci/cassandra-test-settings.js";
import { createShoppingCartClient } from "../../samples/shopping-cart-client/shopping-cart-client.js";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";
import type { RunningUserFunction } from "../support/index.js";
import { healthStatus } from "./testing/health-status.js";
import { ensureExited, runMain, type Running } from "./testing/run-main.js";

// `main.ts --journal cassandra` as a process: durability across kill -9, and a Cassandra that
// cannot be reached at startup (clear log lines, health NOT_SERVING, clean stop).

describe("backend main with --journal cassandra", { timeout: 120_000 }, () => {
  it("Cassandra unreachable at startup: retries with a clear message, health NOT_SERVING, stops cleanly", async () => {
    const cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    const running = runMain([
      "--port",
      "0",
      "--user-function",
      cart.address,
      "--log-format",
      "json",
      "--journal",
      "cassandra",
      "--cassandra-contact-points",
      "127.0.0.1:1",
    ]);
    try {
      const listening = await running.waitForLog("backend listening");
      const failure = await running.waitForLog("cannot reach Cassandra; the backend serves nothing until it can");
      assert.equal(failure["contactPoints"], "127.0.0.1:1");
      assert.equal(await healthStatus(String(listening["address"])), 2);
      running.child.kill("SIGTERM");
      assert.equal(await running.exited, 0);
    } finally {
      await ensureExited(running);
      await cart.close();
    }
  });
});

const cassandra = await acquireCassandra();
describe("backend main on a real Cassandra", { timeout: 180_000, skip: "skipped" in cassandra ? cassandra.skipped : false }, () => {
  const keyspace = uniqueKeyspace("main_kill9");
  let cart: RunningUserFunction;
  const started: Running[] = [];
  before(async () => {
    cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
  });
  after(async () => {
    for (const running of started) await ensureExited(running);
    await cart?.close();
    if (!("skipped" in cassandra)) {
      await dropTestKeyspaces(cassandra, [keyspace]);
      await cassandra.stop();
    }
  });

  async function startBackend(): Promise<{ running: Running; address: string }> {
    if ("skipped" in cassandra) throw new Error("unreachable");
    const running = runMain([
      "--port",
      "0",
      "--user-function",
      cart.address,
      "--log-format",
      "json",
      "--journal",
      "cassandra",
      "--cassandra-contact-points",
      cassandra.contactPoints.join(","),
      "--cassandra-local-dc",
      cassandra.localDataCenter,
      "--cassandra-keyspace",
      keyspace,
      ...(cassandra.credentials
        ? ["--cassandra-username", cassandra.credentials.username, "--cassandra-password", cassandra.credentials.password]
        : []),
    ]);
    started.push(running);
    const listening = await running.waitForLog("backend listening", 60_000);
    await running.waitForLog("serving the user service", 60_000);
    return { running, address: String(listening["address"]) };
  }

  it("eight AddItems, kill -9, start again: GetCart shows all eight", async () => {
    const first = await startBackend();
    const client = createShoppingCartClient(first.address, { callTimeoutMs: 20_000 });
    for (let i = 0; i < 8; i++) await client.addItem("kill-9-user", "456", "Flour", 1);
    client.close();
    first.running.child.kill("SIGKILL");
    await first.running.exited;

    const second = await startBackend();
    const again = createShoppingCartClient(second.address, { callTimeoutMs: 20_000 });
    try {
      const cartAfter = await again.getCart("kill-9-user");
      assert.deepEqual(cartAfter.items, [{ productId: "456", name: "Flour", quantity: 8 }]);
    } finally {
      again.close();
    }
    second.running.child.kill("SIGTERM");
    assert.equal(await second.running.exited, 0);
  });
});
