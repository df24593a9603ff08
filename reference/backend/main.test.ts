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

  it("serves metrics on --admin-port and switches to debug logging on SIGUSR2, keeping its carts", async () => {
    const cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    const running = runMain(["--port", "0", "--user-function", cart.address, "--log-format", "json", "--admin-port", "0"]);
    try {
      const listening = await running.waitForLog("backend listening");
      await running.waitForLog("serving the user service");
      const admin = await running.waitForLog("admin server listening");
      assert.match(String(admin["url"]), /^http:\/\/127\.0\.0\.1:\d+$/, "loopback by default");
      const client = createShoppingCartClient(String(listening["address"]), { callTimeoutMs: 5_000 });
      try {
        await client.addItem("usr2-user", "1", "Bread", 2);
        assert.ok(!running.lines.some((l) => l["level"] === "debug"), "no debug lines at the configured info level");
        running.child.kill("SIGUSR2");
        const changed = await running.waitForLog("log level changed");
        assert.deepEqual([changed["from"], changed["to"]], ["info", "debug"]);
        assert.deepEqual(await client.getCart("usr2-user"), { items: [{ productId: "1", name: "Bread", quantity: 2 }] });
        assert.ok(
          running.lines.some((l) => l["level"] === "debug"),
          "debug lines after SIGUSR2",
        );
      } finally {
        client.close();
      }
      const scrape = await (await fetch(`${String(admin["url"])}/metrics`)).text();
      assert.match(scrape, /^backend_commands_total\{method="AddItem",code="OK"\} 1$/m);
      assert.match(scrape, /^backend_commands_total\{method="GetCart",code="OK"\} 1$/m);
      running.child.kill("SIGTERM");
      assert.equal(await running.exited, 0);
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
      assert.match(running.stdout.join(""), /--admin-port <value> +ADMIN_PORT +\(not set\)/);
      assert.match(running.stdout.join(""), /--user-function-unhealthy-after <value> +USER_FUNCTION_UNHEALTHY_AFTER +10s/);
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
