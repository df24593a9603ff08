import repl from "node:repl";
import { inspect } from "node:util";
import type { Readable, Writable } from "node:stream";
import { formatCart } from "./format-cart.js";
import { ShoppingCartCallError } from "./shopping-cart-call-error.js";
import { createShoppingCartClient, type ShoppingCartClient } from "./shopping-cart-client.js";

export interface ReplOptions {
  /** The backend, host:port. */
  readonly address: string;
  readonly input?: Readable;
  readonly output?: Writable;
  /** Whether the streams are a terminal (colours, line editing); default: stdout's answer. */
  readonly terminal?: boolean;
}

export const replBanner = (address: string) => `Shopping cart client for ${address}. Try:
  await client.addItem("user-1", "123", "Eggs", 2)
  await client.addItem("user-1", "456", "Flour", 4)
  await client.removeItem("user-1", "456")
  await client.getCart("user-1")
  await show("user-1")          // the cart, printed readably
`;

/**
 * An interactive session, as the seed's `sbt akka-client/console` offered:
 * a ready `client` whose calls return promises (await them), and `show(user)`.
 * Failed calls print as `UNAVAILABLE: …`, without a stack trace.
 */
export function startShoppingCartRepl(options: ReplOptions): { server: repl.REPLServer; client: ShoppingCartClient } {
  const client = createShoppingCartClient(options.address);
  const output = options.output ?? process.stdout;
  output.write(replBanner(options.address));
  const terminal = options.terminal ?? (options.output === undefined && process.stdout.isTTY === true);
  const server = repl.start({
    prompt: "cart> ",
    input: options.input ?? process.stdin,
    output,
    terminal,
    useGlobal: false,
    // The REPL prints values and uncaught errors through this: a failed call as its status line.
    writer: (value: unknown) => (value instanceof ShoppingCartCallError ? value.message : inspect(value, { colors: terminal, depth: 6 })),
  });
  const show = async (userId: string): Promise<void> => {
    output.write(formatCart(userId, await client.getCart(userId)) + "\n");
  };
  Object.assign(server.context, { client, show });
  server.on("exit", () => client.close());
  return { server, client };
}
