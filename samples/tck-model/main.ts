// Runs the TCK model entity: `--host`/`--port` (else HOST/PORT, else 127.0.0.1:8080; TLS_CERT/TLS_KEY (and TLS_CLIENT_CA) serve TLS) and `--snapshot-every` (default 5).
// DEBUG=stateserv-event-sourcing logs the protocol traffic.
import { parseArgs } from "node:util";
import { listenOptionsFrom } from "../../reference/support/index.js";
import { defaultModelSnapshotEvery, startModelEntity } from "./index.js";

try {
  const { values } = parseArgs({
    options: { host: { type: "string" }, port: { type: "string" }, "snapshot-every": { type: "string" } },
    strict: true,
  });
  const snapshotText = values["snapshot-every"] ?? String(defaultModelSnapshotEvery);
  if (!/^\d+$/.test(snapshotText)) throw new Error(`invalid --snapshot-every "${snapshotText}": expected a whole number ≥ 0`);
  const running = await startModelEntity({ ...listenOptionsFrom(values), snapshotEvery: Number(snapshotText) });
  const stop = () => {
    console.log("tck-model user function stopping");
    void running.close().then(() => console.log("tck-model user function stopped"));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // Announced only once the signal handlers are in place: whoever waits for this line may stop us at once.
  console.log(`tck-model user function listening on ${running.address} (snapshot every ${snapshotText})`);
} catch (error) {
  console.error(`tck-model user function cannot start: ${(error as Error).message}`);
  process.exitCode = 1;
}
