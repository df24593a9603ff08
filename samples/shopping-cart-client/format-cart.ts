import type { Cart } from "./shopping-cart-client.js";

/** A cart as a few readable lines. */
export function formatCart(userId: string, cart: Cart): string {
  if (cart.items.length === 0) return `cart of ${userId}: empty`;
  const lines = cart.items.map((item) => `  ${String(item.quantity).padStart(4)} × ${item.name} (product ${item.productId})`);
  return [`cart of ${userId}:`, ...lines].join("\n");
}
