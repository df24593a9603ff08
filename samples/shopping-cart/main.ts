// Runs the shopping cart user function: `--host`/`--port` flags, else HOST/PORT, else 127.0.0.1:8080; TLS_CERT/TLS_KEY (and TLS_CLIENT_CA) serve TLS.
// DEBUG=stateserv-event-sourcing logs the protocol traffic.
import { parseArgs } from "node:util";
import { listenOptionsFrom } from "../../reference/support/index.js";
import { startShoppingCart } from "./index.js";

try {
  const { values } = parseArgs({ options: { host: { type: "string" }, port: { type: "string" } }, strict: true });
  const running = await startShoppingCart(listenOptionsFrom(values));
  const stop = () => {
    console.log("shopping-cart user function stopping");
    void running.close().then(() => console.log("shopping-cart user function stopped"));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // Announced only once the signal handlers are in place: whoever waits for this line may stop us at once.
  console.log(`shopping-cart user function listening on ${running.address}`);
} catch (error) {
  console.error(`shopping-cart user function cannot start: ${(error as Error).message}`);
  process.exitCode = 1;
}
