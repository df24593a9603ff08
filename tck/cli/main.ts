import { runBackendCommand } from "../backend/cli/index.js";
import { runInterceptCommand, untilSignal } from "../intercept/index.js";
import { readKnownFailingList, KnownFailingListError } from "../run/known-failing-list.js";
import { runUserFunctionMode } from "../run/run-user-function-mode.js";
import { parseUserFunctionArgs, rerunCommandOf, UsageError, userFunctionUsage } from "./user-function-config.js";

const usage = `Usage: tck MODE [options]

Modes:
  user-function   the kit plays the backend against a user function (tck user-function --help)
  backend         the kit plays the client and the user function against a backend (tck backend --help)
  intercept       the kit sits between a real backend and a real user function (tck intercept --help)

Run "tck MODE --help" for a mode's options.`;

/** Exit codes: 0 all passed, 1 something failed, 2 the command line or a list is wrong. */
export async function main(args: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [mode, ...rest] = args;
  if (mode === undefined || mode === "--help" || mode === "-h" || mode === "help") {
    out.write(`${usage}\n`);
    return mode === undefined ? 2 : 0;
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
  try {
    const config = parseUserFunctionArgs(rest);
    if (config === "help") {
      out.write(`${userFunctionUsage}\n`);
      return 0;
    }
    const knownFailing = config.knownFailingFile ? readKnownFailingList(config.knownFailingFile) : [];
    const summary = await runUserFunctionMode({
      target: config.target,
      subject: config.subject,
      ...(config.tags ? { tags: config.tags } : {}),
      reports: config.reports,
      knownFailing,
      timeoutMs: config.timeoutMs,
      snapshotEvery: config.snapshotEvery,
      ...(config.seed === undefined ? {} : { seed: config.seed }),
      runs: config.runs,
      out,
      rerunCommand: rerunCommandOf(config),
    });
    return summary.success ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`tck user-function: ${error.message}\n\n${userFunctionUsage}\n`);
      return 2;
    }
    if (error instanceof KnownFailingListError) {
      err.write(`tck user-function: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
