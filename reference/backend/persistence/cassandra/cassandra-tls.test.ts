import assert from "node:assert/strict";
import { after, before, describe, it, test } from "node:test";
import { acquireCassandra } from "../../../../ci/cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../../../../ci/cassandra-test-settings.js";
import { createTestPki, type TestPki } from "../../../support/testdata/test-certificates.js";
import { silentLogger } from "../../logger.js";
import { StorageError } from "../storage-error.js";
import { cassandraSettingsFromEnv } from "../../config/parse-cassandra-settings.js";
import { createCassandraStores } from "./create-cassandra-stores.js";

// TLS and authentication to Cassandra: the settings reach the driver's sslOptions and credentials.
// The shared test node serves plaintext only (no client_encryption_options), so what can be shown
// against it is that TLS is really attempted: a TLS connection to it fails `unavailable`, and the
// same settings without TLS connect. The encrypted, authenticated session against a node that
// requires both is ci/faults/cassandra-tls.fault.ts (it starts a node of its own).

const cassandra = await acquireCassandra();

describe("Cassandra TLS settings", () => {
  let pki: TestPki;
  before(() => void (pki = createTestPki()));
  after(() => pki.remove());

  it("reads CASSANDRA_TLS with its CA, client certificate and server name files", () => {
    const client = pki.issue("cassandra-client");
    const settings = cassandraSettingsFromEnv({
      CASSANDRA_TLS: "true",
      CASSANDRA_TLS_CA: pki.ca.certPath,
      CASSANDRA_TLS_CERT: client.certPath,
      CASSANDRA_TLS_KEY: client.keyPath,
      CASSANDRA_TLS_SERVER_NAME: "cassandra.internal",
    });
    assert.deepEqual(settings.tls, { ca: pki.ca.cert, client: { cert: client.cert, key: client.key }, serverName: "cassandra.internal" });
    assert.deepEqual(cassandraSettingsFromEnv({ CASSANDRA_TLS: "TRUE" }).tls, {});
    assert.equal(cassandraSettingsFromEnv({ CASSANDRA_TLS: "false" }).tls, undefined);
  });

  it("refuses TLS files without CASSANDRA_TLS, half a client pair, an unreadable file and a bad flag, all in one message", () => {
    assert.throws(
      () => cassandraSettingsFromEnv({ CASSANDRA_TLS_CA: "/x.pem", CASSANDRA_TLS: "yes" }),
      (error: Error) => {
        assert.match(error.message, /CASSANDRA_TLS must be true or false, got "yes"/);
        assert.match(error.message, /CASSANDRA_TLS_CA is set but CASSANDRA_TLS is not true/);
        return true;
      },
    );
    assert.throws(
      () =>
        cassandraSettingsFromEnv({ CASSANDRA_TLS: "true", CASSANDRA_TLS_CERT: pki.ca.certPath, CASSANDRA_TLS_CA: `${pki.dir}/none.pem` }),
      (error: Error) => {
        assert.match(error.message, /CASSANDRA_TLS_CA: cannot read ".*none\.pem" \(ENOENT\)/);
        assert.match(error.message, /CASSANDRA_TLS_CERT and CASSANDRA_TLS_KEY come together/);
        return true;
      },
    );
  });
});

if ("skipped" in cassandra) {
  test("Cassandra TLS against a node", { skip: cassandra.skipped }, () => {});
} else {
  describe("Cassandra TLS against the shared (plaintext) node", { timeout: 60_000 }, () => {
    const settings = cassandraTestSettings(cassandra, "tls");
    after(async () => {
      await dropTestKeyspaces(cassandra, [settings.keyspace]);
      await cassandra.stop();
    });

    it("with CASSANDRA_TLS the driver speaks TLS: a plaintext node cannot be reached (unavailable)", async () => {
      await assert.rejects(createCassandraStores({ ...settings, tls: {} }, silentLogger), (error: unknown) => {
        assert.ok(error instanceof StorageError, `expected a StorageError, got ${String(error)}`);
        assert.equal(error.kind, "unavailable");
        return true;
      });
    });

    it("without it the same settings connect", async () => {
      const stores = await createCassandraStores(settings, silentLogger);
      await stores.close();
    });
  });
}
