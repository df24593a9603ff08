/**
 * AddItem through the reference backend and the sample shopping cart, on the in-memory journal
 * and on the Cassandra journal, in the same run (the machine is shared and noisy: the ratios
 * carry, the absolute figures do not). Not part of `npm test`; figures only, no assertions.
 *
 *   node --import tsx ci/bench/journal-append.bench.ts [--rounds 3] [--serial 200] [--inflight 64] [--per-cart 20]
 *
 * Per round and journal:
 * - latency at 1 in flight: `--serial` AddItems one after the other on one cart (mean and median);
 * - throughput at `--inflight` in flight: that many carts, each sent `--per-cart` AddItems one
 *   after the other, all carts at once (calls per second).
 * Then, per round: Cassandra ÷ in-memory throughput, and Cassandra − in-memory mean latency.
 * Cassandra comes from ci/cassandra-for-tests.ts (CASSANDRA_CONTACT_POINTS, …), in a keyspace of
 * its own, dropped at the end.
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { createShoppingCartClient, type ShoppingCartClient } from "../../samples/shopping-cart-client/index.js";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";
import { createBackend } from "../../reference/backend/backend.js";
import { silentLogger } from "../../reference/backend/logger.js";
import { createCassandraStores } from "../../reference/backend/persistence/cassandra/index.js";
import { createInMemoryJournal, createInMemorySnapshotStore, type Journal, type SnapshotStore } from "../../reference/backend/persistence/index.js";
import { acquireCassandra } from "../cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../cassandra-test-settings.js";

const { values } = parseArgs({
  options: {
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

interface Figures {
  readonly meanMs: number;
  readonly medianMs: number;
  readonly callsPerSecond: number;
}

async function measure(journal: Journal, snapshotStore: SnapshotStore, userFunction: string): Promise<Figures> {
  const backend = createBackend({ port: 0, userFunction }, { journal, snapshotStore, logger: silentLogger });
  const address = await backend.start();
  await backend.serving;
  const client: ShoppingCartClient = createShoppingCartClient(address.target, { callTimeoutMs: 60_000 });
  try {
    const run = randomUUID();
    // Warm-up: connections, prepared statements, the first activation of an entity.
    for (let i = 0; i < 20; i++) await client.addItem(`warm-${run}`, "p", "Warm", 1);

    const latencies: number[] = [];
    for (let i = 0; i < serialCalls; i++) {
      const started = performance.now();
      await client.addItem(`serial-${run}`, "p", "Flour", 1);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const meanMs = latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length;
    const medianMs = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;

    // Activate every cart first, so the throughput phase measures appends, not recoveries.
    await Promise.all(Array.from({ length: inFlight }, (_, cart) => client.addItem(`load-${run}-${cart}`, "p", "Salt", 1)));
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async (_, cart) => {
        for (let i = 0; i < perCart; i++) await client.addItem(`load-${run}-${cart}`, "p", "Salt", 1);
      }),
    );
    const callsPerSecond = (inFlight * perCart * 1000) / (performance.now() - started);
    return { meanMs, medianMs, callsPerSecond };
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
const cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
const f = (n: number, digits = 2) => n.toFixed(digits);
try {
  console.log(
    `AddItem, Cassandra ${cassandra.releaseVersion} (${cassandra.source}), partition size ${stores.partitionSize}; ` +
      `latency: ${serialCalls} calls at 1 in flight; throughput: ${inFlight} in flight × ${perCart} calls`,
  );
  const ratios: number[] = [];
  const extras: number[] = [];
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
  }
  const range = (xs: number[]) => `${f(Math.min(...xs))}..${f(Math.max(...xs))}`;
  console.log(`summary: throughput ratio ${range(ratios)}× (target ≥ 0.5), extra latency ${range(extras)} ms (target ≤ 1)`);
} finally {
  await cart.close();
  await stores.close();
  await dropTestKeyspaces(cassandra, [settings.keyspace]);
  await cassandra.stop();
}
