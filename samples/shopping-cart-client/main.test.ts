import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { startFakeShoppingCartServer } from "./fake-shopping-cart-server.js";

const mainScript = fileURLToPath(new URL("./main.ts", import.meta.url));

/** Runs the client's main.ts in its own process, as `npm run client` would. */
function runClient(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", mainScript, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("shopping cart client command line", () => {
  it("replays the seed's session against --host/--port and exits 0", { timeout: 40_000 }, async () => {
    const server = await startFakeShoppingCartServer();
    try {
      const [host, port] = server.address.split(":");
      const { code, stdout, stderr } = await runClient(["--host", host ?? "", "--port", port ?? ""]);
      assert.equal(stderr, "");
      assert.equal(code, 0);
      assert.match(stdout, /^shopping cart at 127\.0\.0\.1:\d+\nGetCart user-1\ncart of user-1: empty\n/);
      assert.match(stdout, /AddItem user-1 456 Flour ×1 \(8 of 8\): ok\nGetCart user-1\ncart of user-1:\n\s+8 × Flour \(product 456\)\n/);
      assert.match(stdout, /RemoveItem user-1 456: ok\nGetCart user-1\ncart of user-1: empty\n$/);
    } finally {
      await server.close();
    }
  });

  it("prints a failure as the method, status and message, without a stack trace, and exits 1", { timeout: 40_000 }, async () => {
    const server = await startFakeShoppingCartServer();
    await server.close();
    const port = server.address.split(":")[1] ?? "";
    const { code, stderr } = await runClient(["--port", port]);
    assert.equal(code, 1);
    assert.match(stderr, /^GetCart failed: UNAVAILABLE: /);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it("refuses bad arguments with exit code 2", { timeout: 40_000 }, async () => {
    const { code, stderr } = await runClient(["--port", "nine"]);
    assert.equal(code, 2);
    assert.match(stderr, /--port: "nine" is not a port number/);
  });
});
