import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { createShoppingCartClient } from "../../samples/shopping-cart-client/shopping-cart-client.js";

// samples/quickstart.ts (what `npm start` runs): backend + shopping cart in one process, a "how to call it" line, Ctrl-C stops.

const quickstartPath = fileURLToPath(new URL("../../samples/quickstart.ts", import.meta.url));

describe("quickstart", { timeout: 60_000 }, () => {
  it("serves the shopping cart, says how to call it, and stops on SIGINT", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", quickstartPath, "--port", "0", "--user-function", "127.0.0.1:0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = once(child, "exit");
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    try {
      const deadline = Date.now() + 30_000;
      let target: string | undefined;
      while (!target) {
        target = /served at (\S+) \(/.exec(stdout)?.[1];
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`no ready line; stdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.match(stdout, /grpcurl -plaintext/);
      assert.match(stdout, /samples\/shopping-cart-client\/main\.ts --host 127\.0\.0\.1 --port \d+/);
      const client = createShoppingCartClient(target, { callTimeoutMs: 5_000 });
      try {
        await client.addItem("quick", "7", "Jam", 1);
        assert.deepEqual(await client.getCart("quick"), { items: [{ productId: "7", name: "Jam", quantity: 1 }] });
      } finally {
        client.close();
      }
      child.kill("SIGINT");
      const [code] = await exited;
      assert.equal(code, 0, stderr);
      assert.match(stderr, /backend stopped/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    }
  });
});
