import * as grpc from "@grpc/grpc-js";
import type protobuf from "protobufjs";
import { loadProtos } from "../../reference/protocol/index.js";
import { ShoppingCartCallError } from "./shopping-cart-call-error.js";

export interface LineItem {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
}

export interface Cart {
  readonly items: readonly LineItem[];
}

/** The shopping cart's public gRPC service, as a client sees it (through the backend). */
export interface ShoppingCartClient {
  addItem(userId: string, productId: string, name: string, quantity: number): Promise<void>;
  removeItem(userId: string, productId: string): Promise<void>;
  getCart(userId: string): Promise<Cart>;
  close(): void;
}

export interface ShoppingCartClientOptions {
  /** Deadline of each call (default 10 s). */
  readonly callTimeoutMs?: number;
  /** The channel's credentials, e.g. `grpc.credentials.createSsl(ca)` for a backend serving TLS; plaintext by default. */
  readonly credentials?: grpc.ChannelCredentials;
}

const servicePath = "/com.example.shoppingcart.ShoppingCart";

/**
 * A client for proto/shoppingcart/shoppingcart.proto at `address` (host:port).
 * Failed calls reject with ShoppingCartCallError, whose message is the gRPC
 * status and details, e.g. `UNAVAILABLE: No connection established`.
 */
export function createShoppingCartClient(address: string, options: ShoppingCartClientOptions = {}): ShoppingCartClient {
  return new ShoppingCartClientImpl(address, options.callTimeoutMs ?? 10_000, options.credentials ?? grpc.credentials.createInsecure());
}

let types: { add: protobuf.Type; remove: protobuf.Type; get: protobuf.Type; cart: protobuf.Type; empty: protobuf.Type } | undefined;

function cartTypes() {
  if (!types) {
    const root = loadProtos(["shoppingcart/shoppingcart.proto"]);
    const type = (name: string) => root.lookupType(name);
    types = {
      add: type("com.example.shoppingcart.AddLineItem"),
      remove: type("com.example.shoppingcart.RemoveLineItem"),
      get: type("com.example.shoppingcart.GetShoppingCart"),
      cart: type("com.example.shoppingcart.Cart"),
      empty: type("google.protobuf.Empty"),
    };
  }
  return types;
}

interface WireCart {
  items?: { product_id?: string; name?: string; quantity?: number }[];
}

class ShoppingCartClientImpl implements ShoppingCartClient {
  private readonly client: grpc.Client;

  constructor(
    address: string,
    private readonly callTimeoutMs: number,
    channelCredentials: grpc.ChannelCredentials,
  ) {
    this.client = new grpc.Client(address, channelCredentials);
  }

  async addItem(userId: string, productId: string, name: string, quantity: number): Promise<void> {
    const { add } = cartTypes();
    await this.call("AddItem", add, { user_id: userId, product_id: productId, name, quantity });
  }

  async removeItem(userId: string, productId: string): Promise<void> {
    const { remove } = cartTypes();
    await this.call("RemoveItem", remove, { user_id: userId, product_id: productId });
  }

  async getCart(userId: string): Promise<Cart> {
    const { get, cart } = cartTypes();
    const bytes = await this.call("GetCart", get, { user_id: userId });
    const wire = cart.toObject(cart.decode(bytes), { defaults: true }) as WireCart;
    return {
      items: (wire.items ?? []).map((item) => ({
        productId: item.product_id ?? "",
        name: item.name ?? "",
        quantity: item.quantity ?? 0,
      })),
    };
  }

  close(): void {
    this.client.close();
  }

  private call(method: string, type: protobuf.Type, request: Record<string, unknown>): Promise<Buffer> {
    const body = Buffer.from(type.encode(type.fromObject(request)).finish());
    const identity = (bytes: Buffer) => bytes;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `${servicePath}/${method}`,
        identity,
        identity,
        body,
        { deadline: Date.now() + this.callTimeoutMs },
        (error, response) => {
          if (error) reject(ShoppingCartCallError.from(method, error));
          else resolve(response ?? Buffer.alloc(0));
        },
      );
    });
  }
}
