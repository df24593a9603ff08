import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runBackendCommand } from "../cli/backend-command.js";
import { captureOutput } from "./capture-output.js";

/**
 * What this fake does not implement beyond the seed-silent decisions (it is a small fake): a spec
 * check (A3, A6), D9's violation checks, G5's queued calls, health (L2), subjects other than the model entity (the cart) and draining (H6). Those
 * scenarios are left out: they would fail for the fake's simplicity, not for the decisions.
 */
const beyondTheFake = "not @A3 and not @A6 and not @D9 and not @G5 and not @L2 and not @shopping-cart and not @H6";

// Issue 9, must-show: a backend with none of the decisions where the seed is silent (no empty-key
// check, unescaped composite keys, no per-entity queue bound) can still be judged: the run ends, the
// failures are exactly J4 and J2's escaping, each naming the deviation, I5 is not run, nothing else fails.
describe("a backend without the seed-silent decisions is judged", { timeout: 300_000 }, () => {
  it("fails exactly J4 and J2's escaping, and reports I5 not run with --lacks queue-bound", async () => {
    const main = resolve(dirname(fileURLToPath(import.meta.url)), "raw-fake-backend.main.ts");
    const command =
      `${process.execPath} --import tsx ${main} --defect silent-decisions-absent --port {port} --user-function {userFunction} ` +
      "--passivation-timeout {passivationTimeoutMs} --relay-timeout {relayTimeoutMs} --relay-buffer {relayBuffer}";
    const out = captureOutput();
    const err = captureOutput();
    const code = await runBackendCommand(
      ["--backend-command", command, "--lacks", "queue-bound", "--tags", beyondTheFake, "--timeout", "5000", "--startup-timeout", "20000"],
      out as unknown as NodeJS.WritableStream,
      err as unknown as NodeJS.WritableStream,
    );
    assert.equal(code, 1, `${out.text}\n${err.text}`);
    /** The "  - name" lines right under a heading of the summary. */
    const listed = (heading: string) => {
      const lines = (out.text.split(`\n${heading}\n`)[1] ?? "").split("\n");
      const end = lines.findIndex((l) => !l.startsWith("  - "));
      return lines.slice(0, end < 0 ? lines.length : end).map((l) => l.slice(4));
    };
    const failed = listed("failed scenarios:");
    assert.deepEqual(
      failed.sort(),
      [
        "J2 composite keys join in field-number order with escaping (a backslash)",
        "J2 composite keys join in field-number order with escaping (a dash in the part)",
        "J2 composite keys join in field-number order with escaping (both)",
        "J4 an empty key gives INVALID_ARGUMENT and nothing reaches the user function",
        "J4 an empty string part of a composite key gives INVALID_ARGUMENT and nothing reaches the user function",
      ],
      out.text,
    );
    // Each verdict names the deviation.
    assert.equal(out.text.match(/actual:\s+the backend accepted the empty key: the call succeeded/g)?.length, 2, out.text);
    assert.equal(
      out.text.match(/expected: an entity id starting "[^"]+" \(part_a, field 1, escaped\)[^\n]*\n\s+actual:\s+"[^"]+-42-true-2"/g)?.length,
      3,
      out.text,
    );
    assert.ok(
      listed("not run (never counted as passed):").includes(
        "I5 a burst beyond the per-entity queue fails RESOURCE_EXHAUSTED, not silently: the backend declares no per-entity queue bound (--relay-buffer)",
      ),
      out.text,
    );
    assert.match(out.text, /\n[1-9]\d* passed, 5 failed, \d+ not run\n$/);
  });
});
