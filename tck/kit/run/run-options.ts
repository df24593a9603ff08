import type { KnownFailure } from "./known-failing-list.js";
import type { Output } from "./progress-printer.js";
import type { ReportRequest } from "./report-request.js";

/** What every judged run takes, whichever side is under test. */
export interface RunOptions {
  /** Cucumber tag expression selecting scenarios, e.g. `@A1 or @property`. */
  readonly tags?: string;
  /** Bound on every wait for the implementation under test. */
  readonly timeoutMs: number;
  /** fast-check seed for the properties (default: a fresh one, printed on failure). */
  readonly seed?: number;
  /** fast-check runs per property. */
  readonly runs: number;
  readonly reports?: readonly ReportRequest[];
  readonly knownFailing?: readonly KnownFailure[];
  /** Where the readable run goes (the CLI passes stdout). */
  readonly out: Output;
  /** The command line that reruns this configuration (printed with property counterexamples). */
  readonly rerunCommand?: string;
}
