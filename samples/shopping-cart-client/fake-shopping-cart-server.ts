import * as grpc from "@grpc/grpc-js";
import { loadProtos } from "../../reference/protocol/index.js";
import { listenAndDrain } from "../../reference/protocol/testing/listen-and-drain.js";

export interface FakeShoppingCartServer {
  readonly address: string;
  /** Method name and decoded request of every call received, in order. */
  readonly received: { method: string; request: Record<string, unknown> }[];
  close(): Promise<void>;
}

/**
 * A stand-in for the backend in client tests: the cart service over raw
 * bytes, carts in a map, a user called "broken" failing every call.
 */
export async function startFakeShoppingCartServer(): Promise<FakeShoppingCartServer> {
  const root = loadProtos(["shoppingcart/shoppingcart.proto"]);
  const type = (name: string) => root.lookupType(`com.example.shoppingcart.${name}`);
  const carts = new Map<string, Map<string, { product_id: string; name: string; quantity: number }>>();
  const received: FakeShoppingCartServer["received"] = [];
  const identity = (bytes: Buffer) => bytes;
  const server = new grpc.Server();

  const handle = (method: string, requestType: string, answer: (request: Record<string, any>) => Uint8Array) => {
    server.register(
      `/com.example.shoppingcart.ShoppingCart/${method}`,
      (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const t = type(requestType);
        const request = t.toObject(t.decode(call.request), { defaults: true }) as Record<string, any>;
        received.push({ method, request });
        if (request["user_id"] === "broken") {
          callback({ code: grpc.status.INTERNAL, details: "the cart is broken" });
          return;
        }
        callback(null, Buffer.from(answer(request)));
      },
      identity,
      identity,
      "unary",
    );
  };
  const cartOf = (user: string) => {
    let cart = carts.get(user);
    if (!cart) carts.set(user, (cart = new Map()));
    return cart;
  };
  handle("AddItem", "AddLineItem", (r) => {
    const cart = cartOf(r["user_id"]);
    const existing = cart.get(r["product_id"]);
    cart.set(r["product_id"], { product_id: r["product_id"], name: r["name"], quantity: (existing?.quantity ?? 0) + r["quantity"] });
    return new Uint8Array(0);
  });
  handle("RemoveItem", "RemoveLineItem", (r) => {
    cartOf(r["user_id"]).delete(r["product_id"]);
    return new Uint8Array(0);
  });
  handle("GetCart", "GetShoppingCart", (r) => {
    const cart = type("Cart");
    return cart.encode(cart.fromObject({ items: [...cartOf(r["user_id"]).values()] })).finish();
  });

  const listening = await listenAndDrain(server);
  return { address: listening.address, received, close: () => listening.close() };
}
