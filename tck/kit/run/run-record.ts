import type { KnownFailure } from "./known-failing-list.js";
import { createProgressPrinter, type Output, type ProgressPrinter } from "./progress-printer.js";
import { summarise, type NotRun, type RunSummary, type ScenarioVerdict } from "./scenario-verdict.js";
import type { VerdictSink } from "./verdict-collector.js";

export interface RunRecordOptions {
  readonly out: Output;
  readonly knownFailing: readonly KnownFailure[];
  /**
   * Whether this mode skips scenarios on purpose (backend mode: no restart, no
   * other subject). Then they are listed as not run and the summary line counts
   * them; otherwise a skipped scenario is a failed one.
   */
  readonly listsNotRun: boolean;
}

/** A run's summary, with what it could not execute (always empty in modes that never skip on purpose). */
export interface RecordedRunSummary extends RunSummary {
  readonly notRun: readonly NotRun[];
}

/**
 * What one run of a mode has judged so far, printed as it comes: the scenario
 * verdicts, the scenarios not run, and the problems that kept the run from
 * completing (each counts as a failure).
 */
export class RunRecord implements VerdictSink {
  readonly #printer: ProgressPrinter;
  readonly #knownFailing: readonly KnownFailure[];
  readonly #verdicts: ScenarioVerdict[] = [];
  readonly #notRun: NotRun[] = [];
  #problems = 0;
  readonly notRun?: (notRun: NotRun) => void;

  constructor(options: RunRecordOptions) {
    this.#printer = createProgressPrinter(options.out);
    this.#knownFailing = options.knownFailing;
    if (options.listsNotRun) {
      this.notRun = (n) => {
        this.#notRun.push(n);
        this.#printer.notRun(n);
      };
    }
  }

  get knownFailing(): readonly KnownFailure[] {
    return this.#knownFailing;
  }

  header(text: string): void {
    this.#printer.header(text);
  }

  verdict(verdict: ScenarioVerdict): void {
    this.#verdicts.push(verdict);
    this.#printer.scenario(verdict);
  }

  problem(text: string): void {
    this.#problems++;
    this.#printer.problem(text);
  }

  /** Ends the run: a run that judged nothing fails (a tag expression matching nothing must not pass). */
  finish(tags: string | undefined): RecordedRunSummary {
    if (this.#verdicts.length === 0 && this.#notRun.length === 0 && this.#problems === 0) {
      this.problem(`no scenario matched${tags ? ` the tag expression ${tags}` : ""}`);
    }
    const summary = { ...summarise(this.#verdicts, this.#knownFailing, this.#problems), notRun: this.#notRun };
    this.#printer.summary(summary, this.notRun ? this.#notRun : undefined);
    return summary;
  }
}
