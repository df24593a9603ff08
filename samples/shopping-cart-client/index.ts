export {
  createShoppingCartClient,
  type Cart,
  type LineItem,
  type ShoppingCartClient,
  type ShoppingCartClientOptions,
} from "./shopping-cart-client.js";
export { ShoppingCartCallError } from "./shopping-cart-call-error.js";
export { formatCart } from "./format-cart.js";
export { runSeedSession, seedProduct, seedUser } from "./run-seed-session.js";
export { parseClientArgs, targetOf, type ClientArgs, type ParsedClientArgs } from "./client-args.js";
export { startShoppingCartRepl, type ReplOptions } from "./start-repl.js";
