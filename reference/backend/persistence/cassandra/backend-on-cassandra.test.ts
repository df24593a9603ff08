import assert from "node:assert/strict";
import { after, before, describe, it, test } from "node:test";
import { status } from "@grpc/grpc-js";
import { acquireCassandra } from "../../../../ci/cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../../../../ci/cassandra-test-settings.js";
import { startShoppingCart } from "../../../../samples/shopping-cart/index.js";
import { createShoppingCartClient, type ShoppingCartClient } from "../../../../samples/shopping-cart-client/shopping-cart-client.js";
import { createBackend, type Backend, type BackendOptions } from "../../backend.js";
import { entityId, persistenceId } from "../../ids.js";
import { silentLogger } from "../../logger.js";
import { everything, replayAll } from "../contract-fixtures.js";
import type { CassandraSettings } from "./cassandra-settings.js";
import { type CassandraStores, createCassandraStores } from "./create-cassandra-stores.js";

// The reference backend in front of the sample shopping cart, journaling to a real Cassandra:
// what the stores promise, seen from a gRPC client (E2, E6, F4, H5, and replicas sharing a keyspace).

interface Replica {
  readonly backend: Backend;
  readonly stores: CassandraStores;
  readonly client: ShoppingCartClient;
  stop(): Promise<void>;
}

const cassandra = await acquireCassandra();

if ("skipped" in cassandra) {
  test("backend on Cassandra", { skip: cassandra.skipped }, () => {});
} else {
  describe("backend + sample shopping cart on Cassandra", { timeout: 180_000 }, () => {
    let settings: CassandraSettings;
    let cart: Awaited<ReturnType<typeof startShoppingCart>>;
    const running = new Set<Replica>();

    async function startReplica(limits: BackendOptions["limits"] = {}, entity: BackendOptions["entity"] = {}): Promise<Replica> {
      const stores = await createCassandraStores(settings, silentLogger);
      const backend = createBackend({ port: 0, userFunction: cart.address, limits, entity }, { ...stores, logger: silentLogger });
      const address = await backend.start();
      await backend.serving;
      const client = createShoppingCartClient(address.target, { callTimeoutMs: 20_000 });
      const replica: Replica = {
        backend,
        stores,
        client,
        stop: async () => {
          running.delete(replica);
          client.close();
          await backend.stop();
          await stores.close();
        },
      };
      running.add(replica);
      return replica;
    }

    before(async () => {
      settings = cassandraTestSettings(cassandra, "backend_on_cassandra", { partitionSize: 4 });
      // Above the support library's 16 MiB default: the 16 MiB-event test below must reach Cassandra, whose frame limit is what refuses.
      cart = await startShoppingCart({ host: "127.0.0.1", port: 0, maxReceiveMessageBytes: 40 * 1024 * 1024 });
    });
    after(async () => {
      for (const replica of [...running]) await replica.stop();
      await cart.close();
      await dropTestKeyspaces(cassandra, [settings.keyspace]);
      await cassandra.stop();
    });

    const ref = (user: string) => ({ persistenceId: persistenceId("shopping-cart"), entityId: entityId(user) });

    it("keeps every acknowledged event, 1 MiB ones included, and the snapshot, across a backend restart", async () => {
      const user = `user-${Date.now()}`;
      const bigName = "x".repeat(1024 * 1024);
      const first = await startReplica();
      for (let i = 1; i <= 5; i++) await first.client.addItem(user, `p${i}`, `product ${i}`, i);
      await first.client.addItem(user, "big", bigName, 1);
      // The sample snapshots every 5 events: stored at sequence number 5 (F4).
      assert.equal((await first.stores.snapshotStore.latest(ref(user)))?.sequenceNumber, 5);
      const before = await first.client.getCart(user);
      await first.stop();

      const second = await startReplica();
      const after = await second.client.getCart(user);
      assert.deepEqual(after, before);
      assert.equal(after.items.find((item) => item.productId === "big")?.name, bigName);
      await second.client.addItem(user, "p7", "product 7", 7);
      const events = await replayAll(second.stores.journal, ref(user), everything);
      assert.deepEqual(
        events.map((e) => e.sequenceNumber),
        [1, 2, 3, 4, 5, 6, 7],
      );
      await second.stop();
    });

    it("fails an event Cassandra refuses as too big (16 MiB) RESOURCE_EXHAUSTED, not UNAVAILABLE, and the cart carries on", async () => {
      const user = `huge-${Date.now()}`;
      // Limits raised so the request and the reply pass: Cassandra's own frame limit (16 MiB) is what refuses.
      const replica = await startReplica({ maxRequestBytes: 20 * 1024 * 1024, maxUserFunctionMessageBytes: 40 * 1024 * 1024 });
      await replica.client.addItem(user, "p1", "one", 1);
      await assert.rejects(
        replica.client.addItem(user, "huge", "x".repeat(16 * 1024 * 1024), 1),
        (error: { code: status; message: string }) => {
          assert.equal(status[error.code], "RESOURCE_EXHAUSTED", `status (${error.message})`);
          assert.match(
            error.message,
            /^RESOURCE_EXHAUSTED: the journal refused the events of this command as too large \(error id [0-9a-f]{12}\)$/,
          );
          return true;
        },
      );
      await replica.client.addItem(user, "p2", "two", 2);
      assert.deepEqual(
        (await replica.client.getCart(user)).items.map((item) => item.productId),
        ["p1", "p2"],
      );
      await replica.stop();
    });

    it("a stale replica's write conflicts, is retried inside the backend on the recovered entity, and succeeds", async () => {
      const user = `shared-${Date.now()}`;
      const a = await startReplica();
      const b = await startReplica();
      await a.client.addItem(user, "p1", "one", 1); // a's entity now believes it is at 1
      await b.client.addItem(user, "p2", "two", 2); // b recovers from the journal and writes 2
      // a's append at 1 conflicts; a recovers from the journal and runs AddItem again: the client sees a success.
      await a.client.addItem(user, "p3", "three", 3);
      const items = (await a.client.getCart(user)).items.map((item) => [item.productId, item.quantity]);
      assert.deepEqual(items, [
        ["p1", 1],
        ["p2", 2],
        ["p3", 3],
      ]);
      const events = await replayAll(b.stores.journal, ref(user), everything);
      assert.deepEqual(
        events.map((e) => e.sequenceNumber),
        [1, 2, 3],
      );
      await a.stop();
      await b.stop();
    });

    it("with the freshness check, a replica's read shows what another replica just wrote", async () => {
      const user = `fresh-${Date.now()}`;
      const a = await startReplica({}, { freshnessCheck: true });
      const b = await startReplica({}, { freshnessCheck: true });
      await a.client.addItem(user, "p1", "one", 1); // cached on a at 1
      await b.client.addItem(user, "p2", "two", 2);
      const items = (await a.client.getCart(user)).items.map((item) => [item.productId, item.quantity]);
      assert.deepEqual(
        items,
        [
          ["p1", 1],
          ["p2", 2],
        ],
        "a's cached cart caught up with the journal before GetCart ran",
      );
      await a.stop();
      await b.stop();
    });
  });
}
