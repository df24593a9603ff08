import { type CommandContext, createEventSourcedEntity, type EventSourcedEntity } from "../../reference/support/index.js";

/** The cart's state and snapshot: `com.example.shoppingcart.persistence.Cart`. */
export interface Cart {
  readonly items: readonly LineItem[];
}

/** `com.example.shoppingcart.persistence.LineItem` (the journal's field names). */
export interface LineItem {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
}

/** Requests and replies of `com.example.shoppingcart.ShoppingCart` (the API's field names). */
export interface AddLineItem {
  readonly user_id: string;
  readonly product_id: string;
  readonly name: string;
  readonly quantity: number;
}

export interface RemoveLineItem {
  readonly user_id: string;
  readonly product_id: string;
}

export interface ItemAdded {
  readonly item: LineItem;
}

export interface ItemRemoved {
  readonly productId: string;
}

export const shoppingCartPersistenceId = "shopping-cart";
export const shoppingCartServiceName = "com.example.shoppingcart.ShoppingCart";
const domain = "com.example.shoppingcart.persistence";

export interface ShoppingCartEntityOptions {
  /** Default 5, as in the seed. */
  readonly snapshotEvery?: number;
}

/** The seed's shopping cart, on the support library. */
export function createShoppingCartEntity(options: ShoppingCartEntityOptions = {}): EventSourcedEntity<Cart> {
  return createEventSourcedEntity<Cart>({
    protoFiles: ["shoppingcart/shoppingcart.proto", "shoppingcart/domain.proto"],
    serviceName: shoppingCartServiceName,
    persistenceId: shoppingCartPersistenceId,
    snapshotEvery: options.snapshotEvery ?? 5,
    snapshot: { type: `${domain}.Cart` },
    initialState: () => ({ items: [] }),
    behavior: () => ({
      commandHandlers: { AddItem: addItem, RemoveItem: removeItem, GetCart: getCart },
      eventHandlers: { ItemAdded: itemAdded, ItemRemoved: itemRemoved },
    }),
  });
}

function addItem(command: AddLineItem, _cart: Cart, context: CommandContext<Cart>): void {
  if (command.quantity < 1) {
    context.fail(`Cannot add a quantity of ${command.quantity} of item ${command.product_id}: it must be at least 1`);
  }
  const item: LineItem = { productId: command.product_id, name: command.name, quantity: command.quantity };
  context.emit(`${domain}.ItemAdded`, { item });
}

function removeItem(command: RemoveLineItem, cart: Cart, context: CommandContext<Cart>): void {
  if (!cart.items.some((item) => item.productId === command.product_id)) {
    context.fail(`Item ${command.product_id} not in cart`);
  }
  context.emit(`${domain}.ItemRemoved`, { productId: command.product_id });
}

function getCart(_command: unknown, cart: Cart) {
  return { items: cart.items.map((item) => ({ product_id: item.productId, name: item.name, quantity: item.quantity })) };
}

/** A product already in the cart gains quantity and keeps its place; a new one goes last. */
function itemAdded(event: ItemAdded, cart: Cart): Cart {
  const added = event.item;
  const existing = cart.items.some((item) => item.productId === added.productId);
  return {
    items: existing
      ? cart.items.map((item) => (item.productId === added.productId ? { ...item, quantity: item.quantity + added.quantity } : item))
      : [...cart.items, { productId: added.productId, name: added.name, quantity: added.quantity }],
  };
}

function itemRemoved(event: ItemRemoved, cart: Cart): Cart {
  return { items: cart.items.filter((item) => item.productId !== event.productId) };
}
