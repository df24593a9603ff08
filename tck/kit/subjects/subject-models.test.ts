import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { predictModelEntity, snapshotDue } from "./model-entity-model.js";
import { cartRulesOf } from "./rule-sets.js";
import { applyCartEvent, predictCart } from "./shopping-cart-model.js";

describe("the model entity's model (proto/tck/README.md)", () => {
  it("emits in order, and the last respond wins", () => {
    assert.deepEqual(predictModelEntity("s", [{ emit: "a" }, { respond: "x" }, { emit: "b" }, { respond: "y" }]), {
      kind: "reply",
      events: ["a", "b"],
      stateAfter: "sab",
      message: "y",
    });
  });

  it("discards earlier events on fail and stops there", () => {
    assert.deepEqual(predictModelEntity("s", [{ emit: "a" }, { fail: "no" }, { emit: "b" }]), {
      kind: "failure",
      description: "no",
      stateAfter: "s",
    });
  });

  it("treats throw as a failure or a stream end, state unchanged", () => {
    assert.deepEqual(predictModelEntity("s", [{ emit: "a" }, { throw: "t" }]), { kind: "throw", stateAfter: "s" });
  });

  it("wants a snapshot when any event reaches a multiple of N, also across a boundary", () => {
    assert.equal(snapshotDue([5], 5), true);
    assert.equal(snapshotDue([4, 5, 6], 5), true);
    assert.equal(snapshotDue([6, 7], 5), false);
    assert.equal(snapshotDue([], 5), false);
  });
});

describe("the shopping cart's model", () => {
  const eggs = { productId: "123", name: "Eggs", quantity: 2 };
  const flour = { productId: "456", name: "Flour", quantity: 4 };

  it("adds to the quantity of a product already in the cart, keeping its place", () => {
    let items = applyCartEvent([], { type: "ItemAdded", item: eggs });
    items = applyCartEvent(items, { type: "ItemAdded", item: flour });
    items = applyCartEvent(items, { type: "ItemAdded", item: { ...eggs, quantity: 1 } });
    assert.deepEqual(items, [{ ...eggs, quantity: 3 }, flour]);
  });

  const rules = cartRulesOf([]);
  it("fails a removal of a product not in the cart, and a quantity below 1 under @rule-quantity only", () => {
    assert.equal(predictCart([], { kind: "AddItem", item: { ...eggs, quantity: 0 } }, cartRulesOf(["@rule-quantity"])).kind, "failure");
    assert.throws(() => predictCart([], { kind: "AddItem", item: { ...eggs, quantity: 0 } }, rules), /does not judge @rule-quantity/);
    assert.deepEqual(predictCart([eggs], { kind: "RemoveItem", productId: "456" }, rules), {
      kind: "failure",
      description: "Item 456 not in cart",
      itemsAfter: [eggs],
    });
  });

  it("removes with ItemRemoved and reads with no event", () => {
    assert.deepEqual(predictCart([eggs, flour], { kind: "RemoveItem", productId: "123" }, rules), {
      kind: "reply",
      events: [{ type: "ItemRemoved", productId: "123" }],
      itemsAfter: [flour],
    });
    assert.deepEqual(predictCart([eggs], { kind: "GetCart" }, rules), { kind: "reply", events: [], itemsAfter: [eggs], cart: [eggs] });
  });
});
