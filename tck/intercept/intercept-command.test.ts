import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runInterceptCommand } from "./intercept-command.js";

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

describe("tck intercept command", () => {
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
  });

  it("prints its help", async () => {
    const a = io();
    assert.equal(await runInterceptCommand(["--help"], a.io), 0);
    assert.match(a.out.join("\n"), /Usage: tck intercept --listen HOST:PORT --target HOST:PORT/);
  });

  it("runs until stopped and ends with the summary line", async () => {
    const a = io(100);
    assert.equal(await runInterceptCommand(["--listen", "127.0.0.1:0", "--target", "127.0.0.1:1"], a.io), 0);
    assert.match(a.out[0]!, /listening on 127\.0\.0\.1:\d+, forwarding to 127\.0\.0\.1:1/);
    assert.equal(a.out.at(-1), "0 passed, 0 failed");
  });
});
