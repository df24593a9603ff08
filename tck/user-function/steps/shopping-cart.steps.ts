import { Given, Then, When, type DataTable } from "@cucumber/cucumber";
import type { CartEvent, LineItem } from "../../kit/subjects/shopping-cart-subject.js";
import type { TckWorld } from "../world/tck-world.js";

Given("an empty cart for user {user}", function (this: TckWorld, user: string) {
  this.cart.start(user);
});

Given(
  "the cart of user {user} is restored from a snapshot at sequence {int} holding",
  function (this: TckWorld, user: string, sequence: number, table: DataTable) {
    this.cart.start(user, { snapshot: { items: itemsOf(table), sequence } });
  },
);

Given(
  "the cart of user {user} is restored from a snapshot one before a snapshot point holding",
  function (this: TckWorld, user: string, table: DataTable) {
    this.cart.start(user, { snapshot: { items: itemsOf(table), sequence: 2 * this.snapshotEvery - 1 } });
  },
);

Given("the cart of user {user} has replayed these events", function (this: TckWorld, user: string, table: DataTable) {
  this.cart.start(user, { events: eventsOf(table) });
});

Given("the cart of user {user} then replays these events", function (this: TckWorld, user: string, table: DataTable) {
  this.cart.replay(user, eventsOf(table));
});

When(
  "{user} adds {int} {string} with product id {string}",
  async function (this: TckWorld, user: string, quantity: number, name: string, productId: string) {
    await this.cart.send(user, { kind: "AddItem", item: { productId, name, quantity } });
  },
);

When("{user} adds {int} different products one by one", async function (this: TckWorld, user: string, count: number) {
  for (let i = 1; i <= count; i++)
    await this.cart.send(user, { kind: "AddItem", item: { productId: `p${i}`, name: `Product ${i}`, quantity: i } });
});

When("{user} removes product {string}", async function (this: TckWorld, user: string, productId: string) {
  await this.cart.send(user, { kind: "RemoveItem", productId });
});

When("{user} asks for the cart", async function (this: TckWorld, user: string) {
  await this.cart.send(user, { kind: "GetCart" });
});

Then(
  "the reply carries the event ItemAdded for {int} {string} with product id {string}",
  function (this: TckWorld, quantity: number, name: string, productId: string) {
    this.cart.expectEvents([{ type: "ItemAdded", item: { productId, name, quantity } }]);
  },
);

Then("the reply carries the event ItemRemoved for product {string}", function (this: TckWorld, productId: string) {
  this.cart.expectEvents([{ type: "ItemRemoved", productId }]);
});

Then("the reply is an empty message", function (this: TckWorld) {
  this.cart.expectEmptyReply();
});

Then("the cart holds", function (this: TckWorld, table: DataTable) {
  this.cart.expectCart(itemsOf(table));
});

Then("the cart is empty", function (this: TckWorld) {
  this.cart.expectCart([]);
});

Then("the cart is what the cart's history gives", function (this: TckWorld) {
  this.cart.expectCartFromHistory();
});

Then(
  "every reply carried a snapshot exactly when its event reached a multiple of the snapshot interval, holding the cart at that point",
  function (this: TckWorld) {
    this.cart.expectSnapshotRuleOnEveryReply();
  },
);

function itemsOf(table: DataTable): LineItem[] {
  return table
    .hashes()
    .map((row) => ({ productId: row["product"] ?? "", name: row["name"] ?? "", quantity: Number(row["quantity"] ?? 0) }));
}

function eventsOf(table: DataTable): CartEvent[] {
  return table.hashes().map((row): CartEvent => {
    const productId = row["product"] ?? "";
    if (row["event"] === "ItemRemoved") return { type: "ItemRemoved", productId };
    if (row["event"] !== "ItemAdded") throw new Error(`unknown cart event ${JSON.stringify(row["event"])} in the feature`);
    return { type: "ItemAdded", item: { productId, name: row["name"] ?? "", quantity: Number(row["quantity"] ?? 0) } };
  });
}
