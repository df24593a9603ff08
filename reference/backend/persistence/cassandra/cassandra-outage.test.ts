import assert from "node:assert/strict";
import { after, before, describe, it, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type PrivateCassandra, privateCassandraUnavailable, startPrivateCassandra } from "../../../../ci/cassandra-private-node.js";
import { silentLogger } from "../../logger.js";
import { eventsNumbered, everything, freshEntity, plain, replayAll } from "../contract-fixtures.js";
import { StorageError } from "../storage-error.js";
import { defaultCassandraSettings } from "./cassandra-settings.js";
import { type CassandraStores, createCassandraStores } from "./create-cassandra-stores.js";

// Cassandra taken away under open stores (a node of this file's own, since it is stopped):
// every operation fails `unavailable` rather than hanging or lying, and the same stores work
// again once Cassandra is back, with everything acknowledged before the outage intact.

const cannotRun = await privateCassandraUnavailable();

const isUnavailable = (error: unknown) => error instanceof StorageError && error.kind === "unavailable";

/** Retries `attempt` until it succeeds or `timeoutMs` passes (the driver reconnects in the background). */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

if (cannotRun !== undefined) {
  process.stderr.write(`[cassandra] SKIPPING the Cassandra outage test: ${cannotRun}\n`);
  test("Cassandra stores during an outage", { skip: cannotRun }, () => {});
} else {
  describe("Cassandra stores during an outage", { timeout: 300_000 }, () => {
    let node: PrivateCassandra;
    let stores: CassandraStores;

    before(async () => {
      node = await startPrivateCassandra((line) => process.stderr.write(line + "\n"));
      stores = await createCassandraStores(
        { ...defaultCassandraSettings, contactPoints: node.contactPoints, localDataCenter: node.localDataCenter, keyspace: "outage" },
        silentLogger,
      );
    });
    after(async () => {
      await stores?.close();
      await node?.remove();
    });

    it("fails every operation as unavailable while Cassandra is down, and recovers when it is back", async () => {
      const entity = freshEntity();
      await stores.journal.append(entity, 0, eventsNumbered(1, 3));
      await stores.snapshotStore.save(entity, { sequenceNumber: 3, payload: eventsNumbered(3, 3, "state")[0]! });

      await node.stop();
      await assert.rejects(stores.journal.append(entity, 3, eventsNumbered(4, 4)), isUnavailable);
      await assert.rejects(stores.journal.highestSequenceNumber(entity), isUnavailable);
      await assert.rejects(replayAll(stores.journal, entity, everything), isUnavailable);
      await assert.rejects(stores.snapshotStore.save(entity, { sequenceNumber: 4, payload: eventsNumbered(4, 4)[0]! }), isUnavailable);
      await assert.rejects(stores.snapshotStore.latest(entity), isUnavailable);

      await node.start();
      await eventually(() => stores.journal.append(entity, 3, eventsNumbered(4, 4)), 60_000);
      const history = await replayAll(stores.journal, entity, everything);
      assert.deepEqual(
        history.map((e) => plain(e.payload)),
        eventsNumbered(1, 4).map(plain),
      );
      assert.equal((await stores.snapshotStore.latest(entity))?.sequenceNumber, 3);
    });
  });
}
