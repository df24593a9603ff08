import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startRawModelEntity } from "../../kit/doubles/raw-subjects/index.js";
import { runBackendCommand } from "../cli/backend-command.js";
import { captureOutput } from "../self-test/capture-output.js";

/** Runs `tck backend …` in this process; returns its exit code and what it wrote. */
async function tckBackend(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = captureOutput();
  const err = captureOutput();
  const code = await runBackendCommand(args, out as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream);
  return { code, out: out.text, err: err.text };
}

describe("backend mode's preflight (issue 14, item 2)", () => {
  it("ends a run against a dead --target with one line and exit 2, before any scenario", async () => {
    const gone = await startRawModelEntity();
    const address = gone.address;
    await gone.close();
    const run = await tckBackend(["--target", address]);
    assert.equal(run.code, 2, run.out + run.err);
    assert.match(
      run.err,
      new RegExp(
        `^tck backend: cannot reach a backend at ${address.replace(/\./g, "\\.")}: .*UNAVAILABLE.*is it running, on that port\\?\\n$`,
      ),
    );
    assert.doesNotMatch(run.out, /passed|failed/);
  });

  it("tells a user function given as --target from a backend", async () => {
    const model = await startRawModelEntity();
    try {
      const run = await tckBackend(["--target", model.address]);
      assert.equal(run.code, 2, run.out + run.err);
      assert.match(
        run.err,
        /serves lightbend\.serverless\.Entity\/ready: it is a user function, not a backend \(certify it with: tck user-function --target /,
      );
      assert.equal(run.err.trim().split("\n").length, 1, run.err);
    } finally {
      await model.close();
    }
  });

  it(
    "ends a run whose backend command exits at once with exit 2, the reason first and the backend's output after it",
    { timeout: 30_000 },
    async () => {
      const run = await tckBackend(["--backend-command", "echo no journal configured >&2; exit 3"]);
      assert.equal(run.code, 2, run.out + run.err);
      const [first, ...rest] = run.err.split("\n");
      assert.match(
        first!,
        /^tck backend: the backend never came to serve, so no scenario can be judged: the backend stopped before serving \(exited with code 3\); its output:$/,
      );
      assert.match(rest.join("\n"), /no journal configured/);
      assert.doesNotMatch(run.out, /\d+ passed/);
    },
  );

  it("ends a run whose backend never serves within --startup-timeout with exit 2", { timeout: 30_000 }, async () => {
    const run = await tckBackend(["--backend-command", "exec sleep 60", "--startup-timeout", "500"]);
    assert.equal(run.code, 2, run.out + run.err);
    assert.match(
      run.err,
      /^tck backend: the backend never came to serve, so no scenario can be judged: the backend did not serve lightbend\.serverless\.tck\.model\.ModelEntity within 500 ms \(--startup-timeout; last probe: the backend has not called ready\(\) on the kit's user function yet\)/,
    );
  });
});
