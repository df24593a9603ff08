import type protobuf from "protobufjs";
import { abbreviate } from "../transcript/transcript.js";
import { messageJson } from "./message-json.js";
import { loadProtos, typeNameOf, typeUrlOf, type AnyPayload } from "../../../reference/protocol/index.js";
import { subjectServices } from "./subject-name.js";

export interface LineItem {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
}

export type CartEvent =
  { readonly type: "ItemAdded"; readonly item: LineItem } | { readonly type: "ItemRemoved"; readonly productId: string };

const api = "com.example.shoppingcart";
const domain = "com.example.shoppingcart.persistence";

/** Encoders and decoders for the shopping cart sample (proto/shoppingcart/). */
export class ShoppingCartSubject {
  readonly name = "shopping-cart";
  readonly serviceName = subjectServices["shopping-cart"];
  readonly persistenceId = "shopping-cart";
  readonly root: protobuf.Root;

  constructor() {
    this.root = loadProtos(["shoppingcart/shoppingcart.proto", "shoppingcart/domain.proto"]);
  }

  #any(fullName: string, value: Record<string, unknown>): AnyPayload {
    const type = this.root.lookupType(fullName);
    return { typeUrl: typeUrlOf(fullName), value: type.encode(type.fromObject(value)).finish() };
  }

  addItem(userId: string, item: LineItem): AnyPayload {
    return this.#any(`${api}.AddLineItem`, { user_id: userId, product_id: item.productId, name: item.name, quantity: item.quantity });
  }

  removeItem(userId: string, productId: string): AnyPayload {
    return this.#any(`${api}.RemoveLineItem`, { user_id: userId, product_id: productId });
  }

  getCart(userId: string): AnyPayload {
    return this.#any(`${api}.GetShoppingCart`, { user_id: userId });
  }

  itemAdded(item: LineItem): AnyPayload {
    return this.#any(`${domain}.ItemAdded`, { item: { productId: item.productId, name: item.name, quantity: item.quantity } });
  }

  itemRemoved(productId: string): AnyPayload {
    return this.#any(`${domain}.ItemRemoved`, { productId });
  }

  event(event: CartEvent): AnyPayload {
    return event.type === "ItemAdded" ? this.itemAdded(event.item) : this.itemRemoved(event.productId);
  }

  cartSnapshot(items: readonly LineItem[]): AnyPayload {
    return this.#any(`${domain}.Cart`, { items: items.map((i) => ({ productId: i.productId, name: i.name, quantity: i.quantity })) });
  }

  cartTypeUrl(): string {
    return typeUrlOf(`${api}.Cart`);
  }

  /** The items of a GetCart reply (`com.example.shoppingcart.Cart`). */
  decodeCart(payload: AnyPayload | undefined): { ok: true; items: LineItem[] } | { ok: false; why: string } {
    const checked = this.#check(payload, `${api}.Cart`);
    if (!checked.ok) return checked;
    const items = (checked.value["items"] ?? []) as Array<{ product_id: string; name: string; quantity: number }>;
    return { ok: true, items: items.map((i) => ({ productId: i.product_id, name: i.name, quantity: i.quantity })) };
  }

  /** The items of a snapshot (`com.example.shoppingcart.persistence.Cart`). */
  decodeSnapshot(payload: AnyPayload | undefined): { ok: true; items: LineItem[] } | { ok: false; why: string } {
    const checked = this.#check(payload, `${domain}.Cart`);
    if (!checked.ok) return checked;
    const items = (checked.value["items"] ?? []) as Array<{ productId: string; name: string; quantity: number }>;
    return { ok: true, items: items.map((i) => ({ productId: i.productId, name: i.name, quantity: i.quantity })) };
  }

  decodeEvent(payload: AnyPayload): { ok: true; event: CartEvent } | { ok: false; why: string } {
    const name = typeNameOf(payload.typeUrl);
    if (name === `${domain}.ItemAdded`) {
      const checked = this.#check(payload, name);
      if (!checked.ok) return checked;
      const item = (checked.value["item"] ?? { productId: "", name: "", quantity: 0 }) as LineItem;
      return { ok: true, event: { type: "ItemAdded", item: { productId: item.productId, name: item.name, quantity: item.quantity } } };
    }
    if (name === `${domain}.ItemRemoved`) {
      const checked = this.#check(payload, name);
      if (!checked.ok) return checked;
      return { ok: true, event: { type: "ItemRemoved", productId: checked.value["productId"] as string } };
    }
    return { ok: false, why: `unexpected event type ${JSON.stringify(payload.typeUrl)}` };
  }

  #check(payload: AnyPayload | undefined, fullName: string): { ok: true; value: Record<string, unknown> } | { ok: false; why: string } {
    if (!payload) return { ok: false, why: `no payload (expected ${fullName})` };
    if (typeNameOf(payload.typeUrl) !== fullName) {
      return { ok: false, why: `type url ${JSON.stringify(payload.typeUrl)} (expected ${typeUrlOf(fullName)})` };
    }
    try {
      const type = this.root.lookupType(fullName);
      return { ok: true, value: type.toObject(type.decode(payload.value), { defaults: true }) as Record<string, unknown> };
    } catch (error) {
      return { ok: false, why: `undecodable ${fullName}: ${(error as Error).message}` };
    }
  }

  describe = (payload: AnyPayload): string => {
    const name = typeNameOf(payload.typeUrl);
    try {
      if (name === "google.protobuf.Empty") return "Empty{}";
      const type = this.root.lookupType(name);
      const short = name.slice(name.lastIndexOf(".") + 1);
      return abbreviate(`${short}${messageJson(type.toObject(type.decode(payload.value)))}`);
    } catch {
      return `${payload.typeUrl} (${payload.value.length} bytes)`;
    }
  };
}
