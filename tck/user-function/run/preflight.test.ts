import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { describe, it } from "node:test";
import { entityServiceDefinition } from "../../../reference/protocol/index.js";
import { listenAndDrain } from "../../../reference/protocol/testing/listen-and-drain.js";
import { startRawModelEntity } from "../../kit/doubles/raw-subjects/index.js";
import { PreflightError } from "../../kit/run/preflight-error.js";
import { preflightUserFunction } from "./preflight.js";

async function preflightError(options: Parameters<typeof preflightUserFunction>[0]): Promise<string> {
  try {
    const subject = await preflightUserFunction(options);
    assert.fail(`expected a PreflightError, got subject ${subject}`);
  } catch (error) {
    assert.ok(error instanceof PreflightError, String(error));
    assert.ok(!error.message.includes("\n"), `one line: ${error.message}`);
    return error.message;
  }
}

describe("preflightUserFunction", () => {
  it("infers the subject from the service ready() names, and accepts the matching --subject", async () => {
    const model = await startRawModelEntity();
    try {
      assert.equal(await preflightUserFunction({ target: model.address, subject: undefined, timeoutMs: 5000 }), "model");
      assert.equal(await preflightUserFunction({ target: model.address, subject: "model", timeoutMs: 5000 }), "model");
    } finally {
      await model.close();
    }
  });

  it("refuses another subject's user function, naming both services and the right --subject", async () => {
    const model = await startRawModelEntity();
    try {
      const message = await preflightError({ target: model.address, subject: "shopping-cart", timeoutMs: 5000 });
      assert.match(message, /--subject shopping-cart expects a user function serving com\.example\.shoppingcart\.ShoppingCart/);
      assert.match(message, /serves lightbend\.serverless\.tck\.model\.ModelEntity \(that is --subject model\)/);
    } finally {
      await model.close();
    }
  });

  it("leaves a service no subject has to the discovery scenarios when --subject is given, and asks for one otherwise", async () => {
    const other = await startRawModelEntity({ faults: { describesItselfAs: { serviceName: "com.example.Other" } } });
    try {
      assert.equal(await preflightUserFunction({ target: other.address, subject: "model", timeoutMs: 5000 }), "model");
      assert.match(
        await preflightError({ target: other.address, subject: undefined, timeoutMs: 5000 }),
        /serves "com\.example\.Other", which is no subject of the kit/,
      );
    } finally {
      await other.close();
    }
  });

  it("says nothing listens at a dead target", async () => {
    const gone = await startRawModelEntity();
    await gone.close();
    assert.match(
      await preflightError({ target: gone.address, subject: "model", timeoutMs: 5000 }),
      /^cannot reach a user function at 127\.0\.0\.1:\d+: .* failed UNAVAILABLE/,
    );
  });

  it("says a gRPC server without the Entity service is not a user function", async () => {
    const server = new grpc.Server();
    const { address, close } = await listenAndDrain(server);
    try {
      assert.match(
        await preflightError({ target: address, subject: undefined, timeoutMs: 5000 }),
        /does not serve lightbend\.serverless\.Entity\/ready \(UNIMPLEMENTED\): it is not a user function/,
      );
    } finally {
      await close(0);
    }
  });

  it("bounds the wait for a ready() that never answers by --timeout", async () => {
    const server = new grpc.Server();
    server.addService(entityServiceDefinition, {
      ready: () => {},
      handle: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
    });
    const { address, close } = await listenAndDrain(server);
    try {
      assert.match(
        await preflightError({ target: address, subject: "model", timeoutMs: 300 }),
        /no answer from lightbend\.serverless\.Entity\/ready at .* within 300 ms \(--timeout\)/,
      );
    } finally {
      await close(0);
    }
  });

  it("reports a ready() that fails with its status", async () => {
    const server = new grpc.Server();
    server.addService(entityServiceDefinition, {
      ready: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
        callback({ code: grpc.status.INTERNAL, details: "no descriptor yet" }),
      handle: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
    });
    const { address, close } = await listenAndDrain(server);
    try {
      assert.match(
        await preflightError({ target: address, subject: "model", timeoutMs: 5000 }),
        /ready at .* failed INTERNAL \(no descriptor yet\)/,
      );
    } finally {
      await close(0);
    }
  });
});
