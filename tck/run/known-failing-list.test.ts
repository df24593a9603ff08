import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KnownFailingListError, parseKnownFailingList } from "./known-failing-list.js";
import { judgeScenario, summarise, type ScenarioVerdict } from "./scenario-verdict.js";

describe("parseKnownFailingList", () => {
  it("reads one scenario and reason per line, skipping comments and blank lines", () => {
    const list = parseKnownFailingList("# header\n\nD3 exactly one answer # our library batches replies\n  C9 a replay # slow on CI  \n");
    assert.deepEqual(list, [
      { scenario: "D3 exactly one answer", reason: "our library batches replies", line: 3 },
      { scenario: "C9 a replay", reason: "slow on CI", line: 4 },
    ]);
  });

  it("splits on the last ' # ' so scenario names may hold a '#'", () => {
    assert.deepEqual(parseKnownFailingList("a #1 b # why")[0], { scenario: "a #1 b", reason: "why", line: 1 });
  });

  it("refuses lines without a reason", () => {
    assert.throws(() => parseKnownFailingList("D3 exactly one answer"), KnownFailingListError);
    assert.throws(() => parseKnownFailingList("D3 exactly one answer # "), KnownFailingListError);
  });
});

describe("judging scenarios with the list", () => {
  const known = { scenario: "x", reason: "r", line: 1 };
  const verdict = (name: string, kind: ScenarioVerdict["kind"], knownFailure?: typeof known): ScenarioVerdict => ({
    name, uri: "f", tags: [], status: kind === "passed" || kind === "now-passing" ? "PASSED" : "FAILED", kind, durationMs: 1,
    ...(knownFailure ? { knownFailure } : {}),
  });

  it("maps pass/fail and listed/unlisted to the four verdicts", () => {
    assert.equal(judgeScenario(true, undefined), "passed");
    assert.equal(judgeScenario(false, undefined), "failed");
    assert.equal(judgeScenario(false, known), "expected-failure");
    assert.equal(judgeScenario(true, known), "now-passing");
  });

  it("counts expected failures apart, and a listed scenario that passes as a failure", () => {
    const summary = summarise([verdict("a", "passed"), verdict("x", "expected-failure", known)], [known]);
    assert.deepEqual([summary.passed, summary.failed, summary.expectedFailures, summary.success], [1, 0, 1, true]);
    const stale = summarise([verdict("x", "now-passing", known)], [known]);
    assert.deepEqual([stale.passed, stale.failed, stale.success], [0, 1, false]);
  });

  it("reports listed scenarios that matched nothing, and a run with no scenario is no success", () => {
    const summary = summarise([verdict("a", "passed")], [known]);
    assert.deepEqual(summary.unmatchedKnownFailures, [known]);
    assert.equal(summarise([], []).success, false);
  });
});
