import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { UserService } from "../discovery/index.js";
import { createHealthService } from "../ops/health-service.js";
import { createOperationalSurface } from "./create-operational-surface.js";

describe("operational surface: health follows the journal", () => {
  it("NOT_SERVING while the journal cannot be written, SERVING again once it can", () => {
    const health = createHealthService();
    const surface = createOperationalSurface({ health });
    const server = new grpc.Server();
    surface.attach(server);
    surface.storageAvailable(false);
    surface.serving(server, { name: "cart.Cart" } as unknown as UserService);
    assert.equal(health.statusOf(""), "NOT_SERVING");
    assert.equal(health.statusOf("cart.Cart"), "NOT_SERVING");
    surface.storageAvailable(true);
    assert.equal(health.statusOf(""), "SERVING");
    assert.equal(health.statusOf("cart.Cart"), "SERVING");
    surface.storageAvailable(false);
    assert.equal(health.statusOf(""), "NOT_SERVING");
    surface.stopping();
    surface.storageAvailable(true);
    assert.equal(health.statusOf(""), "NOT_SERVING");
  });

  it("NOT_SERVING while the user function is unreachable, and until both it and the journal are fine", () => {
    const health = createHealthService();
    const surface = createOperationalSurface({ health });
    const server = new grpc.Server();
    surface.attach(server);
    surface.serving(server, { name: "cart.Cart" } as unknown as UserService);
    assert.equal(health.statusOf(""), "SERVING");
    surface.userFunctionAvailable(false);
    assert.equal(health.statusOf(""), "NOT_SERVING");
    assert.equal(health.statusOf("cart.Cart"), "NOT_SERVING");
    surface.storageAvailable(false);
    surface.userFunctionAvailable(true);
    assert.equal(health.statusOf(""), "NOT_SERVING", "the journal is still down");
    surface.storageAvailable(true);
    assert.equal(health.statusOf(""), "SERVING");
    assert.equal(health.statusOf("cart.Cart"), "SERVING");
  });
});
