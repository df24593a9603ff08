import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { listenAndDrain, type ListeningServer } from "../../protocol/testing/listen-and-drain.js";
import { createHealthService, healthServiceDefinition, type HealthService, type ServingStatus } from "./health-service.js";

type HealthClient = grpc.Client & {
  Check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: { status: ServingStatus }) => void,
  ): void;
  Watch(request: { service: string }, options: grpc.CallOptions): grpc.ClientReadableStream<{ status: ServingStatus }>;
};

const userServiceName = "com.example.shoppingcart.ShoppingCart";

describe("gRPC health service", () => {
  let server: ListeningServer;
  let health: HealthService;
  let client: HealthClient;
  let address: string;

  before(async () => {
    const grpcServer = new grpc.Server();
    health = createHealthService();
    health.addTo(grpcServer);
    server = await listenAndDrain(grpcServer);
    address = server.address;
    const Client = grpc.makeGenericClientConstructor(healthServiceDefinition(), "Health");
    client = new Client(address, grpc.credentials.createInsecure()) as unknown as HealthClient;
  });

  after(async () => {
    client.close();
    health.close();
    await server.close();
  });

  const check = (service: string) =>
    new Promise<ServingStatus>((resolve, reject) =>
      client.Check({ service }, { deadline: Date.now() + 5_000 }, (error, response) =>
        error ? reject(error) : resolve(response?.status ?? "UNKNOWN"),
      ),
    );

  /** Collects `count` Watch updates, then cancels the stream. */
  const watch = (service: string, count: number, whenFirst: () => void = () => {}) =>
    new Promise<ServingStatus[]>((resolve, reject) => {
      const seen: ServingStatus[] = [];
      const call = client.Watch({ service }, { deadline: Date.now() + 5_000 });
      call.on("data", (response: { status: ServingStatus }) => {
        seen.push(response.status);
        if (seen.length === 1) whenFirst();
        if (seen.length === count) {
          call.cancel();
          resolve(seen);
        }
      });
      call.on("error", (error: grpc.ServiceError) => {
        if (error.code !== grpc.status.CANCELLED) reject(error);
      });
    });

  it("reports the server NOT_SERVING before discovery and NOT_FOUND for a service it does not know yet", async () => {
    assert.equal(await check(""), "NOT_SERVING");
    await assert.rejects(check(userServiceName), (error: grpc.ServiceError) => error.code === grpc.status.NOT_FOUND);
  });

  it("quotes an unknown service name cut to 200 characters, however long the client sent it", async () => {
    await assert.rejects(check("s".repeat(100 * 1024)), (error: grpc.ServiceError) => {
      assert.equal(error.code, grpc.status.NOT_FOUND);
      assert.equal(error.details, `unknown service "${"s".repeat(200)}…"`);
      return true;
    });
  });

  it("streams changes to a watcher, starting with SERVICE_UNKNOWN for an unknown service", async () => {
    const watched = watch(userServiceName, 3, () => {
      health.setStatus(userServiceName, "NOT_SERVING");
      health.setStatus(userServiceName, "NOT_SERVING"); // unchanged: not sent again
      health.setStatus(userServiceName, "SERVING");
    });
    assert.deepEqual(await watched, ["SERVICE_UNKNOWN", "NOT_SERVING", "SERVING"]);
  });

  it("reports SERVING once set, for the server and the user's service", async () => {
    health.setStatus("", "SERVING");
    health.setStatus(userServiceName, "SERVING");
    assert.equal(await check(""), "SERVING");
    assert.equal(await check(userServiceName), "SERVING");
    assert.equal(health.statusOf(""), "SERVING");
  });

  it("puts the standard wire bytes on the wire (status = field 1, SERVING = 1)", async () => {
    const raw = new grpc.Client(address, grpc.credentials.createInsecure());
    try {
      const identity = (b: Buffer) => b;
      const bytes = await new Promise<Buffer>((resolve, reject) =>
        raw.makeUnaryRequest("/grpc.health.v1.Health/Check", identity, identity, Buffer.from([]), (e, r) =>
          e ? reject(e) : resolve(r ?? Buffer.alloc(0)),
        ),
      );
      assert.deepEqual([...bytes], [0x08, 0x01]);
    } finally {
      raw.close();
    }
  });

  it("ends open Watch streams on close", async () => {
    const other = createHealthService({ initialStatus: "SERVING" });
    const otherGrpcServer = new grpc.Server();
    other.addTo(otherGrpcServer);
    const otherServer = await listenAndDrain(otherGrpcServer);
    const Client = grpc.makeGenericClientConstructor(healthServiceDefinition(), "Health");
    const otherClient = new Client(otherServer.address, grpc.credentials.createInsecure()) as unknown as HealthClient;
    try {
      const ended = await new Promise<ServingStatus[]>((resolve, reject) => {
        const seen: ServingStatus[] = [];
        const call = otherClient.Watch({ service: "" }, { deadline: Date.now() + 5_000 });
        call.on("data", (r: { status: ServingStatus }) => {
          seen.push(r.status);
          other.close();
        });
        call.on("error", reject);
        call.on("end", () => resolve(seen));
      });
      assert.deepEqual(ended, ["SERVING"]);
    } finally {
      otherClient.close();
      await otherServer.close();
    }
  });
});
