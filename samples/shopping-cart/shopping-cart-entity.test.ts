import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AnyPayload, loadProtos, type StreamIn, type StreamOut, typeUrlOf } from "../../reference/protocol/index.js";
import { createEntitySession, type EntitySession } from "../../reference/support/index.js";
import { createShoppingCartEntity, shoppingCartPersistenceId, shoppingCartServiceName } from "./index.js";

// Payloads are built with protobufjs directly, not through the library under test.
const root = loadProtos(["shoppingcart/shoppingcart.proto", "shoppingcart/domain.proto"]);
const api = "com.example.shoppingcart";
const domain = "com.example.shoppingcart.persistence";

function any(typeName: string, value: Record<string, unknown>): AnyPayload {
  const type = root.lookupType(typeName);
  const bytes = type.encode(type.fromObject(value)).finish();
  return { typeUrl: typeUrlOf(typeName), value: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

type Item = [productId: string, name: string, quantity: number];
const lineItems = (items: Item[]) => items.map(([productId, name, quantity]) => ({ productId, name, quantity }));

const init = (snapshot?: { sequence: number; items: Item[] }): StreamIn => ({
  case: "init",
  entityId: "ann",
  snapshot: snapshot ? { sequence: snapshot.sequence, payload: cartSnapshot(snapshot.items) } : undefined,
});
const added = (productId: string, name: string, quantity: number) => any(`${domain}.ItemAdded`, { item: { productId, name, quantity } });
const removed = (productId: string) => any(`${domain}.ItemRemoved`, { productId });
const cartSnapshot = (items: Item[]) => any(`${domain}.Cart`, { items: lineItems(items) });
const event = (sequence: number, payload: AnyPayload): StreamIn => ({ case: "event", sequence, payload });

const command = (id: number, name: string, inputType: string, request: Record<string, unknown>): StreamIn => ({
  case: "command",
  entityId: "ann",
  id,
  name,
  payload: any(`${api}.${inputType}`, { user_id: "ann", ...request }),
});
const addItem = (id: number, product_id: string, name: string, quantity: number) =>
  command(id, "AddItem", "AddLineItem", { product_id, name, quantity });
const removeItem = (id: number, product_id: string) => command(id, "RemoveItem", "RemoveLineItem", { product_id });
const getCart = (id: number) => command(id, "GetCart", "GetShoppingCart", {});

const empty: AnyPayload = { typeUrl: "type.googleapis.com/google.protobuf.Empty", value: new Uint8Array(0) };
const accepted = (commandId: number, events: AnyPayload[], snapshot?: Item[]): StreamOut => ({
  case: "reply",
  commandId,
  payload: empty,
  events,
  snapshot: snapshot ? cartSnapshot(snapshot) : undefined,
});
const cart = (commandId: number, items: Item[]): StreamOut => ({
  case: "reply",
  commandId,
  payload: any(`${api}.Cart`, { items: items.map(([product_id, name, quantity]) => ({ product_id, name, quantity })) }),
  events: [],
  snapshot: undefined,
});
const failure = (commandId: number, description: string): StreamOut => ({ case: "failure", commandId, description });

async function transcript(session: EntitySession, inbound: StreamIn[]): Promise<StreamOut[]> {
  const out: StreamOut[] = [];
  for (const message of inbound) {
    const step = await session.receive(message);
    if (step.kind === "violation") throw step.violation;
    out.push(...step.send);
  }
  return out;
}

const session = () => createEntitySession(createShoppingCartEntity());

describe("shopping cart", () => {
  it("is the seed's entity: service, persistence id", () => {
    const entity = createShoppingCartEntity();
    assert.equal(entity.spec.serviceName, shoppingCartServiceName);
    assert.equal(entity.spec.persistenceId, shoppingCartPersistenceId);
    assert.equal(shoppingCartPersistenceId, "shopping-cart");
    assert.deepEqual([...entity.methods.keys()], ["AddItem", "RemoveItem", "GetCart"]);
  });

  it("AddItem emits ItemAdded and replies Empty; GetCart returns the cart", async () => {
    const out = await transcript(session(), [init(), addItem(1, "123", "Eggs", 2), getCart(2)]);
    assert.deepEqual(out, [accepted(1, [added("123", "Eggs", 2)]), cart(2, [["123", "Eggs", 2]])]);
  });

  it("fails a quantity below 1 without an event", async () => {
    const out = await transcript(session(), [init(), addItem(1, "456", "Flour", 0), addItem(2, "456", "Flour", -1), getCart(3)]);
    assert.equal(out.length, 3);
    for (const [index, quantity] of [0, -1].entries()) {
      const answer = out[index];
      assert.ok(answer?.case === "failure", `quantity ${quantity} fails`);
      assert.equal(answer.commandId, index + 1);
      assert.match(answer.description, /item 456/);
    }
    assert.deepEqual(out[2], cart(3, []));
  });

  it("adds to the quantity of a product already in the cart, keeping first-addition order", async () => {
    const out = await transcript(session(), [
      init(),
      addItem(1, "123", "Eggs", 2),
      addItem(2, "456", "Flour", 4),
      addItem(3, "789", "Milk", 1),
      addItem(4, "123", "Eggs", 2),
      getCart(5),
    ]);
    assert.deepEqual(
      out.at(-1),
      cart(5, [
        ["123", "Eggs", 4],
        ["456", "Flour", 4],
        ["789", "Milk", 1],
      ]),
    );
    // The event carries what was added, not the new total.
    assert.deepEqual(out[3], accepted(4, [added("123", "Eggs", 2)]));
  });

  it("fails RemoveItem of a product not in the cart, otherwise emits ItemRemoved", async () => {
    const out = await transcript(session(), [
      init(),
      addItem(1, "789", "Milk", 1),
      addItem(2, "456", "Flour", 4),
      removeItem(3, "111"),
      removeItem(4, "789"),
      getCart(5),
    ]);
    assert.deepEqual(out.slice(2), [failure(3, "Item 111 not in cart"), accepted(4, [removed("789")]), cart(5, [["456", "Flour", 4]])]);
  });

  it("recovers from a snapshot and the events after it", async () => {
    const out = await transcript(session(), [
      init({
        sequence: 5,
        items: [
          ["123", "Eggs", 2],
          ["456", "Flour", 4],
        ],
      }),
      event(6, added("789", "Milk", 1)),
      event(7, added("123", "Eggs", 1)),
      event(8, removed("456")),
      getCart(1),
    ]);
    assert.deepEqual(out, [
      cart(1, [
        ["123", "Eggs", 3],
        ["789", "Milk", 1],
      ]),
    ]);
  });

  it("snapshots every 5 events, counting from the restored snapshot", async () => {
    const adds = Array.from({ length: 7 }, (_, i) => addItem(i + 1, `p${i}`, `P${i}`, 1));
    const out = await transcript(session(), [init({ sequence: 3, items: [["x", "X", 1]] }), ...adds]);
    const itemsAfter = (n: number): Item[] => [["x", "X", 1], ...Array.from({ length: n }, (_, i): Item => [`p${i}`, `P${i}`, 1])];
    // Events 4..10: sequences 5 and 10 are snapshot points.
    assert.deepEqual(
      out,
      adds.map((_, i) => accepted(i + 1, [added(`p${i}`, `P${i}`, 1)], i === 1 || i === 6 ? itemsAfter(i + 1) : undefined)),
    );
  });
});
