import { startModelEntity } from "../samples/tck-model/index.js";
import { runUserFunctionMode } from "./run/run-user-function-mode.js";
const n = Number(process.argv[2] ?? 5);
const uf = await startModelEntity({ host: "127.0.0.1", port: 0, snapshotEvery: n });
const summary = await runUserFunctionMode({ target: `127.0.0.1:${uf.port}`, subject: "model", timeoutMs: 2000, snapshotEvery: n, runs: 50, out: process.stdout, ...(process.argv[3] ? { tags: process.argv[3] } : {}) });
await uf.close();
console.log("success", summary.success);
