import { parseClientArgs, targetOf } from "./client-args.js";
import { runSeedSession } from "./run-seed-session.js";
import { ShoppingCartCallError } from "./shopping-cart-call-error.js";
import { createShoppingCartClient } from "./shopping-cart-client.js";

// Entry point: `tsx samples/shopping-cart-client/main.ts [--host h] [--port p]` replays the seed's session.
async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseClientArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (parsed.kind === "help") {
    process.stdout.write(parsed.text);
    return 0;
  }
  const address = targetOf(parsed.args);
  const client = createShoppingCartClient(address);
  try {
    process.stdout.write(`shopping cart at ${address}\n`);
    await runSeedSession(client, (line) => process.stdout.write(line + "\n"));
    return 0;
  } catch (error) {
    if (!(error instanceof ShoppingCartCallError)) throw error;
    process.stderr.write(`${error.method} failed: ${error.message}\n`);
    return 1;
  } finally {
    client.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
