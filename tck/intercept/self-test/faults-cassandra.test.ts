import assert from "node:assert/strict";
import { after, describe, it, test } from "node:test";
import { acquireCassandra } from "../../../ci/cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../../../ci/cassandra-test-settings.js";
import { silentLogger } from "../../../reference/backend/logger.js";
import { createCassandraStores } from "../../../reference/backend/persistence/cassandra/create-cassandra-stores.js";
import { seededFaultRunTwice } from "../faults/fault-run.js";

/**
 * The seeded fault run of faults-end-to-end.test.ts with the backend journaling to a real
 * Cassandra (a fresh keyspace per run): 0 violations, the same seed gives the same faults.
 */
const cassandra = await acquireCassandra();

if ("skipped" in cassandra) {
  test("intercept mode with faults on Cassandra", { skip: cassandra.skipped }, () => {});
} else {
  describe("intercept mode with faults, end to end on the sample (Cassandra journal)", { timeout: 180_000 }, () => {
    const keyspaces: string[] = [];
    after(async () => {
      await dropTestKeyspaces(cassandra, keyspaces);
      await cassandra.stop();
    });

    it("a seeded run of every fault kind: 0 violations against the reference pair; the same seed gives the same faults", async () => {
      const stores = async () => {
        const settings = cassandraTestSettings(cassandra, "intercept_faults");
        keyspaces.push(settings.keyspace);
        return createCassandraStores(settings, silentLogger);
      };
      await seededFaultRunTwice(assert, stores);
    });
  });
}
