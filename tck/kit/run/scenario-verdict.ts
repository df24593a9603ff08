import type { KnownFailure } from "./known-failing-list.js";

/** How one scenario ended, after the known-failing list is applied. */
export type VerdictKind =
  | "passed"
  | "failed"
  /** Failed, and listed as known-failing: not counted as a failure. */
  | "expected-failure"
  /** Passed although listed as known-failing: the list is stale, the run fails. */
  | "now-passing";

export interface ScenarioVerdict {
  readonly name: string;
  readonly uri: string;
  readonly tags: readonly string[];
  /** Cucumber's worst step status (PASSED, FAILED, SKIPPED, UNDEFINED, …). */
  readonly status: string;
  readonly kind: VerdictKind;
  /** The failing step and its message, when not passed. */
  readonly failure?: { readonly step: string; readonly message: string };
  readonly knownFailure?: KnownFailure;
  /** Lines its steps left for the readable run (figures such as H8's trial counts). */
  readonly notes?: readonly string[];
  readonly durationMs: number;
}

/** A scenario the run could not execute against this implementation, and why: never counted as passed. */
export interface NotRun {
  readonly name: string;
  readonly uri: string;
  readonly reason: string;
}

/**
 * A listed scenario that fails is an expected failure. One that passes: "now-passing" (the run fails:
 * remove the entry) when the entry names it; plain "passed" when the entry is a catalogue id or a glob
 * (such an entry is stale only when everything it picked passed, see `summarise`) or a flaky one.
 */
export function judgeScenario(passed: boolean, known: KnownFailure | undefined): VerdictKind {
  if (!known) return passed ? "passed" : "failed";
  if (!passed) return "expected-failure";
  return known.flaky || known.match !== "name" ? "passed" : "now-passing";
}

export interface RunSummary {
  readonly verdicts: readonly ScenarioVerdict[];
  readonly passed: number;
  /** Failures that count: real failures, stale known-failing entries, and a run that could not start. */
  readonly failed: number;
  readonly expectedFailures: number;
  /** Listed scenarios that matched nothing in this run (a typo, or filtered out by tags). */
  readonly unmatchedKnownFailures: readonly KnownFailure[];
  /** Known-failing catalogue-id or glob entries whose every scenario passed: stale, each counted as a failure. */
  readonly staleKnownFailures: readonly KnownFailure[];
  readonly success: boolean;
}

export function summarise(verdicts: readonly ScenarioVerdict[], known: readonly KnownFailure[], problems = 0): RunSummary {
  const count = (kind: VerdictKind) => verdicts.filter((v) => v.kind === kind).length;
  const matched = new Set(verdicts.map((v) => v.knownFailure).filter((k) => k !== undefined));
  const stale = known.filter(
    (k) => !k.flaky && k.match !== "name" && matched.has(k) && verdicts.every((v) => v.knownFailure !== k || v.kind === "passed"),
  );
  const failed = count("failed") + count("now-passing") + stale.length + problems;
  return {
    verdicts,
    passed: count("passed"),
    failed,
    expectedFailures: count("expected-failure"),
    unmatchedKnownFailures: known.filter((k) => !matched.has(k)),
    staleKnownFailures: stale,
    success: failed === 0 && verdicts.length > 0,
  };
}
