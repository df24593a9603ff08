// kill -9 of the backend and of the user function under load (issue 11, item 5), as an operator
// would: several clients add items to their own carts; at a random moment one process dies with
// SIGKILL and is started again; then every cart must hold every AddItem the client saw
// acknowledged (none lost) and no more than the acknowledged ones plus the calls that ended in an
// error (an unacknowledged call may have landed; nothing is ever applied twice).
//
// - backend: reference/backend/main.ts as a process on Cassandra (CASSANDRA_CONTACT_POINTS, …,
//   a keyspace of its own); the replacement backend runs on the same keyspace.
// - user function: samples/shopping-cart/main.ts as a process on a fixed port; the backend (one
//   process, in-memory journal, never restarted) must serve again once the user function is back.
//
// Trials: BACKEND_KILL_TRIALS and USER_FUNCTION_KILL_TRIALS (5 each by default). Counts printed.
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { once } from "node:events";
import { after, describe, it, test } from "node:test";
import { fileURLToPath } from "node:url";
import { acquireCassandra, uniqueKeyspace } from "../cassandra-for-tests.js";
import { dropTestKeyspaces } from "../cassandra-test-settings.js";
import { freePort, servesAgain, startLoad, verify, writers } from "./cart-load.js";
import { startShoppingCart } from "../../samples/shopping-cart/index.js";
import { runSampleMain, type Started } from "../../samples/testing/run-sample-main.js";
import { ensureExited, runMain, type Running } from "../../reference/backend/testing/run-main.js";

const backendTrials = Number(process.env.BACKEND_KILL_TRIALS ?? "5");
const userFunctionTrials = Number(process.env.USER_FUNCTION_KILL_TRIALS ?? "5");
/** How long a process may take to come back and serve (start-up of tsx + discovery), per trial. */
const recoveryMs = 90_000;
const cartMain = fileURLToPath(new URL("../../samples/shopping-cart/main.ts", import.meta.url));

const cassandra = await acquireCassandra();
if ("skipped" in cassandra) {
  process.stderr.write(`[faults] SKIPPING kill -9 of the backend: ${cassandra.skipped}\n`);
  test("kill -9 of the backend on Cassandra", { skip: cassandra.skipped }, () => {});
} else {
  describe("kill -9 of the backend under load, on Cassandra", { timeout: 60_000 + backendTrials * 2 * recoveryMs }, () => {
    const keyspace = uniqueKeyspace("faults_backend_kill9");
    const started: Running[] = [];
    let closeCart: () => Promise<void> = async () => {};
    after(async () => {
      for (const running of started) await ensureExited(running);
      await closeCart();
      await dropTestKeyspaces(cassandra, [keyspace]);
      await cassandra.stop();
    });

    it(`loses no acknowledged AddItem over ${backendTrials} trials`, async () => {
      const cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
      closeCart = () => cart.close();
      const port = await freePort();
      const startBackend = async (): Promise<Running> => {
        const running = runMain([
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
          "--user-function",
          cart.address,
          "--log-format",
          "json",
          "--journal",
          "cassandra",
          "--cassandra-contact-points",
          cassandra.contactPoints.join(","),
          "--cassandra-local-dc",
          cassandra.localDataCenter,
          "--cassandra-keyspace",
          keyspace,
          ...(cassandra.credentials
            ? ["--cassandra-username", cassandra.credentials.username, "--cassandra-password", cassandra.credentials.password]
            : []),
        ]);
        started.push(running);
        await running.waitForLog("serving the user service", recoveryMs);
        return running;
      };
      const address = `127.0.0.1:${port}`;
      let acknowledged = 0;
      let lost = 0;
      let landedInDoubt = 0;
      let inDoubt = 0;
      let excess = 0;
      for (let trial = 1; trial <= backendTrials; trial++) {
        const backend = await startBackend();
        const load = startLoad(address, `backend-t${trial}-${Date.now()}`);
        await load.acknowledgedByAll(1 + randomInt(6));
        backend.child.kill("SIGKILL");
        await backend.exited;
        const replacement = await startBackend();
        await load.stop();
        const found = await verify(address, load.tallies);
        replacement.child.kill("SIGKILL");
        await replacement.exited;
        const trialAcked = load.tallies.reduce((sum, t) => sum + t.acknowledged, 0);
        acknowledged += trialAcked;
        inDoubt += load.tallies.reduce((sum, t) => sum + t.inDoubt, 0);
        lost += found.lost;
        landedInDoubt += found.landedInDoubt;
        excess += found.excess;
        process.stderr.write(
          `[faults] backend kill -9 trial ${trial}: ${trialAcked} acknowledged, ${found.lost} lost, ${found.excess} beyond acknowledged + in doubt\n`,
        );
      }
      const summary =
        `backend kill -9: ${backendTrials} trials, ${acknowledged} acknowledged AddItems, ${lost} lost; ` +
        `${inDoubt} calls ended in an error, ${landedInDoubt} of them landed; ${excess} applied beyond what was sent`;
      process.stderr.write(`[faults] ${summary}\n`);
      assert.equal(lost, 0, summary);
      assert.equal(excess, 0, summary);
      assert.ok(acknowledged >= backendTrials * writers, `the load made too little progress to judge: ${summary}`);
    });
  });
}

describe("kill -9 of the user function under load", { timeout: 60_000 + userFunctionTrials * 2 * recoveryMs }, () => {
  let backend: Running | undefined;
  let userFunction: Started | undefined;
  after(async () => {
    if (backend) await ensureExited(backend);
    if (userFunction && userFunction.child.exitCode === null) userFunction.child.kill("SIGKILL");
  });

  it(`loses no acknowledged AddItem over ${userFunctionTrials} trials, and the same backend serves again each time`, async () => {
    const userFunctionPort = await freePort();
    const startUserFunction = async (): Promise<Started> => {
      const started = await runSampleMain(cartMain, ["--host", "127.0.0.1", "--port", String(userFunctionPort)]);
      if (!("child" in started)) throw new Error(`the shopping cart did not start (exit ${started.code}):\n${started.output}`);
      return started;
    };
    userFunction = await startUserFunction();
    backend = runMain(["--host", "127.0.0.1", "--port", "0", "--user-function", `127.0.0.1:${userFunctionPort}`, "--log-format", "json"]);
    const listening = await backend.waitForLog("backend listening", recoveryMs);
    await backend.waitForLog("serving the user service", recoveryMs);
    const address = String(listening["address"]);

    let acknowledged = 0;
    let lost = 0;
    let inDoubt = 0;
    let landedInDoubt = 0;
    let excess = 0;
    for (let trial = 1; trial <= userFunctionTrials; trial++) {
      const load = startLoad(address, `uf-t${trial}-${Date.now()}`);
      await load.acknowledgedByAll(1 + randomInt(6));
      userFunction.child.kill("SIGKILL");
      await once(userFunction.child, "exit");
      userFunction = await startUserFunction();
      await servesAgain(address, load.tallies[0]!.cartId, recoveryMs);
      await load.stop();
      const found = await verify(address, load.tallies);
      const trialAcked = load.tallies.reduce((sum, t) => sum + t.acknowledged, 0);
      acknowledged += trialAcked;
      inDoubt += load.tallies.reduce((sum, t) => sum + t.inDoubt, 0);
      lost += found.lost;
      landedInDoubt += found.landedInDoubt;
      excess += found.excess;
      process.stderr.write(
        `[faults] user function kill -9 trial ${trial}: ${trialAcked} acknowledged, ${found.lost} lost, ${found.excess} beyond acknowledged + in doubt\n`,
      );
    }
    assert.equal(backend.child.exitCode, null, "the backend exited while the user function was killed");
    const summary =
      `user function kill -9: ${userFunctionTrials} trials, ${acknowledged} acknowledged AddItems, ${lost} lost; ` +
      `${inDoubt} calls ended in an error, ${landedInDoubt} of them landed; ${excess} applied beyond what was sent; one backend process throughout`;
    process.stderr.write(`[faults] ${summary}\n`);
    assert.equal(lost, 0, summary);
    assert.equal(excess, 0, summary);
    assert.ok(acknowledged >= userFunctionTrials * writers, `the load made too little progress to judge: ${summary}`);
  });
});
