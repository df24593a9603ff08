import { typeNameOf, typeUrlOf, type AnyPayload } from "../../../../reference/protocol/index.js";
import {
  UnusablePayloadError,
  type CommandOutcome,
  type EntityBehaviour,
  type InstrumentedUserFunction,
} from "../instrumented-user-function/index.js";
import { ShoppingCartSubject } from "../../subjects/shopping-cart-subject.js";
import { rawSubjectOf, startRawSubject, type RawSubjectOptions } from "./raw-subject.js";

const api = "com.example.shoppingcart";
const domain = "com.example.shoppingcart.persistence";

export interface RawShoppingCartOptions extends RawSubjectOptions {
  /**
   * Whether AddItem refuses a quantity below 1 (the kit's rule set `@rule-quantity`).
   * Without it the cart does what the seed's cart does: it adds the line as given.
   */
  readonly quantityRule?: boolean;
}

interface Line {
  productId: string;
  name: string;
  quantity: number;
}

/** The shopping cart sample on the raw protocol (proto/shoppingcart/), as a support library's cart would behave. */
function createShoppingCartBehaviour(subject: ShoppingCartSubject, quantityRule: boolean): EntityBehaviour {
  const lines: Line[] = [];
  const encode = (fullName: string, value: Record<string, unknown>): AnyPayload => {
    const type = subject.root.lookupType(fullName);
    return { typeUrl: typeUrlOf(fullName), value: type.encode(type.fromObject(value)).finish() };
  };
  const decode = (fullName: string, payload: AnyPayload | undefined): Record<string, any> => {
    if (!payload) throw new UnusablePayloadError(`no payload (expected ${fullName})`);
    if (typeNameOf(payload.typeUrl) !== fullName) throw new UnusablePayloadError(`expected ${fullName}, got ${payload.typeUrl}`);
    const type = subject.root.lookupType(fullName);
    return type.toObject(type.decode(payload.value), { defaults: true });
  };
  const empty = (): AnyPayload => ({ typeUrl: typeUrlOf("google.protobuf.Empty"), value: new Uint8Array(0) });
  return {
    restore(snapshot) {
      const items = decode(`${domain}.Cart`, snapshot)["items"] as Line[];
      lines.splice(0, lines.length, ...items.map((i) => ({ productId: i.productId, name: i.name, quantity: i.quantity })));
    },
    apply(event) {
      const name = typeNameOf(event.typeUrl);
      if (name === `${domain}.ItemAdded`) {
        const item = decode(name, event)["item"] as Line;
        const existing = lines.find((l) => l.productId === item.productId);
        if (existing) existing.quantity += item.quantity;
        else lines.push({ productId: item.productId, name: item.name, quantity: item.quantity });
      } else if (name === `${domain}.ItemRemoved`) {
        const productId = String(decode(name, event)["productId"]);
        const index = lines.findIndex((l) => l.productId === productId);
        if (index >= 0) lines.splice(index, 1);
      } else {
        throw new UnusablePayloadError(`unknown cart event ${event.typeUrl}`);
      }
    },
    decide(commandName, payload): CommandOutcome {
      try {
        switch (commandName) {
          case "AddItem": {
            const add = decode(`${api}.AddLineItem`, payload);
            if (quantityRule && add["quantity"] < 1) return { kind: "failure", description: `Cannot add a quantity of ${add["quantity"]}` };
            const item = { productId: add["product_id"], name: add["name"], quantity: add["quantity"] };
            return { kind: "reply", payload: empty(), events: [encode(`${domain}.ItemAdded`, { item })] };
          }
          case "RemoveItem": {
            const productId = String(decode(`${api}.RemoveLineItem`, payload)["product_id"]);
            if (!lines.some((l) => l.productId === productId)) return { kind: "failure", description: `Item ${productId} not in cart` };
            return { kind: "reply", payload: empty(), events: [encode(`${domain}.ItemRemoved`, { productId })] };
          }
          case "GetCart": {
            decode(`${api}.GetShoppingCart`, payload);
            return {
              kind: "reply",
              payload: encode(`${api}.Cart`, {
                items: lines.map((l) => ({ product_id: l.productId, name: l.name, quantity: l.quantity })),
              }),
              events: [],
            };
          }
          default:
            return { kind: "failure", description: `unknown command ${commandName}` };
        }
      } catch (error) {
        return { kind: "failure", description: `undecodable ${commandName} payload: ${(error as Error).message}` };
      }
    },
    snapshot() {
      return encode(`${domain}.Cart`, { items: lines.map((l) => ({ ...l })) });
    },
  };
}

/** The shopping cart on the raw protocol, with optional faults and with or without the quantity rule. */
export function startRawShoppingCart(options: RawShoppingCartOptions = {}): Promise<InstrumentedUserFunction> {
  const subject = new ShoppingCartSubject();
  const quantityRule = options.quantityRule ?? true;
  return startRawSubject(
    rawSubjectOf({
      name: "raw-shopping-cart",
      entity: "cart",
      createBehaviour: () => createShoppingCartBehaviour(subject, quantityRule),
      root: subject.root,
      file: "shoppingcart/shoppingcart.proto",
      serviceName: subject.serviceName,
      persistenceId: subject.persistenceId,
    }),
    options,
  );
}
