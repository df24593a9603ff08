import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { entityServiceDefinition, loadProtos, type EntitySpec } from "../../protocol/index.js";
import { listenAndDrain } from "../../protocol/testing/listen-and-drain.js";
import type { LogFields, Logger } from "../logger.js";
import { encodeFileDescriptor, shoppingCartFile } from "./descriptor-fixtures.js";
import { discoverUserService } from "./discover-user-service.js";
import { SpecError } from "./spec-error.js";

const cartSpec: EntitySpec = {
  proto: encodeFileDescriptor(shoppingCartFile()),
  serviceName: "com.example.shoppingcart.ShoppingCart",
  persistenceId: "shopping-cart",
};

interface Entry {
  readonly level: string;
  readonly message: string;
  readonly fields: LogFields;
}

function recordingLogger(entries: Entry[]): Logger {
  const log =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      void entries.push({ level, message, fields });
  const logger: Logger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), child: () => logger };
  return logger;
}

/** A user function answering `ready()` with `spec`, counting the calls. */
async function startUserFunction(spec: EntitySpec, port = 0): Promise<{ port: number; readyCalls(): number; close(): Promise<void> }> {
  let calls = 0;
  const server = new grpc.Server();
  server.addService(entityServiceDefinition, {
    ready: (_call: unknown, callback: grpc.sendUnaryData<EntitySpec>) => {
      calls++;
      callback(null, spec);
    },
    handle: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
  });
  const listening = await listenAndDrain(server, { port });
  return { port: listening.port, readyCalls: () => calls, close: () => listening.close() };
}

/** A port that was free a moment ago (bound on port 0, then released). */
async function freePort(): Promise<number> {
  const probe = await startUserFunction(cartSpec);
  await probe.close();
  return probe.port;
}

describe("discoverUserService", () => {
  it("returns the validated service of a user function that is up", async () => {
    const userFunction = await startUserFunction(cartSpec);
    try {
      const service = await discoverUserService({ target: `127.0.0.1:${userFunction.port}`, logger: recordingLogger([]) });
      assert.equal(service.name, "com.example.shoppingcart.ShoppingCart");
      assert.equal(service.persistenceId, "shopping-cart");
      assert.deepEqual([...service.methods.keys()], ["AddItem", "RemoveItem", "GetCart"]);
    } finally {
      await userFunction.close();
    }
  });

  it("retries with growing waits while the user function is down, logging each wait, until it comes up", { timeout: 20_000 }, async () => {
    const port = await freePort();
    const entries: Entry[] = [];
    const discovery = discoverUserService({
      target: `127.0.0.1:${port}`,
      logger: recordingLogger(entries),
      backoff: { initialMs: 20, maxMs: 80 },
    });
    // Come up only after several failed attempts.
    const waitUntil = Date.now() + 10_000;
    while (entries.filter((e) => e.level === "warn").length < 4 && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const userFunction = await startUserFunction(cartSpec, port);
    try {
      const service = await discovery;
      assert.equal(service.persistenceId, "shopping-cart");
      const waits = entries.filter((e) => e.level === "warn");
      assert.ok(waits.length >= 4, `expected at least 4 logged waits, got ${waits.length}`);
      const delays = waits.map((e) => e.fields["nextAttemptInMs"]);
      assert.deepEqual(delays.slice(0, 4), [20, 40, 80, 80], "doubling up to the maximum");
      assert.match(String(waits[0]?.fields["error"]), /^UNAVAILABLE/);
      assert.ok(userFunction.readyCalls() >= 1);
    } finally {
      await userFunction.close();
    }
  });

  it("does not retry a bad spec: it fails at once with a SpecError naming the problem", async () => {
    const userFunction = await startUserFunction({ ...cartSpec, persistenceId: "" });
    try {
      await assert.rejects(
        discoverUserService({
          target: `127.0.0.1:${userFunction.port}`,
          logger: recordingLogger([]),
          backoff: { initialMs: 10, maxMs: 10 },
        }),
        (error: unknown) => error instanceof SpecError && /persistence id is empty/.test(error.message),
      );
      assert.equal(userFunction.readyCalls(), 1);
    } finally {
      await userFunction.close();
    }
  });

  it("stops retrying when aborted, rejecting with the abort reason", { timeout: 10_000 }, async () => {
    const port = await freePort();
    const controller = new AbortController();
    const entries: Entry[] = [];
    const discovery = discoverUserService({
      target: `127.0.0.1:${port}`,
      logger: recordingLogger(entries),
      signal: controller.signal,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    const waitUntil = Date.now() + 5_000;
    while (entries.length === 0 && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 10));
    const reason = new Error("shutting down");
    controller.abort(reason);
    await assert.rejects(discovery, (error: unknown) => error === reason);
  });
});

describe("discoverUserService with an undecodable EntitySpec", () => {
  it("fails at once with a SpecError instead of retrying", async () => {
    let calls = 0;
    const server = new grpc.Server();
    const identity = (b: Buffer) => b;
    server.register(
      "/lightbend.serverless.Entity/ready",
      (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => {
        calls++;
        callback(null, Buffer.from([0x0a, 0xff, 0xff, 0xff]));
      },
      identity,
      identity,
      "unary",
    );
    const listening = await listenAndDrain(server);
    try {
      await assert.rejects(
        discoverUserService({ target: listening.address, logger: recordingLogger([]), backoff: { initialMs: 10, maxMs: 10 } }),
        (error: unknown) => error instanceof SpecError && /ready\(\) answered undecodable EntitySpec/.test(error.message),
      );
      assert.equal(calls, 1);
    } finally {
      await listening.close();
    }
  });
});

describe("discoverUserService against the real shopping cart sample", () => {
  it("reads the sample's own spec: service, persistence id, keys from real requests", { timeout: 20_000 }, async () => {
    // Imported here only: the sample is a client of the backend, not a dependency of it.
    const { startShoppingCart } = await import("../../../samples/shopping-cart/index.js");
    const userFunction = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    try {
      const service = await discoverUserService({ target: userFunction.address, logger: recordingLogger([]) });
      assert.equal(service.name, "com.example.shoppingcart.ShoppingCart");
      assert.equal(service.persistenceId, "shopping-cart");
      assert.deepEqual([...service.methods.keys()].sort(), ["AddItem", "GetCart", "RemoveItem"]);
      const root = loadProtos(["shoppingcart/shoppingcart.proto"]);
      const add = root.lookupType("com.example.shoppingcart.AddLineItem");
      const request = add.encode(add.fromObject({ user_id: "user-1", product_id: "456", name: "Flour", quantity: 1 })).finish();
      assert.equal(service.methods.get("AddItem")?.entityIdOf(request), "user-1");
      assert.equal(service.methods.get("AddItem")?.inputType, "com.example.shoppingcart.AddLineItem");
      assert.equal(service.methods.get("GetCart")?.outputType, "com.example.shoppingcart.Cart");
    } finally {
      await userFunction.close();
    }
  });
});
