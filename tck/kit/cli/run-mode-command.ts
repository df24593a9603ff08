import { writeFileSync } from "node:fs";
import { formatKnownFailingList, KnownFailingListError, readKnownFailingList, type KnownFailure } from "../run/known-failing-list.js";
import type { RunSummary } from "../run/scenario-verdict.js";
import { PreflightError } from "../run/preflight-error.js";
import type { ExpectedFailureFiles } from "./expected-failure-flags.js";
import { UsageError } from "./usage-error.js";

/** A mode of the `tck` command that runs features and ends with a summary: user-function, backend. */
export interface ModeCommand<Config extends ExpectedFailureFiles> {
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
export async function runModeCommand<Config extends ExpectedFailureFiles>(
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
    const knownFailing = [
      ...(config.knownFailingFile ? readKnownFailingList(config.knownFailingFile) : []),
      ...(config.knownFlakyFile ? readKnownFailingList(config.knownFlakyFile, true) : []),
    ];
    const checked = command.preflight ? await command.preflight(config) : config;
    const summary = await command.run(checked, knownFailing, out);
    if (config.writeKnownFailingFile) {
      try {
        writeRunFailures(config.writeKnownFailingFile, command.mode, args, summary, err);
      } catch (error) {
        err.write(
          `tck ${command.mode}: cannot write the known-failing list ${config.writeKnownFailingFile}: ${(error as Error).message}\n`,
        );
        return 2;
      }
    }
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

/**
 * Writes the run's failures (counted ones and expected ones, not flaky ones) as a known-failing list,
 * ready for `--known-failing` on the next run. The reason is the first line of what was expected.
 */
function writeRunFailures(file: string, mode: string, args: readonly string[], summary: RunSummary, err: NodeJS.WritableStream): void {
  const failures = summary.verdicts
    .filter((v) => v.kind === "failed" || (v.kind === "expected-failure" && !v.knownFailure?.flaky))
    .map((v) => ({ name: v.name, why: firstLine(v.failure?.message.match(/expected: (.*)/)?.[1] ?? v.failure?.message ?? v.status) }));
  const header = [
    `known-failing list written by: tck ${mode} ${args.join(" ")}`,
    `${failures.length} failing scenario(s) on ${new Date().toISOString()}; edit the reasons, then run with --known-failing ${file}`,
  ];
  writeFileSync(file, formatKnownFailingList(failures, header));
  // On stderr: the last line of stdout stays the summary line CI reads.
  err.write(`wrote ${failures.length} failing scenario(s) to ${file} (use it with --known-failing)\n`);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}
