import { Then, When } from "@cucumber/cucumber";
import { cartMethodPath, cartRequest, decodeCart } from "../driver/model-requests.js";
import { describeStream, type BackendWorld } from "../world/backend-world.js";

When(
  "user {string} adds {int} {string} with product id {string}",
  async function (this: BackendWorld, user: string, quantity: number, name: string, productId: string) {
    const userId = this.entityId(user);
    await this.call(userId, cartMethodPath("AddItem"), cartRequest("AddItem", { user_id: userId, product_id: productId, name, quantity }));
    const last = this.lastCall();
    if (!last.outcome.ok) this.fail(`adding ${name} to succeed`, `${last.outcome.codeName}: ${last.outcome.details}`);
  },
);

When("user {string} removes product id {string}", async function (this: BackendWorld, user: string, productId: string) {
  const userId = this.entityId(user);
  await this.call(userId, cartMethodPath("RemoveItem"), cartRequest("RemoveItem", { user_id: userId, product_id: productId }));
});

When("the cart of {string} is passivated", async function (this: BackendWorld, user: string) {
  await this.passivated(user);
});

Then(/^the cart of "([^"]*)" holds (.+)$/, async function (this: BackendWorld, user: string, itemsText: string) {
  const userId = this.entityId(user);
  const record = await this.call(userId, cartMethodPath("GetCart"), cartRequest("GetCart", { user_id: userId }));
  if (!record.outcome.ok) return this.fail("GetCart to succeed", `${record.outcome.codeName}: ${record.outcome.details}`);
  const expected = [...itemsText.matchAll(/(\d+) "([^"]*)"/g)].map(([, quantity, name]) => `${quantity} ${name}`).sort();
  const actual = decodeCart(record.outcome.bytes)
    .items.map((i) => `${i.quantity} ${i.name}`)
    .sort();
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    this.fail(`a cart holding ${expected.join(", ")}`, `${actual.join(", ") || "an empty cart"}; ${this.recoveryOf(userId)}`);
});

Then(
  "the latest stream of cart {string} began with a snapshot at sequence {int}",
  function (this: BackendWorld, user: string, sequence: number) {
    const stream = this.latestStream(user);
    const init = stream.received[0];
    if (init?.case !== "init") return this.fail("Init first", describeStream(stream));
    if (init.snapshot?.sequence !== sequence)
      this.fail(
        `Init offering the latest snapshot, at sequence ${sequence}`,
        init.snapshot
          ? `the Init offered the snapshot at sequence ${init.snapshot.sequence}`
          : "the Init offered no snapshot, although the user function sent one",
      );
  },
);
