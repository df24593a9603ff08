import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { startFakeShoppingCartServer, type FakeShoppingCartServer } from "./fake-shopping-cart-server.js";
import { startShoppingCartRepl } from "./start-repl.js";

describe("shopping cart REPL", () => {
  let server: FakeShoppingCartServer;
  before(async () => {
    server = await startFakeShoppingCartServer();
  });
  after(async () => {
    await server.close();
  });

  /** Types `lines` into a REPL one at a time, each after the previous one's output appeared; returns all output. */
  async function session(lines: readonly [input: string, expected: RegExp][]): Promise<string> {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    const { server: repl } = startShoppingCartRepl({ address: server.address, input, output, terminal: false });
    const closed = new Promise<void>((resolve) => repl.on("exit", resolve));
    try {
      for (const [line, expected] of lines) {
        const before = text.length;
        input.write(line + "\n");
        const until = Date.now() + 15_000;
        while (!expected.test(text.slice(before)) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        assert.match(text.slice(before), expected, `after ${line}`);
      }
    } finally {
      input.end(".exit\n");
      await closed;
    }
    return text;
  }

  it("offers a ready client whose calls can be awaited, and show() for a readable cart", async () => {
    const text = await session([
      ['await client.addItem("repl-user", "123", "Eggs", 2)', /cart> /],
      ['await client.addItem("repl-user", "456", "Flour", 4)', /cart> /],
      ['(await client.getCart("repl-user")).items.length', /^2\n/],
      ['await show("repl-user")', /Eggs/],
    ]);
    assert.match(text, /Shopping cart client for 127\.0\.0\.1:\d+/);
    assert.match(text, /cart of repl-user:\n\s+2 × Eggs \(product 123\)\n\s+4 × Flour \(product 456\)/);
  });

  it("prints a failed call as its gRPC status and message, without a stack trace", async () => {
    const text = await session([['await client.getCart("broken")', /INTERNAL/]]);
    assert.match(text, /Uncaught INTERNAL: the cart is broken/);
    assert.doesNotMatch(text, /\n\s+at /);
  });
});
