import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { runBackendMode } from "../run/run-backend-mode.js";
import { captureOutput } from "./capture-output.js";
import { createRawFakeBackendLauncher } from "./raw-fake-backend.js";

// Issue 9, item 1: readiness must not depend on a decision under test. This fake has
// no empty-key check (J4); before the fix the kit's probe waited for INVALID_ARGUMENT
// and every scenario failed with "did not serve … within N ms".
describe("backend readiness depends on nothing under test", { timeout: 60_000 }, () => {
  it("a backend without an empty-key check is judged (D1 passes)", async () => {
    const out = captureOutput();
    const summary = await runBackendMode({
      launcher: createRawFakeBackendLauncher("accepts-empty-keys"),
      settings: defaultBackendSettings,
      tags: "@D1",
      timeoutMs: 5_000,
      startupTimeoutMs: 5_000,
      out,
      runs: 5,
    });
    assert.doesNotMatch(out.text, /did not serve/, out.text);
    assert.equal(summary.success, true, out.text);
    assert.ok(summary.verdicts.some((v) => v.kind === "passed"), out.text);
  });

  // Issue 9, item 2: ids with odd characters belong to J5 only. Before the fix the kit's
  // ids held `~`, which this fake encodes as %7E, and D1 reported "no stream was opened".
  it("a backend that URL-encodes entity ids is judged outside J5 (D1 passes)", async () => {
    const out = captureOutput();
    const summary = await runBackendMode({
      launcher: createRawFakeBackendLauncher("url-encodes-ids"),
      settings: defaultBackendSettings,
      tags: "@D1",
      timeoutMs: 5_000,
      startupTimeoutMs: 5_000,
      out,
      runs: 5,
    });
    assert.equal(summary.success, true, out.text);
    assert.ok(summary.verdicts.some((v) => v.kind === "passed"), out.text);
  });
});

// Issue 9, item 6: a backend without a relay timeout declares it, and G6 is not run instead of failed.
describe("capability declarations", { timeout: 60_000 }, () => {
  it("--lacks relay-timeout reports G6 as not run, naming the capability", async () => {
    const out = captureOutput();
    const summary = await runBackendMode({
      launcher: createRawFakeBackendLauncher("has-no-relay-timeout"),
      settings: defaultBackendSettings,
      tags: "@G6",
      timeoutMs: 5_000,
      startupTimeoutMs: 5_000,
      out,
      runs: 5,
      lacks: ["relay-timeout"],
    });
    assert.equal(summary.failed, 0, out.text);
    assert.ok(summary.notRun.length > 0, out.text);
    assert.match(out.text, /not run: the backend declares no configurable relay timeout/, out.text);
  });
});
