import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { createBackend, type Backend } from "../../reference/backend/backend.js";
import { entityId, persistenceId } from "../../reference/backend/ids.js";
import { silentLogger } from "../../reference/backend/logger.js";
import { createInMemoryJournal, createInMemorySnapshotStore } from "../../reference/backend/persistence/index.js";
import { runSeedSession } from "../shopping-cart-client/run-seed-session.js";
import { createShoppingCartClient } from "../shopping-cart-client/shopping-cart-client.js";
import { buildGoMains, type GoBinaries, goVersion, withoutGo } from "./go-toolchain.js";
import { seedSessionTranscript } from "../shopping-cart-client/seed-session-transcript.js";

// The reference backend in front of the Go shopping cart (samples/go/cmd/shopping-cart, a child
// process): the seed's client session passes through it, with the same transcript as against the
// TypeScript cart.


describe("the reference backend serving the Go shopping cart", { timeout: 300_000 }, () => {
  const go = goVersion();
  let binaries: GoBinaries | undefined;
  let cart: ReturnType<typeof spawn> | undefined;
  let cartOutput = "";
  let cartAddress = "";

  before(async () => {
    if (!go) return;
    binaries = await buildGoMains();
    const child = spawn(binaries.shoppingCart, ["--host", "127.0.0.1", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    cart = child;
    const exited = once(child, "exit");
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (cartOutput += chunk));
    cartAddress = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        cartOutput += chunk;
        const address = /listening on (\S+)/.exec(cartOutput)?.[1];
        if (address) resolve(address);
      });
      void exited.then(([code]) => reject(new Error(`the Go shopping cart exited (${String(code)}) before listening:\n${cartOutput}`)));
    });
  });

  after(async () => {
    if (cart && cart.exitCode === null && cart.signalCode === null) {
      const exited = once(cart, "exit");
      cart.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, `the Go shopping cart did not stop cleanly on SIGTERM:\n${cartOutput}`);
    }
    binaries?.remove();
  });

  it("runs the seed's client session through the backend in front of the Go cart", async (t) => {
    if (!go) {
      const outcome = withoutGo("the seed session against the reference backend in front of the Go cart");
      if ("fail" in outcome) assert.fail(outcome.fail);
      t.skip(outcome.skip);
      return;
    }
    const journal = createInMemoryJournal();
    const snapshotStore = createInMemorySnapshotStore();
    const backend: Backend = createBackend(
      { host: "127.0.0.1", port: 0, userFunction: cartAddress },
      { journal, snapshotStore, logger: silentLogger },
    );
    try {
      const address = await backend.start();
      await backend.serving;
      const client = createShoppingCartClient(address.target, { callTimeoutMs: 5_000 });
      const lines: string[] = [];
      try {
        await runSeedSession(client, (line) => lines.push(line));
      } finally {
        client.close();
      }
      for (const line of lines) t.diagnostic(line);
      assert.deepEqual(lines, seedSessionTranscript, "the seed session's transcript through the backend and the Go cart");
      const ref = { persistenceId: persistenceId("shopping-cart"), entityId: entityId("user-1") };
      // Eight AddItems and one RemoveItem, one event each; the Go cart snapshots every 5 events.
      assert.equal(await journal.highestSequenceNumber(ref), 9, "events persisted for user-1");
      assert.equal((await snapshotStore.latest(ref))?.sequenceNumber, 5, "the Go cart's snapshot (every 5 events)");
    } finally {
      await backend.stop();
      await journal.close();
      await snapshotStore.close();
    }
  });
});
