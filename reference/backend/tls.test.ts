import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { createEntityClient, type EntitySpec, readyOf } from "../protocol/index.js";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";
import { runSeedSession } from "../../samples/shopping-cart-client/run-seed-session.js";
import { createShoppingCartClient, type ShoppingCartClient } from "../../samples/shopping-cart-client/shopping-cart-client.js";
import type { RunningUserFunction } from "../support/index.js";
import { createTestPki, type CertificateFiles, type TestPki } from "../support/testdata/test-certificates.js";
import { createBackend, type Backend } from "./backend.js";
import { entityId, persistenceId } from "./ids.js";
import { silentLogger } from "./logger.js";
import { createInMemoryJournal } from "./persistence/in-memory-journal.js";
import { createInMemorySnapshotStore } from "./persistence/in-memory-snapshot-store.js";
import { ensureExited, runMain } from "./testing/run-main.js";
import { seedSessionTranscript } from "../../samples/shopping-cart-client/seed-session-transcript.js";

// Both links encrypted: client → backend over TLS, backend → user function over mutual TLS. The
// certificates are made at test time (keys with node:crypto, X.509 with the machine's openssl).

/** ready() on the user function with these credentials: the spec, or the gRPC error. */
function ready(address: string, channelCredentials: grpc.ChannelCredentials): Promise<EntitySpec> {
  const client = createEntityClient(address, { credentials: channelCredentials });
  return readyOf(client, 5_000).finally(() => client.close());
}

async function refused(promise: Promise<unknown>, what: string): Promise<grpc.ServiceError> {
  return promise.then(
    () => assert.fail(`${what}: expected the connection to be refused, but the call succeeded`),
    (error: grpc.ServiceError) => {
      assert.equal(error.code, grpc.status.UNAVAILABLE, `${what}: expected UNAVAILABLE, got ${error.code} ${error.details}`);
      return error;
    },
  );
}

describe("TLS on both links", { timeout: 60_000 }, () => {
  let pki: TestPki;
  let cartCert: CertificateFiles;
  let backendCert: CertificateFiles;
  let backendClientCert: CertificateFiles;
  let clientCert: CertificateFiles;
  let cart: RunningUserFunction;

  before(
    async () => {
      pki = createTestPki();
      cartCert = pki.issue("cart");
      backendCert = pki.issue("backend");
      backendClientCert = pki.issue("backend-client");
      clientCert = pki.issue("client");
      // The cart accepts only clients with a certificate from the test CA: mutual TLS.
      cart = await startShoppingCart({
        host: "127.0.0.1",
        port: 0,
        tls: { cert: cartCert.cert, key: cartCert.key, clientCa: pki.ca.cert },
      });
    },
    { timeout: 20_000 },
  );
  after(async () => {
    await cart?.close();
    pki?.remove();
  });

  it("the user function serves only mutual TLS: plaintext, no client certificate and an untrusted one are refused", async () => {
    const ca = pki.ca.cert;
    const spec = await ready(cart.address, grpc.credentials.createSsl(ca, backendClientCert.key, backendClientCert.cert));
    assert.equal(spec.persistenceId, "shopping-cart");
    await refused(ready(cart.address, grpc.credentials.createInsecure()), "plaintext to the TLS user function");
    await refused(ready(cart.address, grpc.credentials.createSsl(ca)), "TLS without a client certificate");
    const stranger = pki.issueUntrusted("stranger");
    await refused(ready(cart.address, grpc.credentials.createSsl(ca, stranger.key, stranger.cert)), "a client certificate of another CA");
    // And the backend's side checks the user function's certificate: another CA is not trusted.
    await refused(ready(cart.address, grpc.credentials.createSsl(pki.issueUntrusted("other-root").cert)), "a server the CA did not sign");
  });

  describe("the backend in process", () => {
    const journal = createInMemoryJournal();
    const snapshotStore = createInMemorySnapshotStore();
    let backend: Backend;
    let target: string;
    let client: ShoppingCartClient;

    // Bounded: a backend that cannot reach the user function over TLS is never served.
    before(
      async () => {
        backend = createBackend(
          {
            host: "127.0.0.1",
            port: 0,
            userFunction: cart.address,
            tls: { cert: backendCert.cert, key: backendCert.key, clientCa: pki.ca.cert },
            userFunctionTls: { ca: pki.ca.cert, client: { cert: backendClientCert.cert, key: backendClientCert.key } },
          },
          { journal, snapshotStore, logger: silentLogger },
        );
        target = (await backend.start()).target;
        await backend.serving;
        client = createShoppingCartClient(target, {
          callTimeoutMs: 5_000,
          credentials: grpc.credentials.createSsl(pki.ca.cert, clientCert.key, clientCert.cert),
        });
      },
      { timeout: 20_000 },
    );
    after(async () => {
      client?.close();
      await backend?.stop();
      await journal.close();
      await snapshotStore.close();
    });

    it("runs the seed's client session end to end, both links encrypted, and journals its events", async () => {
      const lines: string[] = [];
      await runSeedSession(client, (line) => lines.push(line));
      assert.deepEqual(lines, seedSessionTranscript);
      const ref = { persistenceId: persistenceId("shopping-cart"), entityId: entityId("user-1") };
      assert.equal(await journal.highestSequenceNumber(ref), 9, "8 ItemAdded and 1 ItemRemoved journaled");
    });

    it("refuses plaintext clients and clients without a certificate from its client CA", async () => {
      const call = async (channelCredentials: grpc.ChannelCredentials) => {
        const other = createShoppingCartClient(target, { callTimeoutMs: 5_000, credentials: channelCredentials });
        try {
          return await other.getCart("user-1");
        } finally {
          other.close();
        }
      };
      for (const [what, channelCredentials] of [
        ["plaintext", grpc.credentials.createInsecure()],
        ["TLS without a client certificate", grpc.credentials.createSsl(pki.ca.cert)],
      ] as const) {
        await assert.rejects(call(channelCredentials), (error: Error) => {
          assert.match(error.message, /UNAVAILABLE/, `${what}: expected UNAVAILABLE, got ${error.message}`);
          return true;
        });
      }
    });
  });

  it("main.ts takes the TLS files from its flags, and refuses one it cannot read, naming the flag", async () => {
    const running = runMain([
      "--port",
      "0",
      "--user-function",
      cart.address,
      "--log-format",
      "json",
      "--tls-cert",
      backendCert.certPath,
      "--tls-key",
      backendCert.keyPath,
      "--user-function-ca",
      pki.ca.certPath,
      "--user-function-cert",
      backendClientCert.certPath,
      "--user-function-key",
      backendClientCert.keyPath,
    ]);
    try {
      const listening = await running.waitForLog("backend listening");
      assert.equal(listening["tls"], "on");
      assert.equal(listening["userFunctionTls"], "mutual");
      await running.waitForLog("serving the user service");
      const client = createShoppingCartClient(String(listening["address"]), {
        callTimeoutMs: 5_000,
        credentials: grpc.credentials.createSsl(pki.ca.cert),
      });
      try {
        const lines: string[] = [];
        await runSeedSession(client, (line) => lines.push(line));
        assert.deepEqual(lines, seedSessionTranscript);
      } finally {
        client.close();
      }
      running.child.kill("SIGTERM");
      assert.equal(await running.exited, 0);
    } finally {
      await ensureExited(running);
    }

    const missing = runMain(["--tls-cert", `${pki.dir}/nowhere.pem`, "--tls-key", backendCert.keyPath]);
    try {
      assert.equal(await missing.exited, 2);
      const said = missing.lines.map((l) => l["msg"]).join("\n");
      assert.match(said, /--tls-cert: cannot read ".*nowhere\.pem" \(ENOENT\)/);
    } finally {
      await ensureExited(missing);
    }
  });
});
