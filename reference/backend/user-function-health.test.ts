import assert from "node:assert/strict";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { createShoppingCartClient } from "../../samples/shopping-cart-client/shopping-cart-client.js";
import { createBackend, type Backend } from "./backend.js";
import { silentLogger } from "./logger.js";
import { healthServiceDefinition, type ServingStatus } from "./ops/health-service.js";
import { createBackendMetrics } from "./ops/metrics.js";
import { createInMemoryJournal } from "./persistence/in-memory-journal.js";
import { createInMemorySnapshotStore } from "./persistence/in-memory-snapshot-store.js";
import { createOperationalSurface } from "./server/create-operational-surface.js";

// Health follows the user function: the sample cart runs as a child process, is killed, and
// started again on the same port; health must go NOT_SERVING and come back by itself.

const cartMain = fileURLToPath(new URL("../../samples/shopping-cart/main.ts", import.meta.url));
/** The setting under test: how long the user function may be unreachable before NOT_SERVING. */
const unhealthyAfterMs = 500;
/** Bound on each wait: the setting, the reconnect backoff it implies (at least 1 s, jittered), and process start-up. */
const waitBoundMs = unhealthyAfterMs + 20_000;

/**
 * grpc-health-probe (the Kubernetes-style probe binary, `go install github.com/grpc-ecosystem/grpc-health-probe`),
 * from GRPC_HEALTH_PROBE or the PATH; undefined when not installed (the Watch stream alone then decides).
 */
const healthProbe = ((): string | undefined => {
  const candidate = process.env["GRPC_HEALTH_PROBE"] || "grpc-health-probe";
  return spawnSync(candidate, ["-h"], { stdio: "ignore" }).error ? undefined : candidate;
})();

/** The probe's exit status against `target`: 0 SERVING, 4 NOT_SERVING (its documented codes). */
function probeExitCode(target: string): Promise<number> {
  return new Promise((resolve) =>
    execFile(healthProbe!, ["-addr", target, "-connect-timeout", "5s", "-rpc-timeout", "5s"], (error) =>
      resolve(error ? (typeof error.code === "number" ? error.code : -1) : 0),
    ),
  );
}

interface Cart {
  readonly child: ChildProcess;
  readonly port: number;
}

async function startCart(port: number): Promise<Cart> {
  const child = spawn(process.execPath, ["--import", "tsx", cartMain, "--host", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const listening = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`the cart exited (${code}) before listening: ${out} ${err}`)));
  });
  return { child, port: listening };
}

async function kill(cart: Cart | undefined): Promise<void> {
  if (!cart || cart.child.exitCode !== null || cart.child.signalCode !== null) return;
  const exited = once(cart.child, "exit");
  cart.child.kill("SIGKILL");
  await exited;
}

describe("health follows the user function", { timeout: 4 * waitBoundMs }, () => {
  let cart: Cart | undefined;
  let backend: Backend | undefined;
  let watch: grpc.ClientReadableStream<{ status: ServingStatus }> | undefined;
  let healthClient: grpc.Client | undefined;

  after(async () => {
    watch?.cancel();
    healthClient?.close();
    await backend?.stop();
    await kill(cart);
  });

  it("turns NOT_SERVING when the user function is killed and SERVING when it is back, without a backend restart", async (t) => {
    if (!healthProbe) t.diagnostic("grpc-health-probe not installed (GRPC_HEALTH_PROBE or PATH): checked through Watch only");
    const probeSays = async (expected: number, what: string) => {
      if (healthProbe) assert.equal(await probeExitCode(address.target), expected, `grpc-health-probe exit status ${what}`);
    };
    cart = await startCart(0);
    const port = cart.port;
    const metrics = createBackendMetrics({ processMetrics: false });
    backend = createBackend(
      { port: 0, userFunction: `127.0.0.1:${port}`, userFunctionUnhealthyAfterMs: unhealthyAfterMs },
      {
        journal: createInMemoryJournal(),
        snapshotStore: createInMemorySnapshotStore(),
        logger: silentLogger,
        operations: createOperationalSurface(),
        observer: metrics,
      },
    );
    const address = await backend.start();
    await backend.serving;

    // Every status Watch sends, in order; `next(status)` resolves when that status arrives.
    const Health = grpc.makeGenericClientConstructor(healthServiceDefinition(), "Health");
    healthClient = new Health(address.target, grpc.credentials.createInsecure());
    const seen: ServingStatus[] = [];
    const waiters: Array<{ status: ServingStatus; from: number; resolve: () => void }> = [];
    watch = (healthClient as unknown as { Watch(r: object): grpc.ClientReadableStream<{ status: ServingStatus }> }).Watch({ service: "" });
    watch.on("data", (r: { status: ServingStatus }) => {
      seen.push(r.status);
      for (const w of [...waiters]) {
        if (seen.slice(w.from).includes(w.status)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    watch.on("error", () => {});
    const next = (status: ServingStatus, what: string) => {
      const from = seen.length;
      const arrived = new Promise<void>((resolve) => waiters.push({ status, from, resolve }));
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what}: expected health ${status} within ${waitBoundMs} ms; Watch sent ${JSON.stringify(seen)}`)),
          waitBoundMs,
        );
      });
      return Promise.race([arrived, bound]).finally(() => clearTimeout(timer));
    };
    const servingAtFirst = next("SERVING", "a served backend with its user function up");
    await servingAtFirst;
    await probeSays(0, "with the user function up");
    const client = createShoppingCartClient(address.target, { callTimeoutMs: 5_000 });
    after(() => client.close());
    // An entity with an open stream when the user function dies.
    await client.addItem("before", "1", "Tea", 1);

    const down = next("NOT_SERVING", "user function killed");
    await kill(cart);
    await down;
    await probeSays(4, "with the user function killed");
    await assert.rejects(client.getCart("while-down"), (error: { code: grpc.status }) => {
      assert.equal(error.code, grpc.status.UNAVAILABLE, "a command while the user function is down");
      return true;
    });

    const up = next("SERVING", "user function restarted on the same port");
    cart = await startCart(port);
    await up;
    await probeSays(0, "with the user function back");

    await client.addItem("back", "1", "Tea", 1);
    assert.deepEqual(await client.getCart("back"), { items: [{ productId: "1", name: "Tea", quantity: 1 }] });
    assert.deepEqual(await client.getCart("before"), { items: [{ productId: "1", name: "Tea", quantity: 1 }] });
    assert.deepEqual(seen, ["SERVING", "NOT_SERVING", "SERVING"]);

    // The stream of "before" failed when the cart died, and the stream of "while-down" could not open.
    const text = await metrics.scrape();
    assert.match(text, /^backend_user_function_stream_restarts_total 2$/m, "restarts: the killed stream and the one that could not open");
    assert.match(text, /^backend_user_function_stream_open_failures_total 1$/m);
    assert.match(text, /^backend_commands_total\{method="GetCart",code="UNAVAILABLE"\} 1$/m);
  });
});
