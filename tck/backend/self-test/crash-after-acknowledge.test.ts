import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runBackendCommand } from "../cli/backend-command.js";
import { captureOutput } from "./capture-output.js";

// H8 (issue 9, item 7, E2): only a kill -9 right after the replies shows a backend that acknowledges
// before its write is durable; an in-process journal that is merely slow caught it by accident before.
const mainTs = resolve(dirname(fileURLToPath(import.meta.url)), "file-journal-backend-main.ts");
const dir = mkdtempSync(join(tmpdir(), "tck-h8-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Backend mode in command mode (the kit starts and kills the backend) against the file-journal backend. */
async function judge(name: string, extra: string, tags = "@H8") {
  const command =
    `${process.execPath} --import tsx ${mainTs} --port {port} --user-function {userFunction} ` +
    `--passivation-timeout {passivationTimeoutMs} --relay-timeout {relayTimeoutMs} --relay-buffer {relayBuffer} --journal-file ${join(dir, `${name}.jsonl`)}${extra}`;
  const out = captureOutput();
  const err = captureOutput();
  const code = await runBackendCommand(
    ["--backend-command", command, "--durable-journal", "--tags", tags, "--timeout", "10000"],
    out as unknown as NodeJS.WritableStream,
    err as unknown as NodeJS.WritableStream,
  );
  return { code, text: `${out.text}\n${err.text}` };
}

describe("H8 crash after acknowledge, with the backend as a process the kit kills", { timeout: 300_000 }, () => {
  it("a backend whose appends are written before it replies keeps every acknowledged event", async () => {
    const { code, text } = await judge("durable", "");
    assert.equal(code, 0, text);
    assert.match(
      text,
      /✔ H8 a backend killed \(kill -9\) right after its replies arrive keeps every acknowledged event[^\n]*\n\s+H8: 5 trials, 120 acknowledged events, 0 lost\n/,
    );
  });

  // The fake writes what is pending on SIGTERM: H5's graceful restart (all the kit had before) passes it.
  it("a backend that acknowledges before its write is durable (write-behind) passes H5 but fails H8, with the counts", async () => {
    const { code, text } = await judge("write-behind", " --write-behind-ms 2000", "@H5 or @H8");
    assert.match(text, /✔ H5 after a backend restart every acknowledged event is still there/);
    assert.equal(code, 1, text);
    assert.match(text, /✘ H8 a backend killed/);
    assert.match(
      text,
      /actual:\s+H8: 5 trials, 120 acknowledged events, ([1-9]\d*) lost in [1-5] of 5 trials: the backend acknowledged events it had not made durable\n\s+trial 1: h8-[0-9a-f]{6}-t1-e1-[0-9a-f]{8} acknowledged "abcdef", recovered "[a-e]*"/,
    );
    assert.match(text, /\n1 passed, 1 failed, 0 not run\n/);
  });
});
