import { startShoppingCart } from "../samples/shopping-cart/index.js";
import { runUserFunctionMode } from "./run/run-user-function-mode.js";
const uf = await startShoppingCart({ host: "127.0.0.1", port: 0 });
const summary = await runUserFunctionMode({ target: `127.0.0.1:${uf.port}`, subject: "shopping-cart", timeoutMs: 2000, snapshotEvery: 5, runs: 30, out: process.stdout, ...(process.argv[2] ? { tags: process.argv[2] } : {}) });
await uf.close();
console.log("success", summary.success);
