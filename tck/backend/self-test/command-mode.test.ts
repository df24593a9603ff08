import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runBackendCommand } from "../cli/backend-command.js";
import { captureOutput } from "./capture-output.js";

const mainTs = resolve(dirname(fileURLToPath(import.meta.url)), "../../../reference/backend/main.ts");
/** How the README tells you to start the reference backend under the kit. */
const referenceCommand =
  `${process.execPath} --import tsx ${mainTs} --port {port} --user-function {userFunction} ` +
  "--passivation-timeout {passivationTimeoutMs}ms --relay-timeout {relayTimeoutMs}ms --relay-buffer {relayBuffer}";

describe("tck backend --backend-command, with the reference backend as a separate process", () => {
  it(
    "starts, restarts and stops it, prints a readable run, reports restart scenarios on a volatile journal as not run",
    { timeout: 180_000 },
    async () => {
      const out = captureOutput();
      const err = captureOutput();
      const code = await runBackendCommand(
        ["--backend-command", referenceCommand, "--tags", "@B1 or @G1 or @A3 or @H5 or @H6", "--runs", "3"],
        out as unknown as NodeJS.WritableStream,
        err as unknown as NodeJS.WritableStream,
      );
      assert.equal(code, 0, `${out.text}\n${err.text}`);
      assert.match(out.text, /TCK backend mode: .*reference\/backend\/main\.ts --port \{port\}/);
      assert.match(out.text, /✔ B1 one stream per active entity/);
      assert.match(out.text, /✔ A3 a method whose input type has no key field is refused at startup/);
      assert.match(out.text, /✔ H6 shutdown drains calls in flight/);
      // The cart scenario (tagged G1) restarts the backend on another subject.
      assert.match(out.text, /✔ a cart keeps its items across passivation/);
      assert.match(
        out.text,
        /○ H5 after a backend restart every acknowledged event is still there[\s\S]*not run: needs a journal that outlives a backend restart/,
      );
      assert.match(out.text, /\n5 passed, 0 failed, 1 not run\n$/);
    },
  );

  it("exits 2 on a wrong command line", async () => {
    const err = captureOutput();
    assert.equal(
      await runBackendCommand(
        ["--target", "nope"],
        captureOutput() as unknown as NodeJS.WritableStream,
        err as unknown as NodeJS.WritableStream,
      ),
      2,
    );
    assert.match(err.text, /--target must be HOST:PORT/);
  });
});
