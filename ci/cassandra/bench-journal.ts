/**
 * A rough benchmark of the Cassandra journal on whatever acquireCassandra() finds: append
 * throughput (single writer, `--batch` events per append) and the time to replay the whole
 * history (TCK C9 wants 10,000 events replayed well within the relay timeout). Figures only,
 * no assertions; on a shared machine expect wide variation.
 *
 *   node --import tsx ci/cassandra/bench-journal.ts [--events 10000] [--batch 10] [--payload 200]
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { entityId, persistenceId } from "../../reference/backend/ids.js";
import { silentLogger } from "../../reference/backend/logger.js";
import { Client } from "cassandra-driver";
import { createCassandraStores } from "../../reference/backend/persistence/cassandra/index.js";
import { createInMemoryJournal } from "../../reference/backend/persistence/index.js";
import { acquireCassandra } from "../cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../cassandra-test-settings.js";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000" },
    batch: { type: "string", default: "10" },
    payload: { type: "string", default: "200" },
  },
});
const total = Number(values.events);
const batch = Number(values.batch);
const payloadBytes = Number(values.payload);

const cassandra = await acquireCassandra();
if ("skipped" in cassandra) {
  console.error(cassandra.skipped);
  process.exit(1);
}
const settings = cassandraTestSettings(cassandra, "bench_journal");
const stores = await createCassandraStores(settings, silentLogger);
try {
  const entity = { persistenceId: persistenceId("bench"), entityId: entityId("entity-1") };
  const payload = { typeUrl: "type.googleapis.com/bench.Event", value: new Uint8Array(payloadBytes).fill(7) };
  const appendStarted = performance.now();
  for (let written = 0; written < total; written += batch) {
    const count = Math.min(batch, total - written);
    await stores.journal.append(
      entity,
      written,
      Array.from({ length: count }, () => payload),
    );
  }
  const appendMs = performance.now() - appendStarted;
  const replayStarted = performance.now();
  let replayed = 0;
  for await (const _event of stores.journal.replay(entity, { fromSequenceNumber: 1, toSequenceNumber: Infinity, max: Infinity })) {
    replayed++;
  }
  const replayMs = performance.now() - replayStarted;
  const appends = Math.ceil(total / batch);
  // Baselines in the same run (the machine is shared and noisy, so ratios carry, absolute times do not):
  // one plain CQL read per append on a client of its own, and the same replay on the in-memory journal.
  const baselineClient = new Client({
    contactPoints: [...settings.contactPoints],
    localDataCenter: settings.localDataCenter,
    ...(settings.credentials && { credentials: { ...settings.credentials } }),
  });
  let readMs: number;
  try {
    await baselineClient.connect();
    const readStarted = performance.now();
    for (let i = 0; i < appends; i++) await baselineClient.execute("SELECT release_version FROM system.local");
    readMs = performance.now() - readStarted;
  } finally {
    await baselineClient.shutdown();
  }
  const memory = createInMemoryJournal();
  for (let written = 0; written < total; written += batch) {
    const count = Math.min(batch, total - written);
    await memory.append(
      entity,
      written,
      Array.from({ length: count }, () => payload),
    );
  }
  const memoryStarted = performance.now();
  for await (const _event of memory.replay(entity, { fromSequenceNumber: 1, toSequenceNumber: Infinity, max: Infinity })) {
    // counted by the loop itself
  }
  const memoryReplayMs = performance.now() - memoryStarted;
  console.log(
    `cassandra ${cassandra.releaseVersion} (${cassandra.source}), partition size ${stores.partitionSize}, ` +
      `${payloadBytes}-byte events\n` +
      `append: ${total} events in ${appends} appends of ${batch}: ${(appendMs / 1000).toFixed(1)} s ` +
      `(${(appendMs / appends).toFixed(1)} ms per append, ${Math.round((total / appendMs) * 1000)} events/s)\n` +
      `replay: ${replayed} events in ${(replayMs / 1000).toFixed(2)} s (${Math.round((replayed / replayMs) * 1000)} events/s)\n` +
      `ratios: an append costs ${(appendMs / readMs).toFixed(1)} plain CQL reads; ` +
      `replay takes ${(replayMs / memoryReplayMs).toFixed(0)}× the in-memory journal's`,
  );
} finally {
  await stores.close();
  await dropTestKeyspaces(cassandra, [settings.keyspace]);
  await cassandra.stop();
}
