import { type RunningUserFunction, type ServeTls, serve } from "../../reference/support/index.js";
import { createShoppingCartEntity } from "./shopping-cart-entity.js";

export interface ShoppingCartOptions {
  /** Default `127.0.0.1` (loopback); `0.0.0.0` for all interfaces (a pod). */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Serve the backend link over TLS (mutual TLS with `clientCa`); plaintext by default. */
  readonly tls?: ServeTls;
  /** Largest message accepted from the backend (default 16 MiB). */
  readonly maxReceiveMessageBytes?: number;
}

/** Serves the shopping cart user function; close the result to stop it. */
export function startShoppingCart(options: ShoppingCartOptions = {}): Promise<RunningUserFunction> {
  return serve(createShoppingCartEntity(), { ...options, port: options.port ?? 8080 });
}
