// The scenarios whose user function holds an answer "once the calls behind it are queued" (I5, and
// D9 and G5 with calls queued) judge a correct backend the same however slowly its calls arrive.
// Here every byte from the kit's client to the reference backend arrives 2 s late, as on a machine
// so loaded that the backend takes the calls in long after they were sent. A hold of a fixed time
// (these scenarios held for 1500 ms before) would let the violation or the answer go first and
// fail the queued calls of a correct backend: a false alarm that only a loaded machine shows.
import assert from "node:assert/strict";
import { createServer, connect, type Server, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import type { BackendLauncher } from "../driver/backend-launcher.js";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { runBackendMode } from "../run/run-backend-mode.js";
import { captureOutput } from "./capture-output.js";
import { createReferenceBackendLauncher } from "./reference-backend-launcher.js";

const uplinkDelayMs = 2_000;

/** A TCP proxy to `target` that delivers what the client sends `delayMs` late, in order; replies pass at once. */
async function slowUplink(target: string, delayMs: number): Promise<{ target: string; close(): void }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on("close", () => sockets.delete(socket));
    }
    // Timers of one delay fire in the order they were set: the bytes stay in order.
    client.on("data", (chunk) => setTimeout(() => upstream.destroyed || upstream.write(chunk), delayMs));
    client.on("end", () => setTimeout(() => upstream.end(), delayMs));
    upstream.on("data", (chunk) => client.destroyed || client.write(chunk));
    upstream.on("end", () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no port");
  return {
    target: `127.0.0.1:${address.port}`,
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

describe("held answers wait for the queued calls, not for a fixed time", { timeout: 240_000 }, () => {
  const proxies: { close(): void }[] = [];
  after(() => proxies.forEach((p) => p.close()));

  it(`a correct backend whose calls arrive ${uplinkDelayMs} ms late passes I5 and the queued D9 and G5 scenarios`, async () => {
    const reference = createReferenceBackendLauncher({ description: "reference backend behind a slow uplink" });
    const launcher: BackendLauncher = {
      ...reference,
      async launch(request) {
        const launched = await reference.launch(request);
        const proxy = await slowUplink(launched.target, uplinkDelayMs);
        proxies.push(proxy);
        return { ...launched, target: proxy.target };
      },
    };
    const out = captureOutput();
    const summary = await runBackendMode({
      launcher,
      settings: defaultBackendSettings,
      tags: "@I5 or (@D9 and @queued) or (@G5 and @queued)",
      timeoutMs: 10_000,
      startupTimeoutMs: 30_000,
      out,
      runs: 1,
    });
    assert.equal(summary.success, true, out.text);
    assert.match(out.text, /\b4 passed, 0 failed/, out.text);
  });
});
