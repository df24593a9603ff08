import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { runBackendMode } from "../run/run-backend-mode.js";
import { captureOutput } from "./capture-output.js";
import { createReferenceBackendLauncher } from "./reference-backend-launcher.js";

describe("backend mode against the reference backend (in-memory journal, in process)", () => {
  it("passes every scenario, with nothing left unrun", { timeout: 240_000 }, async () => {
    const out = captureOutput();
    const summary = await runBackendMode({
      launcher: createReferenceBackendLauncher(),
      settings: defaultBackendSettings,
      timeoutMs: 10_000,
      startupTimeoutMs: 20_000,
      runs: 5,
      out,
      rerunCommand: "node --import tsx --test tck/backend/self-test/reference-backend.test.ts",
    });
    assert.equal(summary.failed, 0, out.text);
    assert.equal(summary.notRun.length, 0, out.text);
    assert.ok(summary.passed >= 50, `only ${summary.passed} scenarios ran:\n${out.text}`);
    assert.match(out.text, new RegExp(`\\n${summary.passed} passed, 0 failed, 0 not run\\n$`));
  });
});
