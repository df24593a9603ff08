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
import { createCassandraStores } from "../../reference/backend/persistence/cassandra/index.js";
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
    await stores.journal.append(entity, written, Array.from({ length: count }, () => payload));
  }
  const appendMs = performance.now() - appendStarted;
  const replayStarted = performance.now();
  let replayed = 0;
  for await (const _event of stores.journal.replay(entity, { fromSequenceNumber: 1, toSequenceNumber: Infinity, max: Infinity })) {
    replayed++;
  }
  const replayMs = performance.now() - replayStarted;
  const appends = Math.ceil(total / batch);
  console.log(
    `cassandra ${cassandra.releaseVersion} (${cassandra.source}), partition size ${stores.partitionSize}, ` +
      `${payloadBytes}-byte events\n` +
      `append: ${total} events in ${appends} appends of ${batch}: ${(appendMs / 1000).toFixed(1)} s ` +
      `(${(appendMs / appends).toFixed(1)} ms per append, ${Math.round((total / appendMs) * 1000)} events/s)\n` +
      `replay: ${replayed} events in ${(replayMs / 1000).toFixed(2)} s (${Math.round((replayed / replayMs) * 1000)} events/s)`,
  );
} finally {
  await stores.close();
  await dropTestKeyspaces(cassandra, [settings.keyspace]);
  await cassandra.stop();
}
