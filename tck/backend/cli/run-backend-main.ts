import { runBackendCommand } from "./backend-command.js";

// Backend mode without the `tck` command's mode dispatch (tck/main.ts): the same arguments as `tck backend`.
const code = await runBackendCommand(process.argv.slice(2));
process.exitCode = code;
// A backend process or stream left half-open must not keep the kit alive.
setTimeout(() => process.exit(code), 2_000).unref();
