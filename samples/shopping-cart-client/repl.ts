import { parseClientArgs, targetOf } from "./client-args.js";
import { startShoppingCartRepl } from "./start-repl.js";

// Entry point: `tsx samples/shopping-cart-client/repl.ts [--host h] [--port p]`.
try {
  const parsed = parseClientArgs(process.argv.slice(2));
  if (parsed.kind === "help") process.stdout.write(parsed.text);
  else startShoppingCartRepl({ address: targetOf(parsed.args) });
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 2;
}
