import { kitVersion } from "./kit/run/kit-version.js";
import { runBackendCommand } from "./backend/cli/index.js";
import { runInterceptCommand, untilSignal } from "./intercept/index.js";
import { runUserFunctionCommand } from "./user-function/cli/user-function-command.js";

export { kitVersion };

const usage = `Usage: tck MODE [options]

Modes:
  user-function   the kit plays the backend against a user function (tck user-function --help)
  backend         the kit plays the client and the user function against a backend (tck backend --help)
  intercept       the kit sits between a real backend and a real user function (tck intercept --help)

Run "tck MODE --help" for a mode's options; "tck --version" prints the kit's version.`;

/** Exit codes: 0 all passed, 1 something failed, 2 the command line or a list is wrong. */
export async function main(
  args: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [mode, ...rest] = args;
  if (mode === undefined || mode === "--help" || mode === "-h" || mode === "help") {
    out.write(`${usage}\n`);
    return mode === undefined ? 2 : 0;
  }
  if (mode === "--version" || mode === "-v" || mode === "version") {
    out.write(`${kitVersion()}\n`);
    return 0;
  }
  if (mode === "backend") return runBackendCommand(rest, out, err);
  if (mode === "intercept") {
    return runInterceptCommand(rest, {
      out: (line) => out.write(`${line}\n`),
      err: (line) => err.write(`${line}\n`),
      stopSignal: untilSignal(),
    });
  }
  if (mode !== "user-function") {
    err.write(`tck: unknown mode ${JSON.stringify(mode)}\n\n${usage}\n`);
    return 2;
  }
  return runUserFunctionCommand(rest, out, err);
}
