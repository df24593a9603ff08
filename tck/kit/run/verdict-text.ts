// How a verdict that differs from the step statuses reads, in every report (progress, cucumber's
// formats, the kit's own page): an expected failure, a known-flaky failure, a listed scenario that passes.
import type { ScenarioVerdict } from "./scenario-verdict.js";

export function expectedFailureText(verdict: ScenarioVerdict): string {
  const k = verdict.knownFailure;
  return k?.flaky
    ? `known flaky, failed this time (not counted; known-flaky list, line ${k.line}): ${k.reason}`
    : `expected failure (known-failing list, line ${k?.line}): ${k?.reason}`;
}

export function nowPassesText(verdict: ScenarioVerdict): string {
  return `NOW PASSES but is on the known-failing list (line ${verdict.knownFailure?.line}, "${verdict.knownFailure?.reason}"): remove it from the list`;
}
