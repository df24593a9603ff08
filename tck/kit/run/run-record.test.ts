import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RunRecord } from "./run-record.js";
import type { ScenarioVerdict } from "./scenario-verdict.js";

function capture() {
  let text = "";
  return { write: (chunk: string) => (text += chunk), text: () => text };
}

const passed: ScenarioVerdict = { name: "A1 passes", uri: "a.feature", tags: [], status: "PASSED", kind: "passed", durationMs: 3 };
const failed: ScenarioVerdict = {
  name: "D3 fails",
  uri: "d.feature",
  tags: [],
  status: "FAILED",
  kind: "failed",
  failure: { step: "Then one answer", message: "two answers" },
  durationMs: 4,
};

describe("RunRecord", () => {
  it("ends with 'N passed, N failed' in a mode that never skips on purpose", () => {
    const out = capture();
    const record = new RunRecord({ out, knownFailing: [], listsNotRun: false });
    assert.equal(record.notRun, undefined);
    record.verdict(passed);
    record.verdict(failed);
    const summary = record.finish(undefined);
    assert.equal(summary.success, false);
    assert.deepEqual([summary.passed, summary.failed], [1, 1]);
    assert.match(out.text(), /✔ A1 passes[\s\S]*✘ D3 fails[\s\S]*step: Then one answer\n\s+two answers/);
    assert.match(out.text(), /failed scenarios:\n {2}- D3 fails\n1 passed, 1 failed\n$/);
  });

  it("lists scenarios not run and counts them on the summary line, never as passed", () => {
    const out = capture();
    const record = new RunRecord({ out, knownFailing: [], listsNotRun: true });
    record.verdict(passed);
    record.notRun?.({ name: "H5 restart", uri: "h.feature", reason: "needs a durable journal" });
    const summary = record.finish(undefined);
    assert.equal(summary.success, true);
    assert.deepEqual(summary.notRun, [{ name: "H5 restart", uri: "h.feature", reason: "needs a durable journal" }]);
    assert.match(out.text(), /○ H5 restart \(h\.feature\)\n {6}not run: needs a durable journal\n/);
    assert.match(
      out.text(),
      /not run \(never counted as passed\):\n {2}- H5 restart: needs a durable journal\n1 passed, 0 failed, 1 not run\n$/,
    );
  });

  it("fails a run that judged nothing, naming the tag expression", () => {
    const out = capture();
    const summary = new RunRecord({ out, knownFailing: [], listsNotRun: true }).finish("@Z9");
    assert.equal(summary.success, false);
    assert.equal(summary.failed, 1);
    assert.match(out.text(), /✘ no scenario matched the tag expression @Z9\n[\s\S]*0 passed, 1 failed, 0 not run\n$/);
  });

  it("counts every problem as a failure", () => {
    const out = capture();
    const record = new RunRecord({ out, knownFailing: [], listsNotRun: false });
    record.verdict(passed);
    record.problem("stopping the backend failed: boom");
    const summary = record.finish(undefined);
    assert.deepEqual([summary.passed, summary.failed, summary.success], [1, 1, false]);
    assert.match(out.text(), /✘ stopping the backend failed: boom\n/);
  });
});
