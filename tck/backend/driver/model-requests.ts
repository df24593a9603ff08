import { cartPackage, cartTypes, modelPackage, modelTypes } from "../../kit/doubles/instrumented-user-function/index.js";
import type { CompositeKey, ModelAction, ModelResponse } from "../../kit/subjects/model-entity-subject.js";

// The model entity's messages as data are one thing for both modes (proto/tck/model.proto).
export type { CompositeKey, ModelAction, ModelResponse } from "../../kit/subjects/model-entity-subject.js";

export type ModelMethod = "Process" | "ProcessEmpty" | "ProcessComposite" | "ProcessStream";

export const modelMethodPath = (method: ModelMethod) => `/${modelPackage}.ModelEntity/${method}`;
export const cartMethodPath = (method: "AddItem" | "RemoveItem" | "GetCart") => `/${cartPackage}.ShoppingCart/${method}`;

function wireActions(actions: readonly ModelAction[]): Record<string, unknown>[] {
  return actions.map((action) => {
    if ("emit" in action) return { emit: { value: action.emit } };
    if ("fail" in action) return { fail: { description: action.fail } };
    if ("respond" in action) return { respond: { message: action.respond } };
    return { throw: { message: action.throw } };
  });
}

function encode(root: ReturnType<typeof modelTypes>, fullName: string, value: Record<string, unknown>): Uint8Array {
  const type = root.lookupType(fullName);
  return type.encode(type.fromObject(value)).finish();
}

/** The bytes of a model `Request`: exactly what the client sends and the backend must forward. */
export function modelRequest(id: string, actions: readonly ModelAction[]): Uint8Array {
  return encode(modelTypes(), `${modelPackage}.Request`, { id, actions: wireActions(actions) });
}

export function compositeRequest(key: CompositeKey, actions: readonly ModelAction[]): Uint8Array {
  return encode(modelTypes(), `${modelPackage}.CompositeRequest`, {
    part_a: key.partA,
    part_b: key.partB,
    part_c: key.partC,
    part_d: key.partD,
    actions: wireActions(actions),
  });
}

/**
 * A CompositeRequest carrying only its string key part: the number, bool and enum key fields are
 * left off the wire, as proto3 writers do with default values (`compositeRequest` writes them).
 */
export function compositeRequestWithDefaultsAbsent(partA: string, actions: readonly ModelAction[]): Uint8Array {
  return encode(modelTypes(), `${modelPackage}.CompositeRequest`, { part_a: partA, actions: wireActions(actions) });
}

export function decodeModelResponse(bytes: Uint8Array): ModelResponse {
  const type = modelTypes().lookupType(`${modelPackage}.Response`);
  return type.toObject(type.decode(bytes), { defaults: true }) as ModelResponse;
}

export function cartRequest(method: "AddItem" | "RemoveItem" | "GetCart", value: Record<string, unknown>): Uint8Array {
  const input = { AddItem: "AddLineItem", RemoveItem: "RemoveLineItem", GetCart: "GetShoppingCart" }[method];
  return encode(cartTypes(), `${cartPackage}.${input}`, value);
}

export function decodeCart(bytes: Uint8Array): { items: { product_id: string; name: string; quantity: number }[] } {
  const type = cartTypes().lookupType(`${cartPackage}.Cart`);
  return type.toObject(type.decode(bytes), { defaults: true, arrays: true }) as {
    items: { product_id: string; name: string; quantity: number }[];
  };
}
