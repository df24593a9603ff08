import { type RunningUserFunction, serve } from "../../reference/support/index.js";
import { createShoppingCartEntity } from "./shopping-cart-entity.js";

export interface ShoppingCartOptions {
  /** Default `0.0.0.0`. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
}

/** Serves the shopping cart user function; close the result to stop it. */
export function startShoppingCart(options: ShoppingCartOptions = {}): Promise<RunningUserFunction> {
  return serve(createShoppingCartEntity(), { host: options.host ?? "0.0.0.0", port: options.port ?? 8080 });
}
