import { KnownFailingListError, readKnownFailingList } from "../../run/known-failing-list.js";
import { createCommandBackendLauncher } from "../driver/command-backend-launcher.js";
import { createTargetBackendLauncher } from "../driver/target-backend-launcher.js";
import { runBackendMode } from "../run/run-backend-mode.js";
import { BackendUsageError, backendRerunCommand, backendUsage, parseBackendModeArgs } from "./backend-mode-config.js";

/** `tck backend …`: exit code 0 when everything passed, 1 when something failed, 2 for a wrong command line. */
export async function runBackendCommand(args: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    const config = parseBackendModeArgs(args);
    if (config === "help") {
      out.write(`${backendUsage}\n`);
      return 0;
    }
    const knownFailing = config.knownFailingFile ? readKnownFailingList(config.knownFailingFile) : [];
    const launcher =
      config.backend.kind === "command"
        ? createCommandBackendLauncher({ command: config.backend.command, durable: config.backend.durable })
        : createTargetBackendLauncher(config.backend.target);
    const summary = await runBackendMode({
      launcher,
      settings: { passivationTimeoutMs: config.passivationTimeoutMs, relayTimeoutMs: config.relayTimeoutMs, relayBuffer: config.relayBuffer },
      timeoutMs: config.timeoutMs,
      startupTimeoutMs: config.startupTimeoutMs,
      runs: config.runs,
      knownFailing,
      reports: config.reports,
      out,
      rerunCommand: backendRerunCommand(config),
      ...(config.userFunctionPort === undefined ? {} : { userFunctionPort: config.userFunctionPort }),
      ...(config.tags === undefined ? {} : { tags: config.tags }),
      ...(config.seed === undefined ? {} : { seed: config.seed }),
    });
    return summary.success ? 0 : 1;
  } catch (error) {
    if (error instanceof BackendUsageError) {
      err.write(`tck backend: ${error.message}\n\n${backendUsage}\n`);
      return 2;
    }
    if (error instanceof KnownFailingListError) {
      err.write(`tck backend: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
