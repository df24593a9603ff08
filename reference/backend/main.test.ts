import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";
import { createShoppingCartClient } from "../../samples/shopping-cart-client/shopping-cart-client.js";

// main.ts as a process: flags, JSON logs, serving, and a graceful stop on SIGTERM.

const mainPath = fileURLToPath(new URL("./main.ts", import.meta.url));

interface Running {
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  readonly stdout: string[];
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function runMain(args: readonly string[]): Running {
  const child = spawn(process.execPath, ["--import", "tsx", mainPath, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Array<Record<string, unknown>> = [];
  const stdout: string[] = [];
  let buffered = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return {
    child,
    lines,
    stdout,
    exited,
    async waitForLog(msg, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => l["msg"] === msg);
        if (found) return found;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no "${msg}" log line; saw: ${lines.map((l) => l["msg"]).join(" | ")}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

async function ensureExited(running: Running): Promise<void> {
  if (running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill("SIGKILL");
    await running.exited;
  }
}

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
