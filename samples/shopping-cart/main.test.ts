import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ready, runSampleMain } from "../testing/run-sample-main.js";

const main = fileURLToPath(new URL("./main.ts", import.meta.url));

const run = (args: string[], env: Record<string, string> = {}) => runSampleMain(main, args, env);

describe("shopping-cart main.ts", { timeout: 60_000 }, () => {
  it("listens where --host/--port say, serves ready(), and stops cleanly on SIGTERM", async () => {
    const started = await run(["--host", "127.0.0.1", "--port", "0"]);
    assert.ok("child" in started, "code" in started ? started.output : "");
    assert.match(started.address, /^127\.0\.0\.1:\d+$/);
    assert.equal((await ready(started.address)).persistenceId, "shopping-cart");
    const { code, output } = await started.stop("SIGTERM");
    assert.equal(code, 0, output);
  });

  it("takes HOST and PORT from the environment, and stops on SIGINT", async () => {
    const started = await run([], { HOST: "127.0.0.1", PORT: "0" });
    assert.ok("child" in started, "code" in started ? started.output : "");
    assert.match(started.address, /^127\.0\.0\.1:\d+$/);
    const { code } = await started.stop("SIGINT");
    assert.equal(code, 0);
  });

  it("refuses an invalid port with a clear message and exit code 1", async () => {
    const result = await run(["--port", "eighty"]);
    assert.ok(!("child" in result));
    assert.equal(result.code, 1);
    assert.match(result.output, /cannot start: invalid port "eighty"/);
  });
});
