import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";
import { createShoppingCartClient } from "../../samples/shopping-cart-client/shopping-cart-client.js";
import { ensureExited, runMain } from "./testing/run-main.js";

// main.ts as a process: flags, JSON logs, serving, and a graceful stop on SIGTERM.

describe("backend main", { timeout: 60_000 }, () => {
  it("serves the user function, then drains and exits 0 on SIGTERM", async () => {
    const cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    const running = runMain(["--port", "0", "--user-function", cart.address, "--log-format", "json", "--passivation-timeout", "1s"]);
    try {
      const listening = await running.waitForLog("backend listening");
      await running.waitForLog("serving the user service");
      const client = createShoppingCartClient(String(listening["address"]), { callTimeoutMs: 5_000 });
      try {
        await client.addItem("main-user", "1", "Bread", 2);
        assert.deepEqual(await client.getCart("main-user"), { items: [{ productId: "1", name: "Bread", quantity: 2 }] });
      } finally {
        client.close();
      }
      running.child.kill("SIGTERM");
      assert.equal(await running.exited, 0);
      assert.ok(running.lines.some((l) => l["msg"] === "backend stopped"));
      // Nothing per command at info level on the hot path.
      assert.ok(running.lines.every((l) => l["level"] !== "info" || !String(l["msg"]).includes("command")));
    } finally {
      await ensureExited(running);
      await cart.close();
    }
  });

  it("prints its options for --help", async () => {
    const running = runMain(["--help"]);
    try {
      assert.equal(await running.exited, 0);
      assert.match(running.stdout.join(""), /--passivation-timeout/);
    } finally {
      await ensureExited(running);
    }
  });

  it("refuses an unknown option with exit status 2", async () => {
    const running = runMain(["--no-such-flag"]);
    try {
      assert.equal(await running.exited, 2);
      assert.ok(running.lines.some((l) => String(l["msg"]).includes("--no-such-flag")));
    } finally {
      await ensureExited(running);
    }
  });
});
