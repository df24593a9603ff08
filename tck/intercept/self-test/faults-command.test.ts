import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createEntityClient, type EntityClient, readyOf, type StreamOut } from "../../../reference/protocol/index.js";
import type { RunningUserFunction } from "../../../reference/support/index.js";
import { startShoppingCart } from "../../../samples/shopping-cart/index.js";
import { runInterceptCommand } from "../cli/intercept-command.js";
import { runWithBackend } from "./run-with-backend.js";
import type { InterceptTranscriptEntry } from "../../kit/transcript/intercept-transcript.js";

/** ready(), then one stream: Init, a GetCart, the half-close; resolves with what came back once the stream ended. */
const oneCommand = async (client: EntityClient) => {
  await readyOf(client);
  return new Promise<StreamOut[]>((resolve) => {
    const got: StreamOut[] = [];
    const call = client.handle();
    call.on("data", (m: StreamOut) => got.push(m));
    call.on("error", () => {});
    call.on("status", () => resolve(got));
    const payload = {
      typeUrl: "type.googleapis.com/com.example.shoppingcart.GetShoppingCart",
      value: Buffer.from([0x0a, 0x02, 0x75, 0x31]),
    };
    call.write({ case: "init", entityId: "u1", snapshot: undefined });
    call.write({ case: "command", entityId: "u1", id: 1, name: "GetCart", payload });
    call.end();
  });
};

describe("tck intercept --faults", () => {
  let cart: RunningUserFunction;
  before(async () => {
    cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
  });
  after(async () => {
    await cart?.close();
  });

  it("refuses a bad spec with exit code 2 and the reason", async () => {
    const err: string[] = [];
    const code = await runInterceptCommand(
      ["--listen", "127.0.0.1:0", "--target", "127.0.0.1:1", "--faults", "drop:uf-to-backend:command:1"],
      {
        out: () => {},
        err: (l) => err.push(l),
        stopSignal: Promise.resolve(),
      },
    );
    assert.equal(code, 2);
    assert.match(err.join("\n"), /tck intercept: --faults: "command" does not cross uf-to-backend/);
  });

  it("documents the grammar in --help", async () => {
    const out: string[] = [];
    assert.equal(await runInterceptCommand(["--help"], { out: (l) => out.push(l), err: () => {} }), 0);
    assert.match(out.join("\n"), /KIND:DIR:MSG:N\[:MS\]/);
    assert.match(out.join("\n"), /seed=42,rate=0\.05,kinds=delay,drop,reset/);
  });

  it("drops the Reply at a named point: the backend gets nothing back, the fault is listed with the seed and a rerun line, no violation", async () => {
    const argv = ["--listen", "127.0.0.1:0", "--target", cart.address, "--faults", "drop:uf-to-backend:reply:1"];
    let answers: StreamOut[] = [];
    const run = await runWithBackend(argv, async (client) => {
      answers = await oneCommand(client);
    });
    const text = run.out.concat(run.err).join("\n");
    assert.equal(run.code, 0, text);
    assert.deepEqual(answers, [], "the Reply was dropped");
    assert.match(text, /tck intercept: faults seed=\d+,drop:uf-to-backend:reply:1 \(seed \d+\)/);
    assert.match(
      text,
      /1 fault\(s\) injected \(1 drop\), seed \d+:\n {2}s1: drop uf-to-backend Reply to 1 \(0 event\(s\)\) \(u1 stream 1, message 1; drop:uf-to-backend:reply:1\)/,
    );
    assert.match(text, /rerun: npx tck intercept --listen 127\.0\.0\.1:0 --target \S+ --faults seed=\d+,drop:uf-to-backend:reply:1/);
    assert.equal(run.out.at(-1), "1 passed, 0 failed");
  });

  it("chooses and prints a seed for random faults when none is given", async () => {
    const run = await runWithBackend(
      ["--listen", "127.0.0.1:0", "--target", cart.address, "--faults", "rate=0.5,kinds=delay,max-delay=5"],
      async (client) => {
        await oneCommand(client);
      },
    );
    const text = run.out.join("\n");
    assert.equal(run.code, 0, text);
    assert.match(text, /rerun: npx tck intercept .* --faults seed=\d+,rate=0\.5,kinds=delay,max-delay=5/);
  });
});

describe("tck intercept --faults transcripts", () => {
  let cart: RunningUserFunction;
  let dir: string;
  before(async () => {
    cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    dir = mkdtempSync(join(tmpdir(), "tck-faults-transcripts-"));
  });
  after(async () => {
    await cart?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("records the fault in the stream's transcript, and a reset stream ends reset-by-fault", async () => {
    const transcripts = join(dir, "run");
    const run = await runWithBackend(
      ["--listen", "127.0.0.1:0", "--target", cart.address, "--transcripts", transcripts, "--faults", "reset:backend-to-uf:command:1"],
      async (client) => {
        await oneCommand(client);
      },
    );
    assert.equal(run.code, 0, run.out.concat(run.err).join("\n"));
    const entries = readFileSync(join(transcripts, "s1.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as InterceptTranscriptEntry);
    const fault = entries.find((e) => e.kind === "fault");
    assert.match(
      fault?.kind === "fault" ? fault.text : "",
      /^fault injected: reset backend-to-uf Command 1 GetCart \(u1 stream 1, message 2; reset:backend-to-uf:command:1\)$/,
    );
    const end = entries.at(-1);
    assert.equal(end?.kind === "end" ? end.outcome : JSON.stringify(end), "reset-by-fault");
  });
});
