// kill -9 of Cassandra under load (issue 11), on a node of this test's own (never the shared one):
// every append the journal acknowledged must be replayed after the restart, and the same open
// stores must report the journal unavailable while it is down and available again after, with no
// restart of the backend's side. Trials: CASSANDRA_KILL_TRIALS (10 by default).
import assert from "node:assert/strict";
import { after, before, describe, it, test } from "node:test";
import { type PrivateCassandra, privateCassandraUnavailable, startPrivateCassandra } from "../cassandra-private-node.js";
import { entityId, persistenceId } from "../../reference/backend/ids.js";
import { silentLogger } from "../../reference/backend/logger.js";
import { openStores, type Stores } from "../../reference/backend/open-stores.js";
import { eventsNumbered, everything, replayAll } from "../../reference/backend/persistence/contract-fixtures.js";

const trials = Number(process.env.CASSANDRA_KILL_TRIALS ?? "10");
const writers = 8;
const cannotRun = await privateCassandraUnavailable();

if (cannotRun !== undefined) {
  process.stderr.write(`[faults] SKIPPING kill -9 of Cassandra: ${cannotRun}\n`);
  test("kill -9 of Cassandra", { skip: cannotRun }, () => {});
} else {
  describe("kill -9 of Cassandra under load", { timeout: 120_000 + trials * 240_000 }, () => {
    let node: PrivateCassandra;
    let stores: Stores;
    const availability: boolean[] = [];
    let availabilityChanged: () => void = () => {};

    before(async () => {
      node = await startPrivateCassandra((line) => process.stderr.write(line + "\n"));
      const [host, port] = node.contactPoints[0]!.split(":");
      stores = openStores(
        { kind: "cassandra", contactPoints: [`${host}:${port}`], keyspace: "kill9", localDataCenter: node.localDataCenter, credentials: undefined },
        { env: {}, logger: silentLogger, probeEveryMs: 200 },
      );
      stores.onAvailability((available) => {
        availability.push(available);
        availabilityChanged();
      });
      await stores.ready(new AbortController().signal);
    });
    after(async () => {
      // cassandra-driver 4.10, after hosts were dropped and re-added by restarts, can reject
      // inside its own reconnection code once the client is shut down ("reading 'endpoint'" of a
      // null host). Only that one, only after close, is logged instead of failing the file.
      process.on("unhandledRejection", (reason: unknown) => {
        const stack = reason instanceof Error ? (reason.stack ?? "") : "";
        if (reason instanceof TypeError && stack.includes("cassandra-driver")) {
          process.stderr.write(`[faults] ignored after close, inside cassandra-driver: ${reason.message}\n`);
          return;
        }
        throw reason;
      });
      await stores?.close();
      await node?.remove();
    });

    const until = (wanted: boolean) =>
      new Promise<void>((resolve) => {
        if (availability.at(-1) === wanted) return resolve();
        availabilityChanged = () => {
          if (availability.at(-1) === wanted) resolve();
        };
      });

    it(`loses no acknowledged event over ${trials} trials, and the stores serve again each time`, async () => {
      let acknowledged = 0;
      let lost = 0;
      for (let trial = 1; trial <= trials; trial++) {
        // Each writer appends to its own entity until a call fails; `acked` is what was acknowledged.
        const entities = Array.from({ length: writers }, (_, i) => ({
          persistenceId: persistenceId("cart"),
          entityId: entityId(`t${trial}-w${i}`),
        }));
        const acked = entities.map(() => 0);
        let firstAcks!: () => void;
        const someAcked = new Promise<void>((resolve) => (firstAcks = resolve));
        const load = entities.map(async (entity, i) => {
          for (;;) {
            try {
              await stores.journal.append(entity, acked[i]!, eventsNumbered(acked[i]! + 1, acked[i]! + 1));
            } catch {
              return;
            }
            acked[i]!++;
            if (acked.reduce((a, b) => a + b, 0) >= writers * 5) firstAcks();
          }
        });
        await someAcked;
        await node.kill9();
        await Promise.all(load);
        await until(false);
        await node.start();
        await until(true);
        let trialLost = 0;
        for (const [i, entity] of entities.entries()) {
          const history = await replayAll(stores.journal, entity, everything);
          // An append that failed may still have been applied (a timed-out commit): at most one more.
          const count = history.length;
          if (count < acked[i]!) trialLost += acked[i]! - count;
          assert.ok(count <= acked[i]! + 1, `entity ${i}: ${count} events for ${acked[i]} acknowledged`);
          assert.deepEqual(history.map((e) => e.sequenceNumber), Array.from({ length: count }, (_, k) => k + 1));
        }
        const trialAcked = acked.reduce((a, b) => a + b, 0);
        acknowledged += trialAcked;
        lost += trialLost;
        process.stdout.write(`[faults] cassandra kill -9 trial ${trial}/${trials}: ${trialAcked} acknowledged, ${trialLost} lost, journal writable again\n`);
      }
      process.stdout.write(`[faults] cassandra kill -9: ${trials} trials, ${acknowledged} acknowledged appends, ${lost} lost\n`);
      assert.equal(lost, 0);
    });
  });
}
