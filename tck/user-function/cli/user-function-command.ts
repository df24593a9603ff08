import { preflightUserFunction } from "../run/preflight.js";
import { runUserFunctionMode } from "../run/run-user-function-mode.js";
import { runModeCommand } from "../../kit/cli/run-mode-command.js";
import { parseUserFunctionArgs, rerunCommandOf, userFunctionUsage } from "./user-function-config.js";

/** `tck user-function …`: exit code 0 when everything passed, 1 when something failed, 2 for a wrong command line. */
export function runUserFunctionCommand(
  args: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  return runModeCommand(
    {
      mode: "user-function",
      usage: userFunctionUsage,
      parse: parseUserFunctionArgs,
      preflight: async (config) => ({
        ...config,
        subject: await preflightUserFunction({ target: config.target, subject: config.subject, timeoutMs: config.timeoutMs }),
      }),
      run: (config, knownFailing, out) => {
        // The preflight has named the subject (given, or inferred from ready()).
        const subject = config.subject;
        if (subject === undefined) throw new Error("the preflight did not resolve the subject");
        return runUserFunctionMode({
          target: config.target,
          subject,
          ...(config.tags ? { tags: config.tags } : {}),
          reports: config.reports,
          knownFailing,
          timeoutMs: config.timeoutMs,
          snapshotEvery: config.snapshotEvery,
          ...(config.seed === undefined ? {} : { seed: config.seed }),
          runs: config.runs,
          out,
          rerunCommand: rerunCommandOf({ ...config, subject }),
        });
      },
    },
    args,
    out,
    err,
  );
}
