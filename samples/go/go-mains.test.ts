import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { ready } from "../testing/run-sample-main.js";
import { buildGoMains, type GoBinaries, goVersion, withoutGo } from "./go-toolchain.js";

// The Go mains take the TypeScript samples' flags and defaults: --host/--port, else HOST/PORT; the
// persistence ids shopping-cart and tck-model; the model's --snapshot-every; a clear message and exit
// code 1 for a bad value; a clean stop on SIGINT and SIGTERM.

interface Run {
  readonly address?: string;
  readonly output: string;
  stop(signal: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

function run(binary: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(binary, args, { env: { ...process.env, HOST: "", PORT: "", DEBUG: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const stop = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolve) => {
    const seen = (chunk: string) => {
      output += chunk;
      const address = /listening on (\S+)/.exec(output)?.[1];
      if (address) resolve({ address, get output() { return output; }, stop, exited });
    };
    child.stdout.setEncoding("utf8").on("data", seen);
    child.stderr.setEncoding("utf8").on("data", seen);
    void exited.then(() => resolve({ get output() { return output; }, stop, exited }));
  });
}

describe("the Go mains (samples/go/cmd)", { timeout: 300_000 }, () => {
  const go = goVersion();
  let binaries: GoBinaries | undefined;
  before(async () => {
    if (go) binaries = await buildGoMains();
  });
  after(() => binaries?.remove());

  function built(t: { skip(message: string): void }): GoBinaries | undefined {
    if (binaries) return binaries;
    const outcome = withoutGo("the Go mains' flag tests");
    if ("fail" in outcome) assert.fail(outcome.fail);
    t.skip(outcome.skip);
    return undefined;
  }

  it("shopping-cart: --host/--port, persistence id shopping-cart, a clean stop on SIGTERM", async (t) => {
    const b = built(t);
    if (!b) return;
    const started = await run(b.shoppingCart, ["--host", "127.0.0.1", "--port", "0"]);
    try {
      assert.match(started.address ?? "", /^127\.0\.0\.1:\d+$/, started.output);
      const spec = await ready(started.address ?? "");
      assert.equal(spec.persistenceId, "shopping-cart");
      assert.equal(spec.serviceName, "com.example.shoppingcart.ShoppingCart");
    } finally {
      assert.equal(await started.stop("SIGTERM"), 0, started.output);
    }
    assert.match(started.output, /shopping-cart user function stopped/);
  });

  it("tck-model: HOST and PORT from the environment, persistence id tck-model, snapshot every 5 by default, SIGINT", async (t) => {
    const b = built(t);
    if (!b) return;
    const started = await run(b.tckModel, [], { HOST: "127.0.0.1", PORT: "0" });
    try {
      assert.match(started.address ?? "", /^127\.0\.0\.1:\d+$/, started.output);
      assert.match(started.output, /\(snapshot every 5\)/);
      assert.equal((await ready(started.address ?? "")).persistenceId, "tck-model");
    } finally {
      assert.equal(await started.stop("SIGINT"), 0, started.output);
    }
  });

  it("tck-model: uses the --snapshot-every it is given", async (t) => {
    const b = built(t);
    if (!b) return;
    const started = await run(b.tckModel, ["--host", "127.0.0.1", "--port", "0", "--snapshot-every", "2"]);
    await started.stop("SIGTERM");
    assert.match(started.output, /listening on 127\.0\.0\.1:\d+ \(snapshot every 2\)/);
  });

  it("refuses a bad --port or --snapshot-every with a clear message and exit code 1", async (t) => {
    const b = built(t);
    if (!b) return;
    const badPort = await run(b.shoppingCart, ["--port", "eighty"]);
    assert.equal(await badPort.exited, 1);
    assert.match(badPort.output, /shopping-cart user function cannot start: invalid port "eighty"/);
    const badSnapshot = await run(b.tckModel, ["--port", "0", "--snapshot-every", "often"]);
    assert.equal(await badSnapshot.exited, 1);
    assert.match(badSnapshot.output, /tck-model user function cannot start: invalid --snapshot-every "often"/);
  });
});
