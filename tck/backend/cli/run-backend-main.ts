import { runBackendCommand } from "./backend-command.js";

// Stand-alone entry until `tck backend` is wired into tck/cli/main.ts.
const code = await runBackendCommand(process.argv.slice(2));
process.exitCode = code;
// A backend process or stream left half-open must not keep the kit alive.
setTimeout(() => process.exit(code), 2_000).unref();
