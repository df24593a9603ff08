import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createEntityClient, loadProtos, type StreamOut, typeUrlOf } from "../../reference/protocol/index.js";
import { ready, runSampleMain } from "../testing/run-sample-main.js";

const main = fileURLToPath(new URL("./main.ts", import.meta.url));

const run = (args: string[], env: Record<string, string> = {}) => runSampleMain(main, args, env);

/** Sends one command per list of emitted values; resolves with whether each reply carried a snapshot. */
function exchange(address: string, commands: string[][]): Promise<boolean[]> {
  const root = loadProtos(["tck/model.proto"]);
  const request = root.lookupType("lightbend.serverless.tck.model.Request");
  const client = createEntityClient(address);
  return new Promise<boolean[]>((resolve, reject) => {
    const snapshots: boolean[] = [];
    const call = client.handle({ deadline: Date.now() + 5000 });
    call.on("data", (m: StreamOut) => snapshots.push(m.case === "reply" && m.snapshot !== undefined));
    call.on("error", reject);
    call.on("end", () => resolve(snapshots));
    call.write({ case: "init", entityId: "m", snapshot: undefined });
    for (const [index, values] of commands.entries()) {
      const value = request.encode(request.fromObject({ id: "m", actions: values.map((v) => ({ emit: { value: v } })) })).finish();
      call.write({
        case: "command",
        entityId: "m",
        id: index + 1,
        name: "Process",
        payload: { typeUrl: typeUrlOf("lightbend.serverless.tck.model.Request"), value },
      });
    }
    call.end();
  }).finally(() => client.close());
}

describe("tck-model main.ts", { timeout: 60_000 }, () => {
  it("listens where --host/--port say, serves ready(), and stops cleanly on SIGTERM", async () => {
    const started = await run(["--host", "127.0.0.1", "--port", "0"]);
    assert.ok("child" in started, "code" in started ? started.output : "");
    assert.match(started.address, /^127\.0\.0\.1:\d+$/);
    assert.equal((await ready(started.address)).persistenceId, "tck-model");
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

  it("refuses an invalid --snapshot-every with a clear message and exit code 1", async () => {
    const result = await run(["--port", "0", "--snapshot-every", "often"]);
    assert.ok(!("child" in result));
    assert.equal(result.code, 1);
    assert.match(result.output, /cannot start: invalid --snapshot-every "often"/);
  });

  it("uses the --snapshot-every it was given", async () => {
    const started = await run(["--host", "127.0.0.1", "--port", "0", "--snapshot-every", "2"]);
    assert.ok("child" in started, "code" in started ? started.output : "");
    try {
      assert.match(started.address, /^127\.0\.0\.1:\d+$/);
      const replies = await exchange(started.address, [["a"], ["b"], ["c", "d"]]);
      assert.deepEqual(replies, [false, true, true]);
    } finally {
      const { output } = await started.stop("SIGTERM");
      assert.match(output, /\(snapshot every 2\)/);
    }
  });

  it("refuses an invalid port with a clear message and exit code 1", async () => {
    const result = await run(["--port", "eighty"]);
    assert.ok(!("child" in result));
    assert.equal(result.code, 1);
    assert.match(result.output, /cannot start: invalid port "eighty"/);
  });
});
