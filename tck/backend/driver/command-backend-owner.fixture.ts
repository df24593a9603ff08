// Run by command-backend-launcher.test.ts: launches a backend whose grandchild writes its
// pid to argv[2], then waits to be signalled (or, with argv[3] = "exit", exits by itself).
// With argv[3] = "SIGINT-at-spawn" the kit signals itself inside spawn(), before spawn returns:
// the worst moment a user's Ctrl-C can land on a loaded machine.
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import { defaultBackendSettings } from "./backend-settings.js";
import { createCommandBackendLauncher } from "./command-backend-launcher.js";

const [pidFile, how] = process.argv.slice(2);
if (how === "SIGINT-at-spawn") {
  const spawn = childProcess.spawn;
  childProcess.spawn = ((...args: Parameters<typeof spawn>) => {
    const child = spawn(...args);
    process.kill(process.pid, "SIGINT");
    return child;
  }) as typeof spawn;
  syncBuiltinESMExports();
}
await createCommandBackendLauncher({ command: `sleep 300 & echo $! > ${pidFile}; wait` }).launch({ userFunction: "127.0.0.1:1", settings: defaultBackendSettings });
if (how === "exit") {
  const { existsSync } = await import("node:fs");
  while (!existsSync(pidFile!)) await new Promise((r) => setTimeout(r, 20));
  process.exit(1);
}
setInterval(() => undefined, 1_000);
