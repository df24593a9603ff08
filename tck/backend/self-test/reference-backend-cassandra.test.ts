import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { acquireCassandra, uniqueKeyspace } from "../../../ci/cassandra-for-tests.js";
import { cassandraTestSettings, dropTestKeyspaces } from "../../../ci/cassandra-test-settings.js";
import { silentLogger } from "../../../reference/backend/logger.js";
import { createCassandraStores } from "../../../reference/backend/persistence/cassandra/index.js";
import { runBackendCommand } from "../cli/backend-command.js";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { runBackendMode } from "../run/run-backend-mode.js";
import { captureOutput } from "./capture-output.js";
import { createReferenceBackendLauncher } from "./reference-backend-launcher.js";

// Backend mode against the reference backend journaling to a real Cassandra: in process (every
// scenario, storage faults included), and as a process restarted by the kit (the restart scenarios).

const cassandra = await acquireCassandra();
const skip = "skipped" in cassandra ? cassandra.skipped : false;

describe("backend mode against the reference backend on Cassandra", { skip }, () => {
  const keyspaces: string[] = [];
  after(async () => {
    if ("skipped" in cassandra) return;
    await dropTestKeyspaces(cassandra, keyspaces);
    await cassandra.stop();
  });

  it("in process: passes every scenario, with nothing left unrun", { timeout: 600_000 }, async () => {
    if ("skipped" in cassandra) return;
    const settings = cassandraTestSettings(cassandra, "tck_backend");
    keyspaces.push(settings.keyspace);
    const stores = await createCassandraStores(settings, silentLogger);
    try {
      const out = captureOutput();
      const summary = await runBackendMode({
        launcher: createReferenceBackendLauncher({
          stores,
          description: `reference backend in process (Cassandra keyspace ${settings.keyspace})`,
        }),
        settings: defaultBackendSettings,
        timeoutMs: 20_000,
        startupTimeoutMs: 30_000,
        runs: 5,
        out,
        rerunCommand: "node --import tsx --test tck/backend/self-test/reference-backend-cassandra.test.ts",
      });
      assert.equal(summary.failed, 0, out.text);
      assert.equal(summary.notRun.length, 0, out.text);
      assert.ok(summary.passed >= 50, `only ${summary.passed} scenarios ran:\n${out.text}`);
    } finally {
      await stores.close();
    }
  });

  it(
    "as a process with --journal cassandra: restarts, kill -9 included, keep every acknowledged event (H5, H8, A7, H7)",
    { timeout: 300_000 },
    async () => {
      if ("skipped" in cassandra) return;
      const keyspace = uniqueKeyspace("tck_backend_cmd");
      keyspaces.push(keyspace);
      const mainTs = resolve(dirname(fileURLToPath(import.meta.url)), "../../../reference/backend/main.ts");
      const command =
        `${process.execPath} --import tsx ${mainTs} --port {port} --user-function {userFunction} ` +
        "--passivation-timeout {passivationTimeoutMs}ms --relay-timeout {relayTimeoutMs}ms --relay-buffer {relayBuffer} " +
        `--journal cassandra --cassandra-contact-points ${cassandra.contactPoints.join(",")} ` +
        `--cassandra-local-dc ${cassandra.localDataCenter} --cassandra-keyspace ${keyspace}` +
        (cassandra.credentials
          ? ` --cassandra-username ${cassandra.credentials.username} --cassandra-password ${cassandra.credentials.password}`
          : "");
      const out = captureOutput();
      const err = captureOutput();
      const code = await runBackendCommand(
        ["--backend-command", command, "--durable-journal", "--tags", "@H5 or @H8 or @A7 or @H7", "--runs", "3", "--timeout", "20000"],
        out as unknown as NodeJS.WritableStream,
        err as unknown as NodeJS.WritableStream,
      );
      assert.equal(code, 0, `${out.text}\n${err.text}`);
      assert.match(out.text, /✔ H5 after a backend restart every acknowledged event is still there/);
      assert.match(
        out.text,
        /✔ H8 a backend killed \(kill -9\) right after its replies arrive keeps every acknowledged event[^\n]*\n\s+H8: 5 trials, 120 acknowledged events, 0 lost\n/,
      );
      assert.match(out.text, /✔ H7 backend restarts inserted at random points never change what a client sees/);
      assert.match(out.text, /\n\d+ passed, 0 failed, 0 not run\n$/);
    },
  );
});
