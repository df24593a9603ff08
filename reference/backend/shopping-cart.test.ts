import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status } from "@grpc/grpc-js";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";
import { createShoppingCartClient, type ShoppingCartClient } from "../../samples/shopping-cart-client/shopping-cart-client.js";
import { createBackend, type Backend } from "./backend.js";
import { entityId, persistenceId } from "./ids.js";
import { silentLogger } from "./logger.js";
import { createInMemoryJournal } from "./persistence/in-memory-journal.js";
import { createInMemorySnapshotStore } from "./persistence/in-memory-snapshot-store.js";
import type { PersistedEvent } from "./persistence/journal.js";
import { eventually } from "./server/testing/backend-harness.js";

// The backend in front of the real sample shopping cart (on the support library), both in process.

const passivationTimeoutMs = 200;

describe("backend + sample shopping cart", () => {
  const journal = createInMemoryJournal();
  const snapshotStore = createInMemorySnapshotStore();
  let cart: Awaited<ReturnType<typeof startShoppingCart>>;
  let backend: Backend;
  let client: ShoppingCartClient;

  before(async () => {
    cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    backend = createBackend(
      { port: 0, userFunction: cart.address, entity: { passivationTimeoutMs } },
      { journal, snapshotStore, logger: silentLogger },
    );
    const address = await backend.start();
    await backend.serving;
    client = createShoppingCartClient(address.target, { callTimeoutMs: 5_000 });
  });
  after(async () => {
    client.close();
    await backend.stop();
    await cart.close();
    await journal.close();
    await snapshotStore.close();
  });

  const ref = (user: string) => ({ persistenceId: persistenceId("shopping-cart"), entityId: entityId(user) });
  async function events(user: string): Promise<PersistedEvent[]> {
    const all: PersistedEvent[] = [];
    for await (const e of journal.replay(ref(user), { fromSequenceNumber: 1, toSequenceNumber: Infinity, max: Infinity })) all.push(e);
    return all;
  }

  it("runs the seed's session: add, merge quantities, remove, read back", async () => {
    assert.deepEqual(await client.getCart("user-1"), { items: [] });
    await client.addItem("user-1", "123", "Eggs", 2);
    await client.addItem("user-1", "456", "Flour", 4);
    await client.addItem("user-1", "456", "Flour", 2);
    assert.deepEqual(await client.getCart("user-1"), {
      items: [
        { productId: "123", name: "Eggs", quantity: 2 },
        { productId: "456", name: "Flour", quantity: 6 },
      ],
    });
    await client.removeItem("user-1", "456");
    assert.deepEqual(await client.getCart("user-1"), { items: [{ productId: "123", name: "Eggs", quantity: 2 }] });
    assert.deepEqual(
      (await events("user-1")).map((e) => [e.sequenceNumber, e.payload.typeUrl]),
      [
        [1, "type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded"],
        [2, "type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded"],
        [3, "type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded"],
        [4, "type.googleapis.com/com.example.shoppingcart.persistence.ItemRemoved"],
      ],
    );
  });

  it("answers the cart's own failures with UNKNOWN and persists nothing for them", async () => {
    await assert.rejects(client.removeItem("user-2", "999"), (error: { code: status; message: string }) => {
      assert.equal(error.code, status.UNKNOWN);
      assert.match(error.message, /Item 999 not in cart/);
      return true;
    });
    assert.equal((await events("user-2")).length, 0);
  });

  it("keeps carts apart", async () => {
    await client.addItem("user-3", "1", "Milk", 1);
    await client.addItem("user-4", "2", "Tea", 3);
    assert.deepEqual(await client.getCart("user-3"), { items: [{ productId: "1", name: "Milk", quantity: 1 }] });
    assert.deepEqual(await client.getCart("user-4"), { items: [{ productId: "2", name: "Tea", quantity: 3 }] });
  });

  it("refuses an empty user id with INVALID_ARGUMENT", async () => {
    await assert.rejects(client.getCart(""), (error: { code: status }) => {
      assert.equal(error.code, status.INVALID_ARGUMENT);
      return true;
    });
  });

  it("passivates an idle cart and recovers it from its snapshot plus later events", async () => {
    for (let i = 1; i <= 7; i++) await client.addItem("user-5", "456", "Flour", 1);
    // The sample snapshots every 5 events: one at sequence number 5.
    const snapshot = await snapshotStore.latest(ref("user-5"));
    assert.equal(snapshot?.sequenceNumber, 5);
    await eventually(() => backend.activeEntities === 0, 5_000, "every cart passivated");
    assert.deepEqual(await client.getCart("user-5"), { items: [{ productId: "456", name: "Flour", quantity: 7 }] });
    await client.addItem("user-5", "456", "Flour", 1);
    assert.deepEqual(await client.getCart("user-5"), { items: [{ productId: "456", name: "Flour", quantity: 8 }] });
    assert.equal((await events("user-5")).length, 8);
  });
});
