import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { createEntityClient, entityServiceDefinition, readyOf, type EntitySpec } from "../index.js";
import { listenAndDrain } from "./listen-and-drain.js";

const spec: EntitySpec = { proto: Uint8Array.from([10, 1, 120]), serviceName: "s.S", persistenceId: "p" };

/** A user function whose ready() answers when the test says so, and whose streams never end on their own. */
function startServer() {
  const server = new grpc.Server();
  let answer: (() => void) | undefined;
  let asked!: () => void;
  const readyAsked = new Promise<void>((resolve) => (asked = resolve));
  let opened!: () => void;
  const streamOpened = new Promise<void>((resolve) => (opened = resolve));
  server.addService(entityServiceDefinition, {
    ready: (_call: unknown, callback: grpc.sendUnaryData<EntitySpec>) => {
      answer = () => callback(null, spec);
      asked();
    },
    handle: () => opened(),
  });
  return { server, readyAsked, streamOpened, answer: () => answer?.() };
}

describe("listenAndDrain", { timeout: 20_000 }, () => {
  it("binds 127.0.0.1 on a port the system picks and says where", async () => {
    const { server } = startServer();
    const listening = await listenAndDrain(server);
    try {
      assert.ok(listening.port > 0);
      assert.equal(listening.address, `127.0.0.1:${listening.port}`);
    } finally {
      await listening.close(0);
    }
  });

  it("drains on close: a call in flight still gets its answer", async () => {
    const { server, readyAsked, answer } = startServer();
    const listening = await listenAndDrain(server);
    const client = createEntityClient(listening.address);
    try {
      const reply = readyOf(client, 10_000);
      await readyAsked;
      const closed = listening.close(10_000);
      answer();
      assert.equal((await reply).serviceName, "s.S");
      await closed;
    } finally {
      client.close();
    }
  });

  for (const [grace, name] of [
    [50, "cuts what is still open once the grace has passed, so close() resolves"],
    [0, "with a grace of 0 cuts open calls at once"],
  ] as const) {
    it(name, async () => {
      const { server, streamOpened } = startServer();
      const listening = await listenAndDrain(server);
      const client = createEntityClient(listening.address);
      try {
        const call = client.handle();
        call.on("error", () => {});
        const ended = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
        call.write({ case: "init", entityId: "e", snapshot: undefined });
        await streamOpened;
        await listening.close(grace);
        assert.notEqual((await ended).code, grpc.status.OK);
      } finally {
        client.close();
      }
    });
  }
});
