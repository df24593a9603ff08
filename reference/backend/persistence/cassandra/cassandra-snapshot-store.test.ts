import { after, test } from "node:test";
import { acquireCassandra } from "../../../../ci/cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../../../../ci/cassandra-test-settings.js";
import { silentLogger } from "../../logger.js";
import { snapshotStoreContract } from "../snapshot-store-contract.js";
import { createCassandraStores } from "./create-cassandra-stores.js";

const cassandra = await acquireCassandra();

if ("skipped" in cassandra) {
  test("SnapshotStore contract: Cassandra", { skip: cassandra.skipped }, () => {});
} else {
  const keyspaces: string[] = [];
  after(async () => {
    await dropTestKeyspaces(cassandra, keyspaces);
    await cassandra.stop();
  });

  snapshotStoreContract(`Cassandra (${cassandra.source})`, async () => {
    const settings = cassandraTestSettings(cassandra, "snapshot_contract");
    keyspaces.push(settings.keyspace);
    const stores = await createCassandraStores(settings, silentLogger);
    return { snapshotStore: stores.snapshotStore, teardown: () => stores.close() };
  });
}
