import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBackend } from "../../reference/backend/backend.js";
import { entityId, persistenceId } from "../../reference/backend/ids.js";
import { silentLogger } from "../../reference/backend/logger.js";
import { createInMemoryJournal, createInMemorySnapshotStore } from "../../reference/backend/persistence/index.js";
import { startShoppingCart } from "../shopping-cart/index.js";
import { startFakeShoppingCartServer } from "./fake-shopping-cart-server.js";
import { runSeedSession } from "./run-seed-session.js";
import { ShoppingCartCallError } from "./shopping-cart-call-error.js";
import { createShoppingCartClient } from "./shopping-cart-client.js";
import { seedSessionTranscript } from "./seed-session-transcript.js";

describe("the seed's session", () => {
  it("replays GetCart, eight AddItems, GetCart, RemoveItem, GetCart", async () => {
    const server = await startFakeShoppingCartServer();
    const client = createShoppingCartClient(server.address);
    try {
      const lines: string[] = [];
      await runSeedSession(client, (line) => lines.push(line));
      assert.deepEqual(lines, seedSessionTranscript);
    } finally {
      client.close();
      await server.close();
    }
  });

  it("stops at the first failed call and rethrows it", async () => {
    const server = await startFakeShoppingCartServer();
    await server.close();
    const client = createShoppingCartClient(server.address);
    try {
      const lines: string[] = [];
      await assert.rejects(
        runSeedSession(client, (line) => lines.push(line)),
        ShoppingCartCallError,
      );
      assert.deepEqual(lines, ["GetCart user-1"]);
    } finally {
      client.close();
    }
  });

  it("gives the same transcript through the real backend and the shopping cart sample", { timeout: 30_000 }, async () => {
    const userFunction = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    const journal = createInMemoryJournal();
    const snapshotStore = createInMemorySnapshotStore();
    const backend = createBackend(
      { host: "127.0.0.1", port: 0, userFunction: userFunction.address },
      { journal, snapshotStore, logger: silentLogger },
    );
    try {
      const address = await backend.start();
      await backend.serving;
      const client = createShoppingCartClient(address.target);
      try {
        const lines: string[] = [];
        await runSeedSession(client, (line) => lines.push(line));
        assert.deepEqual(lines, seedSessionTranscript);
      } finally {
        client.close();
      }
      // Eight AddItems and one RemoveItem, each one event.
      const persisted = await journal.highestSequenceNumber({
        persistenceId: persistenceId("shopping-cart"),
        entityId: entityId("user-1"),
      });
      assert.equal(persisted, 9);
    } finally {
      await backend.stop();
      await userFunction.close();
      await journal.close();
      await snapshotStore.close();
    }
  });
});
