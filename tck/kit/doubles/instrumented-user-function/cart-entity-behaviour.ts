import type protobuf from "protobufjs";
import { loadProtos, typeNameOf, typeUrlOf, type AnyPayload } from "../../../../reference/protocol/index.js";
import { cartDomainPackage, cartPackage } from "./cart-descriptor.js";
import { UnusablePayloadError, type CommandOutcome, type EntityBehaviour } from "./entity-behaviour.js";

let cartRoot: protobuf.Root | undefined;
export function cartTypes(): protobuf.Root {
  cartRoot ??= loadProtos(["shoppingcart/shoppingcart.proto", "shoppingcart/domain.proto"]);
  return cartRoot;
}

interface LineItem {
  productId: string;
  name: string;
  quantity: number;
}

function encodeAny(fullName: string, value: Record<string, unknown>): AnyPayload {
  const type = cartTypes().lookupType(fullName);
  return { typeUrl: typeUrlOf(fullName), value: type.encode(type.fromObject(value)).finish() };
}

function decodeAny(fullName: string, payload: AnyPayload): Record<string, any> {
  if (typeNameOf(payload.typeUrl) !== fullName) throw new UnusablePayloadError(`expected ${fullName}, got ${payload.typeUrl}`);
  const type = cartTypes().lookupType(fullName);
  return type.toObject(type.decode(payload.value), { defaults: true });
}

const empty = (): AnyPayload => ({ typeUrl: typeUrlOf("google.protobuf.Empty"), value: new Uint8Array(0) });

/** The seed's shopping cart, on the raw protocol: items keyed by product id. */
export function createCartEntityBehaviour(): EntityBehaviour {
  const items = new Map<string, LineItem>();
  const applyDomain = (event: AnyPayload) => {
    const name = typeNameOf(event.typeUrl);
    if (name === `${cartDomainPackage}.ItemAdded`) {
      const item = decodeAny(name, event)["item"] as LineItem;
      const existing = items.get(item.productId);
      items.set(item.productId, { ...item, quantity: (existing?.quantity ?? 0) + item.quantity });
    } else if (name === `${cartDomainPackage}.ItemRemoved`) {
      items.delete(String(decodeAny(name, event)["productId"]));
    } else {
      throw new UnusablePayloadError(`unknown cart event ${event.typeUrl}`);
    }
  };
  return {
    restore(snapshot) {
      items.clear();
      for (const item of decodeAny(`${cartDomainPackage}.Cart`, snapshot)["items"] as LineItem[]) items.set(item.productId, item);
    },
    apply: applyDomain,
    decide(commandName, payload): CommandOutcome {
      try {
        if (!payload) throw new Error("no payload");
        switch (commandName) {
          case "AddItem": {
            const add = decodeAny(`${cartPackage}.AddLineItem`, payload);
            if (add["quantity"] <= 0)
              return { kind: "failure", description: `Cannot add negative quantity of to item ${add["product_id"]}` };
            const item = { productId: add["product_id"], name: add["name"], quantity: add["quantity"] };
            return { kind: "reply", payload: empty(), events: [encodeAny(`${cartDomainPackage}.ItemAdded`, { item })] };
          }
          case "RemoveItem": {
            const productId = String(decodeAny(`${cartPackage}.RemoveLineItem`, payload)["product_id"]);
            if (!items.has(productId))
              return { kind: "failure", description: `Cannot remove item ${productId} because it is not in the cart.` };
            return { kind: "reply", payload: empty(), events: [encodeAny(`${cartDomainPackage}.ItemRemoved`, { productId })] };
          }
          case "GetCart": {
            decodeAny(`${cartPackage}.GetShoppingCart`, payload);
            const cart = [...items.values()].map((i) => ({ product_id: i.productId, name: i.name, quantity: i.quantity }));
            return { kind: "reply", payload: encodeAny(`${cartPackage}.Cart`, { items: cart }), events: [] };
          }
          default:
            return { kind: "failure", description: `unknown command ${commandName}` };
        }
      } catch (error) {
        return { kind: "failure", description: `undecodable ${commandName} payload: ${(error as Error).message}` };
      }
    },
    snapshot() {
      return encodeAny(`${cartDomainPackage}.Cart`, { items: [...items.values()] });
    },
  };
}
