import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { createEntityClient, type EntityClient, readyOf, type StreamIn, type StreamOut } from "../protocol/index.js";
import { serve, type RunningUserFunction } from "./index.js";
import { createAppendEntity, modelPackage } from "./testdata/append-entity.js";
import { command, init, reply } from "./testdata/transcript.js";

interface StreamResult {
  readonly received: StreamOut[];
  readonly status: grpc.StatusObject;
}

/** Sends the messages, half-closes if asked, and collects everything until the status arrives. */
function exchange(client: EntityClient, messages: StreamIn[], halfClose: boolean): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const received: StreamOut[] = [];
    const call = client.handle({ deadline: Date.now() + 5000 });
    const timeout = setTimeout(() => reject(new Error("no status within 5 s")), 5000);
    call.on("data", (message: StreamOut) => received.push(message));
    call.on("error", () => {}); // the status event carries the outcome
    call.on("status", (status) => {
      clearTimeout(timeout);
      resolve({ received, status });
    });
    for (const message of messages) call.write(message);
    if (halfClose) call.end();
  });
}

describe("serve", () => {
  const logLines: string[] = [];
  let running: RunningUserFunction;
  let client: EntityClient;

  before(async () => {
    running = await serve(createAppendEntity(5), { host: "127.0.0.1", port: 0, debug: true, writeLog: (l) => logLines.push(l) });
    client = createEntityClient(running.address);
  });

  after(async () => {
    client.close();
    await running.close();
  });

  it("listens on an ephemeral port and reports where", () => {
    assert.ok(running.port > 0);
    assert.equal(running.address, `127.0.0.1:${running.port}`);
  });

  it("answers ready() with the same complete spec every time (A1, A4)", async () => {
    const first = await readyOf(client, 5000);
    const second = await readyOf(client, 5000);
    assert.equal(first.serviceName, `${modelPackage}.ModelEntity`);
    assert.equal(first.persistenceId, "append-test");
    assert.ok(first.proto.length > 0);
    assert.deepEqual(second, first);
  });

  it("answers commands and completes when the backend half-closes", async () => {
    const result = await exchange(client, [init(), command(1, [{ emit: "a" }]), command(2, [{ emit: "b" }])], true);
    assert.equal(result.status.code, grpc.status.OK);
    assert.deepEqual(result.received, [reply(1, "a", ["a"]), reply(2, "ab", ["b"])]);
  });

  it("ends the stream with an error status on a protocol violation (B3)", async () => {
    const result = await exchange(client, [init(), command(1, []), init()], false);
    assert.equal(result.status.code, grpc.status.FAILED_PRECONDITION);
    assert.equal(result.status.details, "a second Init on the same stream");
    assert.deepEqual(result.received, [reply(1, "")]);
  });

  it("accepts messages beyond grpc's default 4 MiB limit (E6, F6)", async () => {
    const big = "s".repeat(5 * 1024 * 1024);
    const unlimited = createEntityClient(running.address, { channel: { "grpc.max_receive_message_length": -1 } });
    try {
      const result = await exchange(unlimited, [init("big", { sequence: 1, state: big }), command(1, [], "Process", "big")], true);
      assert.equal(result.status.code, grpc.status.OK);
      assert.deepEqual(result.received, [reply(1, big)]);
    } finally {
      unlimited.close();
    }
  });

  it("survives a backend that cancels a stream mid-command", async () => {
    const call = client.handle({});
    const ended = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
    call.on("error", () => {}); // the cancellation is expected
    call.write(init("cancelled"));
    call.write(command(1, [{ respond: "slow" }, { emit: "a" }], "Process", "cancelled"));
    call.cancel();
    assert.equal((await ended).code, grpc.status.CANCELLED);
    // The server carries on: a new stream for the same entity starts clean.
    const result = await exchange(client, [init("cancelled"), command(1, [], "Process", "cancelled")], true);
    assert.deepEqual(result.received, [reply(1, "")]);
  });

  it("logs protocol traffic when debug is on", async () => {
    await exchange(client, [init("logged"), command(1, [{ emit: "z" }], "Process", "logged")], true);
    assert.ok(logLines.some((l) => l.startsWith("stateserv-event-sourcing ") && l.includes("<- Init entity=logged")));
    assert.ok(logLines.some((l) => /-> Reply 1 type\.googleapis\.com\/lightbend\.serverless\.tck\.model\.Response/.test(l)));
  });
});

describe("serve: close", () => {
  it("ends open streams cleanly and stops listening", async () => {
    const running = await serve(createAppendEntity(5), { host: "127.0.0.1", port: 0, debug: false });
    const client = createEntityClient(running.address);
    try {
      // A stream left open by the backend: close() must end it rather than wait for it.
      const open = exchange(client, [init(), command(1, [{ emit: "a" }])], false);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await running.close();
      const result = await open;
      assert.equal(result.status.code, grpc.status.OK);
      assert.deepEqual(result.received, [reply(1, "a", ["a"])]);
      await assert.rejects(readyOf(client, 5000));
    } finally {
      client.close();
      await running.close();
    }
  });
});

describe("serve: where it listens and what it accepts", () => {
  it("binds loopback (127.0.0.1) when no host is given", async () => {
    const running = await serve(createAppendEntity(5), { port: 0, debug: false });
    try {
      assert.equal(running.host, "127.0.0.1");
      assert.equal(running.address, `127.0.0.1:${running.port}`);
    } finally {
      await running.close();
    }
  });

  it("ends a stream RESOURCE_EXHAUSTED on a message over maxReceiveMessageBytes, and serves the next one", async () => {
    const running = await serve(createAppendEntity(5), { port: 0, debug: false, maxReceiveMessageBytes: 64 * 1024 });
    const client = createEntityClient(running.address);
    try {
      const over = await exchange(client, [init("big", { sequence: 1, state: "s".repeat(100 * 1024) })], true);
      assert.equal(
        over.status.code,
        grpc.status.RESOURCE_EXHAUSTED,
        `expected RESOURCE_EXHAUSTED, got ${over.status.code} ${over.status.details}`,
      );
      const under = await exchange(
        client,
        [init("small", { sequence: 1, state: "s".repeat(32 * 1024) }), command(1, [], "Process", "small")],
        true,
      );
      assert.equal(under.status.code, grpc.status.OK);
    } finally {
      client.close();
      await running.close();
    }
  });

  it("refuses a receive limit that is not a size in range", async () => {
    for (const bad of [0, 1023, 1.5, 2 ** 31]) {
      await assert.rejects(serve(createAppendEntity(5), { port: 0, maxReceiveMessageBytes: bad }), /maxReceiveMessageBytes must be/);
    }
  });
});
