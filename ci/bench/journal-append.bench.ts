/**
 * AddItem through the reference backend and the sample shopping cart, on the in-memory journal
 * and on the Cassandra journal, in the same run (the machine is shared and noisy: the ratios
 * carry, the absolute figures do not). Not part of `npm test`; figures only, no assertions.
 *
 *   node --import tsx ci/bench/journal-append.bench.ts [--level additem|journal] [--rounds 3] [--serial 200] [--inflight 64] [--per-cart 20]
 *
 * `--level additem` (default) goes through gRPC, the backend and the user function; `--level journal`
 * calls Journal.append directly (one event of 100 bytes per append; "cart" then means entity).
 * Per round and journal:
 * - latency at 1 in flight: `--serial` AddItems one after the other on one cart (mean and median);
 * - throughput at `--inflight` in flight: that many carts, each sent `--per-cart` AddItems one
 *   after the other, all carts at once (calls per second).
 * Then, per round: Cassandra ÷ in-memory throughput, and Cassandra − in-memory mean latency.
 * At `additem` level Cassandra is measured twice: with the freshness check off (one replica) and
 * on (the default with Cassandra: one journal read before each command), and the check's cost printed.
 * Cassandra comes from ci/cassandra-for-tests.ts (CASSANDRA_CONTACT_POINTS, …), in a keyspace of
 * its own, dropped at the end.
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { createShoppingCartClient, type ShoppingCartClient } from "../../samples/shopping-cart-client/index.js";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";
import { createBackend } from "../../reference/backend/backend.js";
import { entityId, persistenceId } from "../../reference/backend/ids.js";
import { silentLogger } from "../../reference/backend/logger.js";
import { createCassandraStores } from "../../reference/backend/persistence/cassandra/index.js";
import {
  createInMemoryJournal,
  createInMemorySnapshotStore,
  type Journal,
  type SnapshotStore,
} from "../../reference/backend/persistence/index.js";
import { acquireCassandra } from "../cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../cassandra-test-settings.js";

const { values } = parseArgs({
  options: {
    level: { type: "string", default: "additem" },
    rounds: { type: "string", default: "3" },
    serial: { type: "string", default: "200" },
    inflight: { type: "string", default: "64" },
    "per-cart": { type: "string", default: "20" },
  },
});
const positive = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
};
const rounds = positive("rounds", values.rounds);
const serialCalls = positive("serial", values.serial);
const inFlight = positive("inflight", values.inflight);
const perCart = positive("per-cart", values["per-cart"]);
const level = values.level;
if (level !== "additem" && level !== "journal") {
  console.error(`--level must be additem or journal, got ${JSON.stringify(level)}`);
  process.exit(2);
}

interface Figures {
  readonly meanMs: number;
  readonly medianMs: number;
  readonly callsPerSecond: number;
}

/** Latency of `serial` calls one after the other, then throughput of `inFlight` sequences of `perCart` calls at once. */
async function figures(call: (key: string) => Promise<unknown>): Promise<Figures> {
  const run = randomUUID();
  // Warm-up: connections, prepared statements, the first activation of an entity.
  for (let i = 0; i < 20; i++) await call(`warm-${run}`);
  const latencies: number[] = [];
  for (let i = 0; i < serialCalls; i++) {
    const started = performance.now();
    await call(`serial-${run}`);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const meanMs = latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length;
  const medianMs = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;
  // Activate every key first, so the throughput phase measures appends, not recoveries.
  await Promise.all(Array.from({ length: inFlight }, (_, key) => call(`load-${run}-${key}`)));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, key) => {
      for (let i = 0; i < perCart; i++) await call(`load-${run}-${key}`);
    }),
  );
  const callsPerSecond = (inFlight * perCart * 1000) / (performance.now() - started);
  return { meanMs, medianMs, callsPerSecond };
}

async function measureJournal(journal: Journal): Promise<Figures> {
  const highest = new Map<string, number>();
  const payload = { typeUrl: "type.googleapis.com/bench.Event", value: new Uint8Array(100).fill(7) };
  return figures(async (key) => {
    const expected = highest.get(key) ?? 0;
    await journal.append({ persistenceId: persistenceId("bench"), entityId: entityId(key) }, expected, [payload]);
    highest.set(key, expected + 1);
  });
}

async function measure(journal: Journal, snapshotStore: SnapshotStore, userFunction: string, freshnessCheck = false): Promise<Figures> {
  if (level === "journal") return measureJournal(journal);
  const backend = createBackend({ port: 0, userFunction, entity: { freshnessCheck } }, { journal, snapshotStore, logger: silentLogger });
  const address = await backend.start();
  await backend.serving;
  const client: ShoppingCartClient = createShoppingCartClient(address.target, { callTimeoutMs: 60_000 });
  try {
    return await figures((cart) => client.addItem(cart, "p", "Flour", 1));
  } finally {
    client.close();
    await backend.stop();
  }
}

const cassandra = await acquireCassandra();
if ("skipped" in cassandra) {
  console.error(cassandra.skipped);
  process.exit(1);
}
const settings = cassandraTestSettings(cassandra, "bench_append");
const stores = await createCassandraStores(settings, silentLogger);
// Started at journal level too (unused there): one code path for both levels.
const cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
const f = (n: number, digits = 2) => n.toFixed(digits);
try {
  console.log(
    `${level === "additem" ? "AddItem" : "Journal.append"}, Cassandra ${cassandra.releaseVersion} (${cassandra.source}), partition size ${stores.partitionSize}; ` +
      `latency: ${serialCalls} calls at 1 in flight; throughput: ${inFlight} in flight × ${perCart} calls`,
  );
  const ratios: number[] = [];
  const extras: number[] = [];
  const checkRatios: number[] = [];
  const checkCosts: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const memory = await measure(createInMemoryJournal(), createInMemorySnapshotStore(), cart.address);
    const onCassandra = await measure(stores.journal, stores.snapshotStore, cart.address);
    const ratio = onCassandra.callsPerSecond / memory.callsPerSecond;
    const extra = onCassandra.meanMs - memory.meanMs;
    ratios.push(ratio);
    extras.push(extra);
    console.log(
      `round ${round}: in-memory ${f(memory.meanMs)} ms mean (${f(memory.medianMs)} median), ${f(memory.callsPerSecond, 0)} calls/s | ` +
        `cassandra ${f(onCassandra.meanMs)} ms mean (${f(onCassandra.medianMs)} median), ${f(onCassandra.callsPerSecond, 0)} calls/s | ` +
        `throughput ratio ${f(ratio)}×, extra latency ${f(extra)} ms`,
    );
    if (level === "additem") {
      const checked = await measure(stores.journal, stores.snapshotStore, cart.address, true);
      checkRatios.push(checked.callsPerSecond / memory.callsPerSecond);
      checkCosts.push(checked.meanMs - onCassandra.meanMs);
      console.log(
        `round ${round}: cassandra with the freshness check ${f(checked.meanMs)} ms mean (${f(checked.medianMs)} median), ${f(checked.callsPerSecond, 0)} calls/s | ` +
          `throughput ratio ${f(checked.callsPerSecond / memory.callsPerSecond)}× in-memory, the check costs ${f(checked.meanMs - onCassandra.meanMs)} ms per command`,
      );
    }
  }
  const range = (xs: number[]) => `${f(Math.min(...xs))}..${f(Math.max(...xs))}`;
  // The targets are for AddItem; at journal level the in-memory append takes microseconds.
  const targets = level === "additem" ? [" (target ≥ 0.5)", " (target ≤ 1)"] : ["", ""];
  console.log(`summary: throughput ratio ${range(ratios)}×${targets[0]}, extra latency ${range(extras)} ms${targets[1]}`);
  if (checkCosts.length > 0) {
    console.log(
      `summary with the freshness check: throughput ratio ${range(checkRatios)}× in-memory, its cost ${range(checkCosts)} ms per command at 1 in flight`,
    );
  }
} finally {
  await cart.close();
  await stores.close();
  await dropTestKeyspaces(cassandra, [settings.keyspace]);
  await cassandra.stop();
}
