import { KnownFailingListError, readKnownFailingList, type KnownFailure } from "../run/known-failing-list.js";
import type { RunSummary } from "../run/scenario-verdict.js";
import { PreflightError } from "../run/preflight.js";
import { UsageError } from "./usage-error.js";

/** A mode of the `tck` command that runs features and ends with a summary: user-function, backend. */
export interface ModeCommand<Config extends { readonly knownFailingFile?: string }> {
  /** As the command line names it, e.g. `backend`. */
  readonly mode: string;
  readonly usage: string;
  /** Parses the arguments after the mode; throws UsageError, or answers "help". */
  parse(args: readonly string[]): Config | "help";
  /** Checks the target before any scenario and may complete the configuration; throws PreflightError. */
  preflight?(config: Config): Promise<Config>;
  run(config: Config, knownFailing: readonly KnownFailure[], out: NodeJS.WritableStream): Promise<RunSummary>;
}

/**
 * Runs one mode from its arguments. Exit codes: 0 all passed, 1 something
 * failed, 2 the command line or the known-failing list is wrong, or the target cannot be judged.
 */
export async function runModeCommand<Config extends { readonly knownFailingFile?: string }>(
  command: ModeCommand<Config>,
  args: readonly string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  try {
    const config = command.parse(args);
    if (config === "help") {
      out.write(`${command.usage}\n`);
      return 0;
    }
    const knownFailing = config.knownFailingFile ? readKnownFailingList(config.knownFailingFile) : [];
    const checked = command.preflight ? await command.preflight(config) : config;
    const summary = await command.run(checked, knownFailing, out);
    return summary.success ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`tck ${command.mode}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (error instanceof KnownFailingListError || error instanceof PreflightError) {
      err.write(`tck ${command.mode}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
