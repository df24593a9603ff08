import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { entityServiceDefinition, type EntitySpec, type StreamIn, type StreamOut } from "../../../reference/protocol/index.js";
import { listenAndDrain, type ListeningServer } from "../../../reference/protocol/testing/listen-and-drain.js";
import { createUserFunctionDriver } from "./user-function-driver.js";

/** A user function whose behaviour each stream picks from its Init's entity id. */
async function startScriptedUserFunction(): Promise<ListeningServer> {
  const server = new grpc.Server();
  server.addService(entityServiceDefinition, {
    ready: (_call: grpc.ServerUnaryCall<unknown, EntitySpec>, callback: grpc.sendUnaryData<EntitySpec>) =>
      callback(null, { proto: Uint8Array.from([10, 1, 120]), serviceName: "s.S", persistenceId: "p" }),
    handle: (call: grpc.ServerDuplexStream<StreamIn, StreamOut>) => {
      let script = "";
      call.on("data", (message: StreamIn) => {
        if (message.case === "init") script = message.entityId;
        if (message.case !== "command") return;
        if (script === "echo") call.write({ case: "failure", commandId: message.id, description: `echo ${message.name}` });
        if (script === "crash") call.emit("error", { code: grpc.status.INTERNAL, details: "boom" });
        if (script === "complete") call.end();
        if (script === "big") call.write({ case: "failure", commandId: message.id, description: "x".repeat(5 * 1024 * 1024) });
        // "silent": never answers.
      });
      call.on("end", () => call.end());
      call.on("error", () => undefined);
    },
  });
  return listenAndDrain(server);
}

describe("the user-function driver", { timeout: 30_000 }, () => {
  let uf: Awaited<ReturnType<typeof startScriptedUserFunction>>;
  before(async () => {
    uf = await startScriptedUserFunction();
  });
  after(() => uf.close(0));

  const withDriver = async (test: (driver: ReturnType<typeof createUserFunctionDriver>) => Promise<void>) => {
    const driver = createUserFunctionDriver({ target: uf.address, timeoutMs: 300 });
    try {
      await test(driver);
    } finally {
      driver.close();
    }
  };

  it("calls ready() and records the spec", () =>
    withDriver(async (driver) => {
      const result = await driver.ready();
      assert.ok(result.ok);
      assert.equal(result.spec.serviceName, "s.S");
      assert.match(driver.transcript.format(), /ready\(\) → service s\.S, persistence id p, descriptor 3 bytes/);
    }));

  it("records both directions of a stream, in order", () =>
    withDriver(async (driver) => {
      const stream = driver.openStream("e");
      stream.send({ case: "init", entityId: "echo", snapshot: undefined });
      stream.send({ case: "command", entityId: "echo", id: 1, name: "Hello", payload: undefined });
      const next = await stream.next(1000);
      assert.deepEqual(next, { kind: "message", message: { case: "failure", commandId: 1, description: "echo Hello" } });
      assert.deepEqual(
        driver.transcript.entries.map((e) => e.kind),
        ["opened", "sent", "sent", "received"],
      );
    }));

  it("receives an answer larger than grpc's 4 MiB default receive limit", () =>
    withDriver(async (driver) => {
      const stream = driver.openStream("e");
      stream.send({ case: "init", entityId: "big", snapshot: undefined });
      stream.send({ case: "command", entityId: "big", id: 1, name: "X", payload: undefined });
      const next = await stream.next(5000);
      assert.equal(next.kind, "message", JSON.stringify(next).slice(0, 300));
      assert.ok(next.kind === "message" && next.message.case === "failure" && next.message.description.length === 5 * 1024 * 1024);
    }));

  it("turns silence into a timeout observation instead of waiting forever", () =>
    withDriver(async (driver) => {
      const stream = driver.openStream("e");
      stream.send({ case: "init", entityId: "silent", snapshot: undefined });
      stream.send({ case: "command", entityId: "silent", id: 1, name: "X", payload: undefined });
      assert.deepEqual(await stream.next(200), { kind: "timeout", waitedMs: 200 });
    }));

  it("reports a stream the user function fails, with its status", () =>
    withDriver(async (driver) => {
      const stream = driver.openStream("e");
      stream.send({ case: "init", entityId: "crash", snapshot: undefined });
      stream.send({ case: "command", entityId: "crash", id: 1, name: "X", payload: undefined });
      assert.deepEqual(await stream.next(1000), { kind: "ended", code: grpc.status.INTERNAL, details: "boom" });
      assert.match(driver.transcript.format(), /stream ended with INTERNAL: boom/);
    }));

  it("reports a stream the user function completes", () =>
    withDriver(async (driver) => {
      const stream = driver.openStream("e");
      stream.send({ case: "init", entityId: "complete", snapshot: undefined });
      stream.send({ case: "command", entityId: "complete", id: 1, name: "X", payload: undefined });
      const next = await stream.next(1000);
      assert.equal(next.kind, "ended");
      assert.equal(next.kind === "ended" && next.code, 0);
    }));

  it("answers a failed ready() when nothing listens, within the timeout", async () => {
    const driver = createUserFunctionDriver({ target: "127.0.0.1:1", timeoutMs: 300 });
    try {
      const result = await driver.ready();
      assert.equal(result.ok, false);
      assert.match(driver.transcript.format(), /ready\(\) failed with/);
    } finally {
      driver.close();
    }
  });
});
