import { runModeCommand } from "../../kit/cli/run-mode-command.js";
import { createCommandBackendLauncher } from "../driver/command-backend-launcher.js";
import { createTargetBackendLauncher } from "../driver/target-backend-launcher.js";
import { preflightBackendTarget } from "../run/preflight-backend.js";
import { runBackendMode } from "../run/run-backend-mode.js";
import { backendRerunCommand, backendUsage, parseBackendModeArgs } from "./backend-mode-config.js";

/** `tck backend …`: exit code 0 when everything passed, 1 when something failed, 2 for a wrong command line. */
export function runBackendCommand(
  args: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  return runModeCommand(
    {
      mode: "backend",
      usage: backendUsage,
      parse: parseBackendModeArgs,
      preflight: async (config) => {
        if (config.backend.kind === "target") await preflightBackendTarget(config.backend.target, config.timeoutMs);
        return config;
      },
      run: (config, knownFailing, out) =>
        runBackendMode({
          launcher:
            config.backend.kind === "command"
              ? createCommandBackendLauncher({ command: config.backend.command, durable: config.backend.durable })
              : createTargetBackendLauncher(config.backend.target),
          settings: {
            passivationTimeoutMs: config.passivationTimeoutMs,
            relayTimeoutMs: config.relayTimeoutMs,
            relayBuffer: config.relayBuffer,
          },
          timeoutMs: config.timeoutMs,
          startupTimeoutMs: config.startupTimeoutMs,
          lacks: config.lacks,
          runs: config.runs,
          knownFailing,
          reports: config.reports,
          out,
          rerunCommand: backendRerunCommand(config),
          ...(config.userFunctionPort === undefined ? {} : { userFunctionPort: config.userFunctionPort }),
          ...(config.tags === undefined ? {} : { tags: config.tags }),
          ...(config.seed === undefined ? {} : { seed: config.seed }),
        }),
    },
    args,
    out,
    err,
  );
}
