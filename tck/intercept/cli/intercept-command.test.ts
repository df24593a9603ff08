import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createEntityClient, type EntityClient, readyOf, type StreamOut } from "../../../reference/protocol/index.js";
import type { RunningUserFunction } from "../../../reference/support/index.js";
import { startShoppingCart } from "../../../samples/shopping-cart/index.js";
import { runInterceptCommand } from "./intercept-command.js";
import { runWithBackend } from "../self-test/run-with-backend.js";

function io(stopAfterMs = 50) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      stopSignal: new Promise<void>((r) => setTimeout(r, stopAfterMs)),
    },
  };
}

const callReady = (client: EntityClient) => readyOf(client).then(() => undefined);

/** One handle stream: Init, then the backend's half-close; resolves when the stream has ended. */
const openAndPassivate = (client: EntityClient, entityId: string) =>
  new Promise<void>((resolve) => {
    const call = client.handle();
    call.on("data", () => {});
    call.on("error", () => {});
    call.on("status", () => resolve());
    call.write({ case: "init", entityId, snapshot: undefined });
    call.end();
  });

describe("tck intercept command", () => {
  let cart: RunningUserFunction;
  let dir: string;
  before(async () => {
    cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    dir = mkdtempSync(join(tmpdir(), "tck-intercept-command-"));
  });
  after(async () => {
    await cart?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses missing and malformed flags with a clear message and exit code 2", async () => {
    const a = io();
    assert.equal(await runInterceptCommand(["--listen", "127.0.0.1:0"], a.io), 2);
    assert.match(a.err.join("\n"), /missing --target/);
    const b = io();
    assert.equal(await runInterceptCommand(["--listen", "nowhere", "--target", "127.0.0.1:1"], b.io), 2);
    assert.match(b.err.join("\n"), /--listen must be HOST:PORT, got "nowhere"/);
    const c = io();
    assert.equal(await runInterceptCommand(["--bogus"], c.io), 2);
    assert.match(c.err.join("\n"), /Unknown option '--bogus'/);
    const d = io();
    assert.equal(await runInterceptCommand(["--listen", "127.0.0.1:0", "--target", "127.0.0.1:1", "--answer-timeout", "soon"], d.io), 2);
    assert.match(d.err.join("\n"), /--answer-timeout must be a positive number of milliseconds, got "soon"/);
  });

  it("prints its help", async () => {
    const a = io();
    assert.equal(await runInterceptCommand(["--help"], a.io), 0);
    assert.match(a.out.join("\n"), /Usage: tck intercept --listen HOST:PORT --target HOST:PORT/);
    assert.match(a.out.join("\n"), /DIR must be new or empty/);
  });

  it("fails a run in which no backend came: it never called ready() and never opened a stream", async () => {
    const a = io(100);
    assert.equal(await runInterceptCommand(["--listen", "127.0.0.1:0", "--target", "127.0.0.1:1"], a.io), 1, a.out.join("\n"));
    assert.match(a.out[0]!, /listening on 127\.0\.0\.1:\d+, forwarding to 127\.0\.0\.1:1/);
    const text = a.out.join("\n");
    assert.match(text, /✗ run failed: the backend never called ready\(\)/);
    assert.match(
      text,
      /✗ run failed: the backend never opened a handle stream, so nothing was judged \(no backend reached the interceptor\)/,
    );
    assert.equal(a.out.at(-1), "0 passed, 2 failed");
  });

  it("fails a run in which the backend called ready() but never opened a stream (as one refusing the spec does)", async () => {
    const run = await runWithBackend(["--listen", "127.0.0.1:0", "--target", cart.address], callReady);
    const text = run.out.join("\n");
    assert.equal(run.code, 1, text);
    assert.match(text, /1 ready\(\) call\(s\), 0 stream\(s\) intercepted/);
    assert.doesNotMatch(text, /never called ready/);
    assert.match(text, /✗ run failed: the backend never opened a handle stream, so nothing was judged \(ready\(\) was answered/);
    assert.equal(run.out.at(-1), "0 passed, 1 failed");
  });

  it("fails a run in which the backend opened streams without ever calling ready()", async () => {
    const run = await runWithBackend(["--listen", "127.0.0.1:0", "--target", cart.address], (client) => openAndPassivate(client, "c1"));
    const text = run.out.join("\n");
    assert.equal(run.code, 1, text);
    assert.match(text, /✗ run failed: the backend never called ready\(\)/);
    assert.doesNotMatch(text, /never opened a handle stream/);
    assert.equal(run.out.at(-1), "1 passed, 1 failed");
  });

  it("prints a violation with the side at fault and its cause first, then the rule, expected, actual and the transcript", async () => {
    const run = await runWithBackend(["--listen", "127.0.0.1:0", "--target", cart.address], async (client) => {
      await callReady(client);
      // A Command before Init: the backend's B1.
      await new Promise<void>((resolve) => {
        const call = client.handle();
        call.on("data", () => {});
        call.on("error", () => {});
        call.on("status", () => resolve());
        call.write({
          case: "command",
          entityId: "c9",
          id: 1,
          name: "GetCart",
          payload: { typeUrl: "type.googleapis.com/x", value: new Uint8Array() },
        });
        call.end();
      });
    });
    assert.equal(run.code, 1, run.out.concat(run.err).join("\n"));
    const printed = run.err.join("\n").split("\n");
    assert.equal(printed[0], "✗ backend at fault: opened a stream with Command 1 GetCart instead of Init");
    assert.equal(printed[1], "  B1 the first message of a stream is Init (stream s1, entity ?)");
    assert.match(printed[2]!, /^ {2}expected: Init$/);
  });

  it("passes a run with ready() and a clean stream, and writes its transcript into a new folder", async () => {
    const transcripts = join(dir, "new-folder");
    const run = await runWithBackend(
      ["--listen", "127.0.0.1:0", "--target", cart.address, "--transcripts", transcripts],
      async (client) => {
        await callReady(client);
        await openAndPassivate(client, "c2");
      },
    );
    assert.equal(run.code, 0, run.out.concat(run.err).join("\n"));
    assert.equal(run.out.at(-1), "1 passed, 0 failed");
    assert.deepEqual(readdirSync(transcripts).sort(), ["ready.jsonl", "s1.jsonl"]);
  });

  it("refuses a --transcripts folder that is not empty, or not a folder, with exit code 2", async () => {
    const used = mkdtempSync(join(dir, "used-"));
    writeFileSync(join(used, "s1.jsonl"), "{}\n");
    writeFileSync(join(used, "s2.jsonl"), "{}\n");
    const a = io();
    assert.equal(await runInterceptCommand(["--listen", "127.0.0.1:0", "--target", cart.address, "--transcripts", used], a.io), 2);
    assert.match(
      a.err.join("\n"),
      new RegExp(`transcripts folder ${used} is not empty \\(2 entries: s1\\.jsonl, s2\\.jsonl\\): give a new or empty folder`),
    );
    assert.deepEqual(readdirSync(used), ["s1.jsonl", "s2.jsonl"], "nothing written into the refused folder");
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const b = io();
    assert.equal(await runInterceptCommand(["--listen", "127.0.0.1:0", "--target", cart.address, "--transcripts", file], b.io), 2);
    assert.match(b.err.join("\n"), /transcripts folder .*a-file is not a folder/);
    // An existing empty folder is accepted.
    const empty = mkdtempSync(join(dir, "empty-"));
    const c = io(50);
    await runInterceptCommand(["--listen", "127.0.0.1:0", "--target", cart.address, "--transcripts", empty], c.io);
    assert.match(c.out[0]!, /listening on/);
  });
});
