import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { freePort } from "../../kit/doubles/instrumented-user-function/index.js";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { createTargetBackendLauncher } from "../driver/target-backend-launcher.js";
import { runBackendMode } from "../run/run-backend-mode.js";
import { captureOutput } from "./capture-output.js";
import { createReferenceBackendLauncher } from "./reference-backend-launcher.js";

describe("backend mode against a backend started by hand (--target)", () => {
  it("runs what it can and reports scenarios needing a restart or another subject as not run", { timeout: 60_000 }, async () => {
    // "By hand": a backend already running, pointed at the port the kit's user function will take.
    const userFunctionPort = await freePort("127.0.0.1");
    const byHand = await createReferenceBackendLauncher().launch({
      userFunction: `127.0.0.1:${userFunctionPort}`,
      settings: defaultBackendSettings,
    });
    try {
      const out = captureOutput();
      const summary = await runBackendMode({
        launcher: createTargetBackendLauncher(byHand.target),
        settings: defaultBackendSettings,
        userFunctionPort,
        tags: "@B1 or @J4 or @H5 or @A3 or @D12",
        timeoutMs: 5_000,
        startupTimeoutMs: 20_000,
        runs: 3,
        out,
      });
      assert.equal(summary.failed, 0, out.text);
      assert.deepEqual(summary.verdicts.map((v) => v.name.split(" ")[0]).sort(), ["B1", "J4", "J4"], out.text);
      assert.deepEqual(summary.notRun.map((n) => n.name.split(" ")[0]).sort(), ["A3", "D12", "H5"], out.text);
      assert.match(out.text, /needs a backend the kit can start, stop and restart/);
      assert.match(out.text, /\n3 passed, 0 failed, 3 not run\n$/);
    } finally {
      await byHand.stop();
    }
  });
});
