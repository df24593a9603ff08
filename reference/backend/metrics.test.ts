import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";
import { runSeedSession, seedUser } from "../../samples/shopping-cart-client/run-seed-session.js";
import { createShoppingCartClient, type ShoppingCartClient } from "../../samples/shopping-cart-client/shopping-cart-client.js";
import { createBackend, type Backend } from "./backend.js";
import { createLogger, type AdjustableLogger } from "./logger.js";
import { startAdminServer, type AdminServer } from "./ops/admin-server.js";
import { createBackendMetrics } from "./ops/metrics.js";
import { createInMemoryJournal } from "./persistence/in-memory-journal.js";
import { createInMemorySnapshotStore } from "./persistence/in-memory-snapshot-store.js";
import { eventually } from "./server/testing/backend-harness.js";

// The seed's session against the backend in front of the sample cart, then a passivation and a
// recovery; a scrape of GET /metrics on the admin server must show each counter moved by exactly
// what that session does.

const passivationTimeoutMs = 200;

/** The value of one sample line of a Prometheus text exposition, e.g. `backend_passivations_total`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (wanted.every(([k, v]) => have.get(k) === v) && have.size === wanted.length) return Number(match[3]);
  }
  assert.fail(
    `no sample ${name}${JSON.stringify(labels)} in the scrape:\n${text
      .split("\n")
      .filter((l) => l.startsWith("backend_"))
      .join("\n")}`,
  );
}

describe("metrics after the seed's session", () => {
  const journal = createInMemoryJournal();
  const snapshotStore = createInMemorySnapshotStore();
  const lines: Record<string, unknown>[] = [];
  let logger: AdjustableLogger;
  let cart: Awaited<ReturnType<typeof startShoppingCart>>;
  let backend: Backend;
  let client: ShoppingCartClient;
  let admin: AdminServer;

  before(async () => {
    logger = createLogger({ level: "info", format: "json", write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const metrics = createBackendMetrics();
    cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    backend = createBackend(
      { port: 0, userFunction: cart.address, entity: { passivationTimeoutMs } },
      { journal, snapshotStore, logger, observer: metrics },
    );
    metrics.activeEntitiesFrom(() => backend.activeEntities);
    const address = await backend.start();
    await backend.serving;
    admin = await startAdminServer({ host: "127.0.0.1", port: 0, metrics, logger });
    client = createShoppingCartClient(address.target, { callTimeoutMs: 5_000 });
  });
  after(async () => {
    client.close();
    await backend.stop();
    await admin.close();
    await cart.close();
    await journal.close();
    await snapshotStore.close();
  });

  const scrape = async () => {
    const response = await fetch(`${admin.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it("counts the session's commands, its passivation and its recovery from the snapshot", async () => {
    await runSeedSession(client, () => {});
    // 8 AddItem + 1 RemoveItem = 9 events; the sample snapshots every 5 events (at 5).
    await eventually(() => backend.activeEntities === 0, 5_000 + passivationTimeoutMs, "the seed's cart passivated");
    assert.deepEqual(await client.getCart(seedUser), { items: [] });
    const text = await scrape();

    assert.equal(sample(text, "backend_commands_total", { method: "GetCart", code: "OK" }), 4);
    assert.equal(sample(text, "backend_commands_total", { method: "AddItem", code: "OK" }), 8);
    assert.equal(sample(text, "backend_commands_total", { method: "RemoveItem", code: "OK" }), 1);
    assert.equal(sample(text, "backend_command_duration_seconds_count", { method: "AddItem" }), 8);
    // Passivations happen on a timer (200 ms idle): on a loaded machine one may also come between two
    // of the session's calls. So the expected counts are those of the lifecycle lines the backend logged
    // (each passivation and recovery once, at info), not a fixed number: the first call recovered the new
    // cart from nothing, the last GetCart from the snapshot at 5 plus events 6..9.
    const passivations = lines.filter((l) => l["msg"] === "entity passivated").length;
    const recoveries = lines.filter((l) => l["msg"] === "entity recovered from the journal");
    const replayed = recoveries.map((l) => Number(l["eventsReplayed"]));
    assert.ok(passivations >= 1, "the seed's cart passivated at least once");
    assert.equal(recoveries.length, passivations + 1, "every passivation is followed by a recovery, plus the first");
    assert.equal(sample(text, "backend_recoveries_total"), recoveries.length);
    assert.equal(
      sample(text, "backend_recoveries_from_snapshot_total"),
      recoveries.filter((l) => l["snapshotSequenceNumber"] !== "none").length,
    );
    assert.equal(sample(text, "backend_recovery_replayed_events_count"), recoveries.length);
    assert.equal(
      sample(text, "backend_recovery_replayed_events_sum"),
      replayed.reduce((a, b) => a + b, 0),
    );
    assert.equal(sample(text, "backend_recovery_replayed_events_bucket", { le: "0" }), replayed.filter((n) => n === 0).length);
    assert.equal(sample(text, "backend_recovery_replayed_events_bucket", { le: "5" }), replayed.filter((n) => n <= 5).length);
    assert.equal(sample(text, "backend_recovery_duration_seconds_count"), recoveries.length);
    assert.equal(sample(text, "backend_passivations_total"), passivations);
    assert.equal(sample(text, "backend_active_entities"), 1);
    assert.equal(sample(text, "backend_queued_commands"), 0);
    assert.equal(sample(text, "backend_user_function_stream_restarts_total"), 0);
    assert.equal(sample(text, "backend_journal_operation_duration_seconds_count", { operation: "append", outcome: "ok" }), 9);
    assert.equal(
      sample(text, "backend_journal_operation_duration_seconds_count", { operation: "replay", outcome: "ok" }),
      recoveries.length,
    );
    assert.equal(sample(text, "backend_snapshot_store_operation_duration_seconds_count", { operation: "save", outcome: "ok" }), 1);
    assert.equal(
      sample(text, "backend_snapshot_store_operation_duration_seconds_count", { operation: "load", outcome: "ok" }),
      recoveries.length,
    );
    assert.match(text, /^process_cpu_user_seconds_total /m, "prom-client's process metrics");
  });

  it("logs the passivation and the recovery at info, with the snapshot, the events replayed and the time taken", () => {
    const passivated = lines.filter((l) => l["msg"] === "entity passivated").at(-1);
    assert.ok(passivated, `no "entity passivated" line; lines: ${lines.map((l) => l["msg"]).join(" | ")}`);
    assert.equal(passivated["level"], "info");
    assert.equal(passivated["entityId"], seedUser);
    assert.equal(passivated["sequenceNumber"], 9);
    const recovered = lines.filter((l) => l["msg"] === "entity recovered from the journal");
    const shape = (l: Record<string, unknown> | undefined) => [
      l?.["level"],
      l?.["snapshotSequenceNumber"],
      l?.["eventsReplayed"],
      l?.["sequenceNumber"],
      typeof l?.["durationMs"],
    ];
    // First and last: a passivation between two of the session's calls (a loaded machine) adds one in between.
    assert.deepEqual(shape(recovered[0]), ["info", "none", 0, 0, "number"]);
    assert.deepEqual(shape(recovered.at(-1)), ["info", 5, 4, 9, "number"]);
  });

  it("changes the log level at run time with PUT /log-level", async () => {
    assert.equal(await (await fetch(`${admin.url}/log-level`)).text(), "info\n");
    const refused = await fetch(`${admin.url}/log-level`, { method: "PUT", body: "loud" });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /one of debug, info, warn, error; got "loud"/);
    const changed = await fetch(`${admin.url}/log-level`, { method: "PUT", body: "debug" });
    assert.equal(changed.status, 200);
    assert.equal(logger.level, "debug");
    const before = lines.length;
    assert.deepEqual(await client.getCart(seedUser), { items: [] });
    assert.ok(
      lines.slice(before).some((l) => l["level"] === "debug"),
      "debug lines once the level is debug",
    );
    await fetch(`${admin.url}/log-level`, { method: "PUT", body: "info" });
    assert.equal(logger.level, "info");
  });
});
