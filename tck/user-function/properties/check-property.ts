import fc from "fast-check";
import { createUserFunctionDriver, type UserFunctionDriver } from "../driver/user-function-driver.js";

export interface PropertySettings {
  readonly target: string;
  readonly timeoutMs: number;
  readonly runs: number;
  readonly seed?: number;
  /** Reruns the failing property: the seed and run count are appended. */
  readonly rerunCommand: string;
  /** The tag that selects this property's scenario, e.g. `@M1`. */
  readonly tag: string;
}

/** What one property run may tell the checker beyond passing or throwing. */
export interface RunContext {
  readonly driver: UserFunctionDriver;
  /** The user function did not answer in time: a transport failure, reported unshrunk. */
  noteHang(): void;
  /** The user function crashed or became unreachable (what happened): a transport failure, reported unshrunk. */
  noteTransportFailure(what: string): void;
}

export class PropertyFailure extends Error {
  override readonly name = "PropertyFailure";
}

/**
 * Runs a fast-check property whose every run gets its own driver (and so its own
 * transcript). On failure, throws a PropertyFailure with the seed, the shrunk
 * counterexample, the failing run's verdict and transcript, and a rerun command.
 */
export async function checkProperty<T>(
  settings: PropertySettings,
  title: string,
  arbitrary: fc.Arbitrary<T>,
  describe: (input: T) => string,
  run: (input: T, context: RunContext) => Promise<void>,
): Promise<void> {
  // A hung or crashed user function is a transport failure, not a logic bug: the first one ends the property
  // (shrinking would wait a full timeout per try, or judge a dead process) and is reported as such.
  let transport: string | undefined;
  const noteTransport = (what: string) => (transport ??= what);
  const property = fc.asyncProperty(arbitrary, async (input) => {
    if (transport !== undefined) return;
    const driver = createUserFunctionDriver({ target: settings.target, timeoutMs: settings.timeoutMs });
    try {
      await run(input, {
        driver,
        noteHang: () => noteTransport(`the user function hung (no answer within ${settings.timeoutMs} ms)`),
        noteTransportFailure: noteTransport,
      });
    } finally {
      driver.close();
    }
  });
  const timeLimitMs = Math.max(120_000, settings.runs * 2_000);
  const details = await fc.check(property, {
    numRuns: settings.runs,
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
    interruptAfterTimeLimit: timeLimitMs,
    markInterruptAsFailure: true,
  });
  if (!details.failed) return;
  const rerun = `${settings.rerunCommand} --tags '${settings.tag}' --seed=${details.seed} --runs ${settings.runs}`;
  const counterexample = details.counterexample ? describe(details.counterexample[0]) : "(none: the run was interrupted)";
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance ?? "interrupted");
  const indented = counterexample
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  if (transport !== undefined) {
    throw new PropertyFailure(
      [
        `property not judged: ${title}`,
        `  a transport failure, not a counterexample: ${transport}, in run ${details.numRuns} (seed ${details.seed}, path ${JSON.stringify(details.counterexamplePath)}); not shrunk, no further runs`,
        "  the commands of that run:",
        indented,
        cause,
        `  rerun: ${rerun}`,
      ].join("\n"),
    );
  }
  throw new PropertyFailure(
    [
      `property failed: ${title}`,
      `  after ${details.numRuns} run(s) and ${details.numShrinks} shrink(s); seed ${details.seed}, path ${JSON.stringify(details.counterexamplePath)}${details.interrupted ? `; interrupted after ${timeLimitMs} ms` : ""}`,
      "  counterexample (shrunk):",
      indented,
      cause,
      `  rerun: ${rerun}`,
    ]
      .filter((line) => line !== "")
      .join("\n"),
  );
}
