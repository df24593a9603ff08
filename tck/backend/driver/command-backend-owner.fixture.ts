// Run by command-backend-launcher.test.ts: launches a backend whose grandchild writes its
// pid to argv[2], then waits to be signalled (or, with argv[3] = "exit", exits by itself).
// Every case records the backend's process group in `${argv[2]}.group`, written synchronously
// inside spawn(), so the test can judge the whole group even when the backend was killed before
// its shell got as far as writing its pid.
// With argv[3] = "SIGINT-at-spawn" the kit signals itself inside spawn(), before spawn returns:
// the worst moment a user's Ctrl-C can land on a loaded machine. "SIGINT-at-spawn-slow-shell" is
// the same with a shell that takes a second before starting the grandchild: the group dies before
// any pid is written (what a loaded CI machine did to the plain case).
import childProcess from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { defaultBackendSettings } from "./backend-settings.js";
import { createCommandBackendLauncher } from "./command-backend-launcher.js";

const [pidFile, how] = process.argv.slice(2);
const spawn = childProcess.spawn;
childProcess.spawn = ((...args: Parameters<typeof spawn>) => {
  const child = spawn(...args);
  writeFileSync(`${pidFile}.group`, String(child.pid));
  if (how?.startsWith("SIGINT-at-spawn")) process.kill(process.pid, "SIGINT");
  return child;
}) as typeof spawn;
syncBuiltinESMExports();
await createCommandBackendLauncher({
  command: `${how === "SIGINT-at-spawn-slow-shell" ? "sleep 1; " : ""}sleep 300 & echo $! > ${pidFile}; wait`,
}).launch({ userFunction: "127.0.0.1:1", settings: defaultBackendSettings });
if (how === "exit") {
  while (!existsSync(pidFile!)) await new Promise((r) => setTimeout(r, 20));
  process.exit(1);
}
setInterval(() => undefined, 1_000);
