import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Envelope } from "@cucumber/messages";
import { createVerdictCollector, notRunMediaType } from "./verdict-collector.js";
import type { NotRun, ScenarioVerdict } from "./scenario-verdict.js";
import type { KnownFailure } from "./known-failing-list.js";

type Status = "PASSED" | "FAILED" | "SKIPPED" | "UNDEFINED";

/** The envelopes cucumber sends for one scenario with one step and one After hook, as far as the collector reads them. */
function scenario(
  id: string,
  name: string,
  step: { status: Status; message?: string },
  hook: { status: Status; message?: string },
  notRunReason?: string,
): Envelope[] {
  const envelopes: unknown[] = [
    { hook: { id: `hook-${id}`, sourceReference: {} } },
    {
      pickle: {
        id: `pickle-${id}`,
        name,
        uri: "features/x.feature",
        tags: [{ name: "@X1" }],
        steps: [{ id: `ps-${id}`, text: "the step" }],
      },
    },
    {
      testCase: {
        id: `tc-${id}`,
        pickleId: `pickle-${id}`,
        testSteps: [
          { id: `s-${id}`, pickleStepId: `ps-${id}` },
          { id: `h-${id}`, hookId: `hook-${id}` },
        ],
      },
    },
    { testCaseStarted: { id: `run-${id}`, testCaseId: `tc-${id}` } },
  ];
  if (notRunReason !== undefined)
    envelopes.push({ attachment: { mediaType: notRunMediaType, testCaseStartedId: `run-${id}`, body: `not run: ${notRunReason}` } });
  envelopes.push(
    { testStepFinished: { testCaseStartedId: `run-${id}`, testStepId: `s-${id}`, testStepResult: step } },
    { testStepFinished: { testCaseStartedId: `run-${id}`, testStepId: `h-${id}`, testStepResult: hook } },
    { testCaseFinished: { testCaseStartedId: `run-${id}`, willBeRetried: false } },
  );
  return envelopes as Envelope[];
}

function judge(envelopes: Envelope[], listsNotRun: boolean, knownFailing: readonly KnownFailure[] = []) {
  const verdicts: ScenarioVerdict[] = [];
  const notRun: NotRun[] = [];
  const collect = createVerdictCollector(knownFailing, {
    verdict: (v) => verdicts.push(v),
    ...(listsNotRun ? { notRun: (n: NotRun) => notRun.push(n) } : {}),
  });
  for (const envelope of envelopes) collect(envelope);
  return { verdicts, notRun };
}

describe("createVerdictCollector", () => {
  it("judges each finished scenario by its worst step, naming that step and its message", () => {
    const { verdicts } = judge(
      [
        ...scenario("1", "A1 fine", { status: "PASSED" }, { status: "PASSED" }),
        ...scenario("2", "D3 broken", { status: "FAILED", message: "no answer" }, { status: "SKIPPED" }),
      ],
      false,
    );
    assert.deepEqual(
      verdicts.map((v) => [v.name, v.kind, v.status, v.failure]),
      [
        ["A1 fine", "passed", "PASSED", undefined],
        ["D3 broken", "failed", "FAILED", { step: "the step", message: "no answer" }],
      ],
    );
    assert.deepEqual(verdicts[0]?.tags, ["@X1"]);
  });

  it("names a failing hook as a hook, and describes a status that came without a message", () => {
    const { verdicts } = judge(
      [
        ...scenario("1", "M2 after", { status: "PASSED" }, { status: "FAILED", message: "a violation" }),
        ...scenario("2", "Q1 typo", { status: "UNDEFINED" }, { status: "SKIPPED" }),
      ],
      false,
    );
    assert.deepEqual(verdicts[0]?.failure, { step: "hook (After/Before hook)", message: "a violation" });
    assert.deepEqual(verdicts[1]?.failure, { step: "the step", message: "the step has no definition in the kit (a kit bug)" });
  });

  it("applies the known-failing list", () => {
    const list = [{ scenario: "D3 broken", reason: "waits for a fix", line: 2, match: "name" as const, flaky: false }];
    const { verdicts } = judge(scenario("1", "D3 broken", { status: "FAILED", message: "x" }, { status: "SKIPPED" }), false, list);
    assert.equal(verdicts[0]?.kind, "expected-failure");
    assert.equal(verdicts[0]?.knownFailure, list[0]);
  });

  it("lists a scenario the kit skipped with a reason as not run, where the mode lists them", () => {
    const envelopes = scenario("1", "H5 restart", { status: "SKIPPED" }, { status: "SKIPPED" }, "needs a durable journal");
    assert.deepEqual(judge(envelopes, true), {
      verdicts: [],
      notRun: [{ name: "H5 restart", uri: "features/x.feature", reason: "needs a durable journal" }],
    });
  });

  it("fails a skipped scenario otherwise: without a reason, or in a mode that never skips on purpose", () => {
    const unexplained = judge(scenario("1", "B1 skipped", { status: "SKIPPED" }, { status: "SKIPPED" }), true);
    assert.deepEqual([unexplained.verdicts[0]?.kind, unexplained.notRun.length], ["failed", 0]);
    const elsewhere = judge(scenario("2", "H5 restart", { status: "SKIPPED" }, { status: "SKIPPED" }, "needs a durable journal"), false);
    assert.deepEqual([elsewhere.verdicts[0]?.kind, elsewhere.notRun.length], ["failed", 0]);
  });
});
