import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inspect } from "node:util";
import { startFakeShoppingCartServer, type FakeShoppingCartServer } from "./fake-shopping-cart-server.js";
import { ShoppingCartCallError } from "./shopping-cart-call-error.js";
import { createShoppingCartClient, type ShoppingCartClient } from "./shopping-cart-client.js";

describe("shopping cart client", () => {
  let server: FakeShoppingCartServer;
  let client: ShoppingCartClient;

  before(async () => {
    server = await startFakeShoppingCartServer();
    client = createShoppingCartClient(server.address);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it("sends each call's fields under the proto's names and reads the cart back", async () => {
    await client.addItem("user-1", "123", "Eggs", 2);
    await client.addItem("user-1", "456", "Flour", 4);
    await client.removeItem("user-1", "123");
    assert.deepEqual(await client.getCart("user-1"), { items: [{ productId: "456", name: "Flour", quantity: 4 }] });
    assert.deepEqual(server.received.slice(0, 3), [
      { method: "AddItem", request: { user_id: "user-1", product_id: "123", name: "Eggs", quantity: 2 } },
      { method: "AddItem", request: { user_id: "user-1", product_id: "456", name: "Flour", quantity: 4 } },
      { method: "RemoveItem", request: { user_id: "user-1", product_id: "123" } },
    ]);
  });

  it("reads an empty cart as no items", async () => {
    assert.deepEqual(await client.getCart("nobody"), { items: [] });
  });

  it("fails a call with the gRPC status and details, and no stack trace", async () => {
    await assert.rejects(client.getCart("broken"), (error: unknown) => {
      assert.ok(error instanceof ShoppingCartCallError);
      assert.equal(error.message, "INTERNAL: the cart is broken");
      assert.equal(error.method, "GetCart");
      assert.equal(inspect(error).includes("    at "), false, "no stack frames when printed");
      return true;
    });
  });

  it("reports UNAVAILABLE when nothing listens", async () => {
    const closed = await startFakeShoppingCartServer();
    await closed.close();
    const orphan = createShoppingCartClient(closed.address, { callTimeoutMs: 5_000 });
    try {
      await assert.rejects(orphan.addItem("u", "p", "n", 1), /^ShoppingCartCallError: UNAVAILABLE: /);
    } finally {
      orphan.close();
    }
  });
});
