import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findKnownFailure, formatKnownFailingList, KnownFailingListError, parseKnownFailingList } from "./known-failing-list.js";
import { judgeScenario, summarise, type ScenarioVerdict } from "./scenario-verdict.js";

describe("parseKnownFailingList", () => {
  it("reads one scenario and reason per line, skipping comments and blank lines", () => {
    const list = parseKnownFailingList("# header\n\nD3 exactly one answer # our library batches replies\n  C9 a replay # slow on CI  \n");
    assert.deepEqual(list, [
      { scenario: "D3 exactly one answer", reason: "our library batches replies", line: 3, match: "name", flaky: false },
      { scenario: "C9 a replay", reason: "slow on CI", line: 4, match: "name", flaky: false },
    ]);
  });

  it("splits on the last ' # ' so scenario names may hold a '#'", () => {
    assert.deepEqual(parseKnownFailingList("a #1 b # why")[0], { scenario: "a #1 b", reason: "why", line: 1, match: "name", flaky: false });
  });

  it("refuses lines without a reason", () => {
    assert.throws(() => parseKnownFailingList("D3 exactly one answer"), KnownFailingListError);
    assert.throws(() => parseKnownFailingList("D3 exactly one answer # "), KnownFailingListError);
  });
});

describe("judging scenarios with the list", () => {
  const known = { scenario: "x", reason: "r", line: 1, match: "name" as const, flaky: false };
  const verdict = (name: string, kind: ScenarioVerdict["kind"], knownFailure?: typeof known): ScenarioVerdict => ({
    name,
    uri: "f",
    tags: [],
    status: kind === "passed" || kind === "now-passing" ? "PASSED" : "FAILED",
    kind,
    durationMs: 1,
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

describe("known-failing entries by catalogue id and glob, and known-flaky entries", () => {
  const entries = parseKnownFailingList("D2 # ids not wired yet\nF3 * # snapshots later\nD2 each answer carries its id # exact\n");
  const flaky = parseKnownFailingList("C9 # slow on loaded CI\n", "flaky.txt", true);
  const verdict = (name: string, tags: string[], passed: boolean, list = entries): ScenarioVerdict => {
    const knownFailure = findKnownFailure(list, name, tags);
    return {
      name,
      uri: "f",
      tags,
      status: passed ? "PASSED" : "FAILED",
      kind: judgeScenario(passed, knownFailure),
      durationMs: 1,
      ...(knownFailure ? { knownFailure } : {}),
    };
  };

  it("reads what each entry matches by", () => {
    assert.deepEqual(
      entries.map((e) => e.match),
      ["catalogue-id", "glob", "name"],
    );
    assert.equal(flaky[0]?.flaky, true);
  });

  it("picks scenarios by tag for an id and by pattern for a glob; a full name wins over both", () => {
    assert.equal(findKnownFailure(entries, "D2 other", ["@D2"])?.line, 1);
    assert.equal(findKnownFailure(entries, "D2 other", ["@D3"]), undefined, "an id matches the tag, not the name");
    assert.equal(findKnownFailure(entries, "F3 replies cross", ["@F3"])?.line, 2);
    assert.equal(findKnownFailure(entries, "XF3 replies", []), undefined, "a glob is anchored");
    assert.equal(findKnownFailure(entries, "D2 each answer carries its id", ["@D2"])?.line, 3);
  });

  it("counts a group entry's passing scenarios as passed, and the entry as stale only when all of them passed", () => {
    const mixed = summarise([verdict("D2 a", ["@D2"], true), verdict("D2 b", ["@D2"], false)], entries.slice(0, 1));
    assert.deepEqual(
      [mixed.passed, mixed.expectedFailures, mixed.failed, mixed.staleKnownFailures.length, mixed.success],
      [1, 1, 0, 0, true],
    );
    const allPass = summarise([verdict("D2 a", ["@D2"], true), verdict("D2 b", ["@D2"], true)], entries.slice(0, 1));
    assert.deepEqual([allPass.passed, allPass.failed, allPass.staleKnownFailures.length, allPass.success], [2, 1, 1, false]);
  });

  it("lets a flaky scenario pass or fail without failing the run, and never calls a flaky entry stale", () => {
    const passed = summarise([verdict("C9 replay", ["@C9"], true, flaky)], flaky);
    const failed = summarise([verdict("C9 replay", ["@C9"], false, flaky)], flaky);
    assert.deepEqual([passed.passed, passed.failed, passed.success, passed.staleKnownFailures.length], [1, 0, true, 0]);
    assert.deepEqual([failed.passed, failed.failed, failed.expectedFailures, failed.success], [0, 0, 1, true]);
  });

  it("writes a list that parses back to the run's failures, by full name", () => {
    const text = formatKnownFailingList(
      [
        { name: "B3 a # in the name", why: "expected: x # y\n  actual: z" },
        { name: "D2 b", why: "" },
      ],
      ["written by the kit"],
    );
    const back = parseKnownFailingList(text);
    assert.deepEqual(
      back.map((e) => [e.scenario, e.match]),
      [
        ["B3 a # in the name", "name"],
        ["D2 b", "name"],
      ],
    );
    assert.equal(back[0]?.reason, "expected: x - y actual: z");
    assert.match(text, /^# written by the kit\n/);
  });
});
