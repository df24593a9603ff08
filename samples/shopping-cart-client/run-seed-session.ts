import { formatCart } from "./format-cart.js";
import type { ShoppingCartClient } from "./shopping-cart-client.js";

export const seedUser = "user-1";
export const seedProduct = { productId: "456", name: "Flour" } as const;

/**
 * The seed's demonstration: look at the cart, add one bag of flour eight
 * times (crossing the sample's snapshot-every-5 boundary), look again, remove
 * the flour, look again. Each step is written as it completes; the first
 * failure ends the session and is rethrown.
 */
export async function runSeedSession(client: ShoppingCartClient, write: (line: string) => void): Promise<void> {
  const { productId, name } = seedProduct;
  write(`GetCart ${seedUser}`);
  write(formatCart(seedUser, await client.getCart(seedUser)));
  for (let i = 1; i <= 8; i++) {
    await client.addItem(seedUser, productId, name, 1);
    write(`AddItem ${seedUser} ${productId} ${name} ×1 (${i} of 8): ok`);
  }
  write(`GetCart ${seedUser}`);
  write(formatCart(seedUser, await client.getCart(seedUser)));
  await client.removeItem(seedUser, productId);
  write(`RemoveItem ${seedUser} ${productId}: ok`);
  write(`GetCart ${seedUser}`);
  write(formatCart(seedUser, await client.getCart(seedUser)));
}
