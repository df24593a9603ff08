// Load for the fault trials: several clients, each adding one item at a time to its own cart, and
// the check afterwards that every cart holds every AddItem its client saw acknowledged (none lost)
// and no more than those plus the calls that ended in an error (each may have landed).
import { once } from "node:events";
import { createServer } from "node:net";
import { createShoppingCartClient, type ShoppingCartClient } from "../../samples/shopping-cart-client/shopping-cart-client.js";

export const writers = 8;

export interface WriterTally {
  readonly cartId: string;
  acknowledged: number;
  /** Calls that ended in an error: each may or may not have been applied. */
  inDoubt: number;
}

export interface Load {
  readonly tallies: WriterTally[];
  /**
   * Resolves once every writer has had at least `atLeast` acknowledgements; rejects, naming the
   * tallies, when that has not happened within `withinMs` (a backend that never serves again).
   */
  acknowledgedByAll(atLeast: number, withinMs?: number): Promise<void>;
  /** Stops the writers after their current call. */
  stop(): Promise<void>;
}

/** `writers` clients, each adding one item at a time to its own cart through `address`. */
export function startLoad(address: string, prefix: string): Load {
  const tallies: WriterTally[] = Array.from({ length: writers }, (_, i) => ({ cartId: `${prefix}-w${i}`, acknowledged: 0, inDoubt: 0 }));
  let stopping = false;
  let progress: () => void = () => {};
  const clients: ShoppingCartClient[] = [];
  const loops = tallies.map(async (tally) => {
    const client = createShoppingCartClient(address, { callTimeoutMs: 20_000 });
    clients.push(client);
    while (!stopping) {
      try {
        await client.addItem(tally.cartId, "sku", "Item", 1);
        tally.acknowledged++;
      } catch {
        tally.inDoubt++;
        // The process behind the address is down: ask again soon (event-driven enough: every
        // failed call has already waited for its connection attempt to fail).
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      progress();
    }
  });
  return {
    tallies,
    acknowledgedByAll: (atLeast, withinMs = 240_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          const seen = tallies.map((t) => `${t.cartId}: ${t.acknowledged} acknowledged, ${t.inDoubt} failed`).join("; ");
          reject(new Error(`not every writer had ${atLeast} AddItems acknowledged within ${withinMs} ms (${seen})`));
        }, withinMs);
        const check = () => {
          if (tallies.every((t) => t.acknowledged >= atLeast)) {
            clearTimeout(timer);
            resolve();
          }
        };
        progress = check;
        check();
      }),
    async stop() {
      stopping = true;
      await Promise.all(loops);
      for (const client of clients) client.close();
    },
  };
}

/** Reads every cart through `address` and compares with what its writer saw. */
export async function verify(
  address: string,
  tallies: readonly WriterTally[],
): Promise<{ lost: number; landedInDoubt: number; excess: number }> {
  const client = createShoppingCartClient(address, { callTimeoutMs: 20_000 });
  let lost = 0;
  let landedInDoubt = 0;
  let excess = 0;
  try {
    for (const tally of tallies) {
      const cart = await client.getCart(tally.cartId);
      const quantity = cart.items.find((item) => item.productId === "sku")?.quantity ?? 0;
      if (quantity < tally.acknowledged) lost += tally.acknowledged - quantity;
      if (quantity > tally.acknowledged + tally.inDoubt) excess += quantity - tally.acknowledged - tally.inDoubt;
      landedInDoubt += Math.max(0, Math.min(quantity - tally.acknowledged, tally.inDoubt));
    }
  } finally {
    client.close();
  }
  return { lost, landedInDoubt, excess };
}

/** Waits until one AddItem through `address` succeeds (the process behind it serves again). */
export async function servesAgain(address: string, cartId: string, recoveryMs: number): Promise<void> {
  const client = createShoppingCartClient(address, { callTimeoutMs: 5_000 });
  const deadline = Date.now() + recoveryMs;
  try {
    for (;;) {
      try {
        await client.getCart(cartId);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`nothing served through ${address} within ${recoveryMs} ms: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    client.close();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, "close");
  return port;
}
