import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { type BackendModeOptions, runBackendMode } from "../run/run-backend-mode.js";
import { captureOutput } from "./capture-output.js";
import { createRawFakeBackendLauncher } from "./raw-fake-backend.js";

type FakeMode = Parameters<typeof createRawFakeBackendLauncher>[0];

/** Backend mode against one of the raw fakes, with the same bounds in every case below. */
async function judgeFake(mode: FakeMode, tags: string, extra: Pick<BackendModeOptions, "lacks"> = {}) {
  const out = captureOutput();
  const summary = await runBackendMode({
    launcher: createRawFakeBackendLauncher(mode),
    settings: defaultBackendSettings,
    tags,
    timeoutMs: 5_000,
    startupTimeoutMs: 5_000,
    out,
    runs: 5,
    ...extra,
  });
  return { out, summary };
}

// Issue 9, item 1: readiness must not depend on a decision under test. This fake has
// no empty-key check (J4); before the fix the kit's probe waited for INVALID_ARGUMENT
// and every scenario failed with "did not serve … within N ms".
describe("backend readiness depends on nothing under test", { timeout: 60_000 }, () => {
  it("a backend without an empty-key check is judged (D1 passes)", async () => {
    const { out, summary } = await judgeFake("accepts-empty-keys", "@D1");
    assert.doesNotMatch(out.text, /did not serve/, out.text);
    assert.equal(summary.success, true, out.text);
    assert.ok(
      summary.verdicts.some((v) => v.kind === "passed"),
      out.text,
    );
  });

  // Issue 9, item 2: ids with odd characters belong to J5 only. Before the fix the kit's
  // ids held `~`, which this fake encodes as %7E, and D1 reported "no stream was opened".
  it("a backend that URL-encodes entity ids is judged outside J5 (D1 passes)", async () => {
    const { out, summary } = await judgeFake("url-encodes-ids", "@D1");
    assert.equal(summary.success, true, out.text);
    assert.ok(
      summary.verdicts.some((v) => v.kind === "passed"),
      out.text,
    );
  });
});

// Issue 9, item 6: a backend without a relay timeout declares it, and G6 is not run instead of failed.
describe("capability declarations", { timeout: 60_000 }, () => {
  it("--lacks relay-timeout reports G6 as not run, naming the capability", async () => {
    const { out, summary } = await judgeFake("has-no-relay-timeout", "@G6", { lacks: ["relay-timeout"] });
    assert.equal(summary.failed, 0, out.text);
    assert.ok(summary.notRun.length > 0, out.text);
    assert.match(out.text, /not run: the backend declares no configurable relay timeout/, out.text);
  });

  // The G3 and D9 scenarios that tell a closed stream from passivation need a passivation timeout the kit sets.
  it("--lacks passivation-timeout reports H1 and the long-passivation G3 and D9 scenarios as not run", async () => {
    const { out, summary } = await judgeFake("never-passivates", "@H1 or @long-passivation", { lacks: ["passivation-timeout"] });
    assert.equal(summary.failed, 0, out.text);
    assert.deepEqual(summary.notRun.map((n) => n.name.split(" ")[0]).sort(), ["D9", "G3", "H1"], out.text);
    assert.match(out.text, /not run: the backend declares no configurable passivation timeout/, out.text);
  });

  // I4's scenario needs the entity passivated while the user function holds the stream; B1 (also tagged I4) does not.
  it("--lacks passivation-timeout reports the held-open I4 scenario as not run, and B1 still runs", async () => {
    const { out, summary } = await judgeFake("never-passivates", "@I4", { lacks: ["passivation-timeout"] });
    assert.equal(summary.failed, 0, out.text);
    assert.deepEqual(
      summary.notRun.map((n) => n.name.split(" ")[0]),
      ["I4"],
      out.text,
    );
    assert.equal(summary.passed, 1, out.text);
  });
});
