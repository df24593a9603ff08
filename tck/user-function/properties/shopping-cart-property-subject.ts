import fc from "fast-check";
import {
  applyCartEvent,
  describeCartCommand,
  describeCartEvent,
  describeItems,
  predictCart,
  sameCartEvent,
  sameItems,
  type CartCommand,
} from "../../kit/subjects/shopping-cart-model.js";
import type { CartRules } from "../../kit/subjects/rule-sets.js";
import type { LineItem, ShoppingCartSubject } from "../../kit/subjects/shopping-cart-subject.js";
import type { Mismatch, PropertySubject, ReplyMessage } from "./property-subject.js";

const productId = fc.constantFrom("p1", "p2", "p3", "p4");

/** Random cart commands; quantities below 1 only for a property judging `@rule-quantity`. */
const commands = (rules: CartRules): fc.Arbitrary<CartCommand> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .record({ productId, quantity: fc.integer({ min: rules.quantity ? -1 : 1, max: 5 }) })
        .map(({ productId, quantity }): CartCommand => ({ kind: "AddItem", item: { productId, name: `Product ${productId}`, quantity } })),
    },
    { weight: 2, arbitrary: productId.map((productId): CartCommand => ({ kind: "RemoveItem", productId })) },
    { weight: 1, arbitrary: fc.constant<CartCommand>({ kind: "GetCart" }) },
  );

/** The shopping cart sample for the properties, judging the rule sets `rules` says. */
export function shoppingCartPropertySubject(
  subject: ShoppingCartSubject,
  rules: CartRules,
): PropertySubject<readonly LineItem[], CartCommand> {
  return {
    describePayload: subject.describe,
    initialState: [],
    command: commands(rules),
    describeCommand: describeCartCommand,
    toWire(entityId, c) {
      switch (c.kind) {
        case "AddItem":
          return { name: "AddItem", payload: subject.addItem(entityId, c.item) };
        case "RemoveItem":
          return { name: "RemoveItem", payload: subject.removeItem(entityId, c.productId) };
        case "GetCart":
          return { name: "GetCart", payload: subject.getCart(entityId) };
      }
    },
    predict(state, c) {
      const prediction = predictCart(state, c, rules);
      if (prediction.kind === "failure") return { kind: "failure", stateAfter: state, description: prediction.description };
      return {
        kind: "reply",
        stateAfter: prediction.itemsAfter,
        check(reply: ReplyMessage): Mismatch | undefined {
          const events = [];
          for (const payload of reply.events) {
            const decoded = subject.decodeEvent(payload);
            if (!decoded.ok) return { expected: "ItemAdded or ItemRemoved events", actual: decoded.why };
            events.push(decoded.event);
          }
          if (events.length !== prediction.events.length || events.some((e, i) => !sameCartEvent(e, prediction.events[i]!))) {
            return {
              expected: `events [${prediction.events.map(describeCartEvent).join(", ")}]`,
              actual: `events [${events.map(describeCartEvent).join(", ")}]`,
            };
          }
          if (prediction.cart) {
            const cart = subject.decodeCart(reply.payload);
            if (!cart.ok) return { expected: "a Cart payload", actual: cart.why };
            if (!sameItems(cart.items, prediction.cart))
              return { expected: `a cart with ${describeItems(prediction.cart)}`, actual: `a cart with ${describeItems(cart.items)}` };
          } else if (reply.payload?.typeUrl !== "type.googleapis.com/google.protobuf.Empty" || reply.payload.value.length !== 0) {
            return {
              expected: "an empty google.protobuf.Empty payload",
              actual: reply.payload ? subject.describe(reply.payload) : "no payload",
            };
          }
          return undefined;
        },
      };
    },
    stateQuery: { kind: "GetCart" },
    readStateReply(reply) {
      const cart = subject.decodeCart(reply.payload);
      return cart.ok ? { ok: true, state: cart.items } : cart;
    },
    applyEvent(state, payload) {
      const decoded = subject.decodeEvent(payload);
      return decoded.ok ? { ok: true, state: applyCartEvent(state, decoded.event) } : decoded;
    },
    snapshotOf: (state) => subject.cartSnapshot(state),
    decodeSnapshot(snapshot) {
      const decoded = subject.decodeSnapshot(snapshot);
      return decoded.ok ? { ok: true, state: decoded.items } : decoded;
    },
    sameState: sameItems,
    describeState: describeItems,
  };
}
