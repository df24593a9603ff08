// Cassandra TLS and password authentication against a real node (issue 12): a node of this test's
// own (never the shared plaintext one), started by ci/cassandra.sh with client_encryption_options
// enabled and not optional (TLS required) from a PKCS12 keystore made here, and PasswordAuthenticator
// (default superuser cassandra/cassandra; ci/cassandra.sh waits until that login works). The
// backend's settings (CASSANDRA_TLS*, CASSANDRA_USERNAME/PASSWORD, read by cassandraSettingsFromEnv)
// must connect, append and replay; a plaintext client, an untrusted node certificate and a wrong
// password must each be refused.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it, test } from "node:test";
import { type PrivateCassandra, privateCassandraUnavailable, startPrivateCassandra } from "../cassandra-private-node.js";
import { entityId, persistenceId } from "../../reference/backend/ids.js";
import { silentLogger } from "../../reference/backend/logger.js";
import { cassandraSettingsFromEnv } from "../../reference/backend/config/parse-cassandra-settings.js";
import { createCassandraStores } from "../../reference/backend/persistence/cassandra/create-cassandra-stores.js";
import { eventsNumbered, everything, replayAll } from "../../reference/backend/persistence/contract-fixtures.js";
import { StorageError } from "../../reference/backend/persistence/storage-error.js";
import { createTestPki, type TestPki } from "../../reference/support/testdata/test-certificates.js";

const cannotRun = await privateCassandraUnavailable();

if (cannotRun !== undefined) {
  process.stderr.write(`[faults] SKIPPING Cassandra TLS + authentication: ${cannotRun}\n`);
  test("Cassandra TLS + authentication", { skip: cannotRun }, () => {});
} else {
  describe("Cassandra TLS + password authentication against a node that requires both", { timeout: 300_000 }, () => {
    let pki: TestPki;
    let node: PrivateCassandra;
    /** The backend's environment for this node: TLS with the test CA, the default superuser. */
    let env: Record<string, string>;

    before(async () => {
      pki = createTestPki();
      const server = pki.issue("cassandra-node");
      const keystore = join(pki.dir, "cassandra-node.p12");
      const keystorePassword = "keystore-secret";
      execFileSync(
        "openssl",
        [
          "pkcs12",
          "-export",
          "-name",
          "cassandra-node",
          "-inkey",
          server.keyPath,
          "-in",
          server.certPath,
          "-certfile",
          pki.ca.certPath,
          "-passout",
          `pass:${keystorePassword}`,
          "-out",
          keystore,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      node = await startPrivateCassandra((line) => process.stderr.write(line + "\n"), {
        CASSANDRA_AUTHENTICATOR: "PasswordAuthenticator",
        CASSANDRA_CLIENT_TLS_KEYSTORE: keystore,
        CASSANDRA_CLIENT_TLS_KEYSTORE_PASSWORD: keystorePassword,
      });
      env = {
        CASSANDRA_CONTACT_POINTS: node.contactPoints.join(","),
        CASSANDRA_LOCAL_DC: node.localDataCenter,
        CASSANDRA_KEYSPACE: "tls_auth",
        CASSANDRA_TLS: "true",
        CASSANDRA_TLS_CA: pki.ca.certPath,
        CASSANDRA_TLS_SERVER_NAME: "localhost",
        CASSANDRA_USERNAME: "cassandra",
        CASSANDRA_PASSWORD: "cassandra",
      };
    });
    after(async () => {
      await node?.remove();
      pki?.remove();
    });

    const refusal = async (overrides: Record<string, string | undefined>, kind: string, message: RegExp) => {
      await assert.rejects(createCassandraStores(cassandraSettingsFromEnv({ ...env, ...overrides }), silentLogger), (error: unknown) => {
        assert.ok(error instanceof StorageError, `expected a StorageError, got ${String(error)}`);
        assert.equal(error.kind, kind, `expected kind ${kind}, got ${error.kind}: ${error.message}`);
        assert.match(error.message, message);
        process.stdout.write(`[faults] cassandra tls: refused as expected: ${error.message.split("\n")[0]}\n`);
        return true;
      });
    };

    it("connects with CASSANDRA_TLS + CASSANDRA_USERNAME/PASSWORD, appends and replays", async () => {
      const stores = await createCassandraStores(cassandraSettingsFromEnv(env), silentLogger);
      try {
        const entity = { persistenceId: persistenceId("cart"), entityId: entityId("tls-1") };
        await stores.journal.append(entity, 0, eventsNumbered(1, 3));
        const history = await replayAll(stores.journal, entity, everything);
        assert.deepEqual(
          history.map((event) => event.sequenceNumber),
          [1, 2, 3],
          "replay over TLS returns the three appended events",
        );
      } finally {
        await stores.close();
      }
    });

    it("refuses a plaintext client (the node requires TLS)", async () => {
      await refusal(
        { CASSANDRA_TLS: "false", CASSANDRA_TLS_CA: undefined, CASSANDRA_TLS_SERVER_NAME: undefined },
        "unavailable",
        /^no Cassandra host answered while connecting to /,
      );
    });

    it("refuses a node whose certificate does not chain to CASSANDRA_TLS_CA", async () => {
      const other = createTestPki();
      try {
        await refusal({ CASSANDRA_TLS_CA: other.ca.certPath }, "unavailable", /connecting to .*certificate/);
      } finally {
        other.remove();
      }
    });

    it("refuses a wrong password with an error that says the login was refused", async () => {
      await refusal(
        { CASSANDRA_PASSWORD: "not-the-password" },
        "unavailable",
        /^Cassandra refused the login while connecting to .*: Provided username cassandra and\/or password are incorrect$/,
      );
    });
  });
}
