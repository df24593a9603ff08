import { cartRuleSets, type CartRules } from "./rule-sets.js";
import type { CartEvent, LineItem } from "./shopping-cart-subject.js";

export type CartCommand =
  | { readonly kind: "AddItem"; readonly item: LineItem }
  | { readonly kind: "RemoveItem"; readonly productId: string }
  | { readonly kind: "GetCart" };

/** What the shopping cart sample must do with a command (the sample's contract). */
export type CartPrediction =
  | {
      readonly kind: "reply";
      readonly events: readonly CartEvent[];
      readonly itemsAfter: readonly LineItem[];
      readonly cart?: readonly LineItem[];
    }
  /** `description` undefined: any description is accepted. */
  | { readonly kind: "failure"; readonly description: string | undefined; readonly itemsAfter: readonly LineItem[] };

/**
 * The model of the cart. A quantity below 1 belongs to the rule set
 * `@rule-quantity`: only scenarios judging it may send one.
 */
export function predictCart(items: readonly LineItem[], command: CartCommand, rules: CartRules): CartPrediction {
  switch (command.kind) {
    case "AddItem": {
      if (command.item.quantity < 1) {
        if (!rules.quantity)
          throw new Error(`kit bug: ${describeCartCommand(command)} sent by a scenario that does not judge ${cartRuleSets.quantity.tag}`);
        return { kind: "failure", description: undefined, itemsAfter: items };
      }
      const event: CartEvent = { type: "ItemAdded", item: command.item };
      return { kind: "reply", events: [event], itemsAfter: applyCartEvent(items, event) };
    }
    case "RemoveItem": {
      if (!items.some((i) => i.productId === command.productId)) {
        return { kind: "failure", description: `Item ${command.productId} not in cart`, itemsAfter: items };
      }
      const event: CartEvent = { type: "ItemRemoved", productId: command.productId };
      return { kind: "reply", events: [event], itemsAfter: applyCartEvent(items, event) };
    }
    case "GetCart":
      return { kind: "reply", events: [], itemsAfter: items, cart: items };
  }
}

/** A product added again adds to its quantity and keeps its place (order of first addition). */
export function applyCartEvent(items: readonly LineItem[], event: CartEvent): LineItem[] {
  if (event.type === "ItemRemoved") return items.filter((i) => i.productId !== event.productId);
  const existing = items.find((i) => i.productId === event.item.productId);
  if (!existing) return [...items, event.item];
  return items.map((i) => (i === existing ? { ...i, quantity: i.quantity + event.item.quantity } : i));
}

export function describeCartCommand(command: CartCommand): string {
  switch (command.kind) {
    case "AddItem":
      return `AddItem ${command.item.quantity} × ${JSON.stringify(command.item.name)} (product ${JSON.stringify(command.item.productId)})`;
    case "RemoveItem":
      return `RemoveItem product ${JSON.stringify(command.productId)}`;
    case "GetCart":
      return "GetCart";
  }
}

export function describeItems(items: readonly LineItem[]): string {
  if (items.length === 0) return "an empty cart";
  return items.map((i) => `${i.quantity} × ${JSON.stringify(i.name)} (${i.productId})`).join(", ");
}

export function sameItems(a: readonly LineItem[], b: readonly LineItem[]): boolean {
  return (
    a.length === b.length && a.every((x, i) => x.productId === b[i]?.productId && x.name === b[i]?.name && x.quantity === b[i]?.quantity)
  );
}

export function sameCartEvent(a: CartEvent, b: CartEvent): boolean {
  if (a.type === "ItemRemoved" || b.type === "ItemRemoved") return a.type === b.type && JSON.stringify(a) === JSON.stringify(b);
  return sameItems([a.item], [b.item]);
}

export function describeCartEvent(event: CartEvent): string {
  return event.type === "ItemAdded"
    ? `ItemAdded ${event.item.quantity} × ${JSON.stringify(event.item.name)} (${event.item.productId})`
    : `ItemRemoved ${event.productId}`;
}
