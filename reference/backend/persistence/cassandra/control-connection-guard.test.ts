import assert from "node:assert/strict";
import { after, before, describe, it, test } from "node:test";
import { Client } from "cassandra-driver";
import { acquireCassandra } from "../../../../ci/cassandra-for-tests.js";
import type { Logger } from "../../logger.js";
import { silentLogger } from "../../logger.js";
import { guardControlConnectionRefresh } from "./control-connection-guard.js";

// The driver's control-connection race (see control-connection-guard.ts), made deterministic on a
// real client connected to a real node: the topology query of a refresh fails after another
// refresh has taken the connection away (what a concurrent `_refresh()` does at its start).

interface ControlConnectionInternals {
  connection: unknown;
  _refresh(): Promise<void>;
  _refreshHosts: (...args: unknown[]) => Promise<void>;
}

const cassandra = await acquireCassandra();

if ("skipped" in cassandra) {
  test("cassandra-driver control connection race", { skip: cassandra.skipped }, () => {});
} else {
  describe("cassandra-driver control connection race", () => {
    let client: Client;
    let controlConnection: ControlConnectionInternals;
    let realRefreshHosts: ControlConnectionInternals["_refreshHosts"];

    before(async () => {
      client = new Client({
        contactPoints: [...cassandra.contactPoints],
        localDataCenter: cassandra.localDataCenter,
        ...(cassandra.credentials && { credentials: { ...cassandra.credentials } }),
      });
      await client.connect();
      controlConnection = (client as unknown as { controlConnection: ControlConnectionInternals }).controlConnection;
      realRefreshHosts = controlConnection._refreshHosts;
    });
    after(async () => {
      controlConnection._refreshHosts = realRefreshHosts;
      await client.shutdown();
    });

    /** The next topology refresh fails the way a concurrent refresh makes it fail. */
    const loseTheConnectionOnce = () => {
      controlConnection._refreshHosts = async () => {
        controlConnection._refreshHosts = realRefreshHosts;
        controlConnection.connection = null;
        throw Object.assign(new Error("socket closed while refreshing the topology"), { isSocketError: true });
      };
    };

    it("unguarded, the driver's own _refresh rejects with the TypeError seen in CI (a driver that fixed it would resolve)", async () => {
      loseTheConnectionOnce();
      await assert.rejects(controlConnection._refresh(), (error: Error) => {
        assert.ok(error instanceof TypeError, `expected a TypeError, got ${error}`);
        assert.match(error.message, /reading 'endpoint'/);
        return true;
      });
    });

    it("guarded, the same refresh resolves, says what happened at warn level, and the client still answers queries", async () => {
      const warnings: string[] = [];
      const log: Logger = { ...silentLogger, warn: (message, fields) => void warnings.push(`${message} ${JSON.stringify(fields)}`) };
      assert.equal(guardControlConnectionRefresh(client, log), true);
      loseTheConnectionOnce();
      await controlConnection._refresh();
      assert.equal(warnings.length, 1, `warnings: ${warnings.join("\n")}`);
      assert.match(warnings[0]!, /control connection refresh failed.*reading 'endpoint'/);
      const result = await client.execute("SELECT release_version FROM system.local");
      assert.equal(result.rows.length, 1);
    });
  });
}

test("the guard leaves a client alone when the driver's internals are not there", () => {
  assert.equal(guardControlConnectionRefresh({} as Client, silentLogger), false);
});
