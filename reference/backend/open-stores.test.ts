import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { acquireCassandra, uniqueKeyspace } from "../../ci/cassandra-for-tests.js";
import { dropTestKeyspaces } from "../../ci/cassandra-test-settings.js";
import { entityId, persistenceId } from "./ids.js";
import { createLogger, type LogFields } from "./logger.js";
import { openStores } from "./open-stores.js";
import { defaultCassandraSettings } from "./persistence/cassandra/index.js";
import { StorageError } from "./persistence/index.js";

const entity = { persistenceId: persistenceId("p"), entityId: entityId("e") };
const event = { typeUrl: "type.googleapis.com/x.E", value: Uint8Array.from([1, 2, 3]) };

function recordingLogger() {
  const entries: { message: string; fields: LogFields }[] = [];
  const logger = createLogger({
    level: "debug",
    format: "json",
    write: (line) => {
      const { msg, ...fields } = JSON.parse(line) as { msg: string } & LogFields;
      entries.push({ message: msg, fields });
    },
  });
  return { logger, entries };
}

describe("openStores", () => {
  it("memory: ready at once, and the stores work", async () => {
    const stores = openStores({ kind: "memory" }, { logger: recordingLogger().logger });
    await stores.ready(new AbortController().signal);
    await stores.journal.append(entity, 0, [event]);
    assert.equal(await stores.journal.highestSequenceNumber(entity), 1);
    await stores.close();
  });

  it("cassandra unreachable: keeps retrying with a clear log line, calls fail unavailable, abort stops it", async () => {
    const { logger, entries } = recordingLogger();
    const stores = openStores(
      { kind: "cassandra", cassandra: { ...defaultCassandraSettings, contactPoints: ["127.0.0.1:1"], keyspace: "nowhere" } },
      { logger, retry: { initialMs: 20, maxMs: 40 } },
    );
    const abort = new AbortController();
    const ready = stores.ready(abort.signal);
    ready.catch(() => {});
    await assert.rejects(stores.journal.append(entity, 0, [event]), (error: unknown) => {
      assert.ok(error instanceof StorageError);
      assert.equal(error.kind, "unavailable");
      assert.match(error.message, /Cassandra at 127\.0\.0\.1:1 is not connected yet/);
      return true;
    });
    const deadline = Date.now() + 20_000;
    while (entries.filter((e) => e.message.startsWith("cannot reach Cassandra")).length < 2) {
      assert.ok(Date.now() < deadline, "two failed attempts logged within 20 s");
      await new Promise((r) => setTimeout(r, 20));
    }
    const failure = entries.find((e) => e.message.startsWith("cannot reach Cassandra"))!;
    assert.equal(failure.fields["contactPoints"], "127.0.0.1:1");
    assert.equal(failure.fields["attempt"], 1);
    assert.equal(typeof failure.fields["error"], "string");
    abort.abort(new Error("stop"));
    await assert.rejects(ready, /stop/);
    await stores.close();
  });
});

const cassandra = await acquireCassandra();
describe("openStores on a real Cassandra", { skip: "skipped" in cassandra ? cassandra.skipped : false }, () => {
  const keyspace = uniqueKeyspace("open_stores");
  after(async () => {
    if (!("skipped" in cassandra)) {
      await dropTestKeyspaces(cassandra, [keyspace]);
      await cassandra.stop();
    }
  });

  it("connects, then the same delegating stores journal and replay", async () => {
    if ("skipped" in cassandra) return;
    const stores = openStores(
      {
        kind: "cassandra",
        cassandra: {
          ...defaultCassandraSettings,
          contactPoints: cassandra.contactPoints,
          keyspace,
          localDataCenter: cassandra.localDataCenter,
          ...(cassandra.credentials && { credentials: cassandra.credentials }),
        },
      },
      { logger: recordingLogger().logger },
    );
    await stores.ready(new AbortController().signal);
    await stores.journal.append(entity, 0, [event, event]);
    const replayed = [];
    for await (const e of stores.journal.replay(entity, { fromSequenceNumber: 1, toSequenceNumber: Infinity, max: Infinity }))
      replayed.push(e.sequenceNumber);
    assert.deepEqual(replayed, [1, 2]);
    await stores.snapshotStore.save(entity, { sequenceNumber: 2, payload: event });
    assert.equal((await stores.snapshotStore.latest(entity))?.sequenceNumber, 2);
    await stores.close();
  });
});
