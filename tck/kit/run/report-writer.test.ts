import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Envelope } from "@cucumber/messages";
import { agreeWithVerdict, createPickleNamer } from "./report-writer.js";
import type { ScenarioVerdict } from "./scenario-verdict.js";

const gherkinDocument = (name: string) =>
  ({
    gherkinDocument: {
      feature: {
        children: [
          {
            scenario: {
              id: "s1",
              name,
              examples: [
                {
                  tableHeader: { cells: [{ value: "quantity" }] },
                  tableBody: [
                    { id: "r1", cells: [{ value: "0" }] },
                    { id: "r2", cells: [{ value: "-1" }] },
                  ],
                },
              ],
            },
          },
        ],
      },
    },
  }) as unknown as Envelope;
const pickle = (name: string, row: string) =>
  ({ pickle: { id: row, name, uri: "f", astNodeIds: ["s1", row], tags: [], steps: [], language: "en" } }) as unknown as Envelope;

describe("createPickleNamer", () => {
  it("appends the example's values to an Outline example whose name has no placeholder", () => {
    const name = createPickleNamer();
    name(gherkinDocument("a quantity is refused"));
    assert.equal(name(pickle("a quantity is refused", "r1")).pickle?.name, "a quantity is refused (quantity 0)");
    assert.equal(name(pickle("a quantity is refused", "r2")).pickle?.name, "a quantity is refused (quantity -1)");
  });

  it("keeps names cucumber already filled in from the examples", () => {
    const name = createPickleNamer();
    name(gherkinDocument("a quantity of <quantity> is refused"));
    assert.equal(name(pickle("a quantity of 0 is refused", "r1")).pickle?.name, "a quantity of 0 is refused");
  });
});

describe("agreeWithVerdict", () => {
  const step = (status: string, message?: string) =>
    ({
      testStepFinished: {
        testCaseStartedId: "t",
        testStepId: status,
        testStepResult: { status, ...(message ? { message } : {}), duration: { seconds: 0, nanos: 0 } },
      },
    }) as unknown as Envelope;
  const known = { scenario: "x", reason: "issue 12", line: 3, match: "name" as const, flaky: false };
  const verdict = (kind: ScenarioVerdict["kind"]): ScenarioVerdict => ({
    name: "x",
    uri: "f",
    tags: [],
    status: "FAILED",
    kind,
    knownFailure: known,
    durationMs: 1,
  });
  const statuses = (envelopes: Envelope[]) => envelopes.map((e) => e.testStepFinished?.testStepResult.status);

  it("shows an expected failure as skipped, every skipped step with the list's reason", () => {
    const out = agreeWithVerdict([step("PASSED"), step("FAILED", "boom"), step("SKIPPED")], verdict("expected-failure"));
    assert.deepEqual(statuses(out), ["PASSED", "SKIPPED", "SKIPPED"]);
    assert.equal(out[1]?.testStepFinished?.testStepResult.message, "expected failure (known-failing list, line 3): issue 12\nboom");
    assert.equal(out[2]?.testStepFinished?.testStepResult.message, "expected failure (known-failing list, line 3): issue 12");
  });

  it("shows a listed scenario that passes as a failure of its last step, NOW PASSES", () => {
    const out = agreeWithVerdict([step("PASSED"), step("PASSED")], verdict("now-passing"));
    assert.deepEqual(statuses(out), ["PASSED", "FAILED"]);
    assert.match(
      out[1]?.testStepFinished?.testStepResult.message ?? "",
      /^NOW PASSES but is on the known-failing list \(line 3, "issue 12"\)/,
    );
  });

  it("leaves other verdicts as cucumber saw them", () => {
    assert.deepEqual(statuses(agreeWithVerdict([step("FAILED")], verdict("failed"))), ["FAILED"]);
  });
});
