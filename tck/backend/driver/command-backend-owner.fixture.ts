// Run by command-backend-launcher.test.ts: launches a backend whose grandchild writes its
// pid to argv[2], then waits to be signalled (or, with argv[3] = "exit", exits by itself).
import { defaultBackendSettings } from "./backend-settings.js";
import { createCommandBackendLauncher } from "./command-backend-launcher.js";

const [pidFile, how] = process.argv.slice(2);
await createCommandBackendLauncher({ command: `sleep 300 & echo $! > ${pidFile}; wait` }).launch({ userFunction: "127.0.0.1:1", settings: defaultBackendSettings });
if (how === "exit") {
  const { existsSync } = await import("node:fs");
  while (!existsSync(pidFile!)) await new Promise((r) => setTimeout(r, 20));
  process.exit(1);
}
setInterval(() => undefined, 1_000);
